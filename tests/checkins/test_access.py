"""Every check-in page against every role, against another organisation's objects, and signed out.

MATRIX is read by tests/test_access_matrix.py (every page must be named somewhere); the tests below
apply it. MANAGERS means the team's managers (anyone who manages someone in the team) and admins.
"""

import datetime as dt

import pytest
from django.urls import reverse

from accord.checkins.actions import submit_checkin
from accord.checkins.models import Blocker, Checkin
from accord.checkins.planning import plan_checkins
from accord.lib.tz import UTC
from accord.orgs.models import Role
from tests.conftest import login
from tests.factories import PersonFactory, TeamFactory

EVERYONE, MANAGERS = "everyone", "managers"
MATRIX = {
    "checkins": ("get", None, EVERYONE),
    "checkins_prompt_time": ("post", None, EVERYONE),
    "checkins_digest": ("post", None, EVERYONE),
    "checkins_team": ("get", "team", EVERYONE),  # everyone in `world` is in the team
    "checkins_team_settings": ("get", "team", MANAGERS),
    "checkins_blocker_acknowledge": ("post", "blocker", MANAGERS),
    "checkins_blocker_resolve": ("post", "blocker", MANAGERS),
}
ROLES = ["member", "manager", "admin", "owner"]
NOW = dt.datetime(2026, 6, 1, 10, tzinfo=UTC)


def blocker_of(person):
    plan_checkins(person.org_id, NOW - dt.timedelta(hours=4), person_ids=[person.pk])
    checkin = Checkin.objects.get(person=person)
    submit_checkin(checkin, answers={"q1": "Work", "q3": "Blocked on access"}, now=NOW)
    return Blocker.objects.get(checkin=checkin)


@pytest.fixture
def world(org, other_org, team):
    people = {
        "member": PersonFactory(org=org, team=team, role=Role.MEMBER),
        "manager": PersonFactory(org=org, team=team, role=Role.MEMBER),
        "admin": PersonFactory(org=org, team=team, role=Role.ADMIN),
        "owner": PersonFactory(org=org, team=team, role=Role.OWNER),
    }
    people["member"].manager = people["manager"]
    people["member"].save()
    colleague = PersonFactory(org=org, team=team)  # nobody's report but in the team
    stranger_team = TeamFactory(org=other_org)
    stranger = PersonFactory(org=other_org, team=stranger_team, role=Role.ADMIN)
    own = {"team": team, "blocker": blocker_of(colleague)}
    foreign = {"team": stranger_team, "blocker": blocker_of(stranger)}
    return people, own, foreign


def call(client, name, method, obj):
    url = reverse(name, args=[obj.pk] if obj is not None else [])
    return client.post(url, {}) if method == "post" else client.get(url)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_role_matrix(client, world, role, name):
    people, own, _ = world
    method, kind, allowed = MATRIX[name]
    login(client, people[role])
    response = call(client, name, method, own[kind] if kind else None)
    if allowed == EVERYONE or role != "member":
        assert response.status_code in {200, 302}, response.status_code
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(n for n, (_, kind, _) in MATRIX.items() if kind))
def test_another_organisations_object_is_404(client, world, role, name):
    people, _, foreign = world
    method, kind, _ = MATRIX[name]
    login(client, people[role])
    assert call(client, name, method, foreign[kind]).status_code == 404
    assert Blocker.objects.get(pk=foreign["blocker"].pk).status == "open"


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_signed_out_visitors_are_sent_to_sign_in(client, world, name):
    _, own, _ = world
    method, kind, _ = MATRIX[name]
    response = call(client, name, method, own[kind] if kind else None)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_get_is_refused_on_post_only_pages(client, world):
    people, own, _ = world
    login(client, people["admin"])
    assert client.get(reverse("checkins_blocker_resolve", args=[own["blocker"].pk])).status_code == 405
    assert client.get(reverse("checkins_prompt_time")).status_code == 405


def test_a_manager_of_someone_in_another_team_does_not_manage_this_one(client, world, org):
    people, own, _ = world
    sales = TeamFactory(org=org, name="Sales")
    lead = PersonFactory(org=org, team=sales)
    PersonFactory(org=org, team=sales, manager=lead)
    login(client, lead)
    assert client.get(reverse("checkins_team", args=[own["team"].pk])).status_code == 404
    assert client.get(reverse("checkins_team_settings", args=[own["team"].pk])).status_code == 404
    assert client.post(reverse("checkins_blocker_resolve", args=[own["blocker"].pk])).status_code == 404
    assert client.get(reverse("checkins_team", args=[sales.pk])).status_code == 200
