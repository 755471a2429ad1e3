"""Improvement plans over JSON: the same actions and queries as the pages.

A plan the caller is not named on answers 404, exactly like an id of another organisation. Broken rules
(an empty criterion, a milestone due after the end date, an HR contact who is not an admin) are a 400
naming the field; changing a plan one may only read is a 403; acting on a closed plan is a 409.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.utils import timezone
from ninja import Field, Router, Schema, Status
from pydantic import StrictBool, field_validator

from accord.lib.api import (
    NOT_BLANK,
    ApiRequest,
    BodyId,
    Day,
    Id,
    Input,
    LongText,
    Text,
    current_person,
    no_null,
    no_null_not_blank,
    reject_null,
)
from accord.lib.refusals import Invalid
from accord.orgs.models import Person

from . import queries
from .actions import (
    MAX_EXTENSION_DAYS,
    acknowledge,
    add_entry,
    add_milestone,
    change_milestone,
    change_plan,
    close_plan,
    create_plan,
    extend_plan,
    record_outcome,
    write_feedback,
)
from .models import CRITERION_MAX, TEXT_MAX, TITLE_MAX, Milestone, Plan

router = Router(tags=["plans"])


class PlanPerson(Schema):
    id: int
    name: str


class PlanOut(Schema):
    id: int
    title: str
    reason: str
    person: PlanPerson
    manager: PlanPerson
    hr_contact: PlanPerson
    starts_on: dt.date
    end_date: dt.date = Field(description="The end date of the current version.")
    agreed_end_date: dt.date | None = Field(
        description="The end date that binds (lingering counts from it): the one the plan opened with, "
        "then that of the last version the person acknowledged."
    )
    version: int
    acknowledged: bool = Field(description="Whether the person has acknowledged the current version.")
    acknowledged_at: dt.datetime | None
    closed_at: dt.datetime | None
    weekly_one_on_one: bool
    feedback_per_milestone: bool


class MilestoneOut(Schema):
    id: int
    criterion: str
    due_date: dt.date
    outcome: Literal["open", "met", "not_met"]
    feedback: str
    feedback_on: dt.date | None


class MissedOut(Schema):
    what: str
    start: dt.date
    end: dt.date = Field(description="The day after the missed period.")
    days: int


class ObligationsOut(Schema):
    weeks_due: int
    weeks_held: int
    feedback_due: int
    feedback_given: int
    missed: list[MissedOut]
    extension_days: int = Field(
        description="The extension the plan proposes: the days the missed obligations cover."
    )


class EntryOut(Schema):
    id: int
    kind: Literal["evidence", "comment"]
    author: PlanPerson
    text: str
    milestone_id: int | None
    commitment_id: int | None
    checkin_id: int | None
    created_at: dt.datetime


class EventOut(Schema):
    kind: str
    version: int
    actor: PlanPerson | None
    summary: str
    at: dt.datetime


class PlanDetail(PlanOut):
    lingering: bool = Field(description="Past the agreed end date with a milestone still without an outcome.")
    milestones: list[MilestoneOut]
    obligations: ObligationsOut
    entries: list[EntryOut]
    history: list[EventOut] = Field(description="Every change, oldest first; never edited or removed.")


def _who(p: Person | None) -> PlanPerson | None:
    return None if p is None else PlanPerson(id=p.pk, name=p.name)


def plan_out(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "title": plan.title,
        "reason": plan.reason,
        "person": _who(plan.person),
        "manager": _who(plan.manager),
        "hr_contact": _who(plan.hr_contact),
        "starts_on": plan.starts_on,
        "end_date": plan.end_date,
        "agreed_end_date": plan.agreed_end_date,
        "version": plan.version,
        "acknowledged": plan.acknowledged,
        "acknowledged_at": plan.acknowledged_at,
        "closed_at": plan.closed_at,
        "weekly_one_on_one": plan.weekly_one_on_one,
        "feedback_per_milestone": plan.feedback_per_milestone,
    }


def _detail(request: ApiRequest, plan_id: int) -> PlanDetail:
    plan, _ = queries.access_plan(current_person(request), plan_id)
    now = timezone.now()
    milestones = list(plan.milestones.all())
    owed = queries.obligations(plan, milestones, now)
    return PlanDetail(
        **plan_out(plan),
        lingering=queries.is_lingering(plan, milestones, queries.local_today(plan.person, now)),
        milestones=[
            MilestoneOut(
                id=m.pk,
                criterion=m.criterion,
                due_date=m.due_date,
                outcome=m.outcome,  # type: ignore[arg-type]
                feedback=m.feedback,
                feedback_on=m.feedback_on,
            )
            for m in milestones
        ],
        obligations=ObligationsOut(
            weeks_due=owed.weeks_due,
            weeks_held=owed.weeks_held,
            feedback_due=owed.feedback_due,
            feedback_given=owed.feedback_given,
            missed=[MissedOut(what=m.what, start=m.start, end=m.end, days=m.days) for m in owed.missed],
            extension_days=owed.extension_days,
        ),
        entries=[
            EntryOut(
                id=e.pk,
                kind=e.kind,
                author=PlanPerson(id=e.author.pk, name=e.author.name),
                text=e.text,
                milestone_id=e.milestone_id,
                commitment_id=e.commitment_id,
                checkin_id=e.checkin_id,
                created_at=e.created_at,
            )
            for e in queries.entries(plan)
        ],
        history=[
            EventOut(kind=ev.kind, version=ev.version, actor=_who(ev.actor), summary=ev.summary, at=ev.at)
            for ev in queries.history(plan)
        ],
    )


@router.get("/plans", response=list[PlanOut], summary="The improvement plans I am named on")
def list_plans(request: ApiRequest) -> list[dict[str, Any]]:
    return [
        plan_out(p) for p in queries.visible_plans(current_person(request)).order_by("end_date", "id")[:500]
    ]


class LingeringPlanOut(Schema):
    id: int
    title: str
    person: PlanPerson
    agreed_end_date: dt.date
    days_over: int


class LingeringCommitmentOut(Schema):
    id: int
    title: str
    owner: PlanPerson
    due_on: dt.date
    days_late: int
    slips: int


class LingeringBlockerOut(Schema):
    id: int
    person: PlanPerson
    text: str
    created_at: dt.datetime
    days_waiting: int


class LingeringOut(Schema):
    scope: str
    blocker_days: int = Field(description="A blocker lingers after this many days unacknowledged.")
    plans: list[LingeringPlanOut]
    commitments: list[LingeringCommitmentOut]
    blockers: list[LingeringBlockerOut]


@router.get(
    "/plans/lingering",
    response=LingeringOut,
    summary="What lingers: plans past their end, commitments slipped twice or more, old blockers",
    description="An admin sees the whole organisation; anyone else their own items and those of everyone "
    "below them. Plans are listed only where the caller is named on them.",
)
def lingering(request: ApiRequest) -> dict[str, Any]:
    found = queries.lingering(current_person(request))
    return {
        "scope": found.scope,
        "blocker_days": found.blocker_days,
        "plans": [
            {
                "id": p.pk,
                "title": p.title,
                "person": _who(p.person),
                "agreed_end_date": p.binding_end,
                "days_over": getattr(p, "days_over", 0),
            }  # type: ignore[attr-defined]
            for p in found.plans
        ],
        "commitments": [
            {
                "id": c.pk,
                "title": c.title,
                "owner": _who(c.owner),
                "due_on": c.due_on,
                "days_late": getattr(c, "days_late", 0),
                "slips": getattr(c, "slips", 0),
            }  # type: ignore[attr-defined]
            for c in found.commitments
        ],
        "blockers": [
            {
                "id": b.pk,
                "person": _who(b.person),
                "text": b.text,
                "created_at": b.created_at,
                "days_waiting": getattr(b, "days_waiting", 0),
            }  # type: ignore[attr-defined]
            for b in found.blockers
        ],
    }


@router.get(
    "/plans/{plan_id}",
    response=PlanDetail,
    summary="One plan with milestones, obligations, entries and history",
)
def get_plan(request: ApiRequest, plan_id: Id) -> PlanDetail:
    return _detail(request, plan_id)


class MilestoneIn(Input):
    criterion: Text = Field(
        max_length=CRITERION_MAX, json_schema_extra=NOT_BLANK, description="How it will be measured."
    )
    due_date: Day = Field(description="On or before the plan's end date.")


class PlanIn(Input):
    person_id: BodyId = Field(description="Someone who reports to you directly.")
    hr_contact_id: BodyId = Field(description="An admin of the organisation, not the person nor you.")
    title: Text = Field(max_length=TITLE_MAX, json_schema_extra=NOT_BLANK)
    reason: LongText = Field("", max_length=TEXT_MAX)
    end_date: Day = Field(description="After today, at most 366 days away.")
    milestones: list[MilestoneIn] = Field(max_length=20, description="At least one.")
    weekly_one_on_one: StrictBool = True
    feedback_per_milestone: StrictBool = True


def _person(request: ApiRequest, pk: int, field: str) -> Person:
    found = queries.person_in_org(request.org.pk, pk)
    if found is None:
        raise Invalid("No such person in your organisation.", field)
    return found


@router.post(
    "/plans",
    response={201: PlanDetail},
    summary="Open an improvement plan for someone who reports to you",
    description="400 with the field named: an empty title or criterion, a milestone due after the end date, "
    "an end date in the past or more than a year away, an HR contact who is not an admin.",
)
def open_plan(request: ApiRequest, payload: PlanIn) -> Status[PlanDetail]:
    me = current_person(request)
    plan = create_plan(
        me,
        person=_person(request, payload.person_id, "person_id"),
        hr_contact=_person(request, payload.hr_contact_id, "hr_contact_id"),
        title=payload.title,
        reason=payload.reason,
        end_date=payload.end_date,
        milestones=[(m.criterion, m.due_date) for m in payload.milestones],
        weekly_one_on_one=payload.weekly_one_on_one,
        feedback_per_milestone=payload.feedback_per_milestone,
    )
    return Status(201, _detail(request, plan.pk))


class PlanPatch(Input):
    """Only the fields sent change; any change makes a new version for the person to acknowledge."""

    title: Text | None = Field(None, max_length=TITLE_MAX, json_schema_extra=no_null_not_blank)
    reason: LongText | None = Field(None, max_length=TEXT_MAX, json_schema_extra=no_null)
    end_date: Day | None = Field(None, json_schema_extra=no_null)
    hr_contact_id: BodyId | None = Field(None, json_schema_extra=no_null)
    weekly_one_on_one: StrictBool | None = Field(None, json_schema_extra=no_null)
    feedback_per_milestone: StrictBool | None = Field(None, json_schema_extra=no_null)

    _not_null = field_validator("*", mode="before")(reject_null)


@router.patch("/plans/{plan_id}", response=PlanDetail, summary="Change a plan's terms (manager and HR)")
def update_plan(request: ApiRequest, plan_id: Id, payload: PlanPatch) -> PlanDetail:
    me = current_person(request)
    plan, _ = queries.access_plan(me, plan_id)
    change_plan(
        plan,
        me,
        title=payload.title,
        reason=payload.reason,
        end_date=payload.end_date,
        hr_contact=None
        if payload.hr_contact_id is None
        else _person(request, payload.hr_contact_id, "hr_contact_id"),
        weekly_one_on_one=payload.weekly_one_on_one,
        feedback_per_milestone=payload.feedback_per_milestone,
    )
    return _detail(request, plan.pk)


@router.post(
    "/plans/{plan_id}/milestones", response={201: PlanDetail}, summary="Add a milestone (manager and HR)"
)
def new_milestone(request: ApiRequest, plan_id: Id, payload: MilestoneIn) -> Status[PlanDetail]:
    me = current_person(request)
    plan, _ = queries.access_plan(me, plan_id)
    add_milestone(plan, me, criterion=payload.criterion, due_date=payload.due_date)
    return Status(201, _detail(request, plan.pk))


class MilestonePatch(Input):
    criterion: Text | None = Field(None, max_length=CRITERION_MAX, json_schema_extra=no_null_not_blank)
    due_date: Day | None = Field(None, json_schema_extra=no_null)
    outcome: Literal["open", "met", "not_met"] | None = Field(None, json_schema_extra=no_null)
    feedback: LongText | None = Field(
        None,
        max_length=TEXT_MAX,
        json_schema_extra=no_null_not_blank,
        description="The manager's written feedback.",
    )

    _not_null = field_validator("*", mode="before")(reject_null)


@router.patch(
    "/plans/milestones/{milestone_id}",
    response=PlanDetail,
    summary="Change a milestone, record its outcome, or (the manager) write feedback on it",
)
def update_milestone(request: ApiRequest, milestone_id: Id, payload: MilestonePatch) -> PlanDetail:
    me = current_person(request)
    milestone: Milestone = queries.access_milestone_by_id(me, milestone_id)
    if payload.criterion is not None or payload.due_date is not None:
        change_milestone(milestone, me, criterion=payload.criterion, due_date=payload.due_date)
    if payload.outcome is not None:
        record_outcome(milestone, me, payload.outcome)
    if payload.feedback is not None:
        write_feedback(milestone, me, payload.feedback)
    return _detail(request, milestone.plan_id)


@router.post(
    "/plans/{plan_id}/acknowledge",
    response=PlanDetail,
    summary="Acknowledge the current version (the person)",
)
def acknowledge_plan(request: ApiRequest, plan_id: Id) -> PlanDetail:
    me = current_person(request)
    plan, _ = queries.access_plan(me, plan_id)
    acknowledge(plan, me)
    return _detail(request, plan.pk)


class EntryIn(Input):
    kind: Literal["evidence", "comment"]
    text: LongText = Field(max_length=TEXT_MAX, json_schema_extra=NOT_BLANK)
    milestone_id: BodyId | None = None
    commitment_id: BodyId | None = Field(
        None, description="One of the person's commitments since the plan began."
    )
    checkin_id: BodyId | None = Field(None, description="One of the person's check-ins since the plan began.")


@router.post(
    "/plans/{plan_id}/entries", response={201: PlanDetail}, summary="Add evidence or a comment (any side)"
)
def new_entry(request: ApiRequest, plan_id: Id, payload: EntryIn) -> Status[PlanDetail]:
    me = current_person(request)
    plan, _ = queries.access_plan(me, plan_id)
    milestone = None
    if payload.milestone_id is not None:
        milestone = next((m for m in plan.milestones.all() if m.pk == payload.milestone_id), None)
        if milestone is None:
            raise Invalid("That milestone is not on this plan.", "milestone_id")
    add_entry(
        plan,
        me,
        kind=payload.kind,
        text=payload.text,
        milestone=milestone,
        commitment_id=payload.commitment_id,
        checkin_id=payload.checkin_id,
    )
    return Status(201, _detail(request, plan.pk))


class ExtendIn(Input):
    days: int = Field(ge=1, le=MAX_EXTENSION_DAYS, description="Binds once the person acknowledges it.")


@router.post("/plans/{plan_id}/extend", response=PlanDetail, summary="Extend the plan (manager and HR)")
def extend(request: ApiRequest, plan_id: Id, payload: ExtendIn) -> PlanDetail:
    me = current_person(request)
    plan, _ = queries.access_plan(me, plan_id)
    extend_plan(plan, me, payload.days)
    return _detail(request, plan.pk)


@router.post(
    "/plans/{plan_id}/close", response=PlanDetail, summary="Close a plan whose milestones all have an outcome"
)
def close(request: ApiRequest, plan_id: Id) -> PlanDetail:
    me = current_person(request)
    plan, _ = queries.access_plan(me, plan_id)
    close_plan(plan, me)
    return _detail(request, plan.pk)
