"""The background worker: django-tasks-db's queue, with a lease on running tasks and a worker that
outlives database errors.

django-tasks-db (0.13) marks a task RUNNING when a worker claims it and has no notion of that worker
dying: a task whose worker was killed stays RUNNING for ever, and its `db_worker` command stops on the
first `OperationalError` (a restarted PostgreSQL, a SQLite write lock held past the busy timeout).
Its table has no lease column and its worker loop has no hook for either, so this module extends it
here rather than forking the library:

- **Lease by heartbeat.** Each worker writes its own heartbeat row (operations' `Heartbeat`, named
  "worker:<id>", beside the scheduler's) every quarter of a lease
  (`TASK_LEASE_SECONDS`) from a side thread, so a long task does not look dead. `reclaim` puts back in
  the queue every RUNNING task that started over a lease ago and whose worker (the last id django-tasks-db
  appended to `worker_ids` on claiming it) has not beaten within a lease. Any worker runs it every few
  seconds. A task whose workers died `MAX_CLAIMS` times is ended FAILED instead, so one that kills its
  worker cannot loop for ever; a failed email then shows on the admins' failed-mail page.
- **Database errors.** The loop catches `OperationalError`/`InterfaceError` around each step, logs, closes
  the broken connections, backs off (doubling to 30 s) and carries on; Django reconnects on the next
  query. A task interrupted by such an error is put back in the queue rather than marked FAILED.

A task may therefore run more than once (at least once); tasks with an outside effect make it happen
once by an idempotency key (`accord.lib.mail.send_email` and `SentMessage`).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.compat import (
    DEFAULT_TASK_QUEUE_NAME,
    TaskContext,
    TaskResultStatus,
    task_finished,
    task_started,
)
from django_tasks_db.management.commands.db_worker import Worker as DBWorker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from accord.operations.actions import worker_beat
from accord.operations.queries import workers_alive_since

log = logging.getLogger("accord.worker")

DB_ERRORS = (OperationalError, InterfaceError)
MAX_CLAIMS = 5  # a task whose worker died this many times is ended FAILED
BACKOFF_FIRST, BACKOFF_MAX = 0.5, 30.0


class WorkerDied(Exception):
    """Recorded as a task's error when its workers kept dying while running it."""


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.TASK_LEASE_SECONDS)


def beat(worker_id: str) -> None:
    worker_beat(worker_id, timezone.now())


def reclaim(now: dt.datetime | None = None) -> tuple[int, int]:
    """Put back in the queue the RUNNING tasks whose worker has shown no sign of life for a lease; end
    FAILED those that have already killed MAX_CLAIMS workers. Returns (requeued, failed).

    Each change is conditional on the row still being RUNNING since the same start, so a worker that
    finishes the task meanwhile, or another worker reclaiming it first, wins and this one changes nothing."""
    now = now or timezone.now()
    cutoff = now - lease()
    alive = workers_alive_since(cutoff)
    requeued = failed = 0
    stale = (
        DBTaskResult.objects.running().filter(started_at__lt=cutoff).only("id", "started_at", "worker_ids")
    )
    for row in stale:
        if row.worker_ids and row.worker_ids[-1] in alive:
            continue  # a long task on a live worker
        outcome = give_back(row, now, why="the worker running it stopped without finishing")
        requeued += outcome == TaskResultStatus.READY
        failed += outcome == TaskResultStatus.FAILED
    if requeued or failed:
        log.warning("reclaimed tasks of dead workers: %d back in the queue, %d failed", requeued, failed)
    return requeued, failed


def give_back(row: DBTaskResult, now: dt.datetime, *, why: str) -> str | None:
    """Put a RUNNING task back in the queue, or end it FAILED once it has been claimed MAX_CLAIMS times.
    Returns the new status, or None if the row had moved on (finished, or given back by someone else)."""
    same = DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at)
    if len(row.worker_ids) >= MAX_CLAIMS:
        reason = f"{why}, {len(row.worker_ids)} times"
        changed = same.update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=f"{__name__}.WorkerDied",
            traceback=f"{__name__}.WorkerDied: {reason}\n",
        )
        return TaskResultStatus.FAILED if changed else None
    changed = same.update(status=TaskResultStatus.READY, started_at=None)
    return TaskResultStatus.READY if changed else None


