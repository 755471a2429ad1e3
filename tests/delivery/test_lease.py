"""The lease on running tasks, the idempotency key on each email, and housekeeping, in one process
against the real database queue and a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accord.delivery import jobs as housekeeping
from accord.delivery.models import Chore, SentMessage
from accord.delivery.worker import MAX_CLAIMS, Worker, reclaim
from accord.lib import jobs
from accord.lib.mail import send_email
from accord.operations.actions import beat, worker_beat
from accord.operations.models import Heartbeat
from tests.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASK_LEASE_SECONDS = 60


def running(
    subject: str, *, workers: list[str], started: dt.datetime, org_id: int | None = None
) -> DBTaskResult:
    """A send_email task as django-tasks-db leaves it when its worker claimed it (and maybe died)."""
    result = send_email.enqueue(to=["kim@example.com"], subject=subject, body="Hi\n", org_id=org_id)
    DBTaskResult.objects.filter(pk=result.id).update(status="RUNNING", started_at=started, worker_ids=workers)
    return DBTaskResult.objects.get(pk=result.id)


def status(row: DBTaskResult) -> str:
    row.refresh_from_db()
    return row.status


def test_a_dead_workers_task_goes_back_to_the_queue_after_a_lease_and_is_sent_once(queue, smtp):
    now = timezone.now()
    worker_beat("alive", now - dt.timedelta(seconds=10))
    worker_beat("dead", now - dt.timedelta(seconds=90))
    long_task = running("long", workers=["alive"], started=now - dt.timedelta(minutes=5))
    orphan = running("orphan", workers=["dead"], started=now - dt.timedelta(minutes=2))
    no_beat = running("no beat", workers=["never-beat"], started=now - dt.timedelta(minutes=2))
    just_claimed = running("just claimed", workers=["never-beat"], started=now - dt.timedelta(seconds=5))

    assert reclaim(now) == (2, 0)
    assert [status(t) for t in (long_task, orphan, no_beat, just_claimed)] == [
        "RUNNING",  # a live worker's long task is left alone
        "READY",
        "READY",
        "RUNNING",  # claimed less than a lease ago: its worker may not have beaten yet
    ]
    assert reclaim(now) == (0, 0)  # nothing twice

    Worker(interval=0, batch=True).run()
    assert sorted(m["Subject"] for m in smtp.messages) == ["no beat", "orphan"]


def test_a_task_that_keeps_killing_its_worker_ends_failed_and_admins_see_it(queue, client, org, admin):
    workers = [f"w{i}" for i in range(MAX_CLAIMS)]
    poison = running("poison", workers=workers, started=timezone.now() - dt.timedelta(hours=1), org_id=org.pk)
    assert reclaim() == (0, 1)
    assert status(poison) == "FAILED"
    login(client, admin)
    shown = [(m.subject, m.reason) for m in client.get("/people/mail/failed/").context["failed"]]
    reason = (
        "accord.delivery.worker.WorkerDied: "
        f"the worker running it stopped without finishing, {MAX_CLAIMS} times"
    )
    assert shown == [("poison", reason)]


def test_a_message_run_twice_is_sent_once(queue, smtp):
    result = send_email.enqueue(to=["kim@example.com"], subject="Once", body="Hi\n")
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    # The same task run again, as after a reclaim: its key says it went.
    DBTaskResult.objects.filter(pk=result.id).update(status="READY", started_at=None)
    Worker(interval=0, batch=True).run()
    assert [m["Subject"] for m in smtp.messages] == ["Once"]
    assert smtp.messages[0]["Message-ID"] == f"<{result.id}@localhost>"
    [sent] = SentMessage.objects.all()
    assert (sent.key, sent.starts, sent.sent_at is not None) == (str(result.id), 1, True)


def test_a_refused_message_is_not_marked_sent(queue, smtp):
    # The mark is written in the transaction that talks to the server: a refusal rolls it back.
    smtp.refuse.add("gone@example.com")
    result = send_email.enqueue(to=["gone@example.com"], subject="Refused", body="Hi\n")
    Worker(interval=0, batch=True).run()
    assert DBTaskResult.objects.get(pk=result.id).status == "FAILED"
    [row] = SentMessage.objects.all()
    assert (row.key, row.starts, row.sent_at) == (str(result.id), 1, None)


def test_a_failed_send_is_retried_under_the_same_key(queue, settings, smtp):
    import socket

    with socket.socket() as probe:  # nothing listens here: the first attempt fails
        probe.bind(("127.0.0.1", 0))
        port, settings.EMAIL_PORT = settings.EMAIL_PORT, probe.getsockname()[1]
    first = send_email.enqueue(to=["kim@example.com"], subject="Retry", body="Hi\n")
    Worker(interval=0, batch=True).run()
    [retry] = DBTaskResult.objects.filter(status="READY")
    assert (retry.args_kwargs["kwargs"]["key"], retry.args_kwargs["kwargs"]["attempt"]) == (str(first.id), 2)
    settings.EMAIL_PORT = port
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    Worker(interval=0, batch=True).run()
    assert [m["Message-ID"] for m in smtp.messages] == [f"<{first.id}@localhost>"]


def test_housekeeping_prunes_old_results_on_schedule(queue, settings):
    settings.TASK_RESULT_DAYS = 14
    now = timezone.now()
    jobs.load_jobs()
    Chore.objects.create(name="housekeeping", next_run_at=now - dt.timedelta(minutes=1))

    def finished(subject: str, state: str, days: int) -> None:
        result = send_email.enqueue(to=["kim@example.com"], subject=subject, body="Hi\n")
        DBTaskResult.objects.filter(pk=result.id).update(
            status=state, finished_at=now - dt.timedelta(days=days)
        )

    finished("old", "SUCCESSFUL", 15)
    finished("recent", "SUCCESSFUL", 13)
    finished("old failure, still listed", "FAILED", 30)
    finished("very old failure", "FAILED", 15 * housekeeping.FAILED_KEEP_FACTOR)
    SentMessage.objects.create(key="old", created_at=now - dt.timedelta(days=15), sent_at=now)
    SentMessage.objects.create(key="unsent", created_at=now - dt.timedelta(days=15))
    worker_beat("gone", now - dt.timedelta(days=2))
    # The scheduler's beat is not a worker's: however old, readiness still reports it.
    beat("scheduler", now - dt.timedelta(days=2))

    assert jobs.tick(now)["housekeeping"] == 1
    left = sorted(r.args_kwargs["kwargs"]["subject"] for r in DBTaskResult.objects.all())
    assert left == ["old failure, still listed", "recent"]
    assert list(SentMessage.objects.values_list("key", flat=True)) == ["unsent"]
    assert list(Heartbeat.objects.values_list("name", flat=True)) == ["scheduler"]
    # Not again until the next hour.
    assert Chore.objects.get().next_run_at == now + housekeeping.EVERY
    assert jobs.tick(now)["housekeeping"] == 0


def test_a_worker_beats_beside_the_scheduler_and_readiness_still_reports_only_the_scheduler(client):
    """One heartbeat table for every process (issue #15): a worker's row does not pass for a scheduler
    tick, so /healthz/ready answers as before."""
    from accord.delivery.worker import beat as beat_as_worker

    beat_as_worker("w1")
    assert Heartbeat.objects.filter(name="worker:w1").exists()
    body = client.get("/healthz/ready").json()
    assert (body["scheduler_last_tick"], body["problems"]) == (None, ["scheduler"])
    beat("scheduler", timezone.now() - dt.timedelta(seconds=5))
    body = client.get("/healthz/ready").json()
    assert body["problems"] == [] and body["scheduler_tick_age_s"] >= 5
