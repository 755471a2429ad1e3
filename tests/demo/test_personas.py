"""The one-click personas always have something to do, whatever the day and hour the demo is started.

Built seven times (a week, each day at another hour), about 20 s each: the price of the promise. Each
persona must find an open pulse, a check-in (today's, or when the next one comes: the reason there is
none now), a coming 1:1 with its agenda, and something to acknowledge.
"""

from __future__ import annotations

import datetime as dt

import pytest

from accord.checkins import queries as checkin_queries
from accord.checkins.models import Blocker
from accord.demo import DEMO_ACCOUNTS, generate_demo
from accord.meetings.models import AgendaItem, Meeting
from accord.orgs.models import Person
from accord.pulse.queries import open_participations
from accord.rhythm.queries import charters_to_acknowledge

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 3, 9, tzinfo=dt.UTC)
# Monday 01:00, Tuesday 04:00 ... Sunday 19:00 UTC: every day, and hours across the world's working days.
STARTS = [MONDAY + dt.timedelta(days=i, hours=1 + 3 * i) for i in range(7)]


@pytest.mark.parametrize("now", STARTS, ids=[f"{s:%a-%H%M}" for s in STARTS])
def test_every_persona_has_something_to_do(now):
    org = generate_demo(now=now)
    member, manager, admin = (Person.objects.get(org=org, email=DEMO_ACCOUNTS[k]) for k in DEMO_ACCOUNTS)
    for person in (member, manager, admin):
        pulse = [p.round for p in open_participations(person)]
        assert any(r.opens_on <= now.date() and r.closes_at > now for r in pulse), (person.name, "pulse")

        checkin = checkin_queries.current_checkin(person, now)
        assert checkin is not None or checkin_queries.next_prompt(person, now) is not None, person.name

        coming = Meeting.objects.filter(
            org=org, scheduled_at__gt=now, series__manager=person
        ) | Meeting.objects.filter(org=org, scheduled_at__gt=now, series__report=person)
        with_agenda = AgendaItem.objects.filter(meeting__in=coming, done=False)
        assert with_agenda.exists(), (person.name, "1:1 agenda")

    # Something to acknowledge: the changed team charter (member, admin), a blocker (manager).
    assert charters_to_acknowledge(member)
    assert charters_to_acknowledge(admin)
    waiting = Blocker.objects.filter(org=org, person__manager=manager, acknowledged_at__isnull=True)
    assert waiting.filter(created_at__lt=now).exists()
