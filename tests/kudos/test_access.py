"""Kudos access beyond the matrix (tests/kudos/matrix.py, run by tests/test_access_matrix.py)."""

from __future__ import annotations

from django.urls import reverse

from accord.kudos.models import Kudos, Reaction
from tests.access import world_fixture
from tests.conftest import login
from tests.factories import PersonFactory
from tests.factories.kudos import thank

from .matrix import MATRIX

world = world_fixture(MATRIX)


def test_reacting_needs_a_post(client, world):
    people, own, _ = world
    login(client, people["member"])
    assert client.get(reverse("kudos_react", args=[own["kudos"].pk])).status_code == 405


def test_nobody_else_reacts_to_a_private_kudos(client, world, org, team):
    people, _, _ = world
    giver, recipient = PersonFactory(org=org, team=team), PersonFactory(org=org, team=team)
    private = thank(giver, recipient, public=False)
    for role in MATRIX.roles:
        login(client, people[role])
        assert client.post(reverse("kudos_react", args=[private.pk]), {"kind": "star"}).status_code == 404
    login(client, recipient)
    assert client.post(reverse("kudos_react", args=[private.pk]), {"kind": "star"}).status_code == 302
    assert list(Reaction.objects.filter(kudos=private).values_list("person_id", flat=True)) == [recipient.pk]
    assert Kudos.objects.filter(pk=private.pk).exists()
