"""Reads with rules: who can open a 1:1, what the slot looks like to both people, and the health of a pair."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.http import Http404

from accord.lib.tz import to_utc
from accord.orgs.access import first_or_404
from accord.orgs.models import Organisation, Person
from accord.orgs.queries import hours_of

from . import bank
from .actions import is_party
from .models import ActionItem, AgendaItem, CalendarFeed, Meeting, MeetingStatus, OneOnOneSeries, PrivateNote

WINDOW = dt.timedelta(days=90)


# --- access -----------------------------------------------------------------------------------
#
# Reading: the access_<thing> functions below fetch inside the person's organisation and say what the
# person may do; pages and the API both call them. Anything the person may not open is the same Http404
# as an id that does not exist.
# Acting: permission is checked in the action, every app alike: the writing actions refuse anyone but
# the pair (actions.is_party) or the manager and admins (check_may_change). A page checks a flag first
# only to answer 404 instead of 403; the API's _party does the same to keep its 403 before any input
# is read.


def may_open(person: Person, series: OneOnOneSeries) -> bool:
    return person.is_admin or person.pk in (series.manager_id, series.report_id)


@dataclass(frozen=True)
class SeriesAccess:
    series: OneOnOneSeries
    is_party: bool  # write agenda, action items, private notes; mark meetings
    can_change: bool  # change the slot or end the series: its manager or an admin, while active


def _series_access(person: Person, series: OneOnOneSeries) -> SeriesAccess:
    if not may_open(person, series):
        raise Http404("No such 1:1.")
    return SeriesAccess(
        series,
        is_party=is_party(person, series),
        can_change=series.active and (person.is_admin or person.pk == series.manager_id),
    )


def access_series(person: Person, series_id: int) -> SeriesAccess:
    """A series `person` may open (one of its two people, or an admin); anything else is a 404."""
    series = first_or_404(
        OneOnOneSeries.objects.filter(org_id=person.org_id, pk=series_id).select_related("manager", "report"),
        "No such 1:1.",
    )
    return _series_access(person, series)


@dataclass(frozen=True)
class MeetingAccess:
    meeting: Meeting
    is_party: bool


def access_meeting(person: Person, meeting_id: int) -> MeetingAccess:
    meeting = first_or_404(
        Meeting.objects.filter(org_id=person.org_id, pk=meeting_id).select_related(
            "series__manager", "series__report"
        ),
        "No such 1:1.",
    )
    return MeetingAccess(meeting, is_party=_series_access(person, meeting.series).is_party)


@dataclass(frozen=True)
class ActionItemAccess:
    item: ActionItem
    is_party: bool  # tick it


def access_action_item(person: Person, item_id: int) -> ActionItemAccess:
    """An action item of a series `person` may open. Judged by the item's series (the page used to go
    through the meeting it sits on, the API through its series: the same series, one rule now)."""
    item = first_or_404(
        ActionItem.objects.filter(org_id=person.org_id, pk=item_id).select_related(
            "series__manager", "series__report", "meeting"
        ),
        "No such 1:1.",
    )
    return ActionItemAccess(item, is_party=_series_access(person, item.series).is_party)


@dataclass(frozen=True)
class AgendaItemAccess:
    item: AgendaItem
    is_party: bool  # tick it


def access_agenda_item(person: Person, item_id: int) -> AgendaItemAccess:
    item = first_or_404(
        AgendaItem.objects.filter(org_id=person.org_id, pk=item_id).select_related(
            "meeting__series__manager", "meeting__series__report"
        ),
        "No such 1:1.",
    )
    return AgendaItemAccess(item, is_party=_series_access(person, item.meeting.series).is_party)


def private_note(person: Person, meeting: Meeting) -> PrivateNote | None:
    """`person`'s own note on the meeting. Read by author, never by series: nobody else's note, and
    none for an admin who is not one of the pair."""
    if not is_party(person, meeting.series):
        return None
    return PrivateNote.objects.filter(org_id=meeting.org_id, meeting=meeting, author=person).first()


def active_person(org_id: int, person_id: int) -> Person:
    """An active person of the organisation; someone in another one answers like someone who does not
    exist."""
    return first_or_404(Person.objects.filter(org_id=org_id, pk=person_id, is_active=True), "No such person.")


def has_calendar_feed(person: Person) -> bool:
    return CalendarFeed.objects.filter(org_id=person.org_id, person=person).exists()


def meetings_of(series: OneOnOneSeries) -> QuerySet[Meeting]:
    return Meeting.objects.filter(org_id=series.org_id, series=series).order_by("scheduled_at")


def agenda_of(meeting: Meeting) -> QuerySet[AgendaItem]:
    return AgendaItem.objects.filter(org_id=meeting.org_id, meeting=meeting).select_related("author")


def action_items_of(series: OneOnOneSeries) -> QuerySet[ActionItem]:
    return ActionItem.objects.filter(org_id=series.org_id, series=series)


def action_items_in(meeting: Meeting) -> QuerySet[ActionItem]:
    """Raised in the meeting or sitting on it."""
    return ActionItem.objects.filter(
        Q(raised_in=meeting) | Q(meeting=meeting), org_id=meeting.org_id, series_id=meeting.series_id
    )


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
