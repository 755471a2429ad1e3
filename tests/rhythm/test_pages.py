"""The time-zone pages: reach now with time-machine, the team map, and query counts that do not grow."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accord.orgs.models import Person, Team
from accord.rhythm import queries as rhythm_queries
from accord.rhythm.queries import REACH_LIMIT
from tests.conftest import login
from tests.factories import PersonFactory, TeamFactory
from tests.orgs.test_panels import rows_per_query

pytestmark = pytest.mark.django_db

# Wednesday 11 March 2026, 14:30 UTC: New York is already on EDT (−4), London still on GMT.
WEDNESDAY = dt.datetime(2026, 3, 11, 14, 30, tzinfo=dt.UTC)


@pytest.fixture
def spread(org):
    team = TeamFactory(org=org, name="Support")
    return team, {
        "london": PersonFactory(org=org, team=team, name="Lon Don", timezone="Europe/London"),
        "ny": PersonFactory(org=org, team=team, name="Ny Ork", timezone="America/New_York"),
        "sydney": PersonFactory(org=org, team=team, name="Syd Ney", timezone="Australia/Sydney"),
        "kathmandu": PersonFactory(org=org, team=team, name="Kath Mandu", timezone="Asia/Kathmandu"),
    }


@time_machine.travel(WEDNESDAY, tick=False)
def test_reach_now_lists_who_is_inside_their_hours_and_who_comes_next(client, spread):
    team, p = spread
    login(client, p["london"])
    response = client.get(reverse("rhythm_reach"), {"team": team.pk})
    assert response.status_code == 200
    working = [r.person.name for r in response.context["working"]]
    later = [r.person.name for r in response.context["later"]]
    # London ends 17:00 GMT (in 2 h 30 min), New York 17:00 EDT = 21:00 UTC (in 6 h 30 min).
    assert working == ["Lon Don", "Ny Ork"]
    assert [r.until for r in response.context["working"]] == ["in 2 h 30 min", "in 6 h 30 min"]
    # Sydney starts Thursday 09:00 AEDT = 22:00 UTC (7 h 30 min); Kathmandu 09:00 +05:45 = 03:15 UTC.
    assert later == ["Syd Ney", "Kath Mandu"]
    assert [r.until for r in response.context["later"]] == ["in 7 h 30 min", "in 12 h 45 min"]
    body = response.content.decode()
    assert "never tracks whether anyone is online" in body
    assert "in 12 h 45 min" in body


@time_machine.travel(dt.datetime(2026, 3, 13, 23, 0, tzinfo=dt.UTC), tick=False)
def test_over_the_weekend_the_next_start_is_monday(client, spread):
    team, p = spread
    login(client, p["london"])
    response = client.get(reverse("rhythm_reach"), {"team": team.pk})
    rows = {r.person.name: r for r in response.context["later"]}
    # Friday 23:00 UTC; London's next start is Monday 09:00 GMT: 2 days 10 hours away.
    assert rows["Lon Don"].change_at == dt.datetime(2026, 3, 16, 9, tzinfo=dt.UTC)
    assert rows["Lon Don"].until == "in 2 days"


@time_machine.travel(WEDNESDAY, tick=False)
def test_team_map_in_the_viewers_zone(client, spread):
    team, p = spread
    login(client, p["ny"])
    response = client.get(reverse("rhythm_map"), {"team": team.pk, "date": "2026-03-11"})
    assert response.status_code == 200
    first = response.context["first"]
    assert [r.person.name for r in first.rows] == ["Kath Mandu", "Lon Don", "Ny Ork", "Syd Ney"]
    assert first.overlap == []  # no moment when all four work
    body = response.content.decode()
    assert "No time when everyone is working" in body
    assert "The same as text" in body
    # London 09:00–17:00 GMT is 05:00–13:00 in New York that week (EDT); in the text version:
    assert "05:00–13:00" in body


def test_team_map_defaults_to_my_team_and_today(client, spread):
    _, p = spread
    login(client, p["london"])
    response = client.get(reverse("rhythm_map"))
    assert response.status_code == 200
    assert len(response.context["first"].rows) == 4


@time_machine.travel(WEDNESDAY, tick=False)
def test_a_date_range_shows_one_row_per_date_and_clock_changes(client, spread):
    team, p = spread
    login(client, p["london"])
    response = client.get(
        reverse("rhythm_map"), {"people": [p["london"].pk, p["ny"].pk], "date": "2026-03-05", "days": "7"}
    )
    days = response.context["days"]
    assert [m.day.isoformat() for m, _ in days][:1] == ["2026-03-05"]
    assert len(days) == 7
    # New York changed on Sunday 8 March: from the 8th on it shows as changed, London never does.
    changed = {m.day.day: [r.person.name for r in c] for m, c in days}
    assert changed[7] == [] and changed[9] == ["Ny Ork"]
    overlap = {m.day.day: m.overlap_minutes for m, _ in days}
    assert overlap[6] == 180 and overlap[9] == 240  # 14–17 then 13–17 UTC (London is the viewer)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date": "not a date"}, "date"),
        ({"date": "9999-12-31"}, "date"),
        ({"days": "0"}, "days"),
        ({"days": "99"}, "days"),
        ({"team": "999999"}, "team"),
        ({"people": "99999999999999999999"}, "people"),
        ({"people": "²"}, "people"),  # passes str.isdigit() but int() refuses it
    ],
)
def test_bad_map_input_is_an_error_next_to_the_field(client, spread, params, field):
    _, p = spread
    login(client, p["london"])
    response = client.get(reverse("rhythm_map"), params)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert response.context["maps"] == []


def test_another_organisations_people_are_not_on_my_map(client, spread, outsider):
    _, p = spread
    login(client, p["london"])
    response = client.get(reverse("rhythm_map"), {"people": [outsider.pk]})
    assert "people" in response.context["form"].errors


def grow(org, team, n):
    for i in range(n):
        PersonFactory(org=org, team=team, timezone=["Asia/Manila", "America/Bogota", "Europe/Warsaw"][i % 3])


def count(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["rhythm_map", "rhythm_reach"])
def test_query_count_does_not_grow_with_the_team(client, org, name, django_assert_num_queries):
    team = TeamFactory(org=org, name="Growing")
    me = PersonFactory(org=org, team=team)
    login(client, me)
    url, params = reverse(name), {"team": team.pk, "days": "3"}
    client.get(url, params)  # the first request of a session also touches the session and user
    one = count(client, url, params)
    grow(org, team, 30)
    assert Person.objects.filter(team=team).count() == 31
    with django_assert_num_queries(one):
        client.get(url, params)


def test_odd_digits_in_the_team_parameter_show_the_whole_organisation(client, spread):
    _, p = spread
    login(client, p["london"])
    response = client.get(reverse("rhythm_reach"), {"team": "²"})
    assert response.status_code == 200 and response.context["team"] is None


def grow_below(org, top, teams, people, tag):
    """A tree of `teams` teams under `top` (each with up to three children) and `people` people in them."""
    made = [top]
    for i in range(teams):
        made.append(TeamFactory(org=org, name=f"Below {tag}{i}", parent=made[i // 3]))
    Person.objects.bulk_create(
        Person(org=org, team=made[1 + i % teams], name=f"Deep {i}", email=f"deep{tag}{i}@below.test")
        for i in range(people)
    )


@pytest.mark.parametrize("query", ["", "?team="], ids=["own team", "whole organisation"])
def test_reach_costs_the_same_however_large_the_tree_below_the_team(client, org, query):
    root = TeamFactory(org=org, name="Root")
    admin = PersonFactory(org=org, team=root, name="Admin", role="admin")
    login(client, admin)
    url = reverse("rhythm_reach") + query
    client.get(url)
    grow_below(org, root, teams=3, people=5, tag="a")
    before = rows_per_query(client, url)
    # Deeper: under one of the root's sub-teams, so the root keeps the same three children.
    grow_below(org, Team.objects.get(name="Below a0"), teams=40, people=300, tag="b")
    after = rows_per_query(client, url)
    assert len(after) == len(before)
    # No query reads more than before, except the people, capped at one more than the page shows.
    grown = [(b, a) for (b, _), (a, _) in zip(before, after, strict=True) if a > b and a != REACH_LIMIT + 1]
    assert grown == []


def test_reach_lists_the_teams_direct_members_and_links_its_sub_teams(client, org):
    root = TeamFactory(org=org, name="Root")
    child = TeamFactory(org=org, name="Child team", parent=root)
    me = PersonFactory(org=org, team=root, name="Ro Ot")
    PersonFactory(org=org, team=child, name="Chi Ld")
    login(client, me)
    response = client.get(reverse("rhythm_reach"))
    names = [r.person.name for r in [*response.context["working"], *response.context["later"]]]
    assert names == ["Ro Ot"]
    assert f'<a href="?team={child.pk}">Child team</a>' in response.content.decode()
    response = client.get(reverse("rhythm_reach"), {"team": child.pk})
    names = [r.person.name for r in [*response.context["working"], *response.context["later"]]]
    assert names == ["Chi Ld"]


def test_reach_shows_a_limited_number_and_says_there_are_more(client, org, monkeypatch):
    monkeypatch.setattr(rhythm_queries, "REACH_LIMIT", 3)
    team = TeamFactory(org=org, name="Big")
    me = PersonFactory(org=org, team=team, name="A first")
    grow(org, team, 4)
    login(client, me)
    response = client.get(reverse("rhythm_reach"), {"team": team.pk})
    assert response.context["shown"] == 3 and response.context["more"]
    assert "Showing the first 3 people by name in Big" in response.content.decode()
    response = client.get(reverse("rhythm_reach"), {"team": ""})
    assert response.context["shown"] == 3 and response.context["more"]
    assert "in the organisation" in response.content.decode()
    monkeypatch.setattr(rhythm_queries, "REACH_LIMIT", 5)
    response = client.get(reverse("rhythm_reach"), {"team": team.pk})
    assert response.context["shown"] == 5 and not response.context["more"]
    assert "Showing the first" not in response.content.decode()
