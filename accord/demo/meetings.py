"""Six months of 1:1s for the demo company: a series for every manager with each direct report.

Most pairs meet weekly, some every two weeks, a few monthly, always inside both people's working hours
and days in their own zones, in every week of the demo (summer time included), and never at the same
time as another 1:1 or a recurring meeting of either person (the calendar below). The few pairs whose
hours can never meet (New York and Kolkata) meet at the edge of the manager's day nearest the report's.

How often 1:1s get skipped, and how reliably action items get closed, varies
by manager, so the health figures tell different stories. The next meeting of every series is still to
come, with a few agenda items already on it, and open action items sit on it as the scheduler would
have carried them. Everything is drawn from `cast.rng("meetings")` and dated from `cast.today`.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from accord.lib.tz import to_utc
from accord.meetings.actions import next_occurrence, occurrence
from accord.meetings.bank import QUESTIONS
from accord.meetings.models import (
    ActionItem,
    AgendaItem,
    Cadence,
    Meeting,
    MeetingStatus,
    OneOnOneSeries,
    PrivateNote,
)
from accord.orgs.models import Person
from accord.rhythm.models import RecurringMeeting

from . import words
from .people import Cast, overlap, seasons_of

HISTORY = dt.timedelta(days=183)

WINDOW = dt.timedelta(days=90)  # the span the app's 1:1 health looks at (meetings.queries.health)
GREEN = 0.8  # held share from which the health badge is green (Health.level)
GREEN_MAX_CARRIED = 3  # an open action carried past more 1:1s than this means the pair is struggling
SLOT_STEP = dt.timedelta(minutes=15)
AHEAD = dt.timedelta(weeks=6)  # the upcoming monthly 1:1 is at most this far ahead


@dataclass
class Calendar:
    """Who is busy when, week by week, so that no one gets two 1:1s (or a 1:1 and a recurring meeting)
    at once. A series is booked in every week of the demo whatever its cadence, which is stricter than
    needed and keeps the check simple. A recurring meeting is booked, for its attendees, from the
    earliest start to the latest end of its rotation slots on its weekday: the all-hands rotates its
    hour, so any of those hours may be taken in a given week. Spans are kept by week (the index into
    `weeks`), so a check looks at three weeks of one person, not at their whole half year."""

    weeks: list[dt.date]  # the Monday of every week the demo covers
    busy: dict[int, dict[int, list[tuple[dt.datetime, dt.datetime]]]] = field(default_factory=dict)

    def free(self, person: Person, spans: list[tuple[dt.datetime, dt.datetime]]) -> bool:
        taken = self.busy.get(person.pk, {})
        for week, (start, end) in enumerate(spans):
            for near in (week - 1, week, week + 1):
                if any(start < b and a < end for a, b in taken.get(near, ())):
                    return False
        return True

    def book(self, person_id: int, spans: list[tuple[dt.datetime, dt.datetime]]) -> None:
        mine = self.busy.setdefault(person_id, {})
        for week, span in enumerate(spans):
            mine.setdefault(week, []).append(span)


def _inside(person: Person, start: dt.datetime, end: dt.datetime) -> bool:
    """Inside the person's working hours and days, in their own zone (the test of queries.inside_hours,
    without a query)."""
    local, last = start.astimezone(person.zone), end.astimezone(person.zone)
    return (
        str(local.isoweekday()) in person.work_days
        and local.date() == last.date()
        and person.work_start <= local.time()
        and last.time() <= person.work_end
    )


def _spans(
    zone: ZoneInfo, weekday: int, at: dt.time, minutes: int, weeks: list[dt.date]
) -> list[tuple[dt.datetime, dt.datetime]]:
    spans = []
    for monday in weeks:
        start = to_utc(monday + dt.timedelta(days=weekday - 1), at, zone)
        spans.append((start, start + dt.timedelta(minutes=minutes)))
    return spans


def _slot(
    rng: random.Random, calendar: Calendar, manager: Person, report: Person, minutes: int
) -> tuple[int, dt.time, int]:
    """A weekday and a time in the manager's zone, inside both people's working hours in every week of
    the demo (summer time included) and clashing with nothing either of them has. For the few pairs
    whose hours never meet (New York and Kolkata), the free slot of the manager's day nearest to the
    report's, which one of them takes early or late, as real pairs that far apart do."""
    zone = ZoneInfo(manager.timezone)
    days = [d for d in (2, 3, 4, 1, 5) if str(d) in manager.work_days] or [2]
    days = rng.sample(days, len(days))  # managers spread their 1:1s over the week
    best: tuple[float, int, dt.time, int, list[tuple[dt.datetime, dt.datetime]]] | None = None
    for length in (minutes, 30):
        for weekday in days:
            at = dt.datetime.combine(dt.date(2000, 1, 3), manager.work_start)
            stop = dt.datetime.combine(dt.date(2000, 1, 3), manager.work_end)
            while at + dt.timedelta(minutes=length) <= stop:
                spans = _spans(zone, weekday, at.time(), length, calendar.weeks)
                if calendar.free(manager, spans) and calendar.free(report, spans):
                    off = sum(not _inside(report, a, b) for a, b in spans)
                    if off == 0:
                        calendar.book(manager.pk, spans)
                        calendar.book(report.pk, spans)
                        return weekday, at.time(), length
                    far = off * 24 * 60 + _distance(report, spans[0][0])
                    if best is None or far < best[0]:
                        best = (far, weekday, at.time(), length, spans)
                at += SLOT_STEP
    assert best is not None, f"{manager.name} has no free half hour in the week"
    _, weekday, at_time, length, spans = best
    calendar.book(manager.pk, spans)
    calendar.book(report.pk, spans)
    return weekday, at_time, length


