"""Check-ins and blockers, made through the planner and the submit action as the scheduler and the page do."""

from __future__ import annotations

import datetime as dt

from accord.checkins.actions import submit_checkin
from accord.checkins.models import Blocker, Checkin
from accord.checkins.planning import plan_checkins
from accord.lib.tz import UTC

NOW = dt.datetime(2026, 6, 1, 10, tzinfo=UTC)


def blocker_of(person, *, now=NOW, text="Blocked on access"):
    """An open blocker in `person`'s check-in of the day of `now`."""
    plan_checkins(person.org_id, now - dt.timedelta(hours=4), person_ids=[person.pk])
    checkin = Checkin.objects.get(person=person)
    submit_checkin(checkin, answers={"q1": "Work", "q3": text}, now=now)
    return Blocker.objects.get(checkin=checkin)
