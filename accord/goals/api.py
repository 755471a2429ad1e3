"""Goals, key results, commitments and follow-through over JSON.

The same actions and queries as the pages, scoped to the caller's organisation. Private goals and
other people's commitments answer 404 to anyone who may not see them, exactly like ids of another
organisation; a broken rule is a 400 naming the field; a refusal of rights is a 403 with a reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Strict, StrictBool, field_validator

from accord.lib.api import (
    NOT_BLANK,
    ApiRequest,
    BodyId,
    Day,
    Id,
    Input,
    LongText,
    PageParams,
    Text,
    WholeNumber,
    api_field_names,
    current_person,
    no_null,
    no_null_not_blank,
    reject_null,
)
from accord.orgs.access import get_for_org
from accord.orgs.models import Person, Team

from . import queries
from .actions import add_key_result, create_commitment, record_progress, save_goal, set_commitment_status
from .models import Commitment, CommitmentStatus, Goal, KeyResult, KeyResultUpdate

router = Router(tags=["goals"])

LevelName = Literal["company", "team", "person"]
StatusName = Literal["open", "done", "dropped"]
Number = Annotated[float, Strict(), Field(allow_inf_nan=False)]
# 0–100, checked by the actions with the pages' message; published here.
Percent = Annotated[int, WholeNumber, Field(json_schema_extra={"minimum": 0, "maximum": 100})]
GOAL_FIELDS = {"team": "team_id", "owner": "owner_id", "parent": "parent_id"}


def _find(request: ApiRequest, model: type[Any], pk: int, what: str, **extra: Any) -> Any:
    """An id from a body or a filter, in the caller's organisation only; anything else is a 404."""
    try:
        return get_for_org(request, model, pk=pk, **extra)
    except Http404:
        raise HttpError(404, f"No such {what} in this organisation.") from None


def _goal(request: ApiRequest, pk: int, what: str = "goal") -> Goal:
    try:
        return queries.access_goal(current_person(request), pk).goal
    except Http404:
        raise HttpError(404, f"No such {what} in this organisation.") from None


# --- schemas ----------------------------------------------------------------------------------


class KeyResultUpdateOut(Schema):
    id: int
    value: float = Field(description="The key result's value from this update on.")
    confidence: int = Field(description="The owner's confidence, 0–100 %, at this update.")
    note: str = Field(description="What changed; may be empty.")
    by_id: int | None = Field(description="Who recorded it.")
    at: dt.datetime = Field(description="When it was recorded (UTC).")


class KeyResultOut(Schema):
    id: int
    goal_id: int
    title: str
    start: float = Field(description="The value when the key result was set.")
    target: float = Field(description="The value that means done; never equal to start.")
    current: float = Field(description="The latest recorded value.")
    unit: str = Field(description="e.g. %, €, tickets; may be empty.")
    confidence: int = Field(description="The owner's confidence that the target will be met, 0–100 %.")
    progress: float = Field(
        description="0 to 1, from start to target (a target below the start counts down)."
    )


class KeyResultDetail(KeyResultOut):
    updates: list[KeyResultUpdateOut] = Field(description="Every recorded value, oldest first.")


class GoalOut(Schema):
    id: int
    title: str
    description: str
    level: LevelName = Field(
        description="company, team or person: where the goal sits in the alignment tree."
    )
    team_id: int | None
    owner_id: int | None
    parent_id: int | None = Field(description="The goal this one is aligned to (contributes to), if any.")
    private: bool = Field(description="Visible only to the owner, the people above them and admins.")
    starts_on: dt.date | None
    ends_on: dt.date | None
    archived: bool
    created_at: dt.datetime
    key_results: list[KeyResultOut]


class GoalDetail(GoalOut):
    key_results: list[KeyResultDetail]  # type: ignore[assignment]


class GoalPage(Schema):
    count: int = Field(description="How many goals match, across all pages.")
    items: list[GoalOut]


class GoalFilter(PageParams):
    level: LevelName | None = Field(None, description="Only goals at this level.")
    team: Id | None = Field(None, description="Only goals of this team.")
    owner: Id | None = Field(None, description="Only goals owned by this person.")
    parent: Id | None = Field(None, description="Only goals aligned directly to this goal.")
    mine: bool = Field(False, description="Only goals I own.")
    include_archived: bool = Field(False, description="Include archived goals.")
    q: Text = Field("", max_length=200, description="Search in titles.")


