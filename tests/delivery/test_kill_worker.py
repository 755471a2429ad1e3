"""Fault injection: a real worker process is killed with SIGKILL at random points of 300 sends and
started again; every message reaches the real SMTP server (aiosmtpd) and no task is left behind. Runs
on SQLite and, with DATABASE_URL, on PostgreSQL.

A message can reach the server twice in one case only, which no idempotency key can close with SMTP: the
worker is killed after the server has the message and before the commit that marks it sent (see
accord/lib/mail.py). The test holds every duplicate to that case: its key's sending began twice, it
went exactly twice, under one Message-ID. On an idle machine the gap is well under a millisecond; on
this busy test machine a kill sometimes lands in it, and the test prints how often."""

from __future__ import annotations

import collections
import random
import time

import pytest
from django_tasks_db.models import DBTaskResult

from accord.delivery.models import SentMessage
from accord.lib.mail import send_email

from .procs import start_worker, stop, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

SENDS = 300
KILLS = 5
LEASE = "1.5"  # seconds; short so that the tasks of killed workers come back within the test


def unfinished() -> int:
    return DBTaskResult.objects.exclude(status__in=["SUCCESSFUL", "FAILED"]).count()


def test_killed_workers_lose_no_mail_and_leave_no_task_behind(settings, smtp):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    expected = [f"m{n:04d}" for n in range(SENDS)]
    for subject in expected:
        send_email.enqueue(to=["load@example.com"], subject=subject, body="Hello\n")

    rng = random.Random()
    kills = 0
    while kills < KILLS and len(smtp.messages) < SENDS:
        worker = start_worker("kill", ACCORD_TASK_LEASE=LEASE)
        # Once it is sending (starting takes seconds on a busy machine), kill it wherever it is.
        before = len(smtp.messages)
        wait_for(sending(smtp, before, worker), timeout=30, step=0.02)
        time.sleep(rng.uniform(0, 0.6))
        worker.kill()
        worker.wait()
        kills += 1

    last = start_worker("kill-last", ACCORD_TASK_LEASE=LEASE)
    try:
        wait_for(lambda: unfinished() == 0 and len(smtp.messages) >= SENDS, timeout=40)
    finally:
        stop(last)

    delivered = collections.Counter(m["Subject"] for m in smtp.messages)
    duplicated = {s: n for s, n in delivered.items() if n > 1}
    print(
        f"kills: {kills}, delivered: {len(smtp.messages)}, runs of reclaimed tasks: {reruns()}, "
        f"duplicated: {sum(n - 1 for n in duplicated.values())}"
    )
    assert kills >= 3  # the killing happened while mail was still going out
    assert sorted(delivered) == expected  # lost: 0
    assert unfinished() == 0  # stuck: 0
    assert DBTaskResult.objects.filter(status="FAILED").count() == 0
    # Every message is recorded as sent under one key, and its Message-ID carries that key.
    key_of = {m["Subject"]: m["Message-ID"].strip("<>").split("@")[0] for m in smtp.messages}
    assert set(SentMessage.objects.filter(sent_at__isnull=False).values_list("key", flat=True)) == set(
        key_of.values()
    )
    # Sent twice only where a kill cut a send short between the server's acceptance and our commit.
    begun_twice = set(SentMessage.objects.filter(starts__gt=1).values_list("key", flat=True))
    assert {s: key_of[s] in begun_twice for s in duplicated} == dict.fromkeys(duplicated, True)
    assert set(duplicated.values()) <= {2}
    assert all(len({m["Message-ID"] for m in smtp.messages if m["Subject"] == s}) == 1 for s in duplicated)
    assert len(duplicated) <= kills


def sending(smtp, before, worker):
    return lambda: len(smtp.messages) > before or worker.poll() is not None


def reruns() -> int:
    return sum(max(len(ids) - 1, 0) for ids in DBTaskResult.objects.values_list("worker_ids", flat=True))
