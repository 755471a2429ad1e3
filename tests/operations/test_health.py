"""/healthz and /healthz/ready: 200 when all is well, 503 with the reason otherwise, open without an
account and naming no organisation or person."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from accord.operations.actions import beat


@task()
def waiting(note: str) -> None:
    """A task for the queue to hold; nothing runs it in these tests."""


HEALTHZ = "/healthz"
READY = "/healthz/ready"


def test_the_paths_are_the_documented_ones():
    assert (reverse("healthz"), reverse("healthz_ready")) == (HEALTHZ, READY)


@pytest.mark.django_db
def test_healthz_is_ok_when_the_database_answers_and_is_migrated(client, member):
    response = client.get(HEALTHZ)
    assert (response.status_code, response["Content-Type"]) == (200, "application/json")
    assert response.json() == {"status": "ok", "database": "ok", "migrations": "applied", "missing": []}
    # Nothing about the organisations or people it holds.
    assert b"acme" not in response.content.lower() and b"milo" not in response.content.lower()


@pytest.mark.django_db
def test_healthz_is_503_and_names_a_migration_that_is_not_applied(client):
    latest = "0002_heartbeat_names_for_workers"
    MigrationRecorder.Migration.objects.filter(app="operations", name=latest).delete()
    response = client.get(HEALTHZ)
    assert response.status_code == 503
    assert response.json() == {
        "status": "failing",
        "database": "ok",
        "migrations": "missing",
        "missing": ["operations.0002_heartbeat_names_for_workers"],
    }


@pytest.fixture
def unreachable_database():
    """The real connection pointed at a database that cannot be opened, as after a crash or a bad config:
    a file in a folder that does not exist on SQLite, a port nobody listens on for PostgreSQL."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-accord-dir/db.sqlite3"
    else:
        connection.settings_dict["PORT"] = "1"
        connection.settings_dict["OPTIONS"] = {**saved.get("OPTIONS", {}), "connect_timeout": 2}
    yield
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)


@pytest.mark.django_db(transaction=True)
def test_both_checks_are_503_when_the_database_is_unreachable(unreachable_database):
    client = Client()
    answers = {path: client.get(path) for path in (HEALTHZ, READY)}
    assert {path: r.status_code for path, r in answers.items()} == {HEALTHZ: 503, READY: 503}
    assert answers[HEALTHZ].json() == {"status": "failing", "database": "unreachable"}
    assert answers[READY].json() == {"status": "failing", "database": "unreachable", "problems": ["database"]}


@pytest.mark.django_db
def test_ready_is_ok_after_a_recent_tick_with_an_empty_queue(client):
    beat("scheduler", timezone.now() - dt.timedelta(seconds=5))
    response = client.get(READY)
    body = response.json()
    assert (response.status_code, body["status"], body["problems"]) == (200, "ok", [])
    assert (body["queued_tasks"], body["oldest_queued_task_age_s"]) == (0, None)
    assert 5 <= body["scheduler_tick_age_s"] < body["scheduler_tick_age_limit_s"]


@pytest.mark.django_db
def test_ready_is_503_before_the_scheduler_ever_ticked(client):
    response = client.get(READY)
    body = response.json()
    assert (response.status_code, body["problems"], body["scheduler_last_tick"]) == (503, ["scheduler"], None)


@pytest.mark.django_db
def test_ready_is_503_when_the_last_tick_is_too_old(client, settings):
    settings.ACCORD_READY_TICK_AGE = 120
    beat("scheduler", timezone.now() - dt.timedelta(seconds=121))
    response = client.get(READY)
    assert (response.status_code, response.json()["problems"]) == (503, ["scheduler"])


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db
def test_ready_reports_the_oldest_queued_task_and_is_503_past_the_limit(client, settings, database_queue):
    from django_tasks_db.models import DBTaskResult

    settings.ACCORD_READY_QUEUE_AGE = 600
    beat("scheduler", timezone.now())
    for _ in range(3):
        waiting.enqueue(note="queued")
    # Nobody is working the queue: the oldest has waited 20 minutes, the others a minute.
    first, *rest = DBTaskResult.objects.order_by("enqueued_at")
    DBTaskResult.objects.filter(pk=first.pk).update(enqueued_at=timezone.now() - dt.timedelta(minutes=20))
    DBTaskResult.objects.filter(pk__in=[r.pk for r in rest]).update(
        enqueued_at=timezone.now() - dt.timedelta(minutes=1)
    )
    response = client.get(READY)
    body = response.json()
    assert (response.status_code, body["problems"], body["queued_tasks"]) == (503, ["queue"], 3)
    assert 20 * 60 <= body["oldest_queued_task_age_s"] < 21 * 60

    # Once it has run, the queue is young again.
    DBTaskResult.objects.filter(pk=first.pk).update(status="SUCCESSFUL")
    response = client.get(READY)
    assert (response.status_code, response.json()["queued_tasks"]) == (200, 2)


@pytest.mark.django_db
def test_a_task_deferred_to_later_is_not_late(client, database_queue):
    beat("scheduler", timezone.now())
    waiting.using(run_after=timezone.now() + dt.timedelta(hours=2)).enqueue(note="later")
    body = client.get(READY).json()
    assert (body["queued_tasks"], body["oldest_queued_task_age_s"], body["problems"]) == (0, None, [])


@pytest.mark.django_db
@pytest.mark.parametrize("path", [HEALTHZ, READY])
def test_health_checks_only_read(client, path):
    assert client.post(path).status_code == 405


@pytest.mark.django_db(transaction=True)
def test_a_session_cookie_does_not_turn_an_outage_into_a_500(as_member, unreachable_database):
    """A browser tab that is signed in, or a monitor that replays a cookie, still gets the report."""
    # The fixtures sign in before the database goes away.
    assert as_member.cookies.get("sessionid")
    answers = {path: as_member.get(path) for path in (HEALTHZ, READY)}
    assert {path: r.status_code for path, r in answers.items()} == {HEALTHZ: 503, READY: 503}
    assert answers[HEALTHZ].json() == {"status": "failing", "database": "unreachable"}
    assert answers[READY].json() == {"status": "failing", "database": "unreachable", "problems": ["database"]}
