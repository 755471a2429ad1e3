"""The org chart opens on the top two levels and unfolds the rest a level at a time."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import login
from tests.factories import PersonFactory, TeamFactory


@pytest.fixture
def tree(org):
    top = TeamFactory(org=org, name="Company")
    mid = TeamFactory(org=org, name="Product", parent=top)
    low = TeamFactory(org=org, name="Search squad", parent=mid)
    deepest = TeamFactory(org=org, name="Ranking", parent=low)
    lead = PersonFactory(org=org, team=mid, name="Lena Lead")
    for _ in range(3):
        PersonFactory(org=org, team=mid, manager=lead)
    return top, mid, low, deepest, lead


def test_chart_shows_two_levels_with_counts_and_managers(as_member, tree):
    top, mid, low, deepest, lead = tree
    page = as_member.get(reverse("org_chart")).content.decode()
    assert "Company" in page and "Product" in page
    assert "Search squad" not in page  # folded
    assert "4 people" in page and "Managed by" in page and "Lena Lead" in page
    assert f'href="{reverse("org_chart_team", args=[mid.pk])}"' in page  # the no-JS way to unfold
    assert f'hx-get="{reverse("org_chart_team", args=[mid.pk])}"' in page


def test_unfolding_with_htmx_sends_the_sub_teams_alone(as_member, tree):
    top, mid, low, deepest, lead = tree
    body = as_member.get(reverse("org_chart_team", args=[mid.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "Search squad" in body and "<html" not in body and "Ranking" not in body


def test_a_team_as_its_own_page_without_javascript(as_member, tree):
    top, mid, low, deepest, lead = tree
    page = as_member.get(reverse("org_chart_team", args=[low.pk])).content.decode()
    assert "Org chart: Search squad" in page and "Ranking" in page and "Company/Product/Search squad" in page


def test_another_organisations_team_is_not_found(as_member, outsider):
    assert as_member.get(reverse("org_chart_team", args=[outsider.team_id])).status_code == 404
    assert "Sales" not in as_member.get(reverse("org_chart")).content.decode()


def test_chart_cost_does_not_grow_with_teams(client, org, tree, django_assert_num_queries):
    top, mid, low, deepest, lead = tree
    login(client, lead)
    client.get(reverse("org_chart"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("org_chart"))
    for i in range(30):
        sub = TeamFactory(org=org, parent=top, name=f"Unit {i}")
        TeamFactory(org=org, parent=sub, name=f"Cell {i}")
        PersonFactory(org=org, team=sub)
    with django_assert_num_queries(len(before.captured_queries)):
        assert client.get(reverse("org_chart")).status_code == 200
