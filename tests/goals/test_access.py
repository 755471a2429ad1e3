"""Goals access beyond the matrix (tests/goals/matrix.py, run by tests/test_access_matrix.py)."""

import pytest
from django.urls import reverse

from tests.access import world_fixture
from tests.conftest import login

from .matrix import MATRIX

world = world_fixture(MATRIX)


@pytest.mark.parametrize("name", ["goal_key_result_new", "key_result_progress", "commitment_status"])
def test_actions_refuse_get(client, world, name):
    people, own, _ = world
    login(client, people["admin"])
    kind = MATRIX.pages[name].kind
    assert client.get(reverse(name, args=[own[kind].pk])).status_code == 405


@pytest.mark.parametrize("role", MATRIX.roles)
def test_ids_of_another_organisation_in_query_strings(client, world, role):
    people, _, foreign = world
    login(client, people[role])
    assert client.get(reverse("commitments"), {"who": foreign["commitment"].owner_id}).status_code == 404
    # A foreign goal offered as the parent or the goal of something new is simply not there.
    new_goal = client.get(reverse("goal_new"), {"parent": foreign["goal"].pk})
    assert new_goal.context["form"].initial["parent"] is None
    new_commitment = client.get(reverse("commitment_new"), {"goal": foreign["goal"].pk})
    assert foreign["goal"] not in new_commitment.context["form"].fields["goal"].queryset
