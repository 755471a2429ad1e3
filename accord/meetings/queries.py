"""Reads with rules: who can open a 1:1, what the slot looks like to both people, and the health of a pair."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest

from accord.lib.tz import to_utc
from accord.orgs.access import get_for_org
from accord.orgs.models import Organisation, Person
from accord.orgs.queries import hours_of

from . import bank
from .models import ActionItem, AgendaItem, Meeting, MeetingStatus, OneOnOneSeries

WINDOW = dt.timedelta(days=90)


# --- access -----------------------------------------------------------------------------------


def may_open(person: Person, series: OneOnOneSeries) -> bool:
    return person.is_admin or person.pk in (series.manager_id, series.report_id)


def series_for(request: HttpRequest, series_id: int) -> OneOnOneSeries:
    """A series the viewer may open (one of its two people, or an admin); anything else is a 404."""
    series = get_for_org(request, OneOnOneSeries, pk=series_id)
    if not may_open(request.person, series):  # type: ignore[attr-defined]
        raise Http404("No such 1:1.")
    return series


def meeting_for(request: HttpRequest, meeting_id: int) -> Meeting:
    meeting = get_for_org(request, Meeting, pk=meeting_id)
    if not may_open(request.person, meeting.series):  # type: ignore[attr-defined]
        raise Http404("No such 1:1.")
    return meeting


def my_series(person: Person) -> QuerySet[OneOnOneSeries]:
    return OneOnOneSeries.objects.filter(
        Q(manager=person) | Q(report=person), org_id=person.org_id, active=True
    ).select_related("manager", "report")


def visible_series(person: Person) -> QuerySet[OneOnOneSeries]:
    """Series the person may read over the API: their own, or every series of the org for admins."""
    found = OneOnOneSeries.objects.filter(org_id=person.org_id)
    if not person.is_admin:
        found = found.filter(Q(manager=person) | Q(report=person))
    return found.select_related("manager", "report")


def arrangeable_reports(person: Person) -> QuerySet[Person]:
    return Person.objects.filter(org_id=person.org_id, manager=person, is_active=True).order_by("name")


def may_arrange(person: Person) -> bool:
    return person.is_admin or arrangeable_reports(person).exists()


# --- meetings ---------------------------------------------------------------------------------


def current_meeting(meetings: list[Meeting], now: dt.datetime) -> Meeting | None:
    """The meeting the pair is preparing for or holding: the first unmarked one that has not ended,
    or failing that, the newest."""
    for m in meetings:
        if m.status == MeetingStatus.SCHEDULED and m.ends_at > now:
            return m
    return meetings[-1] if meetings else None


def with_next_meeting(found: QuerySet[OneOnOneSeries], now: dt.datetime) -> QuerySet[OneOnOneSeries]:
    return found.annotate(
        next_at=Min(
            "meetings__scheduled_at",
            filter=Q(meetings__ends_at__gt=now) & ~Q(meetings__status=MeetingStatus.SKIPPED),
        )
    )


def suggested_questions(meeting_number: int, offset: int = 0) -> list[bank.BankQuestion]:
    return bank.suggestions(meeting_number + offset)


# --- health -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Health:
    """Over the last 90 days: held ÷ (held + skipped + past meetings nobody marked), and of the action
    items agreed in that time, how many are closed."""

    held: int = 0
    skipped: int = 0
    unmarked: int = 0
    actions_created: int = 0
    actions_closed: int = 0

    @property
    def due(self) -> int:
        return self.held + self.skipped + self.unmarked

    @property
    def held_share(self) -> float | None:
        return self.held / self.due if self.due else None

    @property
    def closed_share(self) -> float | None:
        return self.actions_closed / self.actions_created if self.actions_created else None

    @property
    def held_percent(self) -> int | None:
        return None if self.held_share is None else round(self.held_share * 100)

    @property
    def closed_percent(self) -> int | None:
        return None if self.closed_share is None else round(self.closed_share * 100)

    @property
    def level(self) -> str:
        """ok / warn / bad for the badge: most 1:1s held is healthy, fewer than half is not."""
        share = self.held_share
        if share is None:
            return "none"
        return "ok" if share >= 0.8 else "warn" if share >= 0.5 else "bad"


def health(org: Organisation | int, series_ids: list[int], now: dt.datetime) -> dict[int, Health]:
    """Health of many series in two queries, however many there are."""
    org_id = org if isinstance(org, int) else org.pk
    since = now - WINDOW
    in_window = Q(scheduled_at__gt=since, scheduled_at__lte=now)
    meetings = (
        Meeting.objects.filter(in_window, org_id=org_id, series_id__in=series_ids)
        .values("series_id")
        .annotate(
            held=Count("id", filter=Q(status=MeetingStatus.HELD)),
            skipped=Count("id", filter=Q(status=MeetingStatus.SKIPPED)),
            unmarked=Count("id", filter=Q(status=MeetingStatus.SCHEDULED, ends_at__lte=now)),
        )
        .order_by()
    )
    actions = (
        ActionItem.objects.filter(
            org_id=org_id, series_id__in=series_ids, created_at__gt=since, created_at__lte=now
        )
        .values("series_id")
        .annotate(created=Count("id"), closed=Count("id", filter=Q(done_at__isnull=False)))
        .order_by()
    )
    found: dict[int, dict[str, Any]] = {sid: {} for sid in series_ids}
    for row in meetings:
        found[row["series_id"]].update(held=row["held"], skipped=row["skipped"], unmarked=row["unmarked"])
    for counted in actions:
        found[counted["series_id"]].update(
            actions_created=counted["created"], actions_closed=counted["closed"]
        )
    return {sid: Health(**values) for sid, values in found.items()}


# --- slot -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LocalSlot:
    person: Person
    start: dt.datetime
    end: dt.datetime
    working: bool

    @property
    def crosses_midnight(self) -> bool:
        return self.start.date() != (self.end - dt.timedelta(seconds=1)).date()


def inside_hours(person: Person, start: dt.datetime, end: dt.datetime) -> bool:
    hours = hours_of(person)
    local_day = start.astimezone(person.zone).date()
    for day in (local_day - dt.timedelta(days=1), local_day):
        span = hours.window(day)
        if span and span[0] <= start and end <= span[1]:
            return True
    return False


def slot_preview(
    manager: Person,
    report: Person,
    *,
    weekday: int,
    start_time: dt.time,
    duration_minutes: int,
    now: dt.datetime,
) -> tuple[list[LocalSlot], list[str]]:
    """The next occurrence of a slot as both people see it, and a warning for each person it falls
    outside of (working hours and days). Warnings never block: some pairs agree on an early call."""
    zone = ZoneInfo(manager.timezone)
    day = now.astimezone(zone).date()
    day += dt.timedelta(days=(weekday - day.isoweekday()) % 7)
    start = to_utc(day, start_time, zone)
    if start <= now:
        start = to_utc(day + dt.timedelta(days=7), start_time, zone)
    end = start + dt.timedelta(minutes=duration_minutes)
    slots, warnings = [], []
    for person in (manager, report):
        working = inside_hours(person, start, end)
        local = LocalSlot(person, start.astimezone(person.zone), end.astimezone(person.zone), working)
        slots.append(local)
        if not working:
            warnings.append(
                f"{local.start:%A %H:%M}–{local.end:%H:%M} is outside {person.name}'s working hours "
                f"({person.work_start:%H:%M}–{person.work_end:%H:%M} {person.work_day_names}, "
                f"{person.timezone})."
            )
    return slots, warnings


# A 1:1 shows as "coming up" on the home page this long before it starts.
COMING_UP = dt.timedelta(days=2)


def meetings_coming_up(person: Person, now: dt.datetime, within: dt.timedelta = COMING_UP) -> list[Meeting]:
    """The person's 1:1s that start within `within` (or are under way), with their open agenda items."""
    return list(
        Meeting.objects.filter(
            Q(series__manager=person) | Q(series__report=person),
            org_id=person.org_id,
            series__active=True,
            status=MeetingStatus.SCHEDULED,
            ends_at__gt=now,
            scheduled_at__lte=now + within,
        )
        .select_related("series__manager", "series__report")
        .prefetch_related(Prefetch("agenda_items", queryset=AgendaItem.objects.filter(done=False)))
        .order_by("scheduled_at")
    )