def _distance(person: Person, start: dt.datetime) -> int:
    """Minutes between a start time and the nearest edge of the person's working day, on their clock."""
    local = start.astimezone(person.zone)
    minute = local.hour * 60 + local.minute
    edges = (
        person.work_start.hour * 60 + person.work_start.minute,
        person.work_end.hour * 60 + person.work_end.minute,
    )
    return min(min(abs(minute - e), 24 * 60 - abs(minute - e)) for e in edges)


def _calendar(cast: Cast, now: dt.datetime) -> Calendar:
    first = (now - HISTORY).date()
    monday = first - dt.timedelta(days=first.weekday() + 7)
    weeks = []
    while monday <= (now + AHEAD).date():
        weeks.append(monday)
        monday += dt.timedelta(days=7)
    calendar = Calendar(weeks)
    for meeting in RecurringMeeting.objects.filter(org=cast.org).prefetch_related("attendees"):
        slots = sorted(dt.time.fromisoformat(s) for s in meeting.rotation)
        last = dt.datetime.combine(dt.date(2000, 1, 3), slots[-1]) + dt.timedelta(
            minutes=meeting.duration_minutes
        )
        zone = ZoneInfo(meeting.timezone)
        spans = []
        for monday in weeks:
            day = monday + dt.timedelta(days=meeting.weekday - 1)
            end_day = day if last.time() > slots[0] else day + dt.timedelta(days=1)
            spans.append((to_utc(day, slots[0], zone), to_utc(end_day, last.time(), zone)))
        for attendee in meeting.attendees.all():
            calendar.book(attendee.person_id, spans)
    return calendar


