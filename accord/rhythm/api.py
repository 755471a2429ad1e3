"""Time zones over JSON: overlap for a team and a date, fair meeting suggestions, who can be reached
now, and team charters with acknowledgements. The same queries and actions as the pages, scoped to the
caller's organisation; another organisation's team or person is a 404 like one that does not exist."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from pydantic import StrictBool

from accord.lib.api import ApiRequest, BodyId, Day, Id, Input, LongText, Text, WholeNumber, current_person
from accord.orgs.access import get_for_org
from accord.orgs.models import Person, Team, valid_timezones

from . import fairness, queries
from .actions import (
    ChannelRow,
    CharterText,
    MeetingSpec,
    acknowledge_charter,
    check_meeting_spec,
    save_charter,
    suggestions,
)
from .models import TEXT_MAX, Charter

router = Router(tags=["time zones"])

EARLIEST, LATEST = dt.date(1971, 1, 1), dt.date(2199, 12, 31)


def _zone(name: str | None, field: str, fallback: ZoneInfo) -> ZoneInfo:
    if not name:
        return fallback
    if name not in valid_timezones():
        raise ValidationError(
            {field: [f"“{name}” is not a known IANA time zone, for example Europe/Berlin."]}
        )
    return ZoneInfo(name)


def _in_range(day: dt.date, field: str) -> dt.date:
    if not EARLIEST <= day <= LATEST:
        raise ValidationError({field: [f"Give a date between {EARLIEST} and {LATEST}."]})
    return day


# --- overlap ------------------------------------------------------------------------------------


class IntervalOut(Schema):
    start: dt.datetime = Field(description="UTC")
    end: dt.datetime = Field(description="UTC, exclusive")


class PersonHoursOut(Schema):
    id: int
    name: str
    timezone: str
    utc_offset: str = Field(description="The person's offset on that date, e.g. UTC−4.")
    intervals: list[IntervalOut] = Field(description="Working hours inside the day, in UTC.")
    minutes: int


class HourOut(Schema):
    start: dt.datetime
    end: dt.datetime
    working: int = Field(description="People working the whole hour.")
    partly: int = Field(description="People working part of the hour.")


class OverlapOut(Schema):
    date: dt.date
    timezone: str = Field(description="The zone whose local day is shown (yours unless you gave one).")
    start: dt.datetime = Field(
        description="The local day's start, in UTC (days are 23 or 25 h on DST changes)."
    )
    end: dt.datetime
    people: list[PersonHoursOut]
    overlap: list[IntervalOut] = Field(description="When everyone is working, in UTC.")
    overlap_minutes: int
    coverage: list[HourOut]


class OverlapParams(Schema):
    team: Id | None = Field(None, description="A team: its direct members.")
    people: list[Id] = Field([], description="Or chosen people (repeat the parameter); overrides team.")
    date: Day | None = Field(None, description="The local date; today if left out.")
    timezone: Text | None = Field(None, max_length=64, description="Whose local day; yours if left out.")


def _ivs(intervals: list[tuple[dt.datetime, dt.datetime]]) -> list[IntervalOut]:
    return [IntervalOut(start=a, end=b) for a, b in intervals]


@router.get("/time/overlap", response=OverlapOut, summary="Working hours, overlap and coverage for a day")
def overlap(request: ApiRequest, params: Query[OverlapParams]) -> OverlapOut:
    me, now = current_person(request), timezone.now()
    zone = _zone(params.timezone, "timezone", me.zone)
    if not params.team and not params.people:
        raise ValidationError({"team": ["Give a team or some people."]})
    team = get_for_org(request, Team, pk=params.team) if params.team else None
    found = queries.map_people(request.org, team=team, ids=params.people)
    if params.people and len(found) != len(set(params.people)):
        raise ValidationError({"people": ["No such person in this organisation."]})
    day = _in_range(params.date or now.astimezone(zone).date(), "date")
    m = queries.day_map(found, day, zone, now)
    return OverlapOut(
        date=day,
        timezone=str(zone.key),
        start=m.span[0],
        end=m.span[1],
        people=[
            PersonHoursOut(
                id=r.person.pk,
                name=r.person.name,
                timezone=r.person.timezone,
                utc_offset=r.offset,
                intervals=_ivs(r.intervals),
                minutes=r.minutes,
            )
            for r in m.rows
        ],
        overlap=[IntervalOut(start=b.start, end=b.end) for b in m.overlap],
        overlap_minutes=m.overlap_minutes,
        coverage=[HourOut(start=h.start, end=h.end, working=h.full, partly=h.part) for h in m.coverage],
    )


# --- meeting suggestions ------------------------------------------------------------------------


class SuggestIn(Input):
    # Limits published here but checked by check_meeting_spec, which answers 400 with the pages' messages.
    people: list[BodyId] = Field(json_schema_extra={"minItems": 1}, description="Who attends (person ids).")
    duration_minutes: Annotated[int, WholeNumber] = Field(
        json_schema_extra={"minimum": 1, "maximum": 480}, description="1 to 480."
    )
    weekday: Annotated[int, WholeNumber] = Field(
        json_schema_extra={"minimum": 1, "maximum": 7}, description="ISO weekday, 1 = Monday … 7 = Sunday."
    )
    timezone: Text | None = Field(
        None, max_length=64, description="Zone of the slots' wall-clock times; yours by default."
    )
    limit: Annotated[int, Field(ge=1, le=48), WholeNumber] = Field(
        10, description="How many ranked slots to return."
    )


class CostOut(Schema):
    person_id: int
    outside_minutes: int = Field(description="Minutes outside the person's declared working hours.")
    night_minutes: int = Field(description="Of those, minutes in the person's night (22:00–07:00 local).")
    score: int = Field(description="outside_minutes + night_minutes: night minutes count double.")
    local_start: dt.datetime = Field(description="The slot's start in the person's own zone.")


class MeetingSlotOut(Schema):
    local_start: str = Field(description="HH:MM in the request's zone.")
    starts_at: dt.datetime
    ends_at: dt.datetime
    worst: int = Field(description="The highest score of anyone: the first ranking key.")
    total: int = Field(description="The sum of scores: the tie-break.")
    costs: list[CostOut]


class SuggestOut(Schema):
    date: dt.date = Field(description="The next such weekday, for which costs are worked out.")
    timezone: str
    slots: list[MeetingSlotOut] = Field(description="Fairest first.")
    rotation: list[str] = Field(description="A weekly cycle of slots (HH:MM) that shares the inconvenience.")


@router.post("/time/meeting-suggestions", response=SuggestOut, summary="Rank meeting slots by fairness")
def meeting_suggestions(request: ApiRequest, payload: SuggestIn) -> SuggestOut:
    me = current_person(request)
    zone_name = payload.timezone or me.timezone
    found = queries.active_people(me.org_id, payload.people)
    if len(found) != len(set(payload.people)):
        raise ValidationError({"people": ["No such person in this organisation."]})
    check_meeting_spec(
        request.org,
        MeetingSpec("suggestion", found, payload.weekday, payload.duration_minutes, zone_name),
    )
    zone = ZoneInfo(zone_name)
    day, ranked = suggestions(
        found, weekday=payload.weekday, duration=payload.duration_minutes, zone=zone, now=timezone.now()
    )
    zones = {p.pk: p.zone for p in found}
    return SuggestOut(
        date=day,
        timezone=zone_name,
        slots=[
            MeetingSlotOut(
                local_start=s.label,
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                worst=s.worst,
                total=s.total,
                costs=[
                    CostOut(
                        person_id=c.person_id,
                        outside_minutes=c.outside,
                        night_minutes=c.night,
                        score=c.score,
                        local_start=s.starts_at.astimezone(zones[c.person_id]),
                    )
                    for c in s.costs
                ],
            )
            for s in ranked[: payload.limit]
        ],
        rotation=[s.label for s in fairness.rotation(ranked)],
    )


# --- reachability -------------------------------------------------------------------------------


class ReachOut(Schema):
    id: int
    name: str
    timezone: str
    local_time: dt.datetime = Field(description="Now, in the person's zone.")
    working: bool = Field(description="Inside declared working hours and days now (never online status).")
    until: dt.datetime | None = Field(
        description="Working: when the hours end. Otherwise: when they next start."
    )
    until_text: str = Field(description="e.g. “in 2 h 15 min”.")


class ReachNowOut(Schema):
    now: dt.datetime
    working: list[ReachOut] = Field(description="Inside their working hours, ending soonest first.")
    next: list[ReachOut] = Field(description="Everyone else, coming online soonest first.")


class ReachParams(Schema):
    team: Id | None = Field(None, description="A team and its sub-teams; the whole organisation if left out.")


def _reach_out(r: queries.Reach) -> ReachOut:
    return ReachOut(
        id=r.person.pk,
        name=r.person.name,
        timezone=r.person.timezone,
        local_time=r.local_now,
        working=r.working,
        until=r.change_local,
        until_text=r.until,
    )


@router.get("/time/reach", response=ReachNowOut, summary="Who can I reach now")
def reach_now(request: ApiRequest, params: Query[ReachParams]) -> ReachNowOut:
    """From declared working hours only: Accord has no online status and never tracks activity."""
    team = get_for_org(request, Team, pk=params.team) if params.team else None
    now = timezone.now()
    working, later = queries.reach(queries.reach_people(request.org, team), now)
    return ReachNowOut(now=now, working=[_reach_out(r) for r in working], next=[_reach_out(r) for r in later])


# --- charters -----------------------------------------------------------------------------------


class ChannelIO(Schema):
    purpose: Text = Field(max_length=200, description="What the channel is for.")
    channel: Text = Field(max_length=120, description="e.g. #support-l1, email, phone.")
    response_time: Text = Field(max_length=80, description="e.g. “within 4 working hours”.")


class AckOut(Schema):
    person_id: int
    name: str
    acknowledged_version: int | None
    acknowledged_at: dt.datetime | None
    current: bool


class CharterOut(Schema):
    team_id: int
    version: int = Field(description="Grows with every material change; members acknowledge a version.")
    sync_decisions: str
    async_decisions: str
    escalation: str
    meeting_norms: str
    channels: list[ChannelIO]
    updated_at: dt.datetime
    my_acknowledged_version: int | None = Field(description="The version you acknowledged, if any.")
    can_edit: bool
    acknowledgements: list[AckOut] | None = Field(
        description="Every member's status; only for the team's managers and admins, null for others."
    )


class CharterIn(Input):
    sync_decisions: LongText = Field("", max_length=TEXT_MAX)
    async_decisions: LongText = Field("", max_length=TEXT_MAX)
    escalation: LongText = Field("", max_length=TEXT_MAX)
    meeting_norms: LongText = Field("", max_length=TEXT_MAX)
    channels: list[ChannelIO] = Field([], max_length=20)
    material: StrictBool = Field(False, description="true asks everyone in the team to read it again.")


def _charter_out(charter: Charter, me: Person, team: Team) -> CharterOut:
    can_edit = queries.can_edit_charter(me, team)  # the rule access_charter's can_edit reads
    mine = charter.acknowledgements.filter(person=me).values_list("version", flat=True).first()
    acks = None
    if can_edit:
        acks = [
            AckOut(
                person_id=a.person.pk,
                name=a.person.name,
                acknowledged_version=a.acknowledged.version if a.acknowledged else None,
                acknowledged_at=a.acknowledged.acknowledged_at if a.acknowledged else None,
                current=a.current,
            )
            for a in queries.acknowledgements(charter)
        ]
    return CharterOut(
        team_id=team.pk,
        version=charter.version,
        sync_decisions=charter.sync_decisions,
        async_decisions=charter.async_decisions,
        escalation=charter.escalation,
        meeting_norms=charter.meeting_norms,
        channels=[
            ChannelIO(purpose=c.purpose, channel=c.channel, response_time=c.response_time)
            for c in charter.channels.all()
        ],
        updated_at=charter.updated_at,
        my_acknowledged_version=mine,
        can_edit=can_edit,
        acknowledgements=acks,
    )


def _existing(team: Team) -> Charter:
    found = queries.charter_of(team)
    if found is None:
        from django.http import Http404

        raise Http404("This team has no charter yet.")
    return found


@router.get("/teams/{team_id}/charter", response=CharterOut, summary="Read a team's charter")
def get_charter(request: ApiRequest, team_id: Id) -> CharterOut:
    access = queries.access_charter(current_person(request), team_id)
    return _charter_out(_existing(access.team), access.viewer, access.team)


@router.put("/teams/{team_id}/charter", response=CharterOut, summary="Write or change a team's charter")
def put_charter(request: ApiRequest, team_id: Id, payload: CharterIn) -> CharterOut:
    access = queries.access_charter(current_person(request), team_id)
    me, team = access.viewer, access.team
    if not access.can_edit:
        raise PermissionDenied("Only the team's managers and admins can change its charter.")
    text = CharterText(
        sync_decisions=payload.sync_decisions,
        async_decisions=payload.async_decisions,
        escalation=payload.escalation,
        meeting_norms=payload.meeting_norms,
        channels=[ChannelRow(c.purpose, c.channel, c.response_time) for c in payload.channels],
    )
    charter = save_charter(team, text, actor=me, material=payload.material)
    return _charter_out(charter, me, team)


@router.post("/teams/{team_id}/charter/acknowledge", response=CharterOut, summary="Acknowledge a charter")
def acknowledge(request: ApiRequest, team_id: Id) -> CharterOut:
    access = queries.access_charter(current_person(request), team_id)
    me, team = access.viewer, access.team
    charter = _existing(team)
    acknowledge_charter(charter, me)
    return _charter_out(charter, me, team)
