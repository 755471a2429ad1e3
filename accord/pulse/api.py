"""Pulse over JSON: answering, My feedback, and (for admins) programs, questions and the anonymity setting.

The same actions and queries as the pages. Nothing here returns an answer or anything derived from
answers: results come from the gate, elsewhere.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from pydantic import AfterValidator, BeforeValidator, StrictBool, field_validator

from accord.api_errors import Problem
from accord.lib.api import (
    ID_KEYS,
    NOT_BLANK,
    ApiRequest,
    BodyId,
    Id,
    Input,
    LongText,
    Text,
    WholeNumber,
    current_person,
    no_null,
    no_null_not_blank,
    require_admin,
)
from accord.orgs.access import get_for_org, of_org
from accord.orgs.models import Team

from . import queries
from .answering import COMMENT_MAX, reply_as_author, submit_answers
from .bank import AGREE5_LABELS, CONSTRUCTS
from .forms import NPS_HIGH, NPS_LOW, interleave, next_monday, question_text
from .models import Comment, Program, Question, Reply, Scale
from .programs import add_question, ensure_bank, pulse_settings, save_program, set_min_group_size

router = Router(tags=["pulse"])

AnswerValue = Annotated[int, WholeNumber]


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("Give a time with its UTC offset, e.g. 2026-03-02T09:00:00+01:00.")
    return value


def _written(value: Any) -> Any:
    # pydantic would also read numbers as Unix timestamps, which no client sending a start time means.
    if isinstance(value, int | float):
        raise ValueError("Give this as ISO text, e.g. 2026-03-02T09:00:00Z.")
    return value


def _reject_null(value: Any) -> Any:
    if value is None:
        raise ValueError("This field cannot be null; leave it out to keep the current value.")
    return value


UTC_ZONE = ZoneInfo("UTC")
Moment = Annotated[dt.datetime, BeforeValidator(_written), AfterValidator(_aware)]


# --- answering --------------------------------------------------------------------------------


class QuestionToAnswer(Schema):
    id: int = Field(description="Send answers keyed by this id.")
    text: str = Field(description="The question as people read it (the organisation's name filled in).")
    scale: Literal["agree5", "nps11"] = Field(
        description="agree5: 1 (Strongly disagree) to 5 (Strongly agree); nps11: 0 to 10."
    )
    min: int = Field(description="Lowest allowed answer.")
    max: int = Field(description="Highest allowed answer.")
    labels: list[str] = Field(
        description="For agree5, the label of each value from min to max; for nps11 the two ends."
    )


class OpenRound(Schema):
    round_id: int
    program: str = Field(description="The program's name.")
    number: int = Field(description="The round's number within its program.")
    closes_at: dt.datetime = Field(description="Answers are accepted until this moment.")
    min_group_size: int = Field(description="Results of this round show only for groups at least this big.")
    questions: list[QuestionToAnswer]


def _question_out(question: Question, org: Any) -> QuestionToAnswer:
    nps = question.scale == Scale.NPS11
    return QuestionToAnswer(
        id=question.pk,
        text=question_text(question, org),
        scale=question.scale,  # type: ignore[arg-type]
        min=0 if nps else 1,
        max=10 if nps else 5,
        labels=[NPS_LOW, NPS_HIGH] if nps else list(AGREE5_LABELS),
    )


@router.get("/pulse/rounds/open", response=list[OpenRound], summary="Pulse rounds I can answer now")
def open_rounds(request: ApiRequest) -> list[OpenRound]:
    me = current_person(request)
    now = timezone.now()
    parts = [p for p in queries.open_participations(me) if p.round.closes_at > now]
    by_round: dict[int, list[Question]] = {p.round_id: [] for p in parts}
    for rq in queries.round_questions(list(by_round)):
        by_round[rq.round_id].append(rq.question)
    return [
        OpenRound(
            round_id=p.round_id,
            program=p.round.program.name,
            number=p.round.number,
            closes_at=p.round.closes_at,
            min_group_size=p.round.min_group_size,
            questions=[_question_out(q, me.org) for q in by_round[p.round_id]],
        )
        for p in parts
    ]


class AnswersIn(Input):
    answers: dict[Annotated[int, Field(ge=1, le=2**63 - 1)], AnswerValue | None] = Field(
        default_factory=dict,
        json_schema_extra=ID_KEYS,
        description="Question id → answer (an integer in the question's range), or null to skip it.",
    )
    comment: LongText = Field(
        "",
        max_length=COMMENT_MAX,
        description="Optional. Shown to managers only when enough people in the group commented.",
    )


class Receipt(Schema):
    detail: str


@router.post(
    "/pulse/rounds/{round_id}/answers",
    response={201: Receipt, 400: Problem, 409: Problem, 410: Problem},
    summary="Answer a pulse round",
    description=(
        "Anonymous: the answers are stored without the person and mixed with at least k others first. "
        "201 answered; 400 a value out of range, a question not in the round, or nothing at all; "
        "409 already answered; 410 the round has closed; 404 you were not asked in this round."
    ),
)
def answer_round(request: ApiRequest, round_id: Id, payload: AnswersIn) -> Status[Receipt]:
    me = current_person(request)
    participation = get_for_org(request, queries.participations_with_round(), round_id=round_id, person=me)
    now = timezone.now()
    # The action says which refusal it is (RoundClosed 410, AlreadyAnswered 409, otherwise 400).
    submit_answers(participation, answers=dict(payload.answers), comment=payload.comment, now=now)
    return Status(201, Receipt(detail="Thank you. Your answers are in, without your name."))


# --- my feedback ------------------------------------------------------------------------------


class FeedbackReplyOut(Schema):
    from_author: bool = Field(description="True for your own answers back; false for a manager's reply.")
    by: str = Field(description="“You”, or the manager's name.")
    text: str
    created_on: dt.date


class ThreadOut(Schema):
    comment_id: uuid.UUID
    round_id: int
    program: str
    round_number: int
    round_opened_on: dt.date
    text: str = Field(description="Your comment.")
    replies: list[FeedbackReplyOut]


def _reply_out(reply: Reply) -> FeedbackReplyOut:
    by = "You" if reply.from_author else (reply.manager.name if reply.manager else "A former manager")
    return FeedbackReplyOut(
        from_author=reply.from_author, by=by, text=reply.text, created_on=reply.created_on
    )


@router.get("/pulse/feedback", response=list[ThreadOut], summary="My pulse comments and their replies")
def my_feedback(request: ApiRequest) -> list[ThreadOut]:
    return [
        ThreadOut(
            comment_id=comment.pk,
            round_id=comment.round_id,
            program=comment.round.program.name,
            round_number=comment.round.number,
            round_opened_on=comment.round.opens_on,
            text=comment.text,
            replies=[_reply_out(r) for r in replies],
        )
        for comment, replies in queries.my_threads(current_person(request))
    ]


class ReplyIn(Input):
    text: LongText = Field(
        max_length=COMMENT_MAX,
        json_schema_extra=NOT_BLANK,
        description="Your answer back; it shows as from the author.",
    )


@router.post(
    "/pulse/feedback/{comment_id}/replies",
    response={201: FeedbackReplyOut},
    summary="Answer back in the thread of my comment",
    description="Only in threads about your own comments; any other comment answers 404.",
)
def reply_to_thread(request: ApiRequest, comment_id: uuid.UUID, payload: ReplyIn) -> Status[FeedbackReplyOut]:
    comment = get_for_org(request, Comment, pk=comment_id)
    # Not their comment: NotYourThread, a 404 as if it did not exist.
    reply = reply_as_author(comment, current_person(request), payload.text)
    return Status(201, _reply_out(reply))


# --- programs (admins) ------------------------------------------------------------------------

CadenceDays = Literal[7, 14, 28]


class ProgramOut(Schema):
    id: int
    name: str
    whole_org: bool = Field(description="True: everyone in the organisation is asked.")
    team_ids: list[int] = Field(
        description="When not the whole organisation: these teams and their sub-teams."
    )
    cadence_days: int = Field(description="7, 14 or 28: a round every week, 2 weeks or 4 weeks.")
    questions_per_round: int
    enps_every_days: int = Field(description="eNPS is asked no more often than this.")
    window_days: int = Field(description="How many days each round stays open.")
    active: bool
    next_round_at: dt.datetime | None = Field(description="When the next round opens, if active.")
    round_count: int = Field(description="Rounds opened so far.")
    question_ids: list[int] = Field(description="The program's questions in the order rounds take them.")


class ProgramIn(Input):
    name: Text = Field(max_length=120, json_schema_extra=NOT_BLANK, description="The program's name.")
    whole_org: StrictBool = Field(True, description="Ask everyone; false to ask only `team_ids`.")
    team_ids: list[BodyId] = Field(default_factory=list, description="Teams asked (with their sub-teams).")
    cadence_days: CadenceDays = Field(14, description="7, 14 or 28 days between rounds.")
    questions_per_round: Annotated[int, Field(ge=1, le=15), WholeNumber] = Field(6, description="1 to 15.")
    enps_every_days: Annotated[int, Field(ge=7, le=3650), WholeNumber] = Field(
        84, description="Ask eNPS no more often than this many days (at least 7)."
    )
    window_days: Annotated[int, Field(ge=1, le=27), WholeNumber] = Field(
        5, description="Days to answer, 1 to 27."
    )
    active: StrictBool = Field(True, description="Rounds open on schedule while active.")
    starts_at: Moment | None = Field(
        None, description="When the first round opens (with a UTC offset). Default: next Monday 00:00 UTC."
    )
    question_ids: list[BodyId] | None = Field(
        None,
        description=(
            "The questions, in any order (rounds interleave themes). Default: every active built-in one."
        ),
    )


class ProgramPatch(Input):
    """Leave a field out to keep its value."""

    name: Text | None = Field(None, json_schema_extra=no_null_not_blank, max_length=120)
    whole_org: StrictBool | None = Field(None, json_schema_extra=no_null)
    team_ids: list[BodyId] | None = Field(None, json_schema_extra=no_null)
    cadence_days: CadenceDays | None = Field(None, json_schema_extra=no_null)
    questions_per_round: Annotated[int, Field(ge=1, le=15), WholeNumber] | None = Field(
        None, json_schema_extra=no_null
    )
    enps_every_days: Annotated[int, Field(ge=7, le=3650), WholeNumber] | None = Field(
        None, json_schema_extra=no_null
    )
    window_days: Annotated[int, Field(ge=1, le=27), WholeNumber] | None = Field(
        None, json_schema_extra=no_null
    )
    active: StrictBool | None = Field(None, json_schema_extra=no_null)
    starts_at: Moment | None = Field(
        None, json_schema_extra=no_null, description="When the next round opens."
    )
    question_ids: list[BodyId] | None = Field(None, json_schema_extra=no_null)

    _not_null = field_validator(
        "name",
        "whole_org",
        "team_ids",
        "cadence_days",
        "questions_per_round",
        "enps_every_days",
        "window_days",
        "active",
        "starts_at",
        "question_ids",
    )(_reject_null)


def _programs(request: ApiRequest) -> Any:
    return queries.programs_with_setup(current_person(request).org_id)


def _program_out(program: Program) -> ProgramOut:
    return ProgramOut(
        id=program.pk,
        name=program.name,
        whole_org=program.whole_org,
        team_ids=[t.pk for t in program.teams.all()],
        cadence_days=program.cadence_days,
        questions_per_round=program.questions_per_round,
        enps_every_days=program.enps_every_days,
        window_days=program.window_days,
        active=program.active,
        next_round_at=program.next_round_at,
        round_count=program.round_count if hasattr(program, "round_count") else program.rounds.count(),
        question_ids=[pq.question_id for pq in program.programquestion_set.all()],
    )


def _resolve(
    request: ApiRequest, model: type[Any], ids: list[int], field: str, errors: dict[str, list[str]]
) -> list[Any]:
    """Ids from the body, resolved in the caller's organisation only; unknown ids become a field error."""
    found = {o.pk: o for o in of_org(request.org, model).filter(pk__in=set(ids))}  # type: ignore[attr-defined]
    missing = [i for i in ids if i not in found]
    if missing:
        errors[field] = [f"No such item in this organisation: {', '.join(map(str, missing))}."]
    return [found[i] for i in dict.fromkeys(ids) if i in found]