def build_meetings(cast: Cast) -> None:
    rng = cast.rng("meetings")
    org = cast.org
    now = dt.datetime.combine(cast.today, dt.time(0), tzinfo=dt.UTC)
    now = cast.now or now
    calendar = _calendar(cast, now)
    texts = Texts(rng)
    departments = {p.pk: _department(cast, p) for p in cast.people}
    managers = [p for p in cast.people if cast.reports(p)]
    wanted: list[tuple[Person, Person, Cadence, int, float, float]] = []
    for manager in managers:
        # Each manager has their own habits: how often 1:1s slip, and how reliably actions get done.
        skip_rate = rng.choice((0.03, 0.08, 0.12, 0.2, 0.35))
        close_rate = rng.choice((0.5, 0.7, 0.85, 0.95))
        for report in cast.reports(manager):
            cadence = rng.choices((Cadence.WEEKLY, Cadence.FORTNIGHTLY, Cadence.MONTHLY), weights=(6, 3, 1))[
                0
            ]
            minutes = rng.choice((30, 30, 30, 45, 60))
            wanted.append((manager, report, cadence, minutes, skip_rate, close_rate))
    # The pairs with the least time in common pick their slot first, as a manager with reports on the
    # other side of the world books those 1:1s before the easy ones.
    seasons = seasons_of(cast.today)
    wanted.sort(key=lambda w: min(overlap(w[0], w[1], d) for d in seasons))
    pairs: list[tuple[OneOnOneSeries, float, float]] = []
    for manager, report, cadence, minutes, skip_rate, close_rate in wanted:
        weekday, start_time, minutes = _slot(rng, calendar, manager, report, minutes)
        series = OneOnOneSeries(
            org=org,
            manager=manager,
            report=report,
            cadence=cadence,
            weekday=weekday,
            start_time=start_time,
            duration_minutes=minutes,
            timezone=manager.timezone,
            starts_on=cast.today,
            created_at=now - HISTORY,
        )
        first = (now - HISTORY).date()
        series.starts_on = first + dt.timedelta(days=(weekday - first.isoweekday()) % 7)
        pairs.append((series, skip_rate, close_rate))
    OneOnOneSeries.objects.bulk_create([s for s, _, _ in pairs])

    meetings: list[Meeting] = []
    plan: list[tuple[OneOnOneSeries, list[Meeting], float, float]] = []
    for series, skip_rate, close_rate in pairs:
        own: list[Meeting] = []
        day = series.starts_on - dt.timedelta(days=1)
        while True:
            day = next_occurrence(series, day)
            start, end = occurrence(series, day)
            if start > now:
                status = MeetingStatus.SCHEDULED
            elif now - start < dt.timedelta(days=10) and rng.random() < 0.15:
                status = MeetingStatus.SCHEDULED  # nobody has marked last week's yet
            else:
                status = MeetingStatus.SKIPPED if rng.random() < skip_rate else MeetingStatus.HELD
            own.append(
                Meeting(
                    org=org,
                    series=series,
                    scheduled_at=start,
                    ends_at=end,
                    status=status,
                    marked_at=end if status != MeetingStatus.SCHEDULED else None,
                    created_at=start - dt.timedelta(days=7),
                )
            )
            if start > now:
                break
        series.next_meeting_at = own[-1].ends_at
        meetings.extend(own)
        plan.append((series, own, skip_rate, close_rate))
    Meeting.objects.bulk_create(meetings)
    OneOnOneSeries.objects.bulk_update([s for s, _, _ in pairs], ["next_meeting_at"])

    # Agenda, action items and private notes in bulk: thousands of rows dated across months of
    # past 1:1s, which add_agenda_item, add_action_item and save_private_note stamp with the real clock.
    # Their authors are always one of the pair, the rule those actions check.
    agenda: list[AgendaItem] = []
    actions: list[ActionItem] = []
    notes: list[PrivateNote] = []
    for series, own, _, close_rate in plan:
        people = (series.manager, series.report)
        department = departments[series.report.pk]
        latest = own[-1]
        green = _green(own, now)
        for index, meeting in enumerate(own):
            upcoming = meeting is latest
            if meeting.status == MeetingStatus.SKIPPED:
                continue
            for _ in range(rng.randint(1, 2) if upcoming else rng.randint(1, 3)):
                agenda.append(
                    AgendaItem(
                        org=org,
                        meeting=meeting,
                        author=rng.choice(people),
                        text=texts.topic(department),
                        done=meeting.status == MeetingStatus.HELD,
                        created_at=meeting.scheduled_at - dt.timedelta(days=rng.randint(1, 5)),
                    )
                )
            if meeting.status == MeetingStatus.HELD and rng.random() < 0.55:
                for _ in range(rng.randint(1, 2)):
                    text = words.action_item(texts.action, department)
                    actions.append(
                        _action(rng, series, meeting, own[index:], latest, close_rate, now, text, green)
                    )
            if meeting.status == MeetingStatus.HELD and rng.random() < 0.2:
                author = rng.choice(people)
                notes.append(
                    PrivateNote(
                        org=org,
                        meeting=meeting,
                        author=author,
                        text=words.private_note(texts.note),
                        updated_at=meeting.ends_at,
                    )
                )
    AgendaItem.objects.bulk_create(agenda, batch_size=2000)
    ActionItem.objects.bulk_create(actions, batch_size=2000)
    PrivateNote.objects.bulk_create(notes, batch_size=2000)


