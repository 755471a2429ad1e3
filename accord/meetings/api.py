"""1:1s over JSON: series, meetings, agendas, action items and one's own private notes.

The same actions and queries as the pages. A series, meeting or item outside the caller's organisation,
or one they are not part of (admins excepted), is a 404; a private note is only ever its author's.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from pydantic import BeforeValidator, StrictBool, field_validator

from accord.lib.api import (
    NOT_BLANK,
    ApiRequest,
    BodyId,
    ClockTime,
    Day,
    Id,
    Input,
    LocalTime,
    LongText,
    Text,
    WholeNumber,
    current_person,
    no_null,
    reject_null,
)
from accord.orgs.models import Person

from . import queries
from .actions import (
    Slot,
    add_action_item,
    add_agenda_item,
    create_series,
    end_series,
    mark_meeting,
    save_private_note,
    set_action_done,
    tick_agenda_item,
    update_series,
)
from .calendar import rrule
from .models import (
    NOTE_MAX,
    TEXT_MAX,
    ActionItem,
    AgendaItem,
    Meeting,
    OneOnOneSeries,
)

router = Router(tags=["1:1s"])

CadenceName = Literal["weekly", "fortnightly", "monthly"]
StatusName = Literal["scheduled", "held", "skipped"]
WeekdayNumber = Annotated[int, Field(ge=1, le=7), WholeNumber]
Minutes = Annotated[int, Field(ge=10, le=180), WholeNumber]


# --- schemas ----------------------------------------------------------------------------------


class HealthOut(Schema):
    held: int = Field(description="Meetings marked held in the last 90 days.")
    skipped: int = Field(description="Meetings marked skipped in the last 90 days.")
    unmarked: int = Field(description="Meetings in the last 90 days that ended without being marked.")
    held_share: float | None = Field(description="held ÷ (held + skipped + unmarked); null if none were due.")
    actions_created: int = Field(description="Action items agreed in the last 90 days.")
    actions_closed: int = Field(description="Of those, how many are done.")
    closed_share: float | None = Field(description="actions_closed ÷ actions_created; null if none.")


class SeriesOut(Schema):
    id: int
    manager_id: int
    manager_name: str
    report_id: int
    report_name: str
    cadence: CadenceName
    weekday: int = Field(description="ISO weekday of the slot, 1 = Monday … 7 = Sunday.")
    start_time: ClockTime = Field(description="Local wall-clock time of the slot in `timezone`.")
    duration_minutes: int
    timezone: str = Field(description="The manager's zone, which the slot's time is read in.")
    starts_on: dt.date = Field(description="First meeting of the current slot (local date): the DTSTART.")
    rrule: str = Field(description="The series' recurrence as an RFC 5545 RRULE.")
    uid: str = Field(description="The calendar UID, the same for the life of the series.")
    sequence: int = Field(description="The calendar SEQUENCE, one higher after every change.")
    active: bool
    next_meeting_at: dt.datetime | None = Field(description="Start of the next meeting still to come (UTC).")
    health: HealthOut
    warnings: list[str] = Field(description="Times the slot falls outside either person's working hours.")


class SeriesIn(Input):
    manager_id: BodyId | None = Field(
        None, description="The manager; defaults to you. Only admins may name someone else."
    )
    report_id: BodyId = Field(description="The report: one of the manager's people (admins: anyone).")
    cadence: CadenceName = Field("weekly", description="weekly, fortnightly or monthly.")
    weekday: WeekdayNumber = Field(description="ISO weekday, 1 = Monday … 7 = Sunday.")
    start_time: LocalTime = Field(description="Local time in the manager's zone, e.g. 09:00.")
    duration_minutes: Minutes = Field(30, description="10 to 180 minutes.")


def _only_false(value: Any) -> Any:
    # Literal[False] alone would also take 0, which JSON Schema's `const: false` does not.
    if value is not None and value is not False:
        raise ValueError("Only false is accepted: it ends the series, which cannot be restarted.")
    return value


class SeriesPatch(Input):
    """Leave a field out to keep it. `active: false` ends the series (and sends a cancellation)."""

    cadence: CadenceName | None = Field(None, json_schema_extra=no_null)
    weekday: WeekdayNumber | None = Field(None, json_schema_extra=no_null)
    start_time: LocalTime | None = Field(None, json_schema_extra=no_null)
    duration_minutes: Minutes | None = Field(None, json_schema_extra=no_null)
    active: Annotated[Literal[False], BeforeValidator(_only_false)] | None = Field(
        None, json_schema_extra=no_null, description="false ends the series; it cannot be restarted."
    )

    _not_null = field_validator("cadence", "weekday", "start_time", "duration_minutes", "active")(reject_null)


class AgendaOut(Schema):
    id: int
    meeting_id: int
    author_id: int
    text: str
    done: bool


class ActionOut(Schema):
    id: int
    series_id: int
    raised_in_meeting_id: int
    meeting_id: int = Field(description="The meeting it sits on now: carried to the newest until done.")
    owner_id: int
    text: str
    due_on: dt.date | None
    carried: int = Field(description="How many times it has been carried over to a later meeting.")
    created_at: dt.datetime
    done_at: dt.datetime | None


class MeetingOut(Schema):
    id: int
    series_id: int
    scheduled_at: dt.datetime
    ends_at: dt.datetime
    status: StatusName
    notes: str = Field(description="Shared notes both people read.")


class MeetingDetail(MeetingOut):
    agenda: list[AgendaOut]
    action_items: list[ActionOut]


class MeetingPatch(Input):
    status: StatusName | None = Field(
        None, json_schema_extra=no_null, description="held (once started), skipped, or scheduled to unmark."
    )
    notes: LongText | None = Field(
        None, json_schema_extra=no_null, max_length=NOTE_MAX, description="Shared notes."
    )

    _not_null = field_validator("status", "notes")(reject_null)


class AgendaIn(Input):
    text: Text = Field(min_length=1, max_length=TEXT_MAX, json_schema_extra=NOT_BLANK)


class DoneIn(Input):
    done: StrictBool


class ActionIn(Input):
    text: Text = Field(min_length=1, max_length=TEXT_MAX, json_schema_extra=NOT_BLANK)
    owner_id: BodyId = Field(description="One of the two people of the series.")
    due_on: Day | None = Field(None, description="Today or later, in the owner's zone.")


class NoteOut(Schema):
    meeting_id: int
    text: str = Field(description="Your own private note; empty if you have none. Nobody else can read it.")
    updated_at: dt.datetime | None


class NoteIn(Input):
    text: LongText = Field(max_length=NOTE_MAX, description="Empty text deletes the note.")


# --- helpers ----------------------------------------------------------------------------------


def _series(request: ApiRequest, series_id: int) -> OneOnOneSeries:
    return queries.access_series(current_person(request), series_id).series


def _meeting(request: ApiRequest, meeting_id: int) -> Meeting:
    return queries.access_meeting(current_person(request), meeting_id).meeting


def _party(
    request: ApiRequest, access: queries.MeetingAccess | queries.ActionItemAccess | queries.AgendaItemAccess
) -> Person:
    """Who may read a 1:1 but not write in it (an admin) gets a 403 here; a page hides it with a 404."""
    if not access.is_party:
        raise PermissionDenied("Only the two people of this 1:1 can do this.")
    return current_person(request)


def _rrule_text(series: OneOnOneSeries) -> str:
    return ";".join(f"{k}={v}" for k, v in rrule(series).items())


def _series_out(series: OneOnOneSeries, health: queries.Health, now: dt.datetime) -> SeriesOut:
    _, warnings = queries.slot_preview(
        series.manager,
        series.report,
        weekday=series.weekday,
        start_time=series.start_time,
        duration_minutes=series.duration_minutes,
        now=now,
    )
    return SeriesOut(
        id=series.pk,
        manager_id=series.manager_id,
        manager_name=series.manager.name,
        report_id=series.report_id,
        report_name=series.report.name,
        cadence=series.cadence,  # type: ignore[arg-type]
        weekday=series.weekday,
        start_time=series.start_time,
        duration_minutes=series.duration_minutes,
        timezone=series.timezone,
        starts_on=series.starts_on,
        rrule=_rrule_text(series),
        uid=series.uid,
        sequence=series.sequence,
        active=series.active,
        next_meeting_at=getattr(series, "next_at", None),
        health=HealthOut(
            held=health.held,
            skipped=health.skipped,
            unmarked=health.unmarked,
            held_share=health.held_share,
            actions_created=health.actions_created,
            actions_closed=health.actions_closed,
            closed_share=health.closed_share,
        ),
        warnings=warnings if series.active else [],
    )


def _one_series_out(request: ApiRequest, series_id: int) -> SeriesOut:
    now = timezone.now()
    found = queries.with_next_meeting(queries.visible_series(current_person(request)), now)
    series = found.filter(pk=series_id).first()
    if series is None:
        raise Http404
    return _series_out(series, queries.health(series.org_id, [series.pk], now)[series.pk], now)


def _action_out(item: ActionItem) -> ActionOut:
    return ActionOut(
        id=item.pk,
        series_id=item.series_id,
        raised_in_meeting_id=item.raised_in_id,
        meeting_id=item.meeting_id,
        owner_id=item.owner_id,
        text=item.text,
        due_on=item.due_on,
        carried=item.carried,
        created_at=item.created_at,
        done_at=item.done_at,
    )


def _agenda_out(item: AgendaItem) -> AgendaOut:
    return AgendaOut(
        id=item.pk, meeting_id=item.meeting_id, author_id=item.author_id, text=item.text, done=item.done
    )


def _meeting_out(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.pk,
        "series_id": meeting.series_id,
        "scheduled_at": meeting.scheduled_at,
        "ends_at": meeting.ends_at,
        "status": meeting.status,
        "notes": meeting.notes,
    }


def _lookup_person(request: ApiRequest, pk: int) -> Person:
    return queries.active_person(current_person(request).org_id, pk)


# --- series -----------------------------------------------------------------------------------


@router.get("/one-on-ones/series", response=list[SeriesOut], summary="List 1:1 series")
def list_series(request: ApiRequest, active: bool | None = None) -> list[SeriesOut]:
    """Your own series (as manager or report); admins see every series in the organisation."""
    now = timezone.now()
    found = queries.with_next_meeting(queries.visible_series(current_person(request)), now).order_by("id")
    if active is not None:
        found = found.filter(active=active)
    rows = list(found)
    health = queries.health(current_person(request).org_id, [s.pk for s in rows], now)
    return [_series_out(s, health[s.pk], now) for s in rows]


@router.post("/one-on-ones/series", response={201: SeriesOut}, summary="Set up a 1:1 series")
def create(request: ApiRequest, payload: SeriesIn) -> Status[SeriesOut]:
    me = current_person(request)
    manager = _lookup_person(request, payload.manager_id) if payload.manager_id else me
    report = _lookup_person(request, payload.report_id)
    series = create_series(
        request.org,
        actor=me,
        manager=manager,
        report=report,
        slot=Slot(payload.cadence, payload.weekday, payload.start_time, payload.duration_minutes),
    )
    return Status(201, _one_series_out(request, series.pk))


@router.get("/one-on-ones/series/{series_id}", response=SeriesOut, summary="Read a 1:1 series")
def get_series(request: ApiRequest, series_id: Id) -> SeriesOut:
    return _one_series_out(request, series_id)


@router.patch("/one-on-ones/series/{series_id}", response=SeriesOut, summary="Change or end a 1:1 series")
def patch_series(request: ApiRequest, series_id: Id, payload: SeriesPatch) -> SeriesOut:
    series = _series(request, series_id)
    me = current_person(request)
    data = payload.model_dump(exclude_unset=True)
    if data.pop("active", None) is False:
        end_series(series, actor=me)
    elif data:
        slot = Slot(
            data.get("cadence", series.cadence),
            data.get("weekday", series.weekday),
            data.get("start_time", series.start_time),
            data.get("duration_minutes", series.duration_minutes),
        )
        update_series(series, actor=me, slot=slot)
    return _one_series_out(request, series.pk)


@router.get(
    "/one-on-ones/series/{series_id}/meetings", response=list[MeetingOut], summary="Meetings of a series"
)
def list_meetings(request: ApiRequest, series_id: Id) -> list[dict[str, Any]]:
    series = _series(request, series_id)
    return [_meeting_out(m) for m in queries.meetings_of(series)]


@router.get(
    "/one-on-ones/series/{series_id}/action-items",
    response=list[ActionOut],
    summary="Action items of a series",
)
def list_actions(request: ApiRequest, series_id: Id, open: bool | None = None) -> list[ActionOut]:
    series = _series(request, series_id)
    found = queries.action_items_of(series).order_by("created_at", "id")
    if open is not None:
        found = found.filter(done_at__isnull=open)
    return [_action_out(a) for a in found]


# --- meetings ---------------------------------------------------------------------------------


def _meeting_detail(request: ApiRequest, meeting: Meeting) -> MeetingDetail:
    agenda = queries.agenda_of(meeting).order_by("created_at", "id")
    actions = queries.action_items_in(meeting).order_by("created_at", "id")
    return MeetingDetail(
        **_meeting_out(meeting),
        agenda=[_agenda_out(a) for a in agenda],
        action_items=[_action_out(a) for a in actions],
    )


@router.get("/one-on-ones/meetings/{meeting_id}", response=MeetingDetail, summary="Read a meeting")
def get_meeting(request: ApiRequest, meeting_id: Id) -> MeetingDetail:
    return _meeting_detail(request, _meeting(request, meeting_id))


@router.patch("/one-on-ones/meetings/{meeting_id}", response=MeetingDetail, summary="Mark held or skipped")
def patch_meeting(request: ApiRequest, meeting_id: Id, payload: MeetingPatch) -> MeetingDetail:
    access = queries.access_meeting(current_person(request), meeting_id)
    me, meeting = _party(request, access), access.meeting
    mark_meeting(meeting, actor=me, status=payload.status or meeting.status, notes=payload.notes)
    return _meeting_detail(request, meeting)


@router.post(
    "/one-on-ones/meetings/{meeting_id}/agenda",
    response={201: AgendaOut},
    summary="Add to a meeting's agenda",
)
def add_agenda(request: ApiRequest, meeting_id: Id, payload: AgendaIn) -> Status[AgendaOut]:
    access = queries.access_meeting(current_person(request), meeting_id)
    me, meeting = _party(request, access), access.meeting
    return Status(201, _agenda_out(add_agenda_item(meeting, author=me, text=payload.text)))


@router.patch("/one-on-ones/agenda/{item_id}", response=AgendaOut, summary="Tick an agenda item")
def tick_agenda(request: ApiRequest, item_id: Id, payload: DoneIn) -> AgendaOut:
    access = queries.access_agenda_item(current_person(request), item_id)
    me = _party(request, access)
    return _agenda_out(tick_agenda_item(access.item, actor=me, done=payload.done))


@router.post(
    "/one-on-ones/meetings/{meeting_id}/action-items",
    response={201: ActionOut},
    summary="Agree an action item",
)
def add_action(request: ApiRequest, meeting_id: Id, payload: ActionIn) -> Status[ActionOut]:
    access = queries.access_meeting(current_person(request), meeting_id)
    me, meeting = _party(request, access), access.meeting
    owner = _lookup_person(request, payload.owner_id)
    item = add_action_item(meeting, actor=me, owner=owner, text=payload.text, due_on=payload.due_on)
    return Status(201, _action_out(item))


@router.patch("/one-on-ones/action-items/{item_id}", response=ActionOut, summary="Tick an action item")
def tick_action(request: ApiRequest, item_id: Id, payload: DoneIn) -> ActionOut:
    access = queries.access_action_item(current_person(request), item_id)
    me = _party(request, access)
    return _action_out(set_action_done(access.item, actor=me, done=payload.done))


# --- private notes ----------------------------------------------------------------------------


@router.get(
    "/one-on-ones/meetings/{meeting_id}/private-note", response=NoteOut, summary="Read my private note"
)
def get_note(request: ApiRequest, meeting_id: Id) -> NoteOut:
    access = queries.access_meeting(current_person(request), meeting_id)
    me, meeting = _party(request, access), access.meeting
    note = queries.private_note(me, meeting)
    return NoteOut(
        meeting_id=meeting.pk, text=note.text if note else "", updated_at=note.updated_at if note else None
    )


@router.put(
    "/one-on-ones/meetings/{meeting_id}/private-note", response=NoteOut, summary="Write my private note"
)
def put_note(request: ApiRequest, meeting_id: Id, payload: NoteIn) -> NoteOut:
    access = queries.access_meeting(current_person(request), meeting_id)
    me, meeting = _party(request, access), access.meeting
    note = save_private_note(meeting, author=me, text=payload.text)
    return NoteOut(
        meeting_id=meeting.pk, text=note.text if note else "", updated_at=note.updated_at if note else None
    )
