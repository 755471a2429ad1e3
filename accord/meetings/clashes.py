"""Clashes between a 1:1 series and the other meetings of its two people: their other 1:1 series and the
recurring meetings they attend, compared as real instants (each series in its own zone, with daylight
saving as it falls on each date) over the next few weeks. A warning, never a refusal: people do move
meetings, and the one who set the slot decides."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Q

from accord.orgs.models import Person
from accord.rhythm.actions import occurrence_index_after, occurrence_start
from accord.rhythm.models import RecurringMeeting

from .actions import first_day, next_occurrence, occurrence
from .models import OneOnOneSeries

Span = tuple[dt.datetime, dt.datetime]
WINDOW = dt.timedelta(weeks=8)  # two months: enough for a monthly slot to meet a weekly one


@dataclass(frozen=True)
class Clash:
    person: Person
    what: str
    start: dt.datetime  # UTC, of this series' occurrence that overlaps


def series_times(series: OneOnOneSeries, start: dt.datetime, end: dt.datetime) -> Iterator[Span]:
    day = max(first_day(series, start), series.starts_on)
    while True:
        begins, ends = occurrence(series, day)
        if begins >= end:
            return
        yield begins, ends
        day = next_occurrence(series, day)


def recurring_times(meeting: RecurringMeeting, start: dt.datetime, end: dt.datetime) -> Iterator[Span]:
    if not meeting.rotation:
        return
    index = occurrence_index_after(meeting, start - dt.timedelta(minutes=meeting.duration_minutes))
    while True:
        begins = occurrence_start(meeting, index)[0]
        if begins >= end:
            return
        yield begins, begins + dt.timedelta(minutes=meeting.duration_minutes)
        index += 1


def _clashes(
    org_id: int,
    mine: list[Span],
    people: dict[int, Person],
    now: dt.datetime,
    *,
    series_pk: int | None = None,
    meeting_pk: int | None = None,
) -> list[Clash]:
    """The first overlap of `mine` with each 1:1 series and recurring meeting of any of `people` (but the
    series or meeting `mine` belongs to), in the window, earliest first."""
    end = now + WINDOW
    found: list[Clash] = []
    others = (
        OneOnOneSeries.objects.filter(org_id=org_id, active=True)
        .filter(Q(manager_id__in=people) | Q(report_id__in=people))
        .exclude(pk__in=[series_pk] if series_pk else [])
        .select_related("manager", "report")
    )
    for other in others:
        who = people.get(other.manager_id) or people[other.report_id]
        hit = _first_overlap(mine, series_times(other, now, end))
        if hit is not None:
            found.append(Clash(who, f"the 1:1 of {other.manager.name} and {other.report.name}", hit))
    recurring = (
        RecurringMeeting.objects.filter(org_id=org_id, attendees__person_id__in=people)
        .exclude(pk__in=[meeting_pk] if meeting_pk else [])
        .prefetch_related("attendees")
        .distinct()
    )
    for meeting in recurring:
        attendee_ids = {a.person_id for a in meeting.attendees.all()}
        who = next(p for pk, p in people.items() if pk in attendee_ids)
        hit = _first_overlap(mine, recurring_times(meeting, now, end))
        if hit is not None:
            found.append(Clash(who, f"“{meeting.name}”", hit))
    return sorted(found, key=lambda c: c.start)


def clashes(series: OneOnOneSeries, now: dt.datetime) -> list[Clash]:
    """The first overlap of `series` with each other meeting of its manager or report, in the window."""
    mine = list(series_times(series, now, now + WINDOW))
    people = {series.manager_id: series.manager, series.report_id: series.report}
    return _clashes(series.org_id, mine, people, now, series_pk=series.pk)


def _first_overlap(mine: list[Span], theirs: Iterator[Span]) -> dt.datetime | None:
    spans = list(theirs)
    for begins, ends in mine:
        if any(b < ends and begins < e for b, e in spans):
            return begins
    return None


def clash_warnings(series: OneOnOneSeries, viewer: Person, now: dt.datetime) -> list[str]:
    """The clashes in words, each date and time in the viewer's own zone."""
    return [
        f"This slot overlaps {c.what} ({c.person.name} is in both) on "
        f"{c.start.astimezone(viewer.zone):%a %-d %b at %H:%M} your time."
        for c in clashes(series, now)
    ]


def recurring_clash_warnings(meeting: RecurringMeeting, viewer: Person, now: dt.datetime) -> list[str]:
    """The same check for a recurring meeting: its next occurrences against its attendees' 1:1s and their
    other recurring meetings, each in words with the first attendee who is in both."""
    mine = list(recurring_times(meeting, now, now + WINDOW))
    people = {a.person_id: a.person for a in meeting.attendees.select_related("person")}
    return [
        f"This meeting overlaps {c.what} ({c.person.name} is in both) on "
        f"{c.start.astimezone(viewer.zone):%a %-d %b at %H:%M} your time."
        for c in _clashes(meeting.org_id, mine, people, now, meeting_pk=meeting.pk)
    ]