def release(row: DBTaskResult) -> bool:
    """Give back a task this worker could not finish (a database error, or stopped mid-task)."""
    return give_back(row, timezone.now(), why="a database error or a stop interrupted it") is not None


def _drop_connections() -> None:
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except Exception:  # a connection the server already dropped may fail to close; it is gone either way
            log.debug("closing a broken connection failed", exc_info=True)


class Worker(DBWorker):
    """django-tasks-db's worker with a heartbeat, a reclaim step and a loop that survives database errors."""

    def __init__(self, *, interval: float = 1.0, batch: bool = False, max_tasks: int | None = None) -> None:
        super().__init__(
            queue_names=[DEFAULT_TASK_QUEUE_NAME],
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=False,
            max_tasks=max_tasks,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        self.orphan: DBTaskResult | None = None  # a task a database error interrupted, to put back
        self.stopped = threading.Event()

    # --- heartbeat --------------------------------------------------------------------------------

    def beat_forever(self) -> None:
        every = settings.TASK_LEASE_SECONDS / 4
        while True:
            try:
                beat(self.worker_id)
            except Exception as exc:  # the main loop reports database trouble; a beat just tries again
                log.debug("heartbeat failed: %r", exc)
                _drop_connections()
            if self.stopped.wait(every):
                break
        connections.close_all()

    # --- loop ---------------------------------------------------------------------------------------

    def claim_next(self) -> DBTaskResult | None:
        tasks = DBTaskResult.objects.ready().filter(
            backend_name=self.backend_name, queue_name__in=self.queue_names
        )
        with exclusive_transaction(tasks.db):
            row = tasks.get_locked()
            if row is not None:
                row.claim(self.worker_id)
        return row

    def run(self) -> None:
        log.info("worker %s started (lease %.0f s)", self.worker_id, settings.TASK_LEASE_SECONDS)
        beater = threading.Thread(target=self.beat_forever, name="heartbeat", daemon=True)
        beater.start()
        backoff = BACKOFF_FIRST
        next_reclaim = 0.0
        try:
            while self.running:
                try:
                    close_old_connections()
                    if self.orphan is not None and release(self.orphan):
                        log.info("task %s put back in the queue", self.orphan.pk)
                    self.orphan = None
                    if time.monotonic() >= next_reclaim:
                        reclaim()
                        next_reclaim = time.monotonic() + settings.TASK_LEASE_SECONDS / 4
                    row = self.claim_next()
                    if row is not None:
                        self.run_task(row)
                    backoff = BACKOFF_FIRST
                except DB_ERRORS as exc:
                    log.warning("database error, trying again in %.1f s: %s", backoff, exc)
                    _drop_connections()
                    time.sleep(backoff * random.uniform(0.8, 1.2))  # noqa: S311 - jitter, not secrecy
                    backoff = min(backoff * 2, BACKOFF_MAX)
                    continue
                if self.batch and row is None:
                    return
                if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                    return
                close_old_connections()
                if self.running and row is None:
                    time.sleep(self.interval)
        finally:
            self.stopped.set()
            beater.join(timeout=5)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """Run one claimed task. Unlike django-tasks-db's, a database error (in the task or in recording
        its end) does not mark it FAILED: it goes back in the queue once the database answers again."""
        self.running_task = True
        self.orphan = db_task_result
        try:
            task = db_task_result.task
            result = db_task_result.task_result
            backend = type(task.get_backend())
            task_started.send(sender=backend, task_result=result)
            try:
                if task.takes_context:
                    value = task.call(TaskContext(task_result=result), *result.args, **result.kwargs)
                else:
                    value = task.call(*result.args, **result.kwargs)
                db_task_result.set_successful(value)
            except DB_ERRORS:
                raise
            except (KeyboardInterrupt, SystemExit):
                release(db_task_result)  # stopped on purpose, mid-task: another run finishes it
                self.orphan = None
                raise
            except Exception as exc:
                db_task_result.set_failed(exc)
            self.orphan = None
            task_finished.send(sender=backend, task_result=db_task_result.task_result)
        finally:
            self.running_task = False
            self._run_tasks += 1


def run(interval: float = 1.0, batch: bool = False, max_tasks: int | None = None) -> None:
    worker = Worker(interval=interval, batch=batch, max_tasks=max_tasks)
    worker.configure_signals()
    worker.run()
