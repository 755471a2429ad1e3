"""Check-ins over JSON: the same actions and queries as the pages, scoped to the caller's organisation.

Moods follow the page rules exactly: a mood is returned only to its author, or to their manager when
the author shared it; everyone else gets null.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from pydantic import StrictBool, field_validator

from accord.api_errors import Problem
from accord.lib.api import (
    ID_KEYS,
    LINE_PATTERN,
    ApiRequest,
    ClockTime,
    Id,
    Input,
    LocalTime,
    LongText,
    PageParams,
    Text,
    WholeNumber,
    current_person,
    no_null,
)
from accord.orgs.models import Person, Team

from . import queries
from .actions import (
    acknowledge_blocker,
    resolve_blocker,
    save_template,
    set_digest,
    set_prompt_time,
    settings_for,
    submit_checkin,
    template_for,
)
from .models import ANSWER_MAX, MAX_QUESTIONS, QUESTION_MAX, Blocker, Checkin, default_questions

router = Router(tags=["checkins"])

Status_ = Literal["upcoming", "open", "sent", "missed"]
CommitmentStatus = Literal["open", "done", "dropped"]


class AnswerOut(Schema):
    key: str = Field(description="The question's key in the template when it was answered.")
    question: str = Field(description="The question as it was asked.")
    answer: str
    blocker: bool = Field(description="True for the blockers question.")


class CommitmentUpdateOut(Schema):
    id: int
    title: str
    status: CommitmentStatus


class BlockerOut(Schema):
    id: int
    checkin_id: int
    person_id: int
    person_name: str
    team_id: int | None
    text: str
    status: Literal["open", "acknowledged", "resolved"]
    created_at: dt.datetime
    acknowledged_by_id: int | None
    acknowledged_at: dt.datetime | None
    resolved_by_id: int | None
    resolved_at: dt.datetime | None


class CheckinOut(Schema):
    id: int
    person_id: int
    person_name: str
    team_id: int | None
    day: dt.date = Field(description="The person's local date this check-in is for.")
    status: Status_ = Field(
        description="upcoming (not asked yet), open (asked, not closed), sent, or missed (closed unsent)."
    )
    prompt_at: dt.datetime = Field(description="When the person is (or was) asked.")
    reminder_at: dt.datetime | None = Field(description="The one reminder, if any.")
    closes_at: dt.datetime = Field(description="The end of the person's working day that day.")
    submitted_at: dt.datetime | None
    answers: list[AnswerOut]
    commitment_updates: list[CommitmentUpdateOut]
    mood: int | None = Field(
        description="1–5. Only the author sees it, and their manager when the author shared it; else null."
    )
    mood_shared: bool | None = Field(description="Whether the author shared their mood; null if not yours.")
    blocker: BlockerOut | None


def blocker_out(b: Blocker) -> BlockerOut:
    return BlockerOut(
        id=b.pk,
        checkin_id=b.checkin_id,
        person_id=b.person_id,
        person_name=b.person.name,
        team_id=b.team_id,
        text=b.text,
        status=b.status,  # type: ignore[arg-type]
        created_at=b.created_at,
        acknowledged_by_id=b.acknowledged_by_id,
        acknowledged_at=b.acknowledged_at,
        resolved_by_id=b.resolved_by_id,
        resolved_at=b.resolved_at,
    )


def _status(c: Checkin, now: dt.datetime) -> str:
    if c.submitted_at:
        return "sent"
    if now >= c.closes_at:
        return "missed"
    return "open" if c.prompt_at <= now else "upcoming"


def checkin_out(c: Checkin, viewer: Person, now: dt.datetime) -> CheckinOut:
    blocker = getattr(c, "blocker", None) if c.submitted_at else None
    return CheckinOut(
        id=c.pk,
        person_id=c.person_id,
        person_name=c.person.name,
        team_id=c.team_id,
        day=c.day,
        status=_status(c, now),  # type: ignore[arg-type]
        prompt_at=c.prompt_at,
        reminder_at=c.reminder_at,
        closes_at=c.closes_at,
        submitted_at=c.submitted_at,
        answers=[AnswerOut(**row) for row in c.answers],
        commitment_updates=[CommitmentUpdateOut(**u) for u in c.commitment_updates],
        mood=queries.visible_mood(viewer, c),
        mood_shared=c.mood_shared if c.person_id == viewer.pk else None,
        blocker=blocker_out(blocker) if blocker else None,
    )


# --- mine -------------------------------------------------------------------------------------


class CheckinPage(Schema):
    count: int
    items: list[CheckinOut]


@router.get("/checkins/mine", response=CheckinPage, summary="My check-ins, newest first")
def my_checkins(request: ApiRequest, params: Query[PageParams]) -> dict[str, Any]:
    me, now = current_person(request), timezone.now()
    found = queries.my_checkins(me)
    page = list(found[params.offset : params.offset + params.limit])
    return {"count": found.count(), "items": [checkin_out(c, me, now) for c in page]}


class CheckinQuestionOut(Schema):
    key: str = Field(description="Send the answer to this question under this key.")
    text: str
    blocker: bool = Field(description="A non-empty answer becomes a blocker the team's managers see.")


class CheckinCommitmentOut(Schema):
    id: int
    title: str
    due_on: dt.date
    status: CommitmentStatus


class TodayOut(Schema):
    checkin: CheckinOut | None = Field(description="Today's check-in (or the next planned), if any.")
    questions: list[CheckinQuestionOut] = Field(description="What it asks.")
    open_commitments: list[CheckinCommitmentOut] = Field(description="Mine, which a check-in can update.")
    next_prompt_at: dt.datetime | None = Field(description="When I will next be asked.")


@router.get("/checkins/mine/today", response=TodayOut, summary="My check-in for today, or the next one")
def my_today(request: ApiRequest) -> TodayOut:
    me, now = current_person(request), timezone.now()
    checkin = queries.current_checkin(me, now)
    questions = template_for(checkin.team).questions if checkin and checkin.team else default_questions()
    return TodayOut(
        checkin=checkin_out(checkin, me, now) if checkin else None,
        questions=[
            CheckinQuestionOut(key=q["key"], text=q["text"], blocker=bool(q.get("blocker")))
            for q in questions
        ],
        open_commitments=[
            CheckinCommitmentOut(id=c.pk, title=c.title, due_on=c.due_on, status=c.status)
            for c in queries.open_commitments(me)
        ],
        next_prompt_at=queries.next_prompt(me, now),
    )


# Stored stripped anyway (submit_checkin), so LongText's stripping changes nothing.
Answer = Annotated[LongText, Field(max_length=ANSWER_MAX)]


class SubmitIn(Input):
    answers: dict[Annotated[Text, Field(max_length=20)], Answer] = Field(
        # pydantic publishes the key rule only as patternProperties, which leaves other keys open.
        json_schema_extra={"propertyNames": {"maxLength": 20, "pattern": LINE_PATTERN}},
        description="Question key → answer. Leave a question out (or empty) to skip it; answer at least one.",
    )
    mood: Annotated[int, Field(ge=1, le=5), WholeNumber] | None = Field(
        None, description="Optional, 1 (rough) to 5 (great). Private to you unless share_mood."
    )
    share_mood: StrictBool = Field(False, description="Let your manager see your mood.")
    commitments: dict[Annotated[int, Field(ge=1, le=2**63 - 1)], CommitmentStatus] = Field(
        default_factory=dict,
        json_schema_extra=ID_KEYS,
        description="Commitment id → new status, for your own commitments.",
    )

    @field_validator("answers")
    @classmethod
    def _text(cls, value: dict[str, str]) -> dict[str, str]:
        for text in value.values():
            if "\x00" in text:
                raise ValueError("Text cannot contain NUL characters.")
        return value


@router.post(
    "/checkins/{checkin_id}/submit",
    response={200: CheckinOut, 409: Problem, 410: Problem},
    summary="Send my check-in",
    description=(
        "400 no answer, an unknown question key, a mood out of range or someone else's commitment; "
        "409 already sent; 410 closed (the end of your working day has passed); 404 not your check-in."
    ),
)
def submit(request: ApiRequest, checkin_id: Id, payload: SubmitIn) -> Any:
    me, now = current_person(request), timezone.now()
    checkin = queries.access_checkin(me, checkin_id)
    # Already sent (CheckinSent) is a 409, too late (CheckinPastClose) a 410: accord/api.py maps them.
    submit_checkin(
        checkin,
        answers=dict(payload.answers),
        mood=payload.mood,
        share_mood=payload.share_mood,
        commitments=dict(payload.commitments),
        now=now,
    )
    return checkin_out(queries.access_checkin(me, checkin.pk), me, now)


# --- teams and blockers -----------------------------------------------------------------------


class FeedOut(Schema):
    team_id: int
    items: list[CheckinOut] = Field(description="Sent check-ins, newest first.")
    open_blockers: list[BlockerOut]
    can_manage: bool = Field(description="Whether you may acknowledge and resolve blockers here.")


class FeedParams(Schema):
    limit: int = Field(30, ge=1, le=100)
    offset: int = Field(0, ge=0, le=10**9)


@router.get(
    "/checkins/teams/{team_id}/feed", response=FeedOut, summary="A team's check-ins and open blockers"
)
def team_feed(request: ApiRequest, team_id: Id, params: Query[FeedParams]) -> FeedOut:
    me, now = current_person(request), timezone.now()
    access = queries.access_team(me, team_id)
    team = access.team
    feed = queries.team_feed(team, offset=params.offset, limit=params.limit)
    return FeedOut(
        team_id=team.pk,
        items=[checkin_out(c, me, now) for c in feed],
        open_blockers=[blocker_out(b) for b in queries.open_blockers(team)],
        can_manage=access.can_manage,
    )


@router.post(
    "/checkins/blockers/{blocker_id}/acknowledge", response=BlockerOut, summary="Acknowledge a blocker"
)
def acknowledge(request: ApiRequest, blocker_id: Id) -> BlockerOut:
    me = current_person(request)
    # Not seeing it is a 404 here; seeing it without managing it is the action's 403.
    return blocker_out(acknowledge_blocker(queries.access_blocker(me, blocker_id).blocker, by=me))


@router.post("/checkins/blockers/{blocker_id}/resolve", response=BlockerOut, summary="Resolve a blocker")
def resolve(request: ApiRequest, blocker_id: Id) -> BlockerOut:
    me = current_person(request)
    return blocker_out(resolve_blocker(queries.access_blocker(me, blocker_id).blocker, by=me))


# --- templates --------------------------------------------------------------------------------

Cadence_ = Literal["daily", "weekly"]


class TemplateOut(Schema):
    team_id: int
    questions: list[CheckinQuestionOut]
    cadence: Cadence_ = Field(description="daily (each member's working days) or weekly.")
    weekday: int = Field(description="For weekly: ISO weekday, 1 = Monday … 7 = Sunday.")
    enabled: bool = Field(description="False pauses the team's check-ins.")


class CheckinQuestionIn(Input):
    text: Text = Field(max_length=QUESTION_MAX)
    blocker: StrictBool = Field(False, description="At most one question is the blockers question.")


class TemplateIn(Input):
    questions: list[CheckinQuestionIn] = Field(
        max_length=MAX_QUESTIONS * 2, description=f"1 to {MAX_QUESTIONS}."
    )
    cadence: Cadence_ = "daily"
    weekday: Annotated[int, WholeNumber] = Field(1, description="ISO weekday 1–7, used when weekly.")
    enabled: StrictBool = True


def template_out(team: Team) -> TemplateOut:
    t = template_for(team)
    return TemplateOut(
        team_id=team.pk,
        questions=[
            CheckinQuestionOut(key=q["key"], text=q["text"], blocker=bool(q.get("blocker")))
            for q in t.questions
        ],
        cadence=t.cadence,  # type: ignore[arg-type]
        weekday=t.weekday,
        enabled=t.enabled,
    )


@router.get("/checkins/teams/{team_id}/template", response=TemplateOut, summary="A team's check-in template")
def get_template(request: ApiRequest, team_id: Id) -> TemplateOut:
    return template_out(queries.access_team(current_person(request), team_id).team)


@router.put(
    "/checkins/teams/{team_id}/template",
    response=TemplateOut,
    summary="Change a team's questions and cadence (its managers and admins)",
    description="404 for a team not in your organisation; 400 no questions, two blockers questions, a "
    "weekday outside 1–7. Nothing is saved unless everything is valid.",
)
def put_template(request: ApiRequest, team_id: Id, payload: TemplateIn) -> TemplateOut:
    team = _team_for_managers(request, team_id)
    save_template(
        template_for(team),
        questions=[q.model_dump() for q in payload.questions],
        cadence=payload.cadence,
        weekday=payload.weekday,
        enabled=payload.enabled,
        actor=current_person(request),
    )
    return template_out(team)


def _team_for_managers(request: ApiRequest, team_id: int) -> Team:
    # Not seeing the team at all is a 404; seeing it as a member without managing it is the action's 403.
    return queries.access_team(current_person(request), team_id).team


# --- my settings, participation ---------------------------------------------------------------


class CheckinSettingsOut(Schema):
    prompt_time: ClockTime = Field(description="When I am asked, my local time.")
    digest: Literal["daily", "weekly", "off"] = Field(description="Managers: how often my team digest comes.")
    digest_time: ClockTime = Field(description="Managers: when, my local time.")
    next_prompt_at: dt.datetime | None


class CheckinSettingsIn(Input):
    prompt_time: LocalTime | None = Field(
        None, json_schema_extra=no_null, description="e.g. 09:00, in my own time zone."
    )
    digest: Literal["daily", "weekly", "off"] | None = Field(None, json_schema_extra=no_null)
    digest_time: LocalTime | None = Field(None, json_schema_extra=no_null)


def settings_out(me: Person) -> CheckinSettingsOut:
    found = settings_for(me)
    return CheckinSettingsOut(
        prompt_time=found.prompt_time,
        digest=found.digest,  # type: ignore[arg-type]
        digest_time=found.digest_time,
        next_prompt_at=queries.next_prompt(me, timezone.now()),
    )


@router.get("/checkins/settings", response=CheckinSettingsOut, summary="My check-in settings")
def get_settings(request: ApiRequest) -> CheckinSettingsOut:
    return settings_out(current_person(request))


@router.patch("/checkins/settings", response=CheckinSettingsOut, summary="Change my check-in settings")
def patch_settings(request: ApiRequest, payload: CheckinSettingsIn) -> CheckinSettingsOut:
    me = current_person(request)
    data = payload.model_dump(exclude_unset=True)
    if any(v is None for v in data.values()):
        raise ValidationError({k: ["This field cannot be null."] for k, v in data.items() if v is None})
    if "prompt_time" in data:
        set_prompt_time(me, data["prompt_time"])
    if "digest" in data or "digest_time" in data:
        found = settings_for(me)
        set_digest(me, digest=data.get("digest", found.digest), at=data.get("digest_time", found.digest_time))
    return settings_out(me)


class CheckinParticipationOut(Schema):
    person_id: int
    sent: int
    due: int
    percent: int | None
    days: int
    words: str = Field(description="The same sentence the person and their manager read on their pages.")


@router.get(
    "/checkins/people/{person_id}/participation",
    response=CheckinParticipationOut,
    summary="Check-in participation (the person, those above them, admins)",
)
def get_participation(request: ApiRequest, person_id: Id) -> CheckinParticipationOut:
    me = current_person(request)
    person = queries.access_participation(me, person_id)
    p = queries.participation(person, timezone.now())
    return CheckinParticipationOut(
        person_id=person.pk, sent=p.sent, due=p.due, percent=p.percent, days=p.days, words=p.words
    )
