from __future__ import annotations

import datetime as dt

from .models import Heartbeat

WORKER = "worker:"  # the prefix of a background worker's heartbeat; the rest is its id


def beat(name: str, at: dt.datetime) -> None:
    """Record that `name` finished a round of work at `at` (one cheap upsert on its own row)."""
    Heartbeat.objects.update_or_create(name=name, defaults={"at": at})


def worker_beat(worker_id: str, at: dt.datetime) -> None:
    beat(WORKER + worker_id, at)


def forget_workers(before: dt.datetime) -> int:
    """Remove the heartbeats of workers silent since before `before`; the scheduler's row stays, so
    readiness can still say when it last ticked, however long ago."""
    return Heartbeat.objects.filter(name__startswith=WORKER, at__lt=before).delete()[0]