def _ordered(questions: list[Question]) -> list[Question]:
    by_construct: dict[str, list[Question]] = {}
    for q in sorted(questions, key=lambda q: (q.construct, q.key)):
        by_construct.setdefault(q.construct, []).append(q)
    return interleave(by_construct)


def _save(request: ApiRequest, program: Program, data: dict[str, Any], start: dt.datetime) -> None:
    teams = data.pop("team_ids", None)
    question_ids = data.pop("question_ids", None)
    data.pop("starts_at", None)
    for key, value in data.items():
        setattr(program, key, value)
    program.full_clean(exclude=["org", "name"])  # save_program words the name rule as the page does
    errors: dict[str, list[str]] = {}
    team_list = (
        _resolve(request, Team, teams, "team_ids", errors) if teams is not None else list(program.teams.all())
    )
    if question_ids is not None:
        question_list = _ordered(_resolve(request, Question, question_ids, "question_ids", errors))
    elif program.pk is None:
        question_list = _ordered(list(queries.builtin_questions(program.org_id)))
    else:
        question_list = [
            pq.question for pq in program.programquestion_set.select_related("question").order_by("position")
        ]
    if errors:
        raise ValidationError(errors)
    try:
        save_program(program, questions=question_list, teams=team_list, start=start)
    except ValidationError as exc:
        rename = {"teams": "team_ids", "questions": "question_ids"}
        raise ValidationError({rename.get(k, k): v for k, v in exc.message_dict.items()}) from exc


