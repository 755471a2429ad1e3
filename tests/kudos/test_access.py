"""Every kudos page against every role, against another organisation's objects, and signed out.

MATRIX is read by tests/test_access_matrix.py (every page must be named somewhere); the tests below
apply it. MANAGERS here means people with reports only: admins without reports do not see who has
gone unrecognised either.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accord.kudos.models import CompanyValue, Kudos, Reaction
from accord.orgs.models import Role
from tests.conftest import login
from tests.factories import PersonFactory, TeamFactory
from tests.factories.kudos import thank

EVERYONE, MANAGERS, ADMINS = "everyone", "managers", "admins"
MATRIX = {
    "kudos": ("get", None, EVERYONE),
    "kudos_give": ("get", None, EVERYONE),
    "kudos_react": ("post", "kudos", EVERYONE),  # a public kudos: everyone in the organisation may react
    "kudos_team": ("get", "team", EVERYONE),
    "kudos_recognition": ("get", None, MANAGERS),
    "kudos_values": ("get", None, ADMINS),
    "kudos_value_edit": ("get", "value", ADMINS),
    "kudos_settings": ("get", None, EVERYONE),
}
ROLES = ["member", "manager", "admin", "owner"]
ALLOWED = {EVERYONE: set(ROLES), MANAGERS: {"manager"}, ADMINS: {"admin", "owner"}}


def objects_in(org, team, giver, recipient):
    return {
        "kudos": thank(giver, recipient),
        "team": team,
        "value": CompanyValue.objects.create(org=org, name="Candour"),
    }


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
    a, b = PersonFactory(org=org, team=team), PersonFactory(org=org, team=team)
    stranger_team = TeamFactory(org=other_org)
    s1 = PersonFactory(org=other_org, team=stranger_team, role=Role.ADMIN)
    s2 = PersonFactory(org=other_org, team=stranger_team)
    return people, objects_in(org, team, a, b), objects_in(other_org, stranger_team, s1, s2)


def call(client, name, method, obj):
    url = reverse(name, args=[obj.pk] if obj is not None else [])
    return client.post(url, {"kind": "star"}) if method == "post" else client.get(url)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_role_matrix(client, world, role, name):
    people, own, _ = world
    method, kind, allowed = MATRIX[name]
    login(client, people[role])
    response = call(client, name, method, own[kind] if kind else None)
    if role in ALLOWED[allowed]:
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
    assert not Reaction.objects.filter(kudos=foreign["kudos"]).exists()


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_signed_out_visitors_are_sent_to_sign_in(client, world, name):
    _, own, _ = world
    method, kind, _ = MATRIX[name]
    response = call(client, name, method, own[kind] if kind else None)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_reacting_needs_a_post(client, world):
    people, own, _ = world
    login(client, people["member"])
    assert client.get(reverse("kudos_react", args=[own["kudos"].pk])).status_code == 405


def test_nobody_else_reacts_to_a_private_kudos(client, world, org, team):
    people, _, _ = world
    giver, recipient = PersonFactory(org=org, team=team), PersonFactory(org=org, team=team)
    private = thank(giver, recipient, public=False)
    for role in ROLES:
        login(client, people[role])
        assert client.post(reverse("kudos_react", args=[private.pk]), {"kind": "star"}).status_code == 404
    login(client, recipient)
    assert client.post(reverse("kudos_react", args=[private.pk]), {"kind": "star"}).status_code == 302
    assert list(Reaction.objects.filter(kudos=private).values_list("person_id", flat=True)) == [recipient.pk]
    assert Kudos.objects.filter(pk=private.pk).exists()
