"""Periodic celebration work for the scheduler (accord.lib.jobs): planning and each person's digest.

The digest handler enqueues its email inside the claim's transaction, so the task row and the moved
due time commit together or not at all.
"""

from __future__ import annotations

import datetime as dt

from accord.lib.jobs import periodic

from .actions import PLAN_EVERY, next_digest_time, plan_celebrations
from .models import CelebrationSchedule, KudosPreferences
from .queries import began_between, celebration_circle
from .tasks import send_celebration_digest


@periodic("celebration planning", CelebrationSchedule, "next_plan_at")
def plan(schedule: CelebrationSchedule, now: dt.datetime) -> dt.datetime:
    plan_celebrations(schedule.org_id, now)
    return now + PLAN_EVERY


@periodic("celebration digests", KudosPreferences, "next_digest_at", batch=1000)
def send_digest(found: KudosPreferences, now: dt.datetime) -> dt.datetime | None:
    person = found.person
    if not person.is_active or not found.digest:
        return None  # the planner gives them a time again if they turn it back on
    since = found.last_digest_at or now - dt.timedelta(days=1)
    # Only an email worth opening: nothing is sent on a morning with nothing to celebrate.
    if began_between(celebration_circle(person), since, now):
        send_celebration_digest.enqueue(person_id=person.pk, since=since.isoformat(), until=now.isoformat())
    KudosPreferences.objects.filter(pk=found.pk).update(last_digest_at=now)
    return next_digest_time(person, now)
