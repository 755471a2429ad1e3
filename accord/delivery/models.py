"""What the background worker needs beyond django-tasks-db's own table: an outbox row per outgoing
message (its idempotency key), a heartbeat per worker (the lease on the tasks it runs), and the
housekeeping chores the scheduler runs. None of them is tenant data: they hold no organisation's text."""

from __future__ import annotations

from django.db import models


class SentMessage(models.Model):
    """One outgoing message, by idempotency key. `sent_at` is set in the transaction that hands the message
    to the mail server (accord.lib.mail), so a task run again (reclaimed from a dead worker, or enqueued
    twice) sees it and sends nothing. `starts` counts the runs that began a send: more than one means a
    run died mid-send or the server was unreachable."""

    key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    starts = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="delivery_sent_created_idx")]

    def __str__(self) -> str:
        return self.key


class Chore(models.Model):
    """A periodic housekeeping job for the scheduler (accord.lib.jobs), one row per kind of chore."""

    name = models.CharField(max_length=40, primary_key=True)
    next_run_at = models.DateTimeField(null=True, blank=True, db_index=True)

    def __str__(self) -> str:
        return self.name
