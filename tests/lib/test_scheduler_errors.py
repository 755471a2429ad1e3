"""The scheduler loop outlives database trouble: it logs, pauses, reconnects and keeps ticking.

The loop runs for real in a thread with its own connection, against the test database; the trouble is
real too: PostgreSQL ends the loop's connection (pg_terminate_backend), or on SQLite another connection
holds the write lock for longer than the busy timeout.
"""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from django.db import connection, connections
from django.utils import timezone

from accord.lib import jobs
from accord.operations.models import Heartbeat

PATIENCE = 120.0  # seconds to keep looking; generous, never a claim about speed


def until(condition, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting: {what}")


class Scheduler(threading.Thread):
    """`jobs.loop` in a thread, as `accord scheduler` runs it; remembers an exception that ended it."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            jobs.loop(interval=0.05, stop=self.stop)
        except BaseException as exc:  # the loop ending on its own is the failure under test
            self.error = exc
        finally:
            connections.close_all()

    def finish(self) -> None:
        self.stop.set()
        self.join(timeout=PATIENCE)
        assert not self.is_alive()


def last_tick():  # type: ignore[no-untyped-def]
    return Heartbeat.objects.filter(name="scheduler").values_list("at", flat=True).first()


@pytest.fixture
def scheduler():
    jobs.load_jobs()
    saved = list(jobs.REGISTRY)
    thread = Scheduler()
    yield thread
    if thread.is_alive():
        thread.finish()
    jobs.REGISTRY[:] = saved


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_terminated_connection_does_not_stop_the_scheduler(scheduler):
    if connection.vendor != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's; the SQLite case is the lock test below")
    scheduler.start()
    until(last_tick, "a first tick")
    with connection.cursor() as cursor:
        # Every other session on this test database is the scheduler's.
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        assert cursor.fetchone()[0] >= 1
    ended = timezone.now()
    until(lambda: (t := last_tick()) and t > ended, "a tick after the connection was ended")
    # Twice more, to be sure it is ticking rather than having finished one last tick.
    for _ in range(2):
        seen = last_tick()
        until(lambda seen=seen: last_tick() > seen, "another tick")
    scheduler.finish()
    assert scheduler.error is None


@pytest.mark.django_db(transaction=True)
def test_on_sqlite_a_write_lock_held_past_the_busy_timeout_is_logged_and_outlived(scheduler, caplog):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock; the PostgreSQL case is the test above")
    options = connections.settings["default"]["OPTIONS"]
    saved = options.get("timeout")
    options["timeout"] = 0.2  # the scheduler's connection gives up waiting for the lock after 0.2 s
    try:
        holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process writing, for as long as we like
        scheduler.start()
        until(
            lambda: any("scheduler tick failed" in r.getMessage() for r in caplog.records),
            "the scheduler to log the locked database",
        )
        assert scheduler.is_alive() and last_tick() is None
        released = timezone.now()
        holder.execute("ROLLBACK")
        holder.close()
        until(lambda: (t := last_tick()) and t > released, "a tick once the lock is released")
        scheduler.finish()
    finally:
        options["timeout"] = saved
    assert scheduler.error is None
    failure = next(r for r in caplog.records if "scheduler tick failed" in r.getMessage())
    assert "database is locked" in str(failure.exc_info[1])