class GoalIn(Input):
    title: Text = Field(
        max_length=200, json_schema_extra=NOT_BLANK, description="What the goal is; cannot be empty."
    )
    description: LongText = Field("", max_length=5000)
    level: LevelName = Field(
        description="company (admins only), team (needs team_id) or person (needs an owner)."
    )
    team_id: BodyId | None = Field(
        None, description="The team; a person goal takes its owner's team if left out."
    )
    owner_id: BodyId | None = Field(
        None, description="The owner. Leave out to own it yourself; null for nobody."
    )
    parent_id: BodyId | None = Field(
        None, description="The goal this one is aligned to: same or higher level, never itself or beneath it."
    )
    private: StrictBool = Field(
        False, description="Visible only to the owner, the people above them and admins."
    )
    starts_on: Day | None = None
    ends_on: Day | None = Field(None, description="On or after starts_on.")


class GoalPatch(Input):
    """Leave a field out to keep its value; null clears the optional ones."""

    title: Text | None = Field(None, max_length=200, json_schema_extra=no_null_not_blank)
    description: LongText | None = Field(None, json_schema_extra=no_null, max_length=5000)
    level: LevelName | None = Field(None, json_schema_extra=no_null)
    team_id: BodyId | None = None
    owner_id: BodyId | None = None
    parent_id: BodyId | None = None
    private: StrictBool | None = Field(None, json_schema_extra=no_null)
    starts_on: Day | None = None
    ends_on: Day | None = None
    archived: StrictBool | None = Field(None, json_schema_extra=no_null)

    _not_null = field_validator("title", "description", "level", "private", "archived")(reject_null)


class KeyResultIn(Input):
    title: Text = Field(
        max_length=200, json_schema_extra=NOT_BLANK, description="What is measured; cannot be empty."
    )
    start: Number = Field(0, description="The value now.")
    target: Number = Field(description="The value that means done; must differ from start.")
    unit: Text = Field("", max_length=30, description="e.g. %, €, tickets.")
    confidence: Percent = Field(70, description="Confidence that the target will be met, 0–100.")
    current: Number | None = Field(None, description="Where it stands now, if not at the start.")


class ProgressIn(Input):
    value: Number = Field(description="The new value.")
    confidence: Percent = Field(description="Confidence that the target will be met, 0–100.")
    note: Text = Field("", max_length=500, description="What changed.")


class CommitmentOut(Schema):
    id: int
    owner_id: int
    title: str
    definition_of_done: str
    due_on: dt.date = Field(description="A date in the owner's time zone.")
    goal_id: int | None
    status: StatusName
    done_on: dt.date | None = Field(description="The owner's local date when it was marked done.")
    kept: bool | None = Field(description="Done by its due date (null while open or when dropped).")
    days_left: int = Field(description="Days until the due date on the owner's clock; negative when overdue.")
    created_by_id: int | None = Field(description="Who wrote it down: the owner, or a manager or admin.")
    created_at: dt.datetime


class CommitmentPage(Schema):
    count: int
    items: list[CommitmentOut]


class CommitmentFilter(PageParams):
    owner: Id | None = Field(
        None,
        description="Whose commitments: yours if left out; another person's only if they report to you "
        "(directly or not) or you are an admin.",
    )
    reports: bool = Field(False, description="Everyone who reports to you, directly or through others.")
    status: StatusName | None = Field(None, description="Only this status.")


class CommitmentIn(Input):
    title: Text = Field(
        max_length=200, json_schema_extra=NOT_BLANK, description="What will be delivered; cannot be empty."
    )
    definition_of_done: LongText = Field(
        max_length=5000, json_schema_extra=NOT_BLANK, description="How everyone will know it is done."
    )
    due_on: Day = Field(description="A date in the owner's time zone: today or later.")
    goal_id: BodyId | None = Field(None, description="The goal it serves, if any.")
    owner_id: BodyId | None = Field(
        None, description="Leave out to own it yourself; managers may name a report, admins anyone."
    )


class CommitmentStatusIn(Input):
    status: StatusName = Field(
        description="done (the owner only; sets done_on to the owner's date today), dropped (the owner, "
        "their managers, admins) or open (the owner reopens it)."
    )


class FollowThroughOut(Schema):
    person_id: int
    kept: int = Field(description="Commitments done by their due date.")
    due: int = Field(description="Commitments that fell due in the window, not counting dropped ones.")
    share: float | None = Field(description="kept / due, or null when nothing fell due.")
    window_days: int
    window_from: dt.date = Field(description="First due date counted, on the person's clock.")
    window_to: dt.date = Field(description="Last due date counted: yesterday on the person's clock.")
    sentence: str = Field(description="The figure in words, as the person and their manager both read it.")
    slipping: list[CommitmentOut] = Field(description="Open commitments past their due date, oldest first.")


# --- outputs ----------------------------------------------------------------------------------


