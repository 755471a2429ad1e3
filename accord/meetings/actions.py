"""Writes and rules for 1:1s: series, occurrences, agendas, private notes, action items, calendar feeds.

Who may do what:
- set up a series: a manager with one of their direct reports, or an admin for any two people of the org;
- change or end it: its manager, or an admin;
- agenda, action items, held/skipped, shared notes: the two people of the series;
- a private note: only its author, one of the two people (admins never read it).
"""

from __future__ import annotations

import calendar as cal
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accord.accounts.models import hash_secret, new_secret
from accord.lib.refusals import Forbidden
from accord.lib.tz import to_utc
from accord.orgs.models import Organisation, Person

from .calendar import CANCEL, REQUEST, week_of_month
from .models import (
    NOTE_MAX,
    TEXT_MAX,
    ActionItem,
    AgendaItem,
    Cadence,
    CalendarFeed,
    Meeting,
    MeetingStatus,
    OneOnOneSeries,
    PrivateNote,
)
from .tasks import send_series_calendar

FEED_PREFIX = "cal_"


# --- occurrences ------------------------------------------------------------------------------


def nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """The n-th (1–4, or -1 for the last) ISO `weekday` of a month."""
    if n == -1:
        last = dt.date(year, month, cal.monthrange(year, month)[1])
        return last - dt.timedelta(days=(last.isoweekday() - weekday) % 7)
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.isoweekday()) % 7 + 7 * (n - 1))


