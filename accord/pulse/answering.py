"""Writes for answering a pulse round: checking and pooling one person's answers, mixing the pool into
the anonymous tables and the sealed tally, and the anonymous comment threads. Threat model: models.py."""

from __future__ import annotations

import datetime as dt
import hmac
import random
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django_tasks import task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accord.orgs.models import Person

from . import bank, tally
from .data import Cell
from .models import (
    Answer,
    Comment,
    MixingPool,
    Participation,
    PublishedRound,
    Question,
    Reply,
    Response,
    Round,
    Scale,
)
from .programs import AlreadyAnswered, NotYourThread, PulseError, RoundClosed
from .sealing import POOL, POOL_BLOCK, seal, seal_cell
from .sealing import thread_key as thread_key

COMMENT_MAX = 2000


# --- answering --------------------------------------------------------------------------------


def check_open(rnd: Round, now: dt.datetime) -> None:
    if rnd.closed or now >= rnd.closes_at:
        raise RoundClosed("This round has closed. Thank you all the same; the next one will come round soon.")


def submit_answers(
    participation: Participation, *, answers: dict[int, int | None], comment: str, now: dt.datetime
) -> None:
    """Record that the person took part, and put their answers in the round's mixing pool."""
    rnd = participation.round
    check_open(rnd, now)
    questions = {q.id: q for q in rnd.questions.all()}
    clean: dict[str, int] = {}
    for qid, value in answers.items():
        if value is None:
            continue  # skipped: every question may be skipped
        question = questions.get(qid)
        if question is None:
            raise PulseError("That question is not part of this round.")
        low, high = (0, 10) if question.scale == Scale.NPS11 else (1, 5)
        if not low <= value <= high:
            raise PulseError(f"Answers to “{question.text}” go from {low} to {high}.")
        clean[str(qid)] = value
    comment = comment.strip()
    if len(comment) > COMMENT_MAX:
        raise PulseError(f"Keep the comment under {COMMENT_MAX} characters.")
    if not clean and not comment:
        raise PulseError("Answer at least one question, or write a comment.")
    with transaction.atomic():
        took = Participation.objects.filter(pk=participation.pk, took_part=False).update(
            took_part=True, next_send_at=None
        )
        if took != 1:
            raise AlreadyAnswered("You have already answered this round. Thank you!")
        # Written in the same transaction as `took_part`, so a reader of the database sees whose row this
        # is: it is sealed and of one fixed length, so that is all they learn (threat model in models.py).
        MixingPool.objects.create(
            org_id=rnd.org_id,
            round=rnd,
            payload=seal_pool(
                rnd,
                {
                    "cell": [participation.team_id_at_open, participation.tenure_band, participation.region],
                    "answers": clean,
                    "comment": comment,
                    "thread": thread_key(participation.person_id, rnd.id) if comment else "",
                },
            ),
        )

        def maybe_mix() -> None:
            if MixingPool.objects.filter(round=rnd).count() >= 2 * rnd.min_group_size:
                mix_round_once(rnd.id)

        if connection.vendor == "sqlite" and isinstance(mix_round.get_backend(), DatabaseBackend):
            # SQLite: this transaction already holds the one write lock, so the mixing task's row commits
            # with the answer instead of in a second write transaction that a burst of answers queues
            # for. A mixing that starts before this commits misses this set; the next submission queues
            # another, and closing the round mixes whatever is left. PostgreSQL: after the commit, or
            # the check's advisory lock would be held across this commit and serialise every answer.
            maybe_mix()
        else:
            transaction.on_commit(maybe_mix)


def seal_pool(rnd: Round, payload: dict[str, Any]) -> bytes:
    return seal(POOL, rnd.pk, payload, block=POOL_BLOCK)


def mix_pool(rnd: Round, *, force: bool) -> int:
    """Move pooled answer sets into the anonymous tables in random order, folding them into the tally.

    Every batch written in the clear holds at least k answer sets, the last one included: while the
    round is open, a batch is mixed only once 2k sets are pooled, and k of them (chosen at random) stay
    behind, so at closing at least k are left to go together. Fewer than k at closing means fewer than k
    answered the whole round: their answers go into the sealed tally only (the gate hides every group of
    such a round) and no clear row is written for them.
    """
    k = rnd.min_group_size
    with transaction.atomic():
        Round.objects.select_for_update().filter(pk=rnd.pk).first()  # one mixer per round at a time
        pooled = list(MixingPool.objects.filter(round=rnd))
        if not pooled or (not force and len(pooled) < 2 * k):
            return 0
        random.SystemRandom().shuffle(pooled)
        batch = pooled if force else pooled[: len(pooled) - k]
        questions = {q.id: q for q in rnd.questions.all()}
        sets = [p.opened() for p in batch]
        apply_answer_sets(rnd, questions, sets, clear_rows=len(sets) >= k)
        MixingPool.objects.filter(pk__in=[p.pk for p in batch]).delete()
    return len(batch)


def _scored(question: Question, value: int) -> int:
    return bank.score(question.scale, question.reverse, value)


def driver_vars(questions: Iterable[Question]) -> list[str]:
    constructs = sorted({q.construct for q in questions if q.scale == Scale.AGREE5})
    has_enps = any(q.scale == Scale.NPS11 for q in questions)
    return [*constructs, "enps"] if has_enps and constructs else []


