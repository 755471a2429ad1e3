"""Reads for working across time zones: team maps, who is reachable now, meetings and charters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum

from accord.lib.tz import (
    HourCoverage,
    Interval,
    coverage,
    humanize_until,
    intersect_all,
    local_day_span,
    minutes,
    utc_offset_label,
    working_intervals,
)
from accord.orgs.access import first_or_404
from accord.orgs.chart import manages_team
from accord.orgs.models import Organisation, Person, Team
from accord.orgs.queries import hours_of, people, subtree_ids

from .actions import may_change_meeting
from .models import Acknowledgement, Burden, Charter, Occurrence, RecurringMeeting

MAX_DAYS = 14


# --- team map -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """Part of a timeline, as percentages of the day's width, with its UTC interval."""

    start: dt.datetime
    end: dt.datetime
    left: float
    width: float


@dataclass(frozen=True)
class MapRow:
    person: Person
    local_now: dt.datetime
    offset: str  # the person's UTC offset on the mapped day (it can differ from today's)
    intervals: list[Interval]
    bars: list[Bar]
    minutes: int


@dataclass(frozen=True)
class DayMap:
    day: dt.date
    zone: ZoneInfo
    span: Interval
    rows: list[MapRow]
    overlap: list[Bar]
    coverage: list[HourCoverage]
    now_left: float | None  # where "now" falls on the timeline, if it falls on this day

    @property
    def hours(self) -> int:
        """23, 24 or 25: how long the viewer's day is."""
        return round((self.span[1] - self.span[0]).total_seconds() / 3600)

    @property
    def overlap_minutes(self) -> int:
        return minutes([(b.start, b.end) for b in self.overlap])

    @property
    def max_coverage(self) -> int:
        return max((h.full for h in self.coverage), default=0)


def _bars(intervals: list[Interval], span: Interval) -> list[Bar]:
    length = (span[1] - span[0]).total_seconds()
    return [
        Bar(
            start,
            end,
            round((start - span[0]).total_seconds() * 100 / length, 3),
            round((end - start).total_seconds() * 100 / length, 3),
        )
        for start, end in intervals
    ]


def day_map(found: Sequence[Person], day: dt.date, viewer_zone: ZoneInfo, now: dt.datetime) -> DayMap:
    """`found` people's working hours across local `day` of the viewer, each in their own zone."""
    span = local_day_span(day, viewer_zone)
    rows = []
    for person in found:
        intervals = working_intervals(hours_of(person), *span)
        rows.append(
            MapRow(
                person=person,
                local_now=now.astimezone(person.zone),
                offset=utc_offset_label(person.zone, span[0] + (span[1] - span[0]) / 2),
                intervals=intervals,
                bars=_bars(intervals, span),
                minutes=minutes(intervals),
            )
        )
    per_person = [r.intervals for r in rows]
    return DayMap(
        day=day,
        zone=viewer_zone,
        span=span,
        rows=rows,
        overlap=_bars(intersect_all(per_person), span),
        coverage=coverage(per_person, span),
        now_left=_bars([(now, now)], span)[0].left if span[0] <= now < span[1] else None,
    )


def map_people(org: Organisation, *, team: Team | None = None, ids: Sequence[int] = ()) -> list[Person]:
    """The people of a team map: a team's direct members, or chosen people, in one query."""
    found = Person.objects.filter(org=org, is_active=True).select_related("team")
    if ids:
        found = found.filter(pk__in=list(ids))
    elif team is not None:
        found = found.filter(team=team)
    else:
        return []
    return list(found.order_by("name"))


# --- who can I reach now ------------------------------------------------------------------------


@dataclass(frozen=True)
class Reach:
    person: Person
    local_now: dt.datetime
    offset: str
    working: bool
    # While working: when today's hours end. Otherwise: when they next begin (None: no working day soon).
    change_at: dt.datetime | None
    until: str  # "in 2 h 15 min" from now to change_at

    @property
    def change_local(self) -> dt.datetime | None:
        return self.change_at.astimezone(self.person.zone) if self.change_at else None


