"""The scheduler: periodic work as rows with a ``next_*_at`` column, claimed one at a time.

A claim is a conditional update, ``UPDATE ... SET next_at = <new> WHERE id = ? AND next_at = <old>``:
exactly one scheduler sees "1 row changed" for a given due time, so two schedulers never run the
same occurrence twice. The claim and the work it starts (usually enqueueing a task, which is a row
in the same database) commit in one transaction, so a scheduler killed mid-claim loses nothing:
the transaction rolls back and the row is still due for the next tick.

A tick first asks, in ONE indexed query over every registered kind, which kinds have anything due
(`due_sql`); an idle tick ends there, and a busy one runs only the loops of the kinds with work.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, close_old_connections, connection, connections, models, transaction
from django.utils import timezone

log = logging.getLogger("accord.scheduler")


@dataclass(frozen=True)
class Periodic:
    """A kind of due row. `handle(row, now)` does (or enqueues) the work and returns the next due time,
    or None when the row has nothing more to do."""

    name: str
    model: type[models.Model]
    field: str
    handle: Callable[[Any, dt.datetime], dt.datetime | None]
    batch: int = 200


REGISTRY: list[Periodic] = []


def periodic(name: str, model: type[models.Model], field: str, batch: int = 200):  # type: ignore[no-untyped-def]
    def register(
        handle: Callable[[Any, dt.datetime], dt.datetime],
    ) -> Callable[[Any, dt.datetime], dt.datetime]:
        REGISTRY[:] = [p for p in REGISTRY if p.name != name]
        REGISTRY.append(Periodic(name, model, field, handle, batch))
        return handle

    return register


def claim(model: type[models.Model], pk: Any, field: str, seen: dt.datetime, new: dt.datetime | None) -> bool:
    """Move a due row from `seen` to `new` if nobody else did first. True means it is ours."""
    return model._default_manager.filter(pk=pk, **{field: seen}).update(**{field: new}) == 1


def run_due(kind: Periodic, now: dt.datetime) -> int:
    """Claim and handle every due row of one kind; returns how many this scheduler handled."""
    done = 0
    # One indexed query finds the due rows; each is then claimed on its own.
    due = list(
        kind.model._default_manager.filter(**{f"{kind.field}__lte": now})
        .order_by(kind.field)
        .values_list("pk", kind.field)[: kind.batch]
    )
    for pk, seen in due:
        with transaction.atomic():
            row = kind.model._default_manager.select_for_update().filter(pk=pk, **{kind.field: seen}).first()
            if row is None:
                continue  # another scheduler claimed it between our read and now
            new = kind.handle(row, now)
            if new is not None and new <= now:
                raise ValueError(f"{kind.name}: next due time must be in the future")
            if claim(kind.model, pk, kind.field, seen, new):
                done += 1
            else:
                transaction.set_rollback(True)
    return done


def due_sql() -> str:
    """One statement over every registered kind: a row (kind index, whether its earliest due time is
    at or before the one parameter, now) per kind.

    Each arm takes MIN over its own `next_*_at` column, which both databases answer from that
    column's index by reading one entry (the `IS NOT NULL` lets partial indexes serve it too), so an
    idle tick costs one round trip however many kinds and rows there are. The comparison with now
    stays in the outer select list on purpose: as a WHERE, SQLite pushes it into each arm as a HAVING,
    which turns the one-entry MIN into a scan of the whole index.
    """
    qn = connection.ops.quote_name
    arms = []
    for i, kind in enumerate(REGISTRY):
        field = kind.model._meta.get_field(kind.field)
        if not isinstance(field, models.Field):
            raise TypeError(f"{kind.name}: {kind.field} is not a column")
        column = qn(str(field.column))
        arms.append(
            f"SELECT {i} AS kind, MIN({column}) AS due FROM {qn(kind.model._meta.db_table)} "
            f"WHERE {column} IS NOT NULL"
        )
    return f"SELECT kind, due <= %s AS is_due FROM ({' UNION ALL '.join(arms)}) AS mins"


def due_kinds(now: dt.datetime) -> list[Periodic]:
    """The kinds with at least one row due, from one query (none at all when nothing is registered)."""
    if not REGISTRY:
        return []
    with connection.cursor() as cursor:
        cursor.execute(due_sql(), [connection.ops.adapt_datetimefield_value(now)])
        found = {kind for kind, is_due in cursor.fetchall() if is_due}
    return [kind for i, kind in enumerate(REGISTRY) if i in found]


def tick(now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    # Idle (the common case): one indexed query in all. Otherwise only the kinds with work run their loop.
    due = {id(kind) for kind in due_kinds(now)}
    return {kind.name: run_due(kind, now) if id(kind) in due else 0 for kind in REGISTRY}


# After a failed tick the scheduler waits this long, doubling up to LONGEST_PAUSE, before trying again.
FIRST_PAUSE = 1.0
LONGEST_PAUSE = 60.0


def reconnect() -> None:
    """Drop this thread's database connections so that the next query opens fresh ones (a connection
    the server ended or a transaction left broken would fail every query after it)."""
    for conn in connections.all(initialized_only=True):
        with contextlib.suppress(DatabaseError):  # already gone: closing was only to forget it
            conn.close()


def loop(interval: float = 15.0, once: bool = False, stop: threading.Event | None = None) -> None:
    """Tick every `interval` seconds until killed (or once, or until `stop` is set).

    A tick that fails (the database restarted, a lock held past the busy timeout, a handler's bug) is
    logged and tried again after a growing pause with fresh connections; nothing it claimed is lost,
    because a failed claim's transaction rolls back and the row stays due. Each good tick is recorded
    as the scheduler's heartbeat, which the readiness check (/healthz/ready) reports.
    """
    from accord.operations.actions import beat

    load_jobs()
    log.info("scheduler started with %s", ", ".join(k.name for k in REGISTRY) or "nothing registered")
    stop = stop or threading.Event()
    pause = FIRST_PAUSE
    while not stop.is_set():
        # With CONN_HEALTH_CHECKS, a kept connection the server dropped is replaced here, not mid-tick.
        close_old_connections()
        try:
            counts = tick()
            beat("scheduler", timezone.now())
        except Exception:
            if once:
                raise  # a one-off run (cron, a deploy step) reports its failure
            log.exception("scheduler tick failed; trying again in %.0f s", pause)
            reconnect()
            stop.wait(pause)
            pause = min(pause * 2, LONGEST_PAUSE)
            continue
        pause = FIRST_PAUSE
        if any(counts.values()):
            log.info("scheduler handled %s", counts)
        if once:
            return
        stop.wait(interval)


def load_jobs() -> None:
    """Import every app's jobs module so that its @periodic registrations run."""
    from importlib import import_module

    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("accord."):
            try:
                import_module(f"{config.name}.jobs")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.jobs":
                    raise
