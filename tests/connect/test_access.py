"""Every connection page against every role, against people outside a coffee group, and against another
organisation. MATRIX is read by tests/test_access_matrix.py (every URL must be named somewhere)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accord.connect.actions import join_coffee, pair_coffee_round, save_profile
from accord.connect.models import CoffeeGroupMember, CoffeeRound, CoffeeSettings, Profile
from accord.orgs.models import Role
from tests.conftest import login
from tests.factories import PersonFactory, TeamFactory

EVERYONE = "everyone"
ADMINS = "admins"
SEEN_BY = "its people and admins"
ANSWERED_BY = "its people only"

# name -> (method, which object the URL points at, who may open it)
MATRIX = {
    "coffee": ("get", None, EVERYONE),
    "coffee_optin": ("post", None, EVERYONE),
    "coffee_intro": ("get", "group", SEEN_BY),
    "coffee_met": ("post", "group", ANSWERED_BY),
    "coffee_round": ("get", "round", EVERYONE),
    "coffee_admin": ("get", None, ADMINS),
    "coffee_run_now": ("post", None, ADMINS),
    "profiles": ("get", None, EVERYONE),
    "profile": ("get", "person", EVERYONE),
    "profile_edit": ("get", None, EVERYONE),
}

ROLES = ["member", "manager", "admin", "owner", "colleague"]
ALLOWED = {
    EVERYONE: set(ROLES),
    ADMINS: {"admin", "owner"},
    SEEN_BY: {"member", "manager", "admin", "owner"},
    ANSWERED_BY: {"member", "manager"},
}


def objects_for(org, a, b):
    join_coffee(a)
    join_coffee(b)
    rnd = pair_coffee_round(org)
    save_profile(a, how_i_work="Mornings, with the door closed.")
    return {"round": rnd, "group": rnd.groups.get(), "person": a}


@pytest.fixture
def world(org, other_org, team):
    people = {
        "admin": PersonFactory(org=org, team=team, role=Role.ADMIN),
        "owner": PersonFactory(org=org, team=team, role=Role.OWNER),
        "manager": PersonFactory(org=org, team=team),
        "colleague": PersonFactory(org=org, team=team),  # not in the coffee group
    }
    people["member"] = PersonFactory(org=org, team=team, manager=people["manager"])
    own = objects_for(org, people["member"], people["manager"])
    stranger_team = TeamFactory(org=other_org)
    foreign = objects_for(
        other_org,
        PersonFactory(org=other_org, team=stranger_team, role=Role.ADMIN),
        PersonFactory(org=other_org, team=stranger_team),
    )
    return people, own, foreign


def call(client, name, obj):
    method, _, _ = MATRIX[name]
    url = reverse(name, args=[obj.pk] if obj is not None else [])
    return client.post(url, {"action": "leave", "met": "yes"}) if method == "post" else client.get(url)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_role_matrix(client, world, role, name):
    people, own, _ = world
    _, kind, who = MATRIX[name]
    login(client, people[role])
    response = call(client, name, own[kind] if kind else None)
    if role in ALLOWED[who]:
        assert response.status_code in {200, 302}, response.status_code
    else:
        assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(n for n, (_, kind, _) in MATRIX.items() if kind))
def test_another_organisations_object_is_404(client, world, role, name):
    people, _, foreign = world
    _, kind, _ = MATRIX[name]
    login(client, people[role])
    assert call(client, name, foreign[kind]).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_signed_out_visitors_are_sent_to_sign_in(client, world, name):
    _, own, _ = world
    _, kind, _ = MATRIX[name]
    response = call(client, name, own[kind] if kind else None)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_refused_requests_change_nothing(client, world):
    people, own, foreign = world
    login(client, people["member"])
    before = CoffeeRound.objects.count()
    assert client.post(reverse("coffee_run_now")).status_code == 404
    response = client.post(
        reverse("coffee_admin"), {"every_weeks": "1", "cross_department_weight": "0", "avoid_rounds": "0"}
    )
    assert response.status_code == 404
    assert CoffeeRound.objects.count() == before
    assert list(CoffeeSettings.objects.values_list("every_weeks", "avoid_rounds")) == [(2, 6), (2, 6)]
    # Answering for another organisation's group, or for a group one is not in, writes nothing.
    login(client, people["colleague"])
    assert client.post(reverse("coffee_met", args=[own["group"].pk]), {"met": "yes"}).status_code == 404
    assert client.post(reverse("coffee_met", args=[foreign["group"].pk]), {"met": "yes"}).status_code == 404
    assert CoffeeGroupMember.objects.exclude(met="").count() == 0
    # Profiles: the edit page only ever edits one's own.
    client.post(reverse("profile_edit"), {"how_i_work": "Mine"})
    assert Profile.objects.get(person=people["colleague"]).how_i_work == "Mine"
    assert Profile.objects.get(person=own["person"]).how_i_work == "Mornings, with the door closed."
