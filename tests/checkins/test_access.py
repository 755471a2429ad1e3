"""Check-in access beyond the matrix (tests/checkins/matrix.py, run by tests/test_access_matrix.py)."""

from django.urls import reverse

from tests.access import world_fixture
from tests.conftest import login
from tests.factories import PersonFactory, TeamFactory

from .matrix import MATRIX

world = world_fixture(MATRIX)


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
