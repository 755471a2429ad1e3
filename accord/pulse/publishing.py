"""Writes for publishing a round's results: closing it (the gate's protection and every heatmap row are
computed once and stored), and publishing again results that are missing or stale, by a background task
or `accord republish`, never inside a request."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django_tasks import TaskResultStatus, task
from django_tasks.backends.base import BaseTaskBackend
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from . import gate, queries
from .answering import mix_pool
from .models import (
    Participation,
    PublishedGroup,
    PublishedRound,
    PublishedRow,
    Round,
)
from .sealing import thread_key as thread_key


def close_round(rnd: Round) -> None:
    """Mix whatever is still pooled (even fewer than k: the gate hides small groups), then publish."""
    mix_pool(rnd, force=True)
    Participation.objects.filter(round=rnd).update(next_send_at=None)
    publish_round(rnd)


def publish_round(rnd: Round) -> None:
    """Close the round and store the gate's decisions and results for it, so reports never recompute
    them: the protection (for one group's results, trends and slices) and the published heatmap rows."""
    Round.objects.filter(pk=rnd.pk).update(closed=True)
    rnd.closed = True
    rnd.protection = None
    _publish(rnd, force=True)


def republish(rounds: Iterable[Round]) -> list[Round]:
    """Publish again those of these rounds whose published results are missing or stale (published
    before results were stored, under other protection rules, or with answers mixed in afterwards).
    The republish task and command run this; a request never does. Returns the rounds it published."""
    done: list[Round] = []
    for rnd in rounds:
        if not rnd.closed:
            continue
        found = queries.published_header(rnd)
        if found is None or found[0] != gate.results_stamp(rnd.min_group_size):
            _publish(rnd, force=False)
            done.append(rnd)
    return done


def request_republish(rounds: Iterable[Round]) -> int:
    """Ask the worker to publish these (stale) rounds again: a request that finds stale results calls
    this and shows "being prepared". At most one waiting or running task per round, however many
    requests ask: with the database backend, a task already queued for the round is left to do it.
    Writes only the task queue, never a pulse table. Returns how many tasks it enqueued."""
    enqueued = 0
    for rnd in rounds:
        with transaction.atomic():
            # SQLite's IMMEDIATE transactions serialise this check and insert; PostgreSQL needs a lock.
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [REPUBLISH_LOCK, rnd.pk])
            if _republish_pending(republish_round.get_backend(), republish_round.module_path, rnd.pk):
                continue
            republish_round.enqueue(round_id=rnd.pk)
            enqueued += 1
    return enqueued


REPUBLISH_LOCK = 0x7075  # the first key of pg_advisory_xact_lock for republish requests ("pu")


def _republish_pending(backend: BaseTaskBackend, task_path: str, round_id: int) -> bool:
    if not isinstance(backend, DatabaseBackend):
        return False  # the immediate backend (tests) runs the task at once: nothing waits
    return DBTaskResult.objects.filter(
        backend_name=backend.alias,
        task_path=task_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
        args_kwargs__kwargs__round_id=round_id,
    ).exists()


def ensure_published(rnd: Round) -> dict[str, Any]:
    """The header of the round's published results, publishing them again first if they are missing or
    stale. Only for publishing (rule 7 needs earlier rounds current first), never from a request."""
    found = queries.published_header(rnd)
    if found is not None and found[0] == gate.results_stamp(rnd.min_group_size):
        return dict(found[1])
    return _publish(rnd, force=False)


def _publish(rnd: Round, *, force: bool) -> dict[str, Any]:
    # Rule 7 (across rounds) compares this round with what earlier rounds show: their published
    # protection must be current first (oldest first, so each finds its own predecessors done).
    for other in queries.earlier_rounds(rnd):
        ensure_published(other)
    with transaction.atomic():
        # One publisher per round at a time; a second one finds the work done.
        Round.objects.select_for_update().filter(pk=rnd.pk).values_list("pk").first()
        current = PublishedRound.objects.filter(round=rnd).values_list("stamp", "header").first()
        if not force and current is not None and current[0] == gate.results_stamp(rnd.min_group_size):
            return current[1]
        data = queries.round_data(rnd)  # reuses the stored protection if it still matches the aggregates
        state = gate.protection_state(data)
        header, rows = gate.publish(data)
        reasons, groups = gate.publish_groups(data)
        header = {**header, **gate.round_facts(data, reasons)}
        PublishedRow.objects.filter(round=rnd).delete()
        PublishedRow.objects.bulk_create(
            (
                PublishedRow(
                    org_id=rnd.org_id,
                    round=rnd,
                    team_id_snapshot=r.team,
                    pos=r.pos,
                    subtree_end=r.end,
                    depth=r.depth,
                    label=r.label,
                    first_visible=r.first_visible,
                    heat=r.heat,
                    slices=r.slices,
                )
                for r in rows
            ),
            batch_size=2000,
        )
        PublishedGroup.objects.filter(round=rnd).delete()
        PublishedGroup.objects.bulk_create(
            (
                PublishedGroup(
                    org_id=rnd.org_id,
                    round=rnd,
                    key=g.key,
                    team_id_snapshot=g.team,
                    pos=g.pos,
                    order=g.order,
                    visible=g.visible,
                    body=g.body,
                )
                for g in groups
            ),
            batch_size=2000,
        )
        PublishedRound.objects.update_or_create(
            round=rnd, defaults={"org_id": rnd.org_id, "stamp": str(header["stamp"]), "header": header}
        )
        Round.objects.filter(pk=rnd.pk).update(protection=state)
    rnd.protection = state
    return header


@task()
def republish_round(round_id: int) -> bool:
    """Publish a round's results again if they are missing or stale (a request found them so, or the
    worker did at start). Publishing is idempotent: a second task for the same round finds the work done."""
    rnd = Round.objects.filter(pk=round_id).first()
    return bool(republish([rnd])) if rnd is not None else False