def _kr_out(kr: KeyResult) -> dict[str, Any]:
    return {
        "id": kr.pk,
        "goal_id": kr.goal_id,
        "title": kr.title,
        "start": kr.start,
        "target": kr.target,
        "current": kr.current,
        "unit": kr.unit,
        "confidence": kr.confidence,
        "progress": kr.progress,
    }


def _update_out(u: KeyResultUpdate) -> dict[str, Any]:
    return {
        "id": u.pk,
        "value": u.value,
        "confidence": u.confidence,
        "note": u.note,
        "by_id": u.by_id,
        "at": u.at,
    }


def _kr_detail(kr: KeyResult) -> dict[str, Any]:
    return _kr_out(kr) | {"updates": [_update_out(u) for u in kr.updates.order_by("at", "id")]}


def _goal_out(goal: Goal, *, detail: bool = False) -> dict[str, Any]:
    krs = goal.key_results.all()
    return {
        "id": goal.pk,
        "title": goal.title,
        "description": goal.description,
        "level": goal.level,
        "team_id": goal.team_id,
        "owner_id": goal.owner_id,
        "parent_id": goal.parent_id,
        "private": goal.private,
        "starts_on": goal.starts_on,
        "ends_on": goal.ends_on,
        "archived": goal.archived,
        "created_at": goal.created_at,
        "key_results": [_kr_detail(kr) if detail else _kr_out(kr) for kr in krs],
    }


def _commitment_out(c: Commitment, now: dt.datetime) -> dict[str, Any]:
    kept = None
    if c.status == CommitmentStatus.DONE:
        kept = c.done_on is not None and c.done_on <= c.due_on
    return {
        "id": c.pk,
        "owner_id": c.owner_id,
        "title": c.title,
        "definition_of_done": c.definition_of_done,
        "due_on": c.due_on,
        "goal_id": c.goal_id,
        "status": c.status,
        "done_on": c.done_on,
        "kept": kept,
        "days_left": (c.due_on - queries.local_today(c.owner, now)).days,
        "created_by_id": c.created_by_id,
        "created_at": c.created_at,
    }


# --- goals ------------------------------------------------------------------------------------


@router.get("/goals", response=GoalPage, summary="List goals I can see")
def list_goals(request: ApiRequest, filters: Query[GoalFilter]) -> dict[str, Any]:
    me = current_person(request)
    found: QuerySet[Goal] = queries.visible_goals(me, include_archived=filters.include_archived)
    if filters.level:
        found = found.filter(level=filters.level)
    if filters.team:
        found = found.filter(team=_find(request, Team, filters.team, "team"))
    if filters.owner:
        found = found.filter(owner=_find(request, Person, filters.owner, "person"))
    if filters.parent:
        found = found.filter(parent=_goal(request, filters.parent))
    if filters.mine:
        found = found.filter(owner=me)
    if filters.q.strip():
        found = found.filter(title__icontains=filters.q.strip())
    found = found.order_by("title", "id")
    page = list(queries.with_key_results(found)[filters.offset : filters.offset + filters.limit])
    return {"count": found.count(), "items": [_goal_out(g) for g in page]}


@router.get("/goals/{goal_id}", response=GoalDetail, summary="Read a goal with its key results' history")
def get_goal(request: ApiRequest, goal_id: Id) -> dict[str, Any]:
    return _goal_out(_goal(request, goal_id), detail=True)


def _apply_goal(request: ApiRequest, goal: Goal, data: dict[str, Any]) -> None:
    for key, value in data.items():
        if key == "team_id":
            goal.team = None if value is None else _find(request, Team, value, "team")
        elif key == "owner_id":
            goal.owner = None if value is None else _find(request, Person, value, "person", is_active=True)
        elif key == "parent_id":
            goal.parent = None if value is None else _goal(request, value, "parent goal")
        else:
            setattr(goal, key, value)


@router.post("/goals", response={201: GoalDetail}, summary="Set a goal")
def create_goal(request: ApiRequest, payload: GoalIn) -> Status[dict[str, Any]]:
    me = current_person(request)
    data = payload.model_dump(exclude_unset=True)
    data.setdefault("owner_id", me.pk)
    goal = Goal(org=request.org)
    _apply_goal(request, goal, data)
    with api_field_names(**GOAL_FIELDS):
        save_goal(goal, actor=me)
    return Status(201, _goal_out(goal, detail=True))


@router.patch("/goals/{goal_id}", response=GoalDetail, summary="Change a goal")
def update_goal(request: ApiRequest, goal_id: Id, payload: GoalPatch) -> dict[str, Any]:
    me = current_person(request)
    goal = _goal(request, goal_id)
    _apply_goal(request, goal, payload.model_dump(exclude_unset=True))
    with api_field_names(**GOAL_FIELDS):
        save_goal(goal, actor=me)
    return _goal_out(goal, detail=True)


