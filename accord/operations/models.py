"""What the processes of an install say about themselves, for health checks. Not tenant data."""

from __future__ import annotations

from django.db import models


class Heartbeat(models.Model):
    """The last time a long-running part (the scheduler) finished a round of work: one row per part,
    rewritten in place, so that a readiness check can tell a live loop from a dead or stuck one."""

    name = models.CharField(max_length=40, primary_key=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"
