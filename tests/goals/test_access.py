"""Goals and commitments pages against every role, and against another organisation's objects.

`MATRIX` has the shape of tests/test_access_matrix.py's (that file unions it into its check that every
page has a row). Objects here belong to `colleague`, who reports to `manager`: so a plain member may
open them only where everyone may, while the manager, admins and owners may also change them.
"""

import pytest
from django.urls import reverse

from accord.goals.models import Level
from accord.orgs.models import Role
from tests.conftest import login
from tests.factories import PersonFactory, TeamFactory
from tests.factories.goals import day, make_commitment, make_goal, make_kr

EVERYONE, MANAGERS, ADMINS = "everyone", "managers", "admins"
# name -> (method, which object the URL points at, who may open it)
MATRIX = {
    "goals": ("get", None, EVERYONE),
    "goal_new": ("get", None, EVERYONE),
    "goal": ("get", "goal", EVERYONE),
    "goal_edit": ("get", "goal", MANAGERS),
    "goal_key_result_new": ("post", "goal", MANAGERS),
    "key_result_progress": ("post", "key_result", MANAGERS),
    "commitments": ("get", None, EVERYONE),
    "commitment_new": ("get", None, EVERYONE),
    "commitment_status": ("post", "commitment", MANAGERS),
}
ROLES = ["member", "manager", "admin", "owner"]
# What each POST sends: valid input, so that "allowed" is a redirect after a change.
POSTS = {
    "goal_key_result_new": {"title": "Churn", "start": "5", "target": "2", "unit": "%", "confidence": "60"},
    "key_result_progress": {"value": "10", "confidence": "65", "note": ""},
    "commitment_status": {"status": "dropped"},
}


def objects_of(org, owner):
    goal = make_goal(org, title="Colleague's goal", level=Level.PERSON, owner=owner)
    kr = make_kr(goal)
    commitment = make_commitment(owner, day("2099-01-01"))
    return {"goal": goal, "key_result": kr, "commitment": commitment}


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
    colleague = PersonFactory(org=org, team=team, manager=people["manager"])
    stranger_team = TeamFactory(org=other_org)
    stranger = PersonFactory(org=other_org, team=stranger_team, role=Role.ADMIN)
    return people, objects_of(org, colleague), objects_of(other_org, stranger)


def call(client, name, obj):
    method = MATRIX[name][0]
    url = reverse(name, args=[obj.pk] if obj is not None else [])
    if method == "post":
        prefix = f"kr{obj.pk}-" if name == "key_result_progress" else ""
        return client.post(url, {prefix + k: v for k, v in POSTS[name].items()})
    return client.get(url)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_role_matrix(client, world, role, name):
    people, own, _ = world
    _, kind, allowed = MATRIX[name]
    login(client, people[role])

    response = call(client, name, own.get(kind) if kind else None)

    may = allowed == EVERYONE or (allowed == MANAGERS and role != "member") or role in {"admin", "owner"}
    if may:
        assert response.status_code in {200, 302}, response.status_code
        if MATRIX[name][0] == "post":
            assert response.status_code == 302
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(n for n, (_, kind, _) in MATRIX.items() if kind))
def test_another_organisations_object_is_404(client, world, role, name):
    people, _, foreign = world
    login(client, people[role])
    assert call(client, name, foreign[MATRIX[name][1]]).status_code == 404


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_signed_out_visitors_are_sent_to_sign_in(client, world, name):
    _, own, _ = world
    kind = MATRIX[name][1]
    response = call(client, name, own[kind] if kind else None)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["goal_key_result_new", "key_result_progress", "commitment_status"])
def test_actions_refuse_get(client, world, name):
    people, own, _ = world
    login(client, people["admin"])
    kind = MATRIX[name][1]
    assert client.get(reverse(name, args=[own[kind].pk])).status_code == 405


@pytest.mark.parametrize("role", ROLES)
def test_ids_of_another_organisation_in_query_strings(client, world, role):
    people, _, foreign = world
    login(client, people[role])
    assert client.get(reverse("commitments"), {"who": foreign["commitment"].owner_id}).status_code == 404
    # A foreign goal offered as the parent or the goal of something new is simply not there.
    new_goal = client.get(reverse("goal_new"), {"parent": foreign["goal"].pk})
    assert new_goal.context["form"].initial["parent"] is None
    new_commitment = client.get(reverse("commitment_new"), {"goal": foreign["goal"].pk})
    assert foreign["goal"] not in new_commitment.context["form"].fields["goal"].queryset