@router.get("/pulse/programs", response=list[ProgramOut], summary="List pulse programs (admins)")
def list_programs(request: ApiRequest) -> list[ProgramOut]:
    require_admin(request)
    return [_program_out(p) for p in _programs(request)]


@router.post("/pulse/programs", response={201: ProgramOut}, summary="Create a pulse program (admins)")
def create_program(request: ApiRequest, payload: ProgramIn) -> Status[ProgramOut]:
    require_admin(request)
    ensure_bank(request.org)
    program = Program(org=request.org)
    start = payload.starts_at or next_monday(timezone.now(), UTC_ZONE)
    _save(request, program, payload.model_dump(), start)
    return Status(201, _program_out(_programs(request).get(pk=program.pk)))


@router.patch("/pulse/programs/{program_id}", response=ProgramOut, summary="Change a pulse program (admins)")
def update_program(request: ApiRequest, program_id: Id, payload: ProgramPatch) -> ProgramOut:
    require_admin(request)
    program = get_for_org(request, Program, pk=program_id)
    data = payload.model_dump(exclude_unset=True)
    if "starts_at" in data:
        program.next_round_at = data["starts_at"]
    start = program.next_round_at or next_monday(timezone.now(), UTC_ZONE)
    _save(request, program, data, start)
    return _program_out(_programs(request).get(pk=program.pk))


