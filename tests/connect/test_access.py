"""Coffee and profile access beyond the matrix (tests/connect/matrix.py, run by test_access_matrix.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accord.connect.models import CoffeeGroupMember, CoffeeRound, CoffeeSettings, Profile
from tests.access import world_fixture
from tests.conftest import login

from .matrix import MATRIX

world = world_fixture(MATRIX)


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
