"""The feeds cost the same number of queries for one kudos as for a full page of them, each with many
recipients and many reactions, and however many people the organisation has."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accord.kudos.models import CompanyValue, Reaction, ReactionKind
from accord.kudos.queries import FEED_PAGE, feed
from tests.api_client import Api
from tests.conftest import login
from tests.factories import PersonFactory
from tests.factories.kudos import thank

pytestmark = pytest.mark.django_db


def grow(org, team, member, kudos=FEED_PAGE + 5, recipients=6, reactors=8):
    value = CompanyValue.objects.create(org=org, name=f"Value {CompanyValue.objects.count()}")
    people = [PersonFactory(org=org, team=team) for _ in range(max(recipients, reactors) + 1)]
    givers = people[recipients - 1 :]
    for i in range(kudos):
        k = thank(givers[i % len(givers)], member, *people[: recipients - 1], value=value, public=i % 3 != 0)
        Reaction.objects.bulk_create(
            Reaction(org=org, kudos=k, person=p, kind=kind)
            for p in people[:reactors]
            for kind in ReactionKind.values[:3]
        )


def costs(client, url):
    client.get(url)  # first use makes preferences and schedule rows
    with CaptureQueriesContext(connection) as seen:
        assert client.get(url).status_code == 200
    return len(seen.captured_queries)


@pytest.mark.parametrize("page", ["kudos", "kudos_mine", "kudos_team", "person"])
def test_feeds_cost_the_same_for_one_kudos_and_for_many(
    client, org, team, member, colleague, page, django_assert_num_queries
):
    url = {
        "kudos": reverse("kudos"),
        "kudos_mine": reverse("kudos") + "?show=mine",
        "kudos_team": reverse("kudos_team", args=[team.pk]),
        "person": reverse("person", args=[member.pk]),
    }[page]
    grow(org, team, member, kudos=1, recipients=1, reactors=1)
    login(client, member)
    small = costs(client, url)
    grow(org, team, member)
    with django_assert_num_queries(small):
        response = client.get(url)
    shown = response.content.decode().count('class="card kudos-item')
    assert shown == (5 if page == "person" else FEED_PAGE)
    assert response.content.decode().count('class="kudos-reaction') >= shown * 5


def test_the_feed_query_itself_is_four_queries(org, team, member, django_assert_num_queries):
    grow(org, team, member)
    with django_assert_num_queries(4):  # kudos with giver and value, recipients, reaction counts, mine
        page = feed(member)
    assert len(page) == FEED_PAGE
    assert {len(k.people) for k in page} == {6}


def test_the_api_list_costs_the_same_for_one_and_many(org, team, member, django_assert_num_queries):
    api = Api(member)
    grow(org, team, member, kudos=1, recipients=1, reactors=1)
    api.get("/api/kudos")
    with CaptureQueriesContext(connection) as small:
        api.get("/api/kudos")
    grow(org, team, member)
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(api.get("/api/kudos").json()["items"]) == 1 + FEED_PAGE + 5


@pytest.fixture
def colleague(org, team):
    return PersonFactory(org=org, team=team)


def test_the_recognition_list_costs_the_same_for_one_report_and_many(
    client, org, team, manager, django_assert_num_queries
):
    PersonFactory(org=org, team=team, manager=manager)
    login(client, manager)
    small = costs(client, reverse("kudos_recognition"))
    for _ in range(12):
        thank(PersonFactory(org=org, team=team, manager=manager), manager)
    with django_assert_num_queries(small):
        page = client.get(reverse("kudos_recognition")).content.decode()
    assert "13 of 13" in page