# --- questions (admins) -----------------------------------------------------------------------


class BankQuestionOut(Schema):
    id: int
    key: str
    text: str = Field(description="As people read it (the organisation's name filled in).")
    theme: str = Field(description="The construct the question measures, e.g. trust_task.")
    theme_label: str = Field(description="The theme's name, e.g. Task-based trust.")
    scale: Literal["agree5", "nps11"]
    reverse: bool = Field(description="Disagreeing is the healthy answer; scores are flipped.")
    builtin: bool = Field(description="Part of Accord's bank; false for your own questions.")
    active: bool


THEMES = ", ".join(k for k in CONSTRUCTS if k != "enps")


class BankQuestionIn(Input):
    text: Text = Field(
        max_length=200,
        json_schema_extra=NOT_BLANK,
        description="One idea, in the first person, on the 1–5 agreement scale.",
    )
    theme: Text = Field(
        max_length=40,
        json_schema_extra={"enum": [k for k in CONSTRUCTS if k != "enps"]},
        description=f"The construct it measures: one of {THEMES}.",
    )
    reverse: StrictBool = Field(False, description="True if disagreeing is the healthy answer.")


def _bank_question_out(question: Question, org: Any) -> BankQuestionOut:
    return BankQuestionOut(
        id=question.pk,
        key=question.key,
        text=question_text(question, org),
        theme=question.construct,
        theme_label=CONSTRUCTS.get(question.construct, question.construct),
        scale=question.scale,  # type: ignore[arg-type]
        reverse=question.reverse,
        builtin=question.builtin,
        active=question.active,
    )


@router.get("/pulse/questions", response=list[BankQuestionOut], summary="The question bank (admins)")
def list_questions(request: ApiRequest) -> list[BankQuestionOut]:
    require_admin(request)
    bank = ensure_bank(request.org)
    return [_bank_question_out(q, request.org) for q in sorted(bank, key=lambda q: (q.construct, q.key))]


@router.post(
    "/pulse/questions", response={201: BankQuestionOut}, summary="Add a question of your own (admins)"
)
def create_question(request: ApiRequest, payload: BankQuestionIn) -> Status[BankQuestionOut]:
    require_admin(request)
    try:
        question = add_question(
            request.org,
            text=payload.text,
            construct=payload.theme,
            reverse=payload.reverse,
        )
    except ValidationError as exc:
        errors = {"theme" if k == "construct" else k: v for k, v in exc.message_dict.items()}
        raise ValidationError(errors) from exc
    return Status(201, _bank_question_out(question, request.org))


# --- settings (admins) ------------------------------------------------------------------------


class PulseSettingsOut(Schema):
    min_group_size: int = Field(
        description="k: results show only for groups of at least this many respondents (never below 3)."
    )


class PulseSettingsIn(Input):
    min_group_size: Annotated[int, WholeNumber] = Field(
        json_schema_extra={"minimum": 3, "maximum": 50},  # checked by the action, with its message
        description="3 to 50. Applies to rounds that open from now on.",
    )


@router.get("/pulse/settings", response=PulseSettingsOut, summary="Anonymity settings (admins)")
def get_settings(request: ApiRequest) -> PulseSettingsOut:
    require_admin(request)
    return PulseSettingsOut(min_group_size=pulse_settings(request.org).min_group_size)


@router.put("/pulse/settings", response=PulseSettingsOut, summary="Change the anonymity settings (admins)")
def put_settings(request: ApiRequest, payload: PulseSettingsIn) -> PulseSettingsOut:
    require_admin(request)
    found = set_min_group_size(request.org, payload.min_group_size)
    return PulseSettingsOut(min_group_size=found.min_group_size)
