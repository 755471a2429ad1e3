"""Periodic check-in work for the scheduler (accord.lib.jobs): planning, prompts and reminders, digests.

Every handler enqueues its email inside the claim's transaction, so the task row and the moved due
time commit together or not at all: a scheduler that dies mid-run leaves the row due for the next tick.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Max

from accord.lib.jobs import periodic
from accord.orgs.models import Person

from .models import Checkin, CheckinSchedule, CheckinSettings, Digest
from .planning import PLAN_EVERY, next_digest_time, plan_checkins
from .tasks import send_checkin_digest, send_checkin_prompt

FULL_SCAN_EVERY = dt.timedelta(days=1)
DIGEST_LOOKBACK = {Digest.DAILY: dt.timedelta(days=1), Digest.WEEKLY: dt.timedelta(days=7)}


@periodic("checkin planning", CheckinSchedule, "next_plan_at")
def plan_day_ahead(schedule: CheckinSchedule, now: dt.datetime) -> dt.datetime:
    # Hourly: new members are looked for among person ids above the last run's highest (ids only
    # grow); once a day, everyone (members who gained a team or a sign-in since) and new managers.
    full = schedule.full_scan_at is None or now - schedule.full_scan_at >= FULL_SCAN_EVERY
    highest = Person.objects.aggregate(highest=Max("id"))["highest"] or 0  # before planning: nobody slips by
    plan_checkins(schedule.org_id, now, new_after=None if full else schedule.people_seen_upto)
    seen: dict[str, object] = {"people_seen_upto": highest}
    if full:
        seen["full_scan_at"] = now
    CheckinSchedule.objects.filter(pk=schedule.pk).update(**seen)
    return now + PLAN_EVERY


@periodic("checkin prompts", Checkin, "next_send_at", batch=1000)
def send_prompt(checkin: Checkin, now: dt.datetime) -> dt.datetime | None:
    if checkin.submitted_at is not None or now >= checkin.closes_at:
        return None
    reminder = checkin.prompts_sent > 0
    send_checkin_prompt.enqueue(checkin_id=checkin.pk, reminder=reminder)
    Checkin.objects.filter(pk=checkin.pk).update(prompts_sent=checkin.prompts_sent + 1)
    if not reminder and checkin.reminder_at is not None and checkin.reminder_at > now:
        return checkin.reminder_at
    return None  # one reminder only, and none when we are already past its time


@periodic("checkin digests", CheckinSettings, "next_digest_at")
def send_digest(found: CheckinSettings, now: dt.datetime) -> dt.datetime | None:
    person = found.person
    if (
        not person.is_active
        or found.digest == Digest.OFF
        or not person.reports.filter(is_active=True).exists()
    ):
        return None  # the planner starts it again if they manage someone later
    since = found.last_digest_at or now - DIGEST_LOOKBACK.get(Digest(found.digest), dt.timedelta(days=1))
    send_checkin_digest.enqueue(person_id=person.pk, since=since.isoformat(), until=now.isoformat())
    CheckinSettings.objects.filter(pk=found.pk).update(last_digest_at=now)
    return next_digest_time(person, found, now)
