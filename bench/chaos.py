#!/usr/bin/env python3
"""Chaos drill for task delivery: emails under load while everything around them fails.

    .venv/bin/python bench/chaos.py                                   # SQLite, throwaway file
    .venv/bin/python bench/chaos.py --database-url postgres://postgres@127.0.0.1:5432/accord_chaos

What it does, in one run:

1. Points Accord at its database (SQLite: --db, recreated each run; PostgreSQL: --database-url, which
   must exist; its task and outbox tables are emptied first), migrates, and starts a real SMTP server
   (aiosmtpd, in this process) that counts every message it is given.
2. Starts two `accord worker` processes and one `accord scheduler`, with a short lease (3 s) and short
   retry gaps for email (1, 2, 4, 8 s) so that the drill ends in about a minute rather than hours.
3. The load: --sends emails enqueued over --seconds seconds from a thread of this process, each with its
   own subject and idempotency key (an enqueue that fails on a broken connection is tried again; the
   key keeps a doubly-enqueued message from going out twice).
4. Meanwhile, on a seeded random timeline: workers killed with SIGKILL and started again (each 1-5 s
   after it starts working, one at a time), the scheduler killed and started again (1-4 s after it
   starts), the database broken twice (PostgreSQL: every
   backend of the database terminated with pg_terminate_backend; the shared server itself is never
   restarted. SQLite: another connection holds the write lock for 5 s, past the workers' 2 s busy
   timeout) and the SMTP server stopped for 6 s once.
5. Then everything is left alone until the queue is empty (or --drain seconds pass), and the messages the
   SMTP server took are counted against those enqueued.

The scheduler has no due rows here besides its housekeeping chore: the sends come from the load thread.
Prints what happened, then as its last two lines `lost: <n>` (enqueued, never delivered) and
`duplicated: <n>` (deliveries beyond the first of one message).
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from common import ROOT, fresh_sqlite, setup_django, sqlite_url  # bench/common.py

LOGS = Path("/tmp/accord-chaos-logs")


class Inbox:
    def __init__(self) -> None:
        self.subjects: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        from email import message_from_bytes
        from email.policy import default

        with self.lock:
            self.subjects.append(str(message_from_bytes(envelope.content, policy=default)["Subject"]))
        return "250 OK"


class Smtp:
    """aiosmtpd on one fixed port, stopped and started again for an outage."""

    def __init__(self, inbox: Inbox) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.inbox = inbox
        self.controller = None
        self.start()

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        for _ in range(50):  # the port may linger briefly after a stop
            try:
                self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
                self.controller.start()
                return
            except (OSError, RuntimeError):
                time.sleep(0.2)
        raise SystemExit("could not start the SMTP server again")

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


class Proc:
    def __init__(self, name: str, args: list[str], env: dict[str, str]) -> None:
        self.name, self.args, self.env = name, args, env
        self.proc: subprocess.Popen[bytes] | None = None
        self.kills = 0
        self.start()

    def start(self) -> None:
        path = LOGS / f"{self.name}.log"
        self.offset = path.stat().st_size if path.exists() else 0
        self.ready_at = 0.0
        log = path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "accord.cli", *self.args], env=self.env, stdout=log, stderr=log, cwd=ROOT
        )

    def ready(self, mark: str) -> float:
        """When this run of the process logged `mark` (it is working), or 0 if not yet: starting takes
        seconds on a busy machine, and a kill before then would test nothing."""
        if not self.ready_at:
            with (LOGS / f"{self.name}.log").open("rb") as f:
                f.seek(self.offset)
                if mark.encode() in f.read():
                    self.ready_at = time.monotonic()
        return self.ready_at

    def kill_and_restart(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait()
        self.kills += 1
        self.start()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def setup(ns: argparse.Namespace) -> str:
    url = ns.database_url or sqlite_url(fresh_sqlite(ns.db))
    setup_django(url)
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from accord.delivery.models import SentMessage
    from accord.operations.actions import WORKER
    from accord.operations.models import Heartbeat

    call_command("migrate", verbosity=0)
    for model in (DBTaskResult, SentMessage):
        model.objects.all().delete()
    Heartbeat.objects.filter(name__startswith=WORKER).delete()
    return url


def load(ns: argparse.Namespace, done: threading.Event, enqueued: list[str]) -> None:
    from django.db import DatabaseError, connection

    from accord.lib.mail import send_email

    gap = ns.seconds / ns.sends
    for n in range(ns.sends):
        subject = f"chaos-{n:05d}"
        while True:
            try:
                send_email.enqueue(to=["load@example.com"], subject=subject, body="Hello\n", key=subject)
                break
            except DatabaseError:
                connection.close()  # a terminated backend or a locked SQLite: try again
                time.sleep(0.2)
        enqueued.append(subject)
        time.sleep(gap)
    done.set()


def break_database(url: str, db_path: str, log: list[str]) -> None:
    if url.startswith("postgres"):
        import psycopg

        with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
            n = conn.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()
        log.append(f"terminated {n[0] if n else 0} database backends")
    else:
        other = sqlite3.connect(db_path, isolation_level=None, timeout=30)
        other.execute("BEGIN EXCLUSIVE")
        t = time.time()
        time.sleep(5)
        other.execute("ROLLBACK")
        other.close()
        log.append(f"held the SQLite write lock for 5 s, from {time.strftime('%X', time.localtime(t))}")


def unfinished() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.exclude(status__in=["SUCCESSFUL", "FAILED"]).count()


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", default="/tmp/accord-chaos.sqlite3", help="throwaway SQLite file")
    p.add_argument("--database-url", default="", help="a PostgreSQL database to use instead (must exist)")
    p.add_argument("--sends", type=int, default=1500)
    p.add_argument("--seconds", type=float, default=30.0, help="how long the load lasts")
    p.add_argument("--drain", type=float, default=120.0, help="longest wait for the queue to empty")
    p.add_argument("--seed", type=int, default=20261205)
    ns = p.parse_args(argv)
    LOGS.mkdir(parents=True, exist_ok=True)
    for old in LOGS.glob("*.log"):
        old.unlink()

    url = setup(ns)
    import logging

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's line-by-line chatter
    inbox = Inbox()
    smtp = Smtp(inbox)
    env = dict(
        os.environ,
        DATABASE_URL=url,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
        ACCORD_TASK_LEASE="3",
        ACCORD_MAIL_RETRY_SECONDS="1,2,4,8",
        ACCORD_SQLITE_TIMEOUT="2",
        LOG_LEVEL="INFO",
    )
    from django.conf import settings

    env["SECRET_KEY"] = settings.SECRET_KEY
    workers = [Proc(f"worker-{i}", ["worker", "--interval", "0.2"], env) for i in range(2)]
    scheduler = Proc("scheduler", ["scheduler", "--interval", "1"], env)

    rng = random.Random(ns.seed)
    done = threading.Event()
    enqueued: list[str] = []
    events: list[str] = []
    # The app is up before the load starts, as in production; starting takes seconds on a busy machine.
    while not all(w.ready("started (lease") for w in workers):
        time.sleep(0.1)
    started = time.monotonic()
    threading.Thread(target=load, args=(ns, done, enqueued), daemon=True).start()

    # Two database breaks and one SMTP outage at fixed shares of the load; kills at random throughout.
    db_breaks = [ns.sends * 0.3, ns.sends * 0.7]
    outage_at, outage_for = ns.sends * 0.5, 6.0
    # Each worker is killed at a random moment 1-5 s after it starts working, while the other one works
    # (so that someone meets the outages); the scheduler 1-4 s after it starts.
    lives = {id(w): rng.uniform(1, 5) for w in workers}
    scheduler_life = rng.uniform(1, 4)
    smtp_down_until = 0.0
    while not done.is_set():
        now = time.monotonic() - started
        for w in workers:
            ready = w.ready("started (lease")
            others = all(o.ready("started (lease") for o in workers if o is not w)
            if ready and others and time.monotonic() - ready >= lives[id(w)]:
                w.kill_and_restart()
                lives[id(w)] = rng.uniform(1, 5)
        ready = scheduler.ready("scheduler started")
        if ready and time.monotonic() - ready >= scheduler_life:
            scheduler.kill_and_restart()
            scheduler_life = rng.uniform(1, 4)
        if db_breaks and len(enqueued) >= db_breaks[0]:
            db_breaks.pop(0)
            threading.Thread(target=break_database, args=(url, ns.db, events), daemon=True).start()
        if outage_at and len(enqueued) >= outage_at:
            smtp.stop()
            events.append(
                f"SMTP server stopped for {outage_for:.0f} s at {time.strftime('%X')} "
                f"({len(enqueued)} enqueued, {len(inbox.subjects)} delivered)"
            )
            smtp_down_until, outage_at = now + outage_for, 0.0
        if smtp_down_until and now >= smtp_down_until:
            smtp.start()
            events.append(
                f"SMTP server back at {time.strftime('%X')} "
                f"({len(enqueued)} enqueued, {len(inbox.subjects)} delivered)"
            )
            smtp_down_until = 0.0
        time.sleep(0.1)
    if smtp.controller is None:
        smtp.start()
    load_done = time.monotonic() - started

    # Left alone: the workers finish the queue, retries and reclaimed tasks included.
    from django.db import DatabaseError, connection

    deadline = time.monotonic() + ns.drain
    while time.monotonic() < deadline:
        try:
            if unfinished() == 0 and len(set(inbox.subjects)) >= len(enqueued):
                break
        except DatabaseError:
            connection.close()
        time.sleep(0.5)
    time.sleep(2)  # anything still on its way
    drained = time.monotonic() - started
    for proc in [*workers, scheduler]:
        proc.stop()
    smtp.stop()

    from django_tasks_db.models import DBTaskResult

    from accord.delivery.models import SentMessage

    delivered = collections.Counter(inbox.subjects)
    lost = sum(1 for s in enqueued if s not in delivered)
    duplicated = sum(n - 1 for n in delivered.values())
    reclaimed = sum(max(len(ids) - 1, 0) for ids in DBTaskResult.objects.values_list("worker_ids", flat=True))
    print(f"database: {connection.vendor}; {len(enqueued)} emails enqueued over {load_done:.0f} s")
    print(f"worker kills: {sum(w.kills for w in workers)}, scheduler kills: {scheduler.kills}")
    for event in events:
        print(f"event: {event}")
    print(f"deliveries: {len(inbox.subjects)}; queue empty after {drained:.0f} s")
    print(f"tasks run again after their worker died: {reclaimed}")
    failed = DBTaskResult.objects.filter(status="FAILED").count()
    resent = SentMessage.objects.filter(starts__gt=1).count()
    print(f"messages whose sending began more than once (SMTP outage, killed mid-send): {resent}")
    for subject, n in sorted(delivered.items()):
        if n > 1:
            starts = SentMessage.objects.get(key=subject).starts
            print(f"delivered {n} times: {subject} (its sending began {starts} times)")
    print(f"tasks still unfinished: {unfinished()}, failed: {failed}")
    print(f"lost: {lost}")
    print(f"duplicated: {duplicated}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
