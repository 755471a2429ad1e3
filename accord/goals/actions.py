"""Writes for goals, key results and commitments, and the rules they keep.

Every rule is reported as a ValidationError naming the field it concerns, so that pages put the
message next to that field and the API answers 400 with it; nothing is saved when a rule fails.
Who-may-do-what is a `NotAllowed` (a Forbidden refusal that may name a field): the API answers
403, pages show it next to the field.
"""

from __future__ import annotations

import datetime as dt
import math

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accord.lib.refusals import Forbidden
from accord.orgs.models import Person

from . import queries
from .models import Commitment, CommitmentStatus, Goal, KeyResult, KeyResultUpdate, Level

TITLE_MAX = 200
TEXT_MAX = 5000
NOTE_MAX = 500
UNIT_MAX = 30


class NotAllowed(Forbidden):
    """Not this person's to change; `field` names the choice that is not theirs, when there is one."""


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _check_text(errors: dict[str, list[str]], field: str, value: str, empty: str, limit: int) -> None:
    if not value.strip():
        _add(errors, field, empty)
    elif len(value) > limit:
        _add(errors, field, f"Keep this under {limit:,} characters.")


def _check_confidence(errors: dict[str, list[str]], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        _add(errors, "confidence", "Confidence is a percentage: a whole number from 0 to 100.")


def _check_number(errors: dict[str, list[str]], field: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        _add(errors, field, "Give a number.")


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


# --- goals ------------------------------------------------------------------------------------


def goal_cycle(goal: Goal, parent: Goal | None) -> bool:
    """True if aligning `goal` to `parent` would close a loop (parent is the goal or beneath it)."""
    if parent is None:
        return False
    if goal.pk is None:
        return parent is goal
    return parent.pk == goal.pk or parent.pk in queries.goal_descendant_ids(goal)


def check_goal(goal: Goal) -> None:
    errors: dict[str, list[str]] = {}
    goal.title = goal.title.strip()
    _check_text(errors, "title", goal.title, "Give the goal a title.", TITLE_MAX)
    if goal.level not in Level.values:
        _add(errors, "level", "Choose company, team or person.")
    if goal.team is not None and goal.team.org_id != goal.org_id:
        _add(errors, "team", "Choose a team of this organisation.")
    elif goal.level == Level.TEAM and goal.team is None:
        _add(errors, "team", "A team goal needs a team.")
    if goal.owner is not None and goal.owner.org_id != goal.org_id:
        _add(errors, "owner", "Choose an owner from this organisation.")
    elif goal.level == Level.PERSON and goal.owner is None:
        _add(errors, "owner", "A person goal needs an owner.")
    parent = goal.parent
    if parent is not None:
        if parent.org_id != goal.org_id:
            _add(errors, "parent", "Choose a goal of this organisation.")
        elif goal_cycle(goal, parent):
            _add(errors, "parent", "A goal cannot be aligned to itself or to a goal aligned beneath it.")
        elif queries.LEVEL_RANK.get(parent.level, 0) > queries.LEVEL_RANK.get(goal.level, 0):
            _add(
                errors,
                "parent",
                f"A {goal.level} goal can align only to a goal at the same or a higher level "
                f"(this one is a {parent.level} goal).",
            )
    if goal.starts_on and goal.ends_on and goal.ends_on < goal.starts_on:
        _add(errors, "ends_on", "The end date must be on or after the start date.")
    if len(goal.description) > TEXT_MAX:
        _add(errors, "description", f"Keep this under {TEXT_MAX:,} characters.")
    _raise(errors)


def check_goal_rights(actor: Person, goal: Goal) -> None:
    """`actor` may hold the goal as it is now (if stored) and as it is about to be saved."""
    if goal.pk is not None:
        stored = Goal.objects.select_related("team", "owner").get(pk=goal.pk)
        if not queries.can_edit_goal(actor, stored):
            raise NotAllowed("You cannot change this goal.")
    refused = queries.goal_rights_error(actor, level=goal.level, team=goal.team, owner=goal.owner)
    if refused:
        field, message = refused
        raise NotAllowed(message, field)
    if goal.parent is not None and not queries.can_see_goal(actor, goal.parent):
        raise NotAllowed("Choose a goal you can see.", "parent")


def save_goal(goal: Goal, *, actor: Person) -> Goal:
    """Create or change a goal. Rules first (400), then rights (403), then one save.

    A person goal left without a team takes its owner's team, so that "my team" finds it."""
    if goal.level == Level.PERSON and goal.team is None and goal.owner is not None:
        goal.team = goal.owner.team
    check_goal(goal)
    check_goal_rights(actor, goal)
    goal.save()
    return goal


# --- key results ------------------------------------------------------------------------------


def check_key_result(kr: KeyResult) -> None:
    errors: dict[str, list[str]] = {}
    kr.title = kr.title.strip()
    _check_text(errors, "title", kr.title, "Give the key result a title.", TITLE_MAX)
    for field in ("start", "target", "current"):
        _check_number(errors, field, getattr(kr, field))
    if "start" not in errors and "target" not in errors and kr.target == kr.start:
        _add(errors, "target", "The target must differ from the start, or there is nothing to measure.")
    _check_confidence(errors, kr.confidence)
    if len(kr.unit) > UNIT_MAX:
        _add(errors, "unit", f"Keep the unit under {UNIT_MAX} characters, e.g. %, €, tickets.")
    _raise(errors)


def add_key_result(
    goal: Goal,
    *,
    actor: Person,
    title: str,
    start: float,
    target: float,
    unit: str = "",
    confidence: int = 70,
    current: float | None = None,
    now: dt.datetime | None = None,
) -> KeyResult:
    """A measurable result for `goal`; its first history entry records where it starts."""
    kr = KeyResult(
        org_id=goal.org_id,
        goal=goal,
        title=title,
        start=start,
        target=target,
        current=start if current is None else current,
        unit=unit.strip(),
        confidence=confidence,
    )
    check_key_result(kr)
    if not queries.can_edit_goal(actor, goal):
        raise NotAllowed("Only people who may edit this goal can add key results to it.")
    with transaction.atomic():
        kr.save()
        KeyResultUpdate.objects.create(
            org_id=goal.org_id,
            key_result=kr,
            value=kr.current,
            confidence=kr.confidence,
            note="Key result set",
            by=actor,
            at=now or timezone.now(),
        )
    return kr


def record_progress(
    kr: KeyResult,
    *,
    actor: Person,
    value: float,
    confidence: int,
    note: str = "",
    now: dt.datetime | None = None,
) -> KeyResultUpdate:
    """A new value and confidence for a key result, kept in its history."""
    errors: dict[str, list[str]] = {}
    _check_number(errors, "value", value)
    _check_confidence(errors, confidence)
    note = note.strip()
    if len(note) > NOTE_MAX:
        _add(errors, "note", f"Keep the note under {NOTE_MAX} characters.")
    _raise(errors)
    if not queries.can_record_progress(actor, kr.goal):
        raise NotAllowed("Only the goal's owner and people who may edit it can record progress.")
    with transaction.atomic():
        kr.current = value
        kr.confidence = confidence
        kr.save(update_fields=["current", "confidence"])
        return KeyResultUpdate.objects.create(
            org_id=kr.org_id,
            key_result=kr,
            value=value,
            confidence=confidence,
            note=note,
            by=actor,
            at=now or timezone.now(),
        )


# --- commitments ------------------------------------------------------------------------------


def may_commit_for(actor: Person, owner: Person) -> bool:
    """Anyone for themselves; managers for people below them; admins for anyone."""
    if actor.org_id != owner.org_id or not owner.is_active:
        return False
    return actor.pk == owner.pk or actor.is_admin or owner.pk in queries.reports_below(actor)


def commitment_text_errors(title: str, definition_of_done: str) -> dict[str, list[str]]:
    """The text a commitment needs; forms ask it too, so one submit reports every gap at once."""
    errors: dict[str, list[str]] = {}
    _check_text(errors, "title", title, "Say what you will deliver.", TITLE_MAX)
    _check_text(
        errors, "definition_of_done", definition_of_done, "Say how everyone will know it is done.", TEXT_MAX
    )
    return errors


def create_commitment(
    *,
    actor: Person,
    owner: Person,
    title: str,
    definition_of_done: str,
    due_on: dt.date,
    goal: Goal | None = None,
    now: dt.datetime | None = None,
) -> Commitment:
    """A deliverable with an owner and a due date, a date in the owner's own time zone."""
    now = now or timezone.now()
    errors = commitment_text_errors(title, definition_of_done)
    if owner.org_id != actor.org_id:
        _add(errors, "owner", "Choose an owner from this organisation.")
    else:
        today = queries.local_today(owner, now)
        if due_on < today:
            whose = "your" if owner.pk == actor.pk else f"{owner.name}'s"
            _add(
                errors,
                "due_on",
                f"The due date is in the past: it is already {today.day} {today:%B %Y} in {whose} "
                f"time zone ({owner.timezone}).",
            )
    if goal is not None and goal.org_id != actor.org_id:
        _add(errors, "goal", "Choose a goal of this organisation.")
    _raise(errors)
    if not may_commit_for(actor, owner):
        raise NotAllowed(
            "You can add commitments only for yourself or for people who report to you.", "owner"
        )
    if goal is not None and not queries.can_see_goal(actor, goal):
        raise NotAllowed("Choose a goal you can see.", "goal")
    return Commitment.objects.create(
        org_id=owner.org_id,
        owner=owner,
        title=title.strip(),
        definition_of_done=definition_of_done.strip(),
        due_on=due_on,
        goal=goal,
        created_by=actor,
        created_at=now,
    )


STATUS_WORDS = {
    CommitmentStatus.DONE: "done",
    CommitmentStatus.DROPPED: "dropped",
    CommitmentStatus.OPEN: "open",
}


def set_commitment_status(
    commitment: Commitment, *, actor: Person, status: str, now: dt.datetime | None = None
) -> Commitment:
    """Mark a commitment done (its owner only: done_on is the owner's local date today), drop it
    (the owner, anyone above them, admins) or reopen it (its owner)."""
    if status not in CommitmentStatus.values:
        raise ValidationError({"status": ["Choose open, done or dropped."]})
    owner = commitment.owner
    if status == commitment.status:
        raise ValidationError({"status": [f"It is already {STATUS_WORDS[CommitmentStatus(status)]}."]})
    if status in (CommitmentStatus.DONE, CommitmentStatus.OPEN) and actor.pk != owner.pk:
        verb = "mark it done" if status == CommitmentStatus.DONE else "reopen it"
        raise NotAllowed(f"Only {owner.name}, who owns this commitment, can {verb}.", "status")
    if status == CommitmentStatus.DROPPED and not queries.sees_signals_of(actor, owner):
        raise NotAllowed("Only the owner, their managers and admins can drop a commitment.", "status")
    commitment.status = status
    commitment.done_on = queries.local_today(owner, now) if status == CommitmentStatus.DONE else None
    commitment.save(update_fields=["status", "done_on"])
    return commitment
