"""What the processes of an install say about themselves, for health checks. Not tenant data."""

from __future__ import annotations

from django.db import models


class Heartbeat(models.Model):
    """The last sign of life of a long-running process: one row per process, rewritten in place.

    "scheduler" is the scheduler's last finished round, which readiness reports; "worker:<id>" is one
    background worker's, which the task lease reads (accord/delivery/worker.py) to tell a live worker's
    long task from a dead worker's orphan. Workers come and go, so housekeeping prunes their old rows."""

    name = models.CharField(max_length=80, primary_key=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"
