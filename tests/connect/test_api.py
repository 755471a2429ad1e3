"""The coffee and profile API: the same rules as the pages, tenant-scoped, 4xx with a message on bad input."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.connect.actions import pair_coffee_round, save_profile
from accord.connect.models import CoffeeGroupMember, CoffeeMember, CoffeeRound, Profile
from accord.orgs.models import Role
from tests.api_client import Api
from tests.factories import PersonFactory, TeamFactory

from .conftest import US_ONLY_DST, coffee_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def paired(org, team):
    a = coffee_person(org, team, name="Ana", zone="America/New_York")
    b = coffee_person(org, team, name="Ben", zone="Europe/Berlin", end=dt.time(14, 30))
    rnd = pair_coffee_round(org, US_ONLY_DST)
    return a, b, rnd, rnd.groups.get()


def test_opt_in_pause_and_leave(org, team):
    me = PersonFactory(org=org, team=team)
    api = Api(me)
    with time_machine.travel(US_ONLY_DST, tick=False):
        assert api.get("/api/coffee/me").json() == {
            "status": "out",
            "paused_until": None,
            "has_working_hours": True,
            "next_round_at": None,
        }
        body = api.put("/api/coffee/me", {"status": "in"}).json()
        assert (body["status"], body["next_round_at"]) == ("in", "2026-03-12T12:00:00Z")
        response = api.put("/api/coffee/me", {"status": "paused", "paused_until": "2026-03-01"})
        assert response.status_code == 400
        assert response.json()["detail"] == "Pick a date after today."
        body = api.put("/api/coffee/me", {"status": "paused", "paused_until": "2026-04-01"}).json()
        assert (body["status"], body["paused_until"]) == ("paused", "2026-04-01")
        response = api.put("/api/coffee/me", {"status": "in", "paused_until": "2026-04-01"})
        assert response.status_code == 400
        assert api.put("/api/coffee/me", {"status": "out"}).json()["status"] == "out"
        assert api.put("/api/coffee/me", {"status": "maybe"}).status_code == 422
        assert api.put("/api/coffee/me", "[]").status_code == 422
    assert CoffeeMember.objects.get(person=me).active is False


def test_no_working_hours_is_refused_with_a_message(org, team):
    me = PersonFactory(org=org, team=team, work_start=dt.time(9), work_end=dt.time(9))
    response = Api(me).put("/api/coffee/me", {"status": "in"})
    assert response.status_code == 400
    assert "working hours" in response.json()["detail"]
    assert CoffeeMember.objects.count() == 0


def test_rounds_and_my_pairing(paired):
    a, b, rnd, group = paired
    rounds = Api(a).get("/api/coffee/rounds").json()
    assert [(r["id"], r["number"], r["week_start"], r["groups"]) for r in rounds] == [
        (rnd.pk, 1, "2026-03-09", 1)
    ]
    mine = rounds[0]["my_group"]
    assert sorted(p["name"] for p in mine["people"]) == ["Ana", "Ben"]
    assert mine["slots"][0] == {"start": "2026-03-09T13:00:00Z", "end": "2026-03-09T13:30:00Z"}
    assert (mine["overlap_minutes"], mine["my_answer"]) == (30, None)
    assert Api(a).get(f"/api/coffee/pairings/{group.pk}").json() == mine
    assert Api(b).get("/api/coffee/pairings").json() == [mine]


def test_did_you_meet(org, team, paired):
    a, b, rnd, group = paired
    api = Api(a)
    with time_machine.travel(US_ONLY_DST, tick=False):
        early = api.put(f"/api/coffee/pairings/{group.pk}/met", {"met": "yes"})
    assert early.status_code == 400
    assert early.json()["detail"] == "You can say whether you met once the week of the round has begun."
    with time_machine.travel(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC), tick=False):
        assert api.put(f"/api/coffee/pairings/{group.pk}/met", {"met": "maybe"}).status_code == 422
        assert api.put(f"/api/coffee/pairings/{group.pk}/met", {"met": "yes"}).json()["my_answer"] == "yes"
        # Someone outside the group, even an admin, cannot answer for it.
        boss = PersonFactory(org=org, team=team, role=Role.ADMIN)
        assert Api(boss).get(f"/api/coffee/pairings/{group.pk}").status_code == 200
        assert Api(boss).put(f"/api/coffee/pairings/{group.pk}/met", {"met": "no"}).status_code == 404
        colleague = PersonFactory(org=org, team=team)
        assert Api(colleague).get(f"/api/coffee/pairings/{group.pk}").status_code == 404
    assert sorted(CoffeeGroupMember.objects.values_list("person__name", "met")) == [
        ("Ana", "yes"),
        ("Ben", ""),
    ]


def test_another_organisations_objects_are_404(org, team, other_org, paired):
    a, _, rnd, group = paired
    stranger = PersonFactory(org=other_org, team=TeamFactory(org=other_org))
    api = Api(stranger)
    assert api.get(f"/api/coffee/rounds/{rnd.pk}").status_code == 404
    assert api.get(f"/api/coffee/pairings/{group.pk}").status_code == 404
    assert api.put(f"/api/coffee/pairings/{group.pk}/met", {"met": "yes"}).status_code == 404
    assert api.get(f"/api/profiles/{a.pk}").status_code == 404
    assert api.get("/api/coffee/rounds").json() == []
    assert Api(a).get(f"/api/profiles/{stranger.pk}").status_code == 404
    assert api.get("/api/profiles/99999999999999999999").status_code == 422


def test_only_admins_run_a_round(org, team, paired):
    a, _, _, _ = paired
    response = Api(a).post("/api/coffee/rounds", {})
    assert response.status_code == 403
    assert CoffeeRound.objects.count() == 1
    boss = PersonFactory(org=org, team=team, role=Role.ADMIN)
    response = Api(boss).post("/api/coffee/rounds", {})
    assert response.status_code == 201
    assert response.json()["number"] == 2


def test_profiles(org, team):
    me = PersonFactory(org=org, team=team, name="Ines", timezone="Asia/Kolkata")
    other = PersonFactory(org=org, team=team)
    api = Api(me)
    body = api.put(
        "/api/profiles/me", {"how_i_work": "  Early, with tea.  ", "help_me": "Write first."}
    ).json()
    assert (body["how_i_work"], body["help_me"], body["reach_me"], body["timezone"]) == (
        "Early, with tea.",
        "Write first.",
        "",
        "Asia/Kolkata",
    )
    assert api.put("/api/profiles/me", {"reach_me": "x" * 2001}).status_code == 422
    assert api.put("/api/profiles/me", {"reach_me": "a\u0000b"}).status_code == 400
    assert api.put("/api/profiles/me", {"nonsense": "x"}).status_code == 422
    assert (
        api.put("/api/profiles/me", {"reach_me": "Chat, mornings."}).json()["how_i_work"]
        == "Early, with tea."
    )
    read = Api(other).get(f"/api/profiles/{me.pk}").json()
    assert (read["how_i_work"], read["reach_me"]) == ("Early, with tea.", "Chat, mornings.")
    assert Profile.objects.count() == 1
    save_profile(other, feedback="Straight away, in private.")
    assert api.get(f"/api/profiles/{other.pk}").json()["feedback"] == "Straight away, in private."


def test_the_endpoints_are_in_the_schema(client, db):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/coffee/me",
        "/api/coffee/rounds",
        "/api/coffee/rounds/{round_id}",
        "/api/coffee/pairings",
        "/api/coffee/pairings/{group_id}/met",
        "/api/profiles/{person_id}",
        "/api/profiles/me",
    ):
        assert path in paths


texts = (
    st.text(max_size=20) | st.sampled_from(["", "2026-02-30", "2027-01-01", "a\x00b", "x" * 5000]) | st.none()
)
odd = texts | st.integers(-(2**70), 2**70) | st.booleans() | st.lists(st.integers(), max_size=2)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    me=st.fixed_dictionaries(
        {}, optional={"status": st.sampled_from(["in", "paused", "out"]) | odd, "paused_until": odd}
    ),
    met=st.fixed_dictionaries({}, optional={"met": st.sampled_from(["yes", "no", "skipped"]) | odd}),
    profile=st.fixed_dictionaries(
        {}, optional={"how_i_work": odd, "reach_me": odd, "help_me": odd, "nope": odd}
    ),
)
def test_random_bodies_never_500(paired, me, met, profile):
    a, _, _, group = paired
    api = Api(a)
    with time_machine.travel(US_ONLY_DST + dt.timedelta(days=5), tick=False):
        responses = [
            api.put("/api/coffee/me", me),
            api.put(f"/api/coffee/pairings/{group.pk}/met", met),
            api.put("/api/profiles/me", profile),
        ]
    for response in responses:
        assert response.status_code < 500, (me, met, profile, response.content)
        if response.status_code >= 400:
            assert response.json()["detail"]