def reach(found: Sequence[Person], now: dt.datetime) -> tuple[list[Reach], list[Reach]]:
    """Who is inside their declared working hours now (ending soonest first), and who comes online
    next (soonest first). From declared hours only: Accord has no online status."""
    working: list[Reach] = []
    later: list[Reach] = []
    for person in found:
        hours = hours_of(person)
        current = next(
            (w for w in working_intervals(hours, now, now + dt.timedelta(days=1)) if w[0] <= now),
            None,
        )
        change_at = current[1] if current else hours.next_start(now)
        row = Reach(
            person=person,
            local_now=now.astimezone(person.zone),
            offset=utc_offset_label(person.zone, now),
            working=current is not None,
            change_at=change_at,
            until=humanize_until(change_at, now) if change_at else "",
        )
        (working if row.working else later).append(row)
    far = now + dt.timedelta(days=365)
    working.sort(key=lambda r: (r.change_at or far, r.person.name))
    later.sort(key=lambda r: (r.change_at or far, r.person.name))
    return working, later


# "Who can I reach now" works out hours for this many people at most: a page about one's own corner of
# the organisation, bounded whatever the organisation's size.
REACH_LIMIT = 200


def reach_people(org: Organisation, team: Team | None, limit: int | None = None) -> list[Person]:
    """A team and its sub-teams (the whole organisation without a team), by name: the API's answer."""
    found = people(org)
    if team is not None:
        found = found.filter(team_id__in=subtree_ids(team))
    found = found.order_by("name")
    return list(found if limit is None else found[:limit])


def reach_members(org: Organisation, team: Team | None, limit: int) -> list[Person]:
    """The page's people: a team's direct members (sub-teams are one click away), or without a team
    the organisation's first people by name; at most `limit`, read in the database with LIMIT through
    the (org, team) or the directory's index, so no request reads every team or person of a large
    organisation."""
    found = Person.objects.filter(org=org, is_active=True)
    if team is not None:
        found = found.filter(team=team)
    return list(found.order_by("name")[:limit])


def sub_teams(team: Team | None) -> list[Team]:
    """The teams directly below `team`, by name: the page links to them instead of reading them all."""
    if team is None:
        return []
    return list(Team.objects.filter(org_id=team.org_id, parent=team).order_by("name"))


def team_choices(team: Team | None, own: Team | None, below: Sequence[Team]) -> list[Team]:
    """The teams a page offers to move to from `team`: the teams above it, itself, the teams directly
    below it (`below`, from sub_teams), and the viewer's own team, in that order: a few, never every
    team of the organisation."""
    found: list[Team] = []
    if team is not None:
        current: Team | None = team
        seen: set[int] = set()
        while current is not None and current.pk not in seen:
            seen.add(current.pk)
            found.insert(0, current)
            current = current.parent
        found.extend(below)
    else:
        top = Team.objects.filter(parent=None, org_id=own.org_id) if own is not None else Team.objects.none()
        found.extend(top.order_by("name")[:REACH_LIMIT])
    if own is not None and all(t.pk != own.pk for t in found):
        found.append(own)
    return found


# --- charters -----------------------------------------------------------------------------------


def can_edit_charter(viewer: Person, team: Team) -> bool:
    """The team's managers (anyone who manages an active member) and admins look after its charter."""
    return manages_team(viewer, team)


# Reading: access_<thing> fetches inside the person's organisation (anything else is Http404, like an
# id that does not exist) and says what the person may do; pages and the API both call it.
# Acting: permission is checked in the action, every app alike (update_meeting refuses anyone but the
# organiser and admins, save_charter anyone but the team's managers and admins); pages and the API read
# can_edit first only to show or hide the form and to answer 404 rather than 403.


@dataclass(frozen=True)
class CharterAccess:
    team: Team
    viewer: Person

    @cached_property
    def charter(self) -> Charter | None:
        return charter_of(self.team)

    @cached_property
    def can_edit(self) -> bool:
        return can_edit_charter(self.viewer, self.team)


def access_charter(person: Person, team_id: int) -> CharterAccess:
    """Any team's charter is read by every member of the organisation; its managers and admins edit it."""
    team = first_or_404(Team.objects.filter(org_id=person.org_id, pk=team_id), "No such team.")
    return CharterAccess(team, person)


@dataclass(frozen=True)
class RecurringMeetingAccess:
    meeting: RecurringMeeting
    can_change: bool  # the organiser and admins


def access_recurring_meeting(person: Person, meeting_id: int) -> RecurringMeetingAccess:
    """Every member sees the organisation's recurring meetings and their burden."""
    found = first_or_404(
        RecurringMeeting.objects.filter(org_id=person.org_id, pk=meeting_id), "No such meeting."
    )
    return RecurringMeetingAccess(found, can_change=may_change_meeting(person, found))


def teams(org_id: int) -> QuerySet[Team]:
    return Team.objects.filter(org_id=org_id).order_by("name")