class Texts:
    """The composers of one demo's 1:1 texts (words.LIMITS): agenda topics, some straight from the
    question bank, action items and private notes."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.agenda = words.Varied(rng, "agenda item")
        self.action = words.Varied(rng, "action item")
        self.note = words.Varied(rng, "private note")

    def topic(self, department: str) -> str:
        if self.rng.random() < 0.25:
            question = self.rng.choice(QUESTIONS).text
            if self.agenda.used[question] < self.agenda.limit:
                self.agenda.used[question] += 1
                return question
        return words.agenda_item(self.agenda, department)


def _department(cast: Cast, person: Person) -> str:
    for path, team in cast.teams.items():
        if team.pk == person.team_id:
            return path[0]
    return "Leadership"


def _green(own: list[Meeting], now: dt.datetime) -> bool:
    """Whether the app will show this pair's health badge green: the share of 1:1s held over the last
    90 days, as meetings.queries.health counts it (a past meeting nobody marked counts as not held)."""
    due = [m for m in own if now - WINDOW < m.scheduled_at <= now]
    held = sum(m.status == MeetingStatus.HELD for m in due)
    return not due or held / len(due) >= GREEN


def _action(
    rng: random.Random,
    series: OneOnOneSeries,
    meeting: Meeting,
    after: list[Meeting],
    latest: Meeting,
    close_rate: float,
    now: dt.datetime,
    text: str,
    green: bool,
) -> ActionItem:
    created = meeting.ends_at
    owner = series.report if rng.random() < 0.7 else series.manager
    due_on = (created + dt.timedelta(days=rng.choice((3, 7, 10, 14)))).date()
    later = [m for m in after[1:] if m.scheduled_at <= now]
    # A pair whose 1:1s mostly happen (a green badge) does not let an action ride along for months:
    # only where 1:1s keep slipping does one get carried past more than a few meetings.
    lingering = after.index(latest) > GREEN_MAX_CARRIED
    if later and (rng.random() < close_rate or (green and lingering)):
        # Done at (or just before) one of the next meetings; it sat on each meeting until then.
        closed_in = rng.choice(later[:GREEN_MAX_CARRIED])
        return ActionItem(
            org=series.org,
            series=series,
            raised_in=meeting,
            meeting=closed_in,
            owner=owner,
            text=text,
            due_on=due_on,
            carried=after.index(closed_in),
            created_at=created,
            done_at=closed_in.scheduled_at - dt.timedelta(hours=rng.randint(1, 48)),
        )
    return ActionItem(
        org=series.org,
        series=series,
        raised_in=meeting,
        meeting=latest,
        owner=owner,
        text=text,
        due_on=due_on,
        carried=after.index(latest),
        created_at=created,
    )