def apply_answer_sets(
    rnd: Round, questions: dict[int, Question], sets: list[dict[str, Any]], *, clear_rows: bool = True
) -> None:
    """Write answer sets (already shuffled) and fold them into the round's sealed tally in one pass.

    Response, Answer and Comment rows carry the cell only sealed. With `clear_rows` False (a closing
    remainder of fewer than k, see mix_pool) only the tally learns of the sets."""
    org_id = rnd.org_id
    responses, answers, comments = [], [], []
    stat_delta: tally.StatDelta = {}
    count_delta: tally.CountDelta = {}
    dvars = driver_vars(questions.values())
    for payload in sets:
        team_id, band, reg = payload["cell"]
        cell: Cell = (team_id, band, reg)
        counts = count_delta.setdefault(
            cell, [0, 0, 0, [0.0] * len(dvars), [[0.0] * len(dvars) for _ in dvars]]
        )
        values = {int(q): v for q, v in payload["answers"].items()}
        if values:
            response = Response(org_id=org_id, round=rnd, sealed_cell=seal_cell(rnd.pk, cell))
            responses.append(response)
            counts[0] += 1
            by_construct: dict[str, list[int]] = {}
            for qid, raw in values.items():
                question = questions[qid]
                answers.append(
                    Answer(org_id=org_id, round=rnd, response=response, question=question, value=raw)
                )
                scored = _scored(question, raw)
                s = stat_delta.setdefault(
                    (qid, cell), [0, 0.0, 0.0, [0] * (11 if question.scale == Scale.NPS11 else 6)]
                )
                s[0] += 1
                s[1] += scored
                s[2] += scored * scored
                s[3][raw] += 1
                key = "enps" if question.scale == Scale.NPS11 else question.construct
                by_construct.setdefault(key, []).append(scored)
            if dvars and all(v in by_construct for v in dvars):
                x = [sum(by_construct[v]) / len(by_construct[v]) for v in dvars]
                counts[2] += 1
                for i, xi in enumerate(x):
                    counts[3][i] += xi
                    for j, xj in enumerate(x):
                        counts[4][i][j] += xi * xj
        if payload.get("comment"):
            comments.append(
                Comment(
                    org_id=org_id,
                    round=rnd,
                    sealed_cell=seal_cell(rnd.pk, cell),
                    text=payload["comment"],
                    thread_key=payload["thread"],
                )
            )
            counts[1] += 1
    if clear_rows:
        Response.objects.bulk_create(responses, batch_size=1000)
        Answer.objects.bulk_create(answers, batch_size=2000)
        Comment.objects.bulk_create(comments, batch_size=1000)
    tally.fold(rnd, stat_delta, count_delta, dvars)
    # Published results no longer match these aggregates (only possible if answers reach a round after
    # it was published): pages say "being prepared" and the republish task publishes again.
    PublishedRound.objects.filter(round=rnd).exclude(stamp="").update(stamp="")


@task()
def mix_round(round_id: int, force: bool) -> int:
    rnd = Round.objects.filter(pk=round_id).first()
    return mix_pool(rnd, force=force) if rnd is not None else 0


MIX_PATH = mix_round.module_path
MIX_LOCK = 0x6D6978  # namespaces the advisory lock: any constant no other lock of ours uses


def mix_round_once(round_id: int) -> None:
    """Queue a mixing of the round unless one is already waiting: it will mix every set pooled by the time
    it runs, so one queued per submission would only queue work with nothing left to do. A mixing already
    running does not count, as it may have read the pool before the newest set arrived."""
    if not isinstance(mix_round.get_backend(), DatabaseBackend):
        mix_round.enqueue(round_id=round_id, force=False)
        return
    with transaction.atomic():
        # Check-then-enqueue as one step among concurrent submissions. SQLite's IMMEDIATE transaction
        # already holds the write lock; on PostgreSQL a lock of our own, not the round's row, which a
        # running mixing holds for as long as it works.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [MIX_LOCK, round_id % 2**31])
        waiting = DBTaskResult.objects.filter(
            status=TaskResultStatus.READY, task_path=MIX_PATH, args_kwargs__kwargs__round_id=round_id
        )
        if not waiting.exists():
            mix_round.enqueue(round_id=round_id, force=False)


# --- comment threads --------------------------------------------------------------------------


def reply_as_manager(comment: Comment, manager: Person, text: str) -> Reply:
    text = text.strip()
    if not text:
        raise ValidationError({"text": ["Write a reply."]})
    if len(text) > COMMENT_MAX:
        raise ValidationError({"text": [f"Keep it under {COMMENT_MAX} characters."]})
    return Reply.objects.create(org_id=comment.org_id, comment=comment, manager=manager, text=text)


def reply_as_author(comment: Comment, person: Person, text: str) -> Reply:
    if not hmac.compare_digest(comment.thread_key, thread_key(person.id, comment.round_id)):
        raise NotYourThread("You can answer only in threads about your own comments.")
    text = text.strip()
    if not text:
        raise ValidationError({"text": ["Write a reply."]})
    if len(text) > COMMENT_MAX:
        raise ValidationError({"text": [f"Keep it under {COMMENT_MAX} characters."]})
    return Reply.objects.create(org_id=comment.org_id, comment=comment, from_author=True, text=text)
