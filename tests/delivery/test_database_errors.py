"""The worker outlives its database misbehaving: it logs, backs off, reconnects and carries on. A real
`accord worker` process, a real SMTP server, and the real failure: PostgreSQL terminating the worker's
connections, or another SQLite connection holding the write lock past the worker's busy timeout."""

from __future__ import annotations

import sqlite3
import time

import pytest
from django.db import connection

from accord.lib.mail import send_email

from .procs import LOGS, start_worker, stop, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def send(n: int, start: int) -> None:
    for i in range(start, start + n):
        send_email.enqueue(to=["ops@example.com"], subject=f"s{i}", body="Hi\n")


def subjects(smtp) -> list[str]:
    return sorted(m["Subject"] for m in smtp.messages)


@pytest.fixture
def queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_terminate_backend is PostgreSQL's")
def test_worker_reconnects_after_postgresql_terminates_its_connections(queue, smtp):
    worker = start_worker("pg-terminate")
    try:
        send(3, 0)
        assert wait_for(lambda: len(smtp.messages) == 3, timeout=40)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            assert cursor.fetchone()[0] >= 1  # the worker's connection, at least
        send(3, 3)
        assert wait_for(lambda: len(smtp.messages) == 6, timeout=40)
        assert worker.poll() is None
    finally:
        stop(worker)
    assert subjects(smtp) == [f"s{i}" for i in range(6)]
    # Either the worker met the dead connection (logged, backed off, reconnected) or, with
    # CONN_HEALTH_CHECKS on, Django replaced it before the next query; both must end as above, and the
    # error path itself is pinned by the SQLite lock test below.
    log = (LOGS / f"pg-terminate-{_pid()}.log").read_text()
    assert "Traceback" not in log or "database error, trying again" in log, log


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite write lock")
def test_worker_waits_out_a_sqlite_write_lock_held_past_its_busy_timeout(queue, smtp):
    worker = start_worker("sqlite-lock", ACCORD_SQLITE_TIMEOUT="0.3")
    try:
        send(2, 0)
        assert wait_for(lambda: len(smtp.messages) == 2, timeout=40)
        send(2, 2)  # waiting in the queue while another process holds the lock
        other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        log = LOGS / f"sqlite-lock-{_pid()}.log"
        try:
            # Held well past the worker's 0.3 s busy timeout: its claims fail with "database is locked".
            assert wait_for(lambda: "database is locked" in log.read_text(), timeout=30)
            time.sleep(1)
            assert len(smtp.messages) == 2
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert wait_for(lambda: len(smtp.messages) == 4, timeout=40)
        assert worker.poll() is None
    finally:
        stop(worker)
    assert subjects(smtp) == ["s0", "s1", "s2", "s3"]


def _pid() -> int:
    import os

    return os.getpid()