def next_occurrence(series: OneOnOneSeries, after: dt.date) -> dt.date:
    """The first local date of the series strictly after `after`, counted from its anchor `starts_on`
    exactly as its RRULE counts (so the calendar and the scheduler always agree)."""
    anchor = series.starts_on
    if after < anchor:
        return anchor
    if series.cadence == Cadence.MONTHLY:
        n = week_of_month(anchor)
        year, month = after.year, after.month
        while True:
            day = nth_weekday(year, month, series.weekday, n)
            if day > after:
                return day
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    step = 14 if series.cadence == Cadence.FORTNIGHTLY else 7
    return anchor + dt.timedelta(days=((after - anchor).days // step + 1) * step)


def occurrence(series: OneOnOneSeries, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """UTC start and end of the meeting on local `day`: the slot's wall-clock time in the series' zone."""
    start = to_utc(day, series.start_time, ZoneInfo(series.timezone))
    return start, start + dt.timedelta(minutes=series.duration_minutes)


def first_day(series: OneOnOneSeries, not_before: dt.datetime) -> dt.date:
    """The first date on the series' weekday whose meeting starts after `not_before` (local to the series)."""
    zone = ZoneInfo(series.timezone)
    day = not_before.astimezone(zone).date()
    day += dt.timedelta(days=(series.weekday - day.isoweekday()) % 7)
    while to_utc(day, series.start_time, zone) <= not_before:
        day += dt.timedelta(days=7)
    return day


def latest_meeting(series: OneOnOneSeries) -> Meeting | None:
    return Meeting.objects.filter(org_id=series.org_id, series=series).order_by("-scheduled_at").first()


def carry_over(series: OneOnOneSeries, target: Meeting) -> int:
    """Put every open action item of the series on `target` (its newest meeting)."""
    return (
        ActionItem.objects.filter(org_id=series.org_id, series=series, done_at__isnull=True)
        .exclude(meeting=target)
        .update(meeting=target, carried=F("carried") + 1)
    )


def schedule_next(series: OneOnOneSeries, now: dt.datetime) -> Meeting:
    """Create the occurrence after the series' latest meeting and carry open action items onto it.

    Occurrences that ended while the scheduler was not running are not created after the fact: a
    1:1 nobody could have held must not count against the pair's health."""
    latest = latest_meeting(series)
    zone = ZoneInfo(series.timezone)
    # From the day before the latest meeting: after a change of slot, the new rule's first meeting may
    # fall later on that same day.
    day = (latest.scheduled_at.astimezone(zone).date() if latest else series.starts_on) - dt.timedelta(days=1)
    while True:
        day = next_occurrence(series, day)
        start, end = occurrence(series, day)
        if end > now and (latest is None or start > latest.scheduled_at):
            break
    meeting = Meeting.objects.create(org_id=series.org_id, series=series, scheduled_at=start, ends_at=end)
    carry_over(series, meeting)
    return meeting


# --- series -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    cadence: str
    weekday: int
    start_time: dt.time
    duration_minutes: int


def check_may_arrange(actor: Person, manager: Person, report: Person) -> None:
    if actor.is_admin:
        return
    if actor.pk != manager.pk or report.manager_id != manager.pk:
        raise Forbidden("You can set up 1:1s only with your own direct reports.")


def _check_pair(org: Organisation, manager: Person | None, report: Person | None) -> None:
    errors: dict[str, list[str]] = {}
    for field, person in (("manager", manager), ("report", report)):
        if person is None or person.org_id != org.pk or not person.is_active:
            errors[field] = ["No such person in this organisation."]
    if not errors and manager is not None and report is not None and manager.pk == report.pk:
        errors["report"] = ["A 1:1 needs two different people: choose someone other than the manager."]
    if errors:
        raise ValidationError(errors)


def _check_slot(slot: Slot) -> None:
    errors: dict[str, list[str]] = {}
    if slot.cadence not in Cadence.values:
        errors["cadence"] = ["Choose weekly, fortnightly or monthly."]
    if not isinstance(slot.weekday, int) or not 1 <= slot.weekday <= 7:
        errors["weekday"] = ["Choose a weekday, 1 (Monday) to 7 (Sunday)."]
    if not 10 <= slot.duration_minutes <= 180:
        errors["duration_minutes"] = ["A 1:1 lasts between 10 and 180 minutes."]
    if slot.start_time.tzinfo is not None:
        errors["start_time"] = ["Give a local time without an offset; it is read in the manager's zone."]
    if errors:
        raise ValidationError(errors)


def create_series(
    org: Organisation,
    *,
    actor: Person,
    manager: Person,
    report: Person,
    slot: Slot,
    now: dt.datetime | None = None,
) -> OneOnOneSeries:
    now = now or timezone.now()
    _check_pair(org, manager, report)
    check_may_arrange(actor, manager, report)
    _check_slot(slot)
    if OneOnOneSeries.objects.filter(org=org, manager=manager, report=report, active=True).exists():
        raise ValidationError({"report": [f"{manager.name} already has a 1:1 series with {report.name}."]})
    series = OneOnOneSeries(
        org=org,
        manager=manager,
        report=report,
        cadence=slot.cadence,
        weekday=slot.weekday,
        start_time=slot.start_time.replace(second=0, microsecond=0),
        duration_minutes=slot.duration_minutes,
        timezone=manager.timezone,
        starts_on=dt.date.min,
    )
    series.starts_on = first_day(series, now)
    with transaction.atomic():
        series.save()
        first = schedule_next(series, now)
        series.next_meeting_at = first.ends_at
        series.save(update_fields=["next_meeting_at"])
        transaction.on_commit(lambda: send_series_calendar.enqueue(series_id=series.pk, method=REQUEST))
    return series


def check_may_change(actor: Person, series: OneOnOneSeries) -> None:
    if not (actor.is_admin or actor.pk == series.manager_id):
        raise Forbidden("Only the series' manager or an admin can change it.")


def update_series(
    series: OneOnOneSeries, *, actor: Person, slot: Slot, now: dt.datetime | None = None
) -> OneOnOneSeries:
    """Move the slot (or change the cadence) from the next meeting on; sends an update (SEQUENCE + 1)."""
    now = now or timezone.now()
    check_may_change(actor, series)
    if not series.active:
        raise ValidationError("This series has ended; set up a new one instead.")
    _check_slot(slot)
    series.cadence, series.weekday = slot.cadence, slot.weekday
    series.start_time = slot.start_time.replace(second=0, microsecond=0)
    series.duration_minutes = slot.duration_minutes
    series.timezone = series.manager.timezone
    with transaction.atomic():
        latest = latest_meeting(series)
        movable = (
            latest is not None and latest.status == MeetingStatus.SCHEDULED and latest.scheduled_at > now
        )
        # The new rule starts after anything already under way or done.
        floor = now if movable or latest is None else max(now, latest.ends_at)
        series.starts_on = first_day(series, floor)
        series.sequence += 1
        if movable:
            assert latest is not None
            latest.scheduled_at, latest.ends_at = occurrence(series, series.starts_on)
            latest.save(update_fields=["scheduled_at", "ends_at"])
            series.next_meeting_at = latest.ends_at
        series.save()
        transaction.on_commit(lambda: send_series_calendar.enqueue(series_id=series.pk, method=REQUEST))
    return series


def end_series(series: OneOnOneSeries, *, actor: Person, now: dt.datetime | None = None) -> None:
    """Stop the series: meetings still to come are removed and both people get a METHOD:CANCEL."""
    now = now or timezone.now()
    check_may_change(actor, series)
    if not series.active:
        return
    with transaction.atomic():
        Meeting.objects.filter(
            org_id=series.org_id, series=series, status=MeetingStatus.SCHEDULED, scheduled_at__gt=now
        ).delete()
        series.active = False
        series.ended_at = now
        series.next_meeting_at = None
        series.sequence += 1
        series.save(update_fields=["active", "ended_at", "next_meeting_at", "sequence"])
        transaction.on_commit(lambda: send_series_calendar.enqueue(series_id=series.pk, method=CANCEL))


# --- meetings ---------------------------------------------------------------------------------


def is_party(person: Person, series: OneOnOneSeries) -> bool:
    return person.pk in (series.manager_id, series.report_id)


def _check_party(actor: Person, series: OneOnOneSeries) -> None:
    if not is_party(actor, series):
        raise Forbidden("Only the two people of this 1:1 can do this.")


def _text(value: str, field: str, limit: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: ["Write something first."]})
    if len(value) > limit:
        raise ValidationError({field: [f"Keep it under {limit} characters."]})
    return value


def mark_meeting(
    meeting: Meeting, *, actor: Person, status: str, notes: str | None = None, now: dt.datetime | None = None
) -> Meeting:
    now = now or timezone.now()
    series = meeting.series
    _check_party(actor, series)
    if status not in (MeetingStatus.HELD, MeetingStatus.SKIPPED, MeetingStatus.SCHEDULED):
        raise ValidationError({"status": ["Choose held or skipped."]})
    if status == MeetingStatus.HELD and meeting.scheduled_at > now:
        raise ValidationError({"status": ["A 1:1 can be marked held once it has started."]})
    if notes is not None and len(notes) > NOTE_MAX:
        raise ValidationError({"notes": [f"Keep the notes under {NOTE_MAX} characters."]})
    with transaction.atomic():
        meeting.status = status
        meeting.marked_at = None if status == MeetingStatus.SCHEDULED else now
        fields = ["status", "marked_at"]
        if notes is not None:
            meeting.notes = notes.strip()
            fields.append("notes")
        meeting.save(update_fields=fields)
        latest = latest_meeting(series)
        if latest is not None and latest.pk != meeting.pk:
            carry_over(series, latest)
    return meeting


def add_agenda_item(meeting: Meeting, *, author: Person, text: str) -> AgendaItem:
    _check_party(author, meeting.series)
    return AgendaItem.objects.create(
        org_id=meeting.org_id, meeting=meeting, author=author, text=_text(text, "text")
    )


def tick_agenda_item(item: AgendaItem, *, actor: Person, done: bool) -> AgendaItem:
    _check_party(actor, item.meeting.series)
    item.done = done
    item.save(update_fields=["done"])
    return item


def add_action_item(
    meeting: Meeting,
    *,
    actor: Person,
    owner: Person | None,
    text: str,
    due_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> ActionItem:
    now = now or timezone.now()
    series = meeting.series
    _check_party(actor, series)
    if owner is None or not is_party(owner, series):
        raise ValidationError({"owner": ["The owner must be one of the two people of this 1:1."]})
    text = _text(text, "text")
    if due_on is not None and due_on < now.astimezone(owner.zone).date():
        raise ValidationError({"due_on": ["The due date is in the past; choose today or later."]})
    # Raised in a meeting that has begun: it is followed up at the next one, if that exists already.
    target = meeting
    if meeting.scheduled_at <= now:
        target = latest_meeting(series) or meeting
    return ActionItem.objects.create(
        org_id=meeting.org_id,
        series=series,
        raised_in=meeting,
        meeting=target,
        owner=owner,
        text=text,
        due_on=due_on,
    )


def set_action_done(
    item: ActionItem, *, actor: Person, done: bool, now: dt.datetime | None = None
) -> ActionItem:
    _check_party(actor, item.series)
    item.done_at = (now or timezone.now()) if done else None
    item.save(update_fields=["done_at"])
    return item


def save_private_note(meeting: Meeting, *, author: Person, text: str) -> PrivateNote | None:
    """Write (or with empty text, delete) the author's own private note on a meeting."""
    _check_party(author, meeting.series)
    text = (text or "").strip()
    if len(text) > NOTE_MAX:
        raise ValidationError({"text": [f"Keep the note under {NOTE_MAX} characters."]})
    if not text:
        PrivateNote.objects.filter(org_id=meeting.org_id, meeting=meeting, author=author).delete()
        return None
    note, _ = PrivateNote.objects.update_or_create(
        org_id=meeting.org_id,
        meeting=meeting,
        author=author,
        defaults={"text": text, "updated_at": timezone.now()},
    )
    return note


# --- calendar feed ----------------------------------------------------------------------------


def new_calendar_feed(person: Person) -> str:
    """Make (or replace) the person's private feed; returns the raw token, which is never stored."""
    raw = FEED_PREFIX + new_secret()
    with transaction.atomic():
        CalendarFeed.objects.filter(org_id=person.org_id, person=person).delete()
        CalendarFeed.objects.create(org_id=person.org_id, person=person, token_hash=hash_secret(raw))
    return raw


def person_for_feed(raw: str) -> Person | None:
    if not raw.startswith(FEED_PREFIX) or len(raw) > 100:
        return None
    feed = (
        CalendarFeed.objects.select_related("person")
        .filter(token_hash=hash_secret(raw), person__is_active=True)
        .first()
    )
    if feed is None:
        return None
    now = timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at > dt.timedelta(hours=1):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    return feed.person
