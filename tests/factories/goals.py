"""Goals, key results and commitments: rows written straight to the database, so each test states its data."""

from __future__ import annotations

import datetime as dt
import itertools

from accord.goals.models import Commitment, CommitmentStatus, Goal, KeyResult, KeyResultUpdate, Level

_n = itertools.count(1)


def make_goal(
    org, *, title=None, level=Level.PERSON, owner=None, team=None, parent=None, private=False, **kw
):
    return Goal.objects.create(
        org=org,
        title=title or f"Goal {next(_n)}",
        level=level,
        owner=owner,
        team=team if team is not None else (owner.team if owner is not None else None),
        parent=parent,
        private=private,
        **kw,
    )


def make_kr(goal, *, title="Tickets solved", start=0.0, target=100.0, current=None, confidence=70, unit=""):
    return KeyResult.objects.create(
        org_id=goal.org_id,
        goal=goal,
        title=title,
        start=start,
        target=target,
        current=start if current is None else current,
        confidence=confidence,
        unit=unit,
    )


def make_update(kr, value, *, confidence=70, at=None, note=""):
    extra = {"at": at} if at is not None else {}
    return KeyResultUpdate.objects.create(
        org_id=kr.org_id, key_result=kr, value=value, confidence=confidence, note=note, **extra
    )


def make_commitment(owner, due_on, *, status=CommitmentStatus.OPEN, done_on=None, title=None, goal=None):
    return Commitment.objects.create(
        org_id=owner.org_id,
        owner=owner,
        title=title or f"Commitment {next(_n)}",
        definition_of_done="It is shipped.",
        due_on=due_on,
        status=status,
        done_on=done_on,
        goal=goal,
    )


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