def recurring_meetings(org_id: int) -> QuerySet[RecurringMeeting]:
    return RecurringMeeting.objects.filter(org_id=org_id).select_related("organiser").order_by("name")


def active_people(org_id: int, ids: Sequence[int]) -> list[Person]:
    return list(Person.objects.filter(org_id=org_id, is_active=True, pk__in=ids))


LOG_COLUMNS = 8


def burden_log(meeting: RecurringMeeting, attendees: list[Any]) -> dict[str, Any]:
    """Per person: totals over every logged occurrence, and the latest few one by one (4 queries)."""
    recent = list(
        Occurrence.objects.filter(org_id=meeting.org_id, meeting=meeting).order_by("-starts_at")[:LOG_COLUMNS]
    )
    recent.reverse()
    totals = {
        row["person_id"]: row
        for row in Burden.objects.filter(org_id=meeting.org_id, occurrence__meeting=meeting)
        .values("person_id")
        .annotate(
            outside=Sum("outside_minutes"),
            night=Sum("night_minutes"),
            hit=Count("id", filter=Q(outside_minutes__gt=0)),
            n=Count("id"),
        )
    }
    cells: dict[tuple[int, int], Burden] = {
        (b.person_id, b.occurrence_id): b
        for b in Burden.objects.filter(org_id=meeting.org_id, occurrence__in=[o.pk for o in recent])
    }
    people = {p.pk: p for p in attendees}
    rows = []
    for pid, total in totals.items():
        person = people.get(pid)
        rows.append(
            {
                "person": person,
                "name": person.name if person else "Someone no longer in the meeting",
                "outside": total["outside"],
                "night": total["night"],
                "score": total["outside"] + total["night"],
                "hit": total["hit"],
                "n": total["n"],
                "cells": [cells.get((pid, o.pk)) for o in recent],
            }
        )
    rows.sort(key=lambda r: (-r["score"], r["name"]))
    return {
        "occurrences": recent,
        "rows": [r for r in rows if r["score"]],
        "untouched": sum(1 for r in rows if not r["score"]),
        "logged": Occurrence.objects.filter(org_id=meeting.org_id, meeting=meeting).count(),
    }


def charter_of(team: Team) -> Charter | None:
    return Charter.objects.filter(org_id=team.org_id, team=team).prefetch_related("channels").first()


@dataclass(frozen=True)
class AckRow:
    person: Person
    acknowledged: Acknowledgement | None
    current: bool  # acknowledged the version in force


def acknowledgements(charter: Charter) -> list[AckRow]:
    """Every active member of the team and where they stand with the charter, in two queries."""
    members = list(Person.objects.filter(org_id=charter.org_id, team_id=charter.team_id, is_active=True))
    acks = {a.person_id: a for a in Acknowledgement.objects.filter(org_id=charter.org_id, charter=charter)}
    rows = [
        AckRow(p, acks.get(p.pk), bool(acks.get(p.pk) and acks[p.pk].version >= charter.version))
        for p in members
    ]
    return sorted(rows, key=lambda r: (r.current, r.person.name))


def charters_to_acknowledge(person: Person) -> list[Charter]:
    """The charter of the person's team, if they have not acknowledged its current version (one query)."""
    if not person.team_id:
        return []
    mine = Acknowledgement.objects.filter(charter=OuterRef("pk"), person=person).values("version")[:1]
    found = (
        Charter.objects.filter(org_id=person.org_id, team_id=person.team_id)
        .select_related("team")
        .annotate(my_version=Subquery(mine))
    )
    return [c for c in found if c.my_version is None or c.my_version < c.version]  # type: ignore[attr-defined]


def offset_changes(first: DayMap, other: DayMap) -> list[MapRow]:
    """People whose UTC offset on `other`'s date differs from the first date's: clocks that changed."""
    before = {r.person.pk: r.offset for r in first.rows}
    return [r for r in other.rows if before.get(r.person.pk) != r.offset]


def next_cycle(meeting: RecurringMeeting, now: dt.datetime) -> list[dt.datetime]:
    """The UTC starts of the meeting's next full rotation, from its next occurrence: shown in each
    reader's own zone, which may fall on another weekday and moves with daylight saving week to week."""
    from .actions import occurrence_index_after, occurrence_start

    first = occurrence_index_after(meeting, now)
    return [occurrence_start(meeting, i)[0] for i in range(first, first + len(meeting.rotation))]
