"""What the health checks report: is the database there and up to date, is the background work moving.

None of it names an organisation or a person: counts, ages and the names of migrations only, so the
answers can be open to a load balancer or a monitoring service without signing in.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django_tasks_db.models import DBTaskResult, get_date_max

from .actions import WORKER
from .models import Heartbeat


@lru_cache(maxsize=1)
def _migrations_on_disk() -> frozenset[tuple[str, str]]:
    # Read once per process: the files do not change under a running server.
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())


def database_health() -> dict[str, Any]:
    """{"database": "ok" | "unreachable", "migrations": "applied" | "missing", "missing": [...]}"""
    try:
        applied = set(MigrationRecorder(connection).applied_migrations())
    except DatabaseError:
        return {"database": "unreachable"}
    # Each app's latest migration applied means all before it were (Django applies them in order).
    missing = sorted(f"{app}.{name}" for app, name in _migrations_on_disk() - applied)
    return {"database": "ok", "migrations": "missing" if missing else "applied", "missing": missing}


def healthy(report: dict[str, Any]) -> bool:
    return report.get("database") == "ok" and report.get("migrations") == "applied"


def workers_alive_since(since: dt.datetime) -> set[str]:
    """The ids of the background workers that have beaten after `since`."""
    names = Heartbeat.objects.filter(name__startswith=WORKER, at__gt=since).values_list("name", flat=True)
    return {name.removeprefix(WORKER) for name in names}


def _age(now: dt.datetime, then: dt.datetime | None) -> float | None:
    return None if then is None else round((now - then).total_seconds(), 1)


def oldest_queued_since(now: dt.datetime) -> tuple[int, dt.datetime | None]:
    """How many tasks wait for a worker now, and since when the longest-waiting one has been due
    (its enqueue time, or its run-after time for a task deferred until then)."""
    ready = DBTaskResult.objects.ready()
    never = get_date_max()  # what django-tasks-db stores as the run-after of a task not deferred
    first_enqueued = ready.filter(run_after=never).order_by("enqueued_at").values_list("enqueued_at")
    first_deferred = ready.exclude(run_after=never).order_by("run_after").values_list("run_after")
    since = [row[0] for row in (first_enqueued.first(), first_deferred.first()) if row is not None]
    return ready.count(), min(since, default=None)


def readiness(now: dt.datetime) -> dict[str, Any]:
    """The database check plus the scheduler's last tick and the oldest queued task's age, with the
    limits they are held to (settings ACCORD_READY_TICK_AGE and ACCORD_READY_QUEUE_AGE, in seconds)."""
    report = database_health()
    if not healthy(report):
        return report | {"problems": ["database"]}
    beat = Heartbeat.objects.filter(name="scheduler").values_list("at", flat=True).first()
    queued, since = oldest_queued_since(now)
    tick_age, queue_age = _age(now, beat), _age(now, since)
    problems = []
    if tick_age is None or tick_age > settings.ACCORD_READY_TICK_AGE:
        problems.append("scheduler")
    if queue_age is not None and queue_age > settings.ACCORD_READY_QUEUE_AGE:
        problems.append("queue")
    return report | {
        "scheduler_last_tick": beat.isoformat() if beat else None,
        "scheduler_tick_age_s": tick_age,
        "scheduler_tick_age_limit_s": settings.ACCORD_READY_TICK_AGE,
        "queued_tasks": queued,
        "oldest_queued_task_age_s": queue_age,
        "oldest_queued_task_age_limit_s": settings.ACCORD_READY_QUEUE_AGE,
        "problems": problems,
    }