@router.post("/goals/{goal_id}/key-results", response={201: KeyResultDetail}, summary="Add a key result")
def create_key_result(request: ApiRequest, goal_id: Id, payload: KeyResultIn) -> Status[dict[str, Any]]:
    goal = _goal(request, goal_id)
    kr = add_key_result(goal, actor=current_person(request), **payload.model_dump())
    return Status(201, _kr_detail(kr))


@router.post(
    "/key-results/{key_result_id}/progress",
    response={201: KeyResultDetail},
    summary="Record progress on a key result (kept in its history)",
)
def create_progress(request: ApiRequest, key_result_id: Id, payload: ProgressIn) -> Status[dict[str, Any]]:
    try:
        kr, _ = queries.access_key_result(current_person(request), key_result_id)
    except Http404:
        raise HttpError(404, "No such key result in this organisation.") from None
    record_progress(kr, actor=current_person(request), **payload.model_dump())
    return Status(201, _kr_detail(kr))


# --- commitments ------------------------------------------------------------------------------


def _signals_person(request: ApiRequest, person_id: int) -> Person:
    """A person whose commitments the caller may see (self, people below, anyone for admins), else 404."""
    try:
        return queries.access_signals_person(current_person(request), person_id)
    except Http404:
        raise HttpError(404, "No such person in this organisation.") from None


@router.get(
    "/commitments", response=CommitmentPage, summary="List commitments: mine, a report's, or all my reports'"
)
def list_commitments(request: ApiRequest, filters: Query[CommitmentFilter]) -> dict[str, Any]:
    me = current_person(request)
    if filters.reports:
        owner_ids = [p.pk for p in queries.active_reports_below(me)]
    elif filters.owner:
        owner_ids = [_signals_person(request, filters.owner).pk]
    else:
        owner_ids = [me.pk]
    found = queries.commitments_of(owner_ids, me.org_id)
    if filters.status:
        found = found.filter(status=filters.status)
    found = found.order_by("due_on", "id")
    now = timezone.now()
    page = found[filters.offset : filters.offset + filters.limit]
    return {"count": found.count(), "items": [_commitment_out(c, now) for c in page]}


def _commitment(request: ApiRequest, commitment_id: int) -> Commitment:
    try:
        return queries.access_commitment(current_person(request), commitment_id)
    except Http404:
        raise HttpError(404, "No such commitment in this organisation.") from None


@router.get("/commitments/{commitment_id}", response=CommitmentOut, summary="Read a commitment")
def get_commitment(request: ApiRequest, commitment_id: Id) -> dict[str, Any]:
    return _commitment_out(_commitment(request, commitment_id), timezone.now())


@router.post("/commitments", response={201: CommitmentOut}, summary="Make a commitment")
def make_commitment(request: ApiRequest, payload: CommitmentIn) -> Status[dict[str, Any]]:
    me = current_person(request)
    owner = (
        me if payload.owner_id is None else _find(request, Person, payload.owner_id, "person", is_active=True)
    )
    goal = None if payload.goal_id is None else _goal(request, payload.goal_id)
    now = timezone.now()
    with api_field_names(owner="owner_id", goal="goal_id"):
        made = create_commitment(
            actor=me,
            owner=owner,
            title=payload.title,
            definition_of_done=payload.definition_of_done,
            due_on=payload.due_on,
            goal=goal,
            now=now,
        )
    return Status(201, _commitment_out(made, now))


@router.patch(
    "/commitments/{commitment_id}", response=CommitmentOut, summary="Mark a commitment done, dropped or open"
)
def update_commitment(request: ApiRequest, commitment_id: Id, payload: CommitmentStatusIn) -> dict[str, Any]:
    c = _commitment(request, commitment_id)
    now = timezone.now()
    set_commitment_status(c, actor=current_person(request), status=payload.status, now=now)
    return _commitment_out(c, now)


@router.get(
    "/people/{person_id}/follow-through",
    response=FollowThroughOut,
    summary="A person's follow-through (the person, their managers and admins)",
)
def person_follow_through(request: ApiRequest, person_id: Id) -> dict[str, Any]:
    person = _signals_person(request, person_id)
    now = timezone.now()
    today = queries.local_today(person, now)
    ft = queries.follow_through(person, now)
    return {
        "person_id": person.pk,
        "kept": ft.kept,
        "due": ft.due,
        "share": ft.share,
        "window_days": ft.window_days,
        "window_from": today - dt.timedelta(days=ft.window_days),
        "window_to": today - dt.timedelta(days=1),
        "sentence": ft.sentence,
        "slipping": [_commitment_out(c, now) for c in queries.slipping(person, now)],
    }
