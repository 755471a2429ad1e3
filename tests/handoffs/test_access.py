"""Handoff access beyond the matrix (tests/handoffs/matrix.py, run by tests/test_access_matrix.py)."""

from __future__ import annotations

from django.urls import reverse

from tests.access import world_fixture
from tests.conftest import login
from tests.factories import PersonFactory, TeamFactory

from .matrix import MATRIX

world = world_fixture(MATRIX)


def test_a_manager_of_another_team_cannot_change_this_chain_or_acknowledge(client, world, org):
    _, own, _ = world
    sales = TeamFactory(org=org, name="Sales")
    lead = PersonFactory(org=org, team=sales)
    PersonFactory(org=org, team=sales, manager=lead)
    login(client, lead)
    assert client.get(reverse("handoffs_chain_edit", args=[own["chain"].pk])).status_code == 404
    assert client.post(reverse("handoffs_acknowledge", args=[own["handoff"].pk])).status_code == 404
    assert (
        client.post(reverse("handoffs_item", args=[own["item"].pk]), {"status": "closed"}).status_code == 404
    )
    assert client.get(reverse("handoffs_chain", args=[own["chain"].pk])).status_code == 200
    # Their own team is theirs to set up.
    assert client.get(reverse("handoffs_chain_new") + f"?team={sales.pk}").status_code == 200
    assert client.get(reverse("handoffs_chain_new") + f"?team={own['chain'].team_id}").status_code == 404


def test_get_is_refused_on_the_acknowledge_button(client, world):
    people, own, _ = world
    login(client, people["admin"])
    assert client.get(reverse("handoffs_acknowledge", args=[own["handoff"].pk])).status_code == 405
