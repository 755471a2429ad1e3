"""Every 1:1 page against every role, against people outside the series, and against another organisation.

MATRIX is read by tests/test_access_matrix.py (every URL must be named somewhere); the role, tenant and
signed-out tests over it are here, with a world of their own: a series between `manager` and `member`.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accord.meetings.actions import add_action_item, add_agenda_item, new_calendar_feed
from accord.orgs.models import Role
from tests.conftest import login
from tests.factories import PersonFactory, TeamFactory
from tests.factories.meetings import make_series

EVERYONE = "everyone"
ARRANGERS = "managers and admins"  # people with reports, and admins
SEEN_BY = "its two people and admins"
CHANGED_BY = "its manager and admins"
WRITTEN_BY = "its two people only"
FEED = "anyone holding the token"

# name -> (method, which object the URL points at, who may open it)
MATRIX = {
    "one_on_ones": ("get", None, EVERYONE),
    "one_on_one_new": ("get", None, ARRANGERS),
    "one_on_one_feed_new": ("post", None, EVERYONE),
    "one_on_one": ("get", "series", SEEN_BY),
    "one_on_one_edit": ("get", "series", CHANGED_BY),
    "one_on_one_end": ("post", "series", CHANGED_BY),
    "one_on_one_meeting": ("get", "meeting", SEEN_BY),
    "one_on_one_agenda_add": ("post", "meeting", WRITTEN_BY),
    "one_on_one_action_add": ("post", "meeting", WRITTEN_BY),
    "one_on_one_note": ("post", "meeting", WRITTEN_BY),
    "one_on_one_agenda_tick": ("post", "agenda", WRITTEN_BY),
    "one_on_one_action_tick": ("post", "action", WRITTEN_BY),
    "calendar_feed": ("get", "token", FEED),
}

ROLES = ["member", "manager", "admin", "owner", "colleague"]
ALLOWED = {
    EVERYONE: set(ROLES),
    ARRANGERS: {"manager", "admin", "owner"},
    SEEN_BY: {"member", "manager", "admin", "owner"},
    CHANGED_BY: {"manager", "admin", "owner"},
    WRITTEN_BY: {"member", "manager"},
}


def objects_for(org, manager, report):
    series = make_series(org, manager, report, actor=manager)
    meeting = series.meetings.get()
    return {
        "series": series,
        "meeting": meeting,
        "agenda": add_agenda_item(meeting, author=report, text="Career talk"),
        "action": add_action_item(meeting, actor=manager, owner=report, text="Book the course"),
    }


@pytest.fixture
def world(org, other_org, team):
    people = {
        "admin": PersonFactory(org=org, team=team, role=Role.ADMIN),
        "owner": PersonFactory(org=org, team=team, role=Role.OWNER),
        "manager": PersonFactory(org=org, team=team),
        "colleague": PersonFactory(org=org, team=team),  # a member outside the series
    }
    people["member"] = PersonFactory(org=org, team=team, manager=people["manager"])
    own = objects_for(org, people["manager"], people["member"])
    own["token"] = new_calendar_feed(people["member"])
    stranger_team = TeamFactory(org=other_org)
    boss = PersonFactory(org=other_org, team=stranger_team, role=Role.ADMIN)
    foreign = objects_for(other_org, boss, PersonFactory(org=other_org, team=stranger_team, manager=boss))
    return people, own, foreign


def url_for(name, obj):
    if obj is None:
        return reverse(name)
    return reverse(name, args=[obj if isinstance(obj, str) else obj.pk])


def call(client, name, obj):
    method, _, _ = MATRIX[name]
    url = url_for(name, obj)
    return client.post(url, {"text": "A thought", "done": "1"}) if method == "post" else client.get(url)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(n for n, (_, _, who) in MATRIX.items() if who != FEED))
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
@pytest.mark.parametrize("name", sorted(n for n, (_, kind, who) in MATRIX.items() if kind and who != FEED))
def test_another_organisations_object_is_404(client, world, role, name):
    people, _, foreign = world
    _, kind, _ = MATRIX[name]
    login(client, people[role])
    assert call(client, name, foreign[kind]).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(n for n, (_, _, who) in MATRIX.items() if who != FEED))
def test_signed_out_visitors_are_sent_to_sign_in(client, world, name):
    _, own, _ = world
    _, kind, _ = MATRIX[name]
    response = call(client, name, own[kind] if kind else None)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_the_feed_needs_no_sign_in_only_its_token(client, world):
    _, own, _ = world
    assert call(client, "calendar_feed", own["token"]).status_code == 200
    assert call(client, "calendar_feed", own["token"][:-1] + "x").status_code == 404


@pytest.mark.django_db
def test_nothing_is_written_by_refused_requests(client, world):
    from accord.meetings.models import ActionItem, AgendaItem, OneOnOneSeries, PrivateNote

    people, own, foreign = world
    login(client, people["colleague"])
    for name in ("one_on_one_agenda_add", "one_on_one_action_add", "one_on_one_note"):
        call(client, name, own["meeting"])
        call(client, name, foreign["meeting"])
    call(client, "one_on_one_end", own["series"])
    assert AgendaItem.objects.count() == 2
    assert ActionItem.objects.count() == 2
    assert PrivateNote.objects.count() == 0
    assert OneOnOneSeries.objects.filter(active=True).count() == 2
