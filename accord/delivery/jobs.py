"""Housekeeping for the scheduler (accord.lib.jobs): the task queue and the outbox do not grow for ever.

Finished task results go after TASK_RESULT_DAYS; failed ones are kept longer (FAILED_KEEP_FACTOR times as
long) because the failed-mail page lists them for admins to send again. A sent message's key is kept
as long as a task that could run it again might exist, which is far less than TASK_RESULT_DAYS.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import connection
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accord.lib.jobs import periodic
from accord.operations.actions import forget_workers

from .models import Chore, SentMessage

log = logging.getLogger("accord.housekeeping")

EVERY = dt.timedelta(hours=1)
FAILED_KEEP_FACTOR = 6


def prune(now: dt.datetime) -> dict[str, int]:
    keep = dt.timedelta(days=settings.TASK_RESULT_DAYS)
    gone = {
        "successful tasks": DBTaskResult.objects.filter(
            status=TaskResultStatus.SUCCESSFUL, finished_at__lt=now - keep
        ).delete()[0],
        "failed tasks": DBTaskResult.objects.filter(
            status=TaskResultStatus.FAILED, finished_at__lt=now - keep * FAILED_KEEP_FACTOR
        ).delete()[0],
        "sent keys": SentMessage.objects.filter(sent_at__isnull=False, created_at__lt=now - keep).delete()[0],
        # Unsent keys belong to failed mail an admin may send again: kept as long as the failed task.
        "unsent keys": SentMessage.objects.filter(
            sent_at__isnull=True, created_at__lt=now - keep * FAILED_KEEP_FACTOR
        ).delete()[0],
        "worker beats": forget_workers(now - dt.timedelta(days=1)),
    }
    if any(gone.values()):
        log.info("housekeeping removed %s", gone)
    return gone


def refresh_planner_statistics() -> None:
    """SQLite plans queries from statistics only ANALYZE gathers (PostgreSQL's autovacuum keeps its own).
    Without them it picks an index by its shape: the home page's coming-up 1:1s read every past meeting of
    the organisation through (org, scheduled_at) instead of the viewer's few series, 300 ms at 10,000
    people. With analysis_limit, ANALYZE reads a sample of each index (about a thousand rows), so it takes
    a second or so on a large database and can run every hour. (`PRAGMA optimize` would be lighter, but
    before SQLite 3.46 it skips a table this connection has not queried, which is every table here.)"""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA analysis_limit=1000")
            cursor.execute("ANALYZE")


@periodic("housekeeping", Chore, "next_run_at", batch=1)
def housekeeping(chore: Chore, now: dt.datetime) -> dt.datetime:
    prune(now)
    refresh_planner_statistics()
    return now + EVERY
