"""The directory pages and filters in the database; bad filters say so and never answer 500."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accord.orgs.directory import PAGE_SIZE
from tests.conftest import login
from tests.factories import PersonFactory, TeamFactory


def names(response):
    return re.findall(r'<td data-label="Name"><a href="/people/\d+/">([^<]+)</a>', response.content.decode())


@pytest.fixture
def crowd(org, team):
    """Engineering with a sub-team, and PAGE_SIZE + 5 people in the sub-team."""
    platform = TeamFactory(org=org, name="Platform", parent=team)
    boss = PersonFactory(org=org, team=team, name="Bea Boss", email="bea@acme.test")
    for i in range(PAGE_SIZE + 5):
        PersonFactory(org=org, team=platform, manager=boss, name=f"Zed {i:03d}", timezone="Asia/Tokyo")
    return platform, boss


def test_directory_pages_in_name_order(as_member, crowd):
    first = names(as_member.get(reverse("directory")))
    assert len(first) == PAGE_SIZE
    assert first == sorted(first)
    second = as_member.get(reverse("directory"), {"page": 2})
    assert names(second)[-1] == f"Zed {PAGE_SIZE + 4:03d}"
    assert 'rel="prev"' in second.content.decode()


@pytest.mark.parametrize("page", ["abc", "-1", "0", "²", "9" * 30, "1.5", ""])
def test_a_page_that_is_not_a_number_gives_the_first(as_member, crowd, page):
    response = as_member.get(reverse("directory"), {"page": page})
    assert response.status_code == 200
    assert names(response)[0] == "Bea Boss"


def test_a_page_past_the_end_gives_the_last(as_member, crowd):
    response = as_member.get(reverse("directory"), {"page": 99999})
    assert response.status_code == 200
    assert names(response)[-1] == f"Zed {PAGE_SIZE + 4:03d}"


def test_filters_by_text_email_team_subtree_zone_and_manager(as_member, crowd, team, member):
    platform, boss = crowd
    assert names(as_member.get(reverse("directory"), {"q": "milo@acme"})) == ["Milo Member"]
    in_engineering = as_member.get(reverse("directory"), {"team": team.pk})
    assert "58 people in Engineering and its sub-teams" in in_engineering.content.decode()
    in_platform = as_member.get(reverse("directory"), {"team": platform.pk, "page": 2})
    assert "Bea Boss" not in names(in_platform)
    tokyo = as_member.get(reverse("directory"), {"zone": "Asia/Tokyo"})
    assert f"{PAGE_SIZE + 5} people" in tokyo.content.decode()
    reports = as_member.get(reverse("directory"), {"manager": boss.pk, "q": "Zed 001"})
    assert names(reports) == ["Zed 001"]
    assert "reporting to Bea Boss" in reports.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"team": "abc"}, "That team is not in this organisation."),
        ({"team": "999999"}, "That team is not in this organisation."),
        ({"team": "9" * 40}, "That team is not in this organisation."),
        ({"manager": "x"}, "That manager is not in this organisation."),
        ({"zone": "Mars/Olympus"}, "is not a time zone."),
    ],
)
def test_a_filter_naming_nothing_says_so(as_member, member, params, message):
    response = as_member.get(reverse("directory"), params)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert names(response) == []


def test_another_organisations_team_and_manager_are_not_found(as_member, member, outsider):
    for params in ({"team": outsider.team_id}, {"manager": outsider.pk}):
        response = as_member.get(reverse("directory"), params)
        assert "not in this organisation" in response.content.decode()
        assert "Otto" not in response.content.decode()
    assert "Otto" not in as_member.get(reverse("directory"), {"q": "otto"}).content.decode()


@pytest.mark.parametrize("q", ["a\x00b", "%", "_", "ü" * 500, "\x07"])
def test_odd_searches_never_fail(as_member, member, q):
    assert as_member.get(reverse("directory"), {"q": q}).status_code == 200


def test_a_search_counts_up_to_the_cap(as_member, crowd, monkeypatch):
    monkeypatch.setattr("accord.orgs.directory.COUNT_CAP", 20)
    monkeypatch.setattr("accord.orgs.views.directory_rows.COUNT_CAP", 20)
    html = as_member.get(reverse("directory"), {"q": "zed"}).content.decode()
    assert "More than 20 people match" in html
    assert "More than" not in as_member.get(reverse("directory"), {"q": "zed 00"}).content.decode()


def test_the_admin_keeps_adding_and_importing(as_admin):
    page = as_admin.get(reverse("directory")).content.decode()
    assert reverse("person_new") in page and reverse("people_import") in page


@pytest.mark.parametrize("params", [{}, {"q": "zed"}, {"team": "team"}, {"page": "2"}])
def test_directory_cost_does_not_grow_with_the_organisation(
    client, org, team, params, django_assert_num_queries
):
    viewer = PersonFactory(org=org, team=team)
    login(client, viewer)

    def get():
        query = {k: (team.pk if v == "team" else v) for k, v in params.items()}
        return client.get(reverse("directory"), query)

    deeper = team
    for level in range(4):  # deeper than the filter's levels, which cost a query each however many
        deeper = TeamFactory(org=org, parent=deeper, name=f"Level {level}")
    get()
    for _ in range(3):
        PersonFactory(org=org, team=team, name="Zed few")
    with CaptureQueriesContext(connection) as few:
        get()
    for i in range(20):
        TeamFactory(org=org, parent=deeper, name=f"Leaf {i}")
    boss = PersonFactory(org=org, team=deeper)
    for _ in range(PAGE_SIZE * 2):
        PersonFactory(org=org, team=deeper, manager=boss, name="Zed many")
    with django_assert_num_queries(len(few.captured_queries)):
        response = get()
    assert response.status_code == 200
    # Never the whole organisation: a query of people is a page (LIMIT), the page's people (IN), a count,
    # the time zones in use, or the signed-in user's memberships.
    for q in few.captured_queries:
        sql = q["sql"].upper()
        if 'FROM "ORGS_PERSON"' in sql:
            assert any(s in sql for s in ("LIMIT", "IN (", "COUNT(", "DISTINCT", '"USER_ID" =')), sql
