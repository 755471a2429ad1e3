"""Goals, key results, commitments and follow-through over the API: same rules as the pages, tenant-scoped."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.goals.models import Commitment, CommitmentStatus, Goal, KeyResult, KeyResultUpdate, Level
from accord.lib.tz import UTC
from tests.api_client import Api
from tests.factories import PersonFactory, TeamFactory
from tests.factories.goals import day, make_commitment, make_goal, make_kr, make_update

pytestmark = pytest.mark.django_db

EVENING_UTC = dt.datetime(2025, 3, 10, 20, 0, tzinfo=UTC)


# --- goals ------------------------------------------------------------------------------------


def test_create_read_and_update_a_goal(member_api, member, team):
    made = member_api.post("/api/goals", {"title": "Ship the runbook", "level": "person"})
    assert made.status_code == 201, made.content
    body = made.json()
    assert {k: body[k] for k in ("title", "level", "owner_id", "team_id", "private", "parent_id")} == {
        "title": "Ship the runbook",
        "level": "person",
        "owner_id": member.pk,
        "team_id": team.pk,
        "private": False,
        "parent_id": None,
    }
    goal_id = body["id"]

    changed = member_api.patch(f"/api/goals/{goal_id}", {"title": "Ship two runbooks", "private": True})
    assert changed.status_code == 200
    assert (changed.json()["title"], changed.json()["private"]) == ("Ship two runbooks", True)
    assert member_api.get(f"/api/goals/{goal_id}").json()["title"] == "Ship two runbooks"


def test_goal_list_filters_and_hides_private_goals(member_api, org, team, member, manager):
    top = make_goal(org, title="Top", level=Level.COMPANY, owner=manager, team=None)
    make_goal(org, title="Mine", owner=member, parent=top)
    peer = PersonFactory(org=org, team=team)
    make_goal(org, title="Peer's public", owner=peer, parent=top)
    make_goal(org, title="Peer's private", owner=peer, parent=top, private=True)

    def titles(**params):
        return [g["title"] for g in member_api.get("/api/goals", **params).json()["items"]]

    assert titles() == ["Mine", "Peer's public", "Top"]
    assert titles(mine=True) == ["Mine"]
    assert titles(level="company") == ["Top"]
    assert titles(parent=top.pk) == ["Mine", "Peer's public"]
    assert titles(owner=peer.pk) == ["Peer's public"]
    assert titles(q="peer") == ["Peer's public"]
    assert member_api.get("/api/goals", limit=1).json()["count"] == 3


def test_a_private_goal_is_404_to_a_peer_and_visible_to_the_line_above(
    member_api, manager_api, org, team, admin
):
    peer = PersonFactory(org=org, team=team)
    mine = make_goal(org, owner=peer, private=True)
    theirs = make_goal(
        org, owner=PersonFactory(org=org, team=team, manager=PersonFactory(org=org)), private=True
    )
    member = member_api
    assert member.get(f"/api/goals/{mine.pk}").status_code == 404
    assert member.patch(f"/api/goals/{mine.pk}", {"title": "x"}).status_code == 404
    assert Api(peer).get(f"/api/goals/{mine.pk}").status_code == 200
    assert Api(admin).get(f"/api/goals/{theirs.pk}").status_code == 200
    assert manager_api.get(f"/api/goals/{theirs.pk}").status_code == 404


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"title": "  ", "level": "person"}, "title", "Give the goal a title."),
        ({"title": "X", "level": "company"}, "level", "Only admins can set company goals."),
        ({"title": "X", "level": "team"}, "team_id", "A team goal needs a team."),
        ({"title": "X", "level": "person", "owner_id": None}, "owner_id", "A person goal needs an owner."),
        (
            {"title": "X", "level": "person", "starts_on": "2025-03-10", "ends_on": "2025-03-01"},
            "ends_on",
            "The end date must be on or after the start date.",
        ),
    ],
)
def test_goal_rules_are_4xx_with_a_message(member_api, body, field, message):
    response = member_api.post("/api/goals", body)

    assert response.status_code in (400, 403)
    assert response.json()["detail"] == message
    if response.status_code == 400:
        assert response.json()["errors"] == {field: [message]}
    assert Goal.objects.count() == 0


def test_goal_cycle_is_400(admin_api, admin, org, team):
    top = make_goal(org, level=Level.TEAM, team=team, owner=admin)
    below = make_goal(org, level=Level.TEAM, team=team, owner=admin, parent=top)
    for parent in (top, below):
        response = admin_api.patch(f"/api/goals/{top.pk}", {"parent_id": parent.pk})
        assert response.status_code == 400
        assert response.json()["errors"] == {
            "parent_id": ["A goal cannot be aligned to itself or to a goal aligned beneath it."]
        }
    top.refresh_from_db()
    assert top.parent_id is None


@pytest.mark.parametrize(
    ("field", "what"), [("team_id", "team"), ("owner_id", "person"), ("parent_id", "parent goal")]
)
def test_ids_from_another_organisation_are_404(admin_api, admin, other_org, outsider, field, what):
    foreign = {
        "team_id": outsider.team_id,
        "owner_id": outsider.pk,
        "parent_id": make_goal(other_org, owner=outsider).pk,
    }
    body = {"title": "X", "level": "team", "team_id": admin.team_id, field: foreign[field]}

    response = admin_api.post("/api/goals", body)

    assert response.status_code == 404
    assert response.json() == {"detail": f"No such {what} in this organisation."}
    assert Goal.objects.filter(org=admin.org).count() == 0


def test_member_cannot_change_someone_elses_goal(member_api, org, team, manager):
    goal = make_goal(org, title="Manager's", owner=manager)
    response = member_api.patch(f"/api/goals/{goal.pk}", {"title": "Mine now"})
    assert response.status_code == 403
    assert response.json()["detail"] == "You cannot change this goal."
    goal.refresh_from_db()
    assert goal.title == "Manager's"


def test_manager_sets_team_goals_only_for_teams_they_lead(manager_api, org, team):
    other = TeamFactory(org=org, name="Sales")
    assert (
        manager_api.post("/api/goals", {"title": "A", "level": "team", "team_id": team.pk}).status_code == 201
    )
    response = manager_api.post("/api/goals", {"title": "B", "level": "team", "team_id": other.pk})
    assert response.status_code == 403
    assert response.json()["detail"] == "You can set team goals only for a team you lead."


# --- key results ------------------------------------------------------------------------------


def test_key_result_and_progress_history(member_api, member, org):
    goal = make_goal(org, owner=member)
    made = member_api.post(
        f"/api/goals/{goal.pk}/key-results",
        {"title": "Reopened tickets", "start": 12, "target": 6, "unit": "per month"},
    )
    assert made.status_code == 201, made.content
    kr_id = made.json()["id"]
    assert (made.json()["current"], made.json()["confidence"], len(made.json()["updates"])) == (12.0, 70, 1)

    progress = member_api.post(
        f"/api/key-results/{kr_id}/progress", {"value": 9, "confidence": 60, "note": "Halfway"}
    )

    assert progress.status_code == 201
    body = progress.json()
    assert (body["current"], body["confidence"], body["progress"]) == (9.0, 60, 0.5)
    assert [(u["value"], u["confidence"], u["note"]) for u in body["updates"]] == [
        (12.0, 70, "Key result set"),
        (9.0, 60, "Halfway"),
    ]
    detail = member_api.get(f"/api/goals/{goal.pk}").json()
    assert [len(kr["updates"]) for kr in detail["key_results"]] == [2]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"title": "X", "start": 5, "target": 5},
            "target",
            "The target must differ from the start, or there is nothing to measure.",
        ),
        (
            {"title": "X", "target": 5, "confidence": 101},
            "confidence",
            "Confidence is a percentage: a whole number from 0 to 100.",
        ),
        (
            {"title": "X", "target": 5, "confidence": -1},
            "confidence",
            "Confidence is a percentage: a whole number from 0 to 100.",
        ),
        ({"title": " ", "target": 5}, "title", "Give the key result a title."),
    ],
)
def test_key_result_rules_are_400(member_api, member, org, body, field, message):
    goal = make_goal(org, owner=member)
    response = member_api.post(f"/api/goals/{goal.pk}/key-results", body)
    assert response.status_code == 400
    assert response.json() == {"detail": message, "errors": {field: [message]}}
    assert KeyResult.objects.count() == 0


@pytest.mark.parametrize("confidence", [101, -1, 10**30])
def test_progress_confidence_outside_0_to_100_is_400_and_saves_nothing(member_api, member, org, confidence):
    kr = make_kr(make_goal(org, owner=member), start=0, target=10, current=2)
    response = member_api.post(f"/api/key-results/{kr.pk}/progress", {"value": 5, "confidence": confidence})
    assert response.status_code == 400
    assert response.json()["detail"] == "Confidence is a percentage: a whole number from 0 to 100."
    kr.refresh_from_db()
    assert (kr.current, KeyResultUpdate.objects.count()) == (2, 0)


@pytest.mark.parametrize(
    "body",
    [
        {"value": "5", "confidence": 50},
        {"value": 5, "confidence": "50"},
        {"value": 5},
        {"value": 5, "confidence": 50, "x": 1},
        {"value": True, "confidence": 50},
    ],
)
def test_progress_wrong_types_are_422(member_api, member, org, body):
    kr = make_kr(make_goal(org, owner=member))
    response = member_api.post(f"/api/key-results/{kr.pk}/progress", body)
    assert response.status_code == 422
    assert response.json()["detail"]


def test_progress_by_a_peer_is_403(member_api, org, team):
    peer = PersonFactory(org=org, team=team)
    kr = make_kr(make_goal(org, owner=peer))
    response = member_api.post(f"/api/key-results/{kr.pk}/progress", {"value": 5, "confidence": 50})
    assert response.status_code == 403
    assert (
        response.json()["detail"] == "Only the goal's owner and people who may edit it can record progress."
    )


# --- commitments ------------------------------------------------------------------------------


@time_machine.travel(EVENING_UTC, tick=False)
def test_commitment_due_in_the_past_in_the_owners_zone_is_400(org, team):
    sydney = PersonFactory(org=org, team=team, timezone="Australia/Sydney")
    api = Api(sydney)
    body = {"title": "Runbook", "definition_of_done": "Merged", "due_on": "2025-03-10"}

    response = api.post("/api/commitments", body)

    message = "The due date is in the past: it is already 11 March 2025 in your time zone (Australia/Sydney)."
    assert response.status_code == 400
    assert response.json() == {"detail": message, "errors": {"due_on": [message]}}
    assert Commitment.objects.count() == 0
    made = api.post("/api/commitments", body | {"due_on": "2025-03-11"})
    assert made.status_code == 201
    assert (made.json()["days_left"], made.json()["owner_id"], made.json()["status"]) == (
        0,
        sydney.pk,
        "open",
    )


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("title", "Say what you will deliver."),
        ("definition_of_done", "Say how everyone will know it is done."),
    ],
)
def test_empty_commitment_text_is_400(member_api, field, message):
    body = {"title": "Runbook", "definition_of_done": "Merged", "due_on": "2099-01-01"} | {field: " "}
    response = member_api.post("/api/commitments", body)
    assert response.status_code == 400
    assert response.json() == {"detail": message, "errors": {field: [message]}}
    assert Commitment.objects.count() == 0


def test_commitment_for_someone_else(member_api, manager_api, member, manager, other_org, outsider):
    body = {"title": "Runbook", "definition_of_done": "Merged", "due_on": "2099-01-01"}
    refused = member_api.post("/api/commitments", body | {"owner_id": manager.pk})
    assert refused.status_code == 403
    assert (
        refused.json()["detail"]
        == "You can add commitments only for yourself or for people who report to you."
    )
    foreign = manager_api.post("/api/commitments", body | {"owner_id": outsider.pk})
    assert foreign.status_code == 404
    assert foreign.json() == {"detail": "No such person in this organisation."}
    foreign_goal = manager_api.post(
        "/api/commitments", body | {"goal_id": make_goal(other_org, owner=outsider).pk}
    )
    assert foreign_goal.status_code == 404
    assert Commitment.objects.count() == 0
    made = manager_api.post("/api/commitments", body | {"owner_id": member.pk})
    assert made.status_code == 201
    assert (made.json()["owner_id"], made.json()["created_by_id"]) == (member.pk, manager.pk)


@time_machine.travel(EVENING_UTC, tick=False)
def test_status_done_sets_done_on_on_the_owners_clock(org, team):
    sydney = PersonFactory(org=org, team=team, timezone="Australia/Sydney")
    c = make_commitment(sydney, day("2025-03-11"))
    response = Api(sydney).patch(f"/api/commitments/{c.pk}", {"status": "done"})
    assert response.status_code == 200
    assert (response.json()["done_on"], response.json()["kept"]) == ("2025-03-11", True)
    again = Api(sydney).patch(f"/api/commitments/{c.pk}", {"status": "done"})
    assert (again.status_code, again.json()["detail"]) == (400, "It is already done.")


def test_status_rules(manager_api, member_api, member):
    c = make_commitment(member, day("2099-01-01"))
    refused = manager_api.patch(f"/api/commitments/{c.pk}", {"status": "done"})
    assert (refused.status_code, refused.json()["detail"]) == (
        403,
        "Only Milo Member, who owns this commitment, can mark it done.",
    )
    assert manager_api.patch(f"/api/commitments/{c.pk}", {"status": "dropped"}).json()["status"] == "dropped"
    assert member_api.patch(f"/api/commitments/{c.pk}", {"status": "open"}).json()["status"] == "open"
    assert member_api.patch(f"/api/commitments/{c.pk}", {"status": "finished"}).status_code == 422


def test_listing_commitments(member_api, manager_api, org, team, member, manager):
    peer = PersonFactory(org=org, team=team)
    make_commitment(member, day("2099-01-02"), title="Milo's")
    make_commitment(
        member,
        day("2099-01-01"),
        title="Milo's done",
        status=CommitmentStatus.DONE,
        done_on=day("2098-12-31"),
    )
    make_commitment(manager, day("2099-01-01"), title="Maya's")
    make_commitment(peer, day("2099-01-01"), title="Peer's")

    def titles(api, **params):
        response = api.get("/api/commitments", **params)
        assert response.status_code == 200
        return [c["title"] for c in response.json()["items"]]

    assert titles(member_api) == ["Milo's done", "Milo's"]
    assert titles(member_api, status="open") == ["Milo's"]
    assert titles(manager_api) == ["Maya's"]
    assert titles(manager_api, owner=member.pk) == ["Milo's done", "Milo's"]
    assert titles(manager_api, reports=True) == ["Milo's done", "Milo's"]
    assert member_api.get("/api/commitments", owner=peer.pk).status_code == 404
    assert member_api.get("/api/commitments", owner=manager.pk).status_code == 404


# --- follow-through ---------------------------------------------------------------------------


@time_machine.travel(EVENING_UTC, tick=False)
def test_follow_through_is_the_same_for_the_person_their_managers_and_admins(
    org, team, member, manager, admin
):
    boss = PersonFactory(org=org, team=team)
    manager.manager = boss
    manager.save()
    make_commitment(member, day("2025-03-01"), status=CommitmentStatus.DONE, done_on=day("2025-03-01"))
    make_commitment(member, day("2025-03-02"), title="Slipping")
    url = f"/api/people/{member.pk}/follow-through"

    bodies = [Api(p).get(url).json() for p in (member, manager, boss, admin)]

    assert bodies[0]["sentence"] == "1 of 2 commitments done by their due date in the last 90 days"
    assert {k: bodies[0][k] for k in ("kept", "due", "share", "window_from", "window_to")} == {
        "kept": 1,
        "due": 2,
        "share": 0.5,
        "window_from": "2024-12-10",
        "window_to": "2025-03-09",
    }
    assert [c["title"] for c in bodies[0]["slipping"]] == ["Slipping"]
    assert all(b == bodies[0] for b in bodies)


def test_follow_through_is_404_for_peers_and_other_organisations(member_api, org, team, manager, outsider):
    peer = PersonFactory(org=org, team=team)
    for person in (peer, manager, outsider):
        response = member_api.get(f"/api/people/{person.pk}/follow-through")
        assert response.status_code == 404
        assert response.json() == {"detail": "No such person in this organisation."}


# --- tenancy: every endpoint answers 404 for another organisation's objects -------------------


def test_every_endpoint_is_404_for_another_organisations_objects(admin_api, admin, other_org, outsider):
    goal = make_goal(other_org, owner=outsider)
    kr = make_kr(goal)
    make_update(kr, 3)
    c = make_commitment(outsider, day("2099-01-01"))
    calls = [
        admin_api.get(f"/api/goals/{goal.pk}"),
        admin_api.patch(f"/api/goals/{goal.pk}", {"title": "Hacked"}),
        admin_api.post(f"/api/goals/{goal.pk}/key-results", {"title": "X", "target": 1}),
        admin_api.post(f"/api/key-results/{kr.pk}/progress", {"value": 1, "confidence": 50}),
        admin_api.get(f"/api/commitments/{c.pk}"),
        admin_api.patch(f"/api/commitments/{c.pk}", {"status": "dropped"}),
        admin_api.get("/api/commitments", owner=outsider.pk),
        admin_api.get("/api/goals", team=outsider.team_id),
        admin_api.get("/api/goals", owner=outsider.pk),
        admin_api.get("/api/goals", parent=goal.pk),
        admin_api.get(f"/api/people/{outsider.pk}/follow-through"),
    ]
    assert [r.status_code for r in calls] == [404] * len(calls)
    assert admin_api.get("/api/goals").json()["count"] == 0
    goal.refresh_from_db()
    c.refresh_from_db()
    assert (goal.title, c.status, KeyResult.objects.get().current, KeyResultUpdate.objects.count()) == (
        goal.title,
        "open",
        0.0,
        1,
    )


def test_list_goals_query_count_is_independent_of_rows(member_api, org, member, django_assert_num_queries):
    make_kr(make_goal(org, owner=member))
    member_api.get("/api/goals")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        member_api.get("/api/goals", limit=200)
    for _ in range(30):
        goal = make_goal(org, owner=member)
        make_kr(goal)
        make_kr(goal)
    with django_assert_num_queries(len(one.captured_queries)):
        assert member_api.get("/api/goals", limit=200).json()["count"] == 31


def test_openapi_documents_the_goals_endpoints(client, db):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in [
        "/api/goals",
        "/api/goals/{goal_id}",
        "/api/goals/{goal_id}/key-results",
        "/api/key-results/{key_result_id}/progress",
        "/api/commitments",
        "/api/commitments/{commitment_id}",
        "/api/people/{person_id}/follow-through",
    ]:
        assert path in paths, path


# --- fuzz: random JSON never makes a 500 ------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=5,
)
plausible = st.sampled_from(
    [
        "",
        " ",
        "company",
        "team",
        "person",
        "done",
        "2025-02-29",
        "2099-01-01",
        0,
        1,
        100,
        101,
        -1,
        1e308,
        2**63,
    ]
)
FIELDS = [
    "title",
    "description",
    "level",
    "team_id",
    "owner_id",
    "parent_id",
    "private",
    "starts_on",
    "ends_on",
    "start",
    "target",
    "unit",
    "confidence",
    "current",
    "value",
    "note",
    "definition_of_done",
    "due_on",
    "goal_id",
    "status",
    "archived",
]
bodies = st.dictionaries(st.sampled_from(FIELDS), json_values | plausible, max_size=7)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_random_bodies_never_500(member_api, member, org, body):
    goal = make_goal(org, owner=member)
    kr = make_kr(goal)
    c = make_commitment(member, day("2099-01-01"))
    for response in (
        member_api.post("/api/goals", body),
        member_api.patch(f"/api/goals/{goal.pk}", body),
        member_api.post(f"/api/goals/{goal.pk}/key-results", body),
        member_api.post(f"/api/key-results/{kr.pk}/progress", body),
        member_api.post("/api/commitments", body),
        member_api.patch(f"/api/commitments/{c.pk}", body),
    ):
        assert response.status_code < 500, (body, response.content)
        if response.status_code >= 400:
            assert response.json()["detail"]
