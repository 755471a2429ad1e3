"""Follow-the-sun handoffs: a team's chain of shifts, the handoff notes between them, their items and
the escalations of notes nobody acknowledged.

Nothing here records presence or activity. The only times stored are when a note was written, when
it was acknowledged, and when we alerted someone; "who is on" always comes from declared hours.

The scheduler (accord.lib.jobs) claims `Handoff.next_step_at`: first the notice to the receiving
shift at its start, then the first escalation (the next person on hours in the receiving shift) and
then the second (the team's manager). See jobs.py.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db import models
from django.db.models import Q
from django.utils import timezone as djtz

from accord.lib.text import multi_line, single_line
from accord.orgs.models import day_ranges, validate_timezone, validate_work_days

from .shifts import ShiftHours

DEFAULT_ACK_WITHIN = 30  # minutes after the receiving shift starts
DEFAULT_ESCALATE_AFTER = 30  # minutes after the first escalation, before the manager hears
MAX_SHIFTS = 6
MAX_LINKS = 5
TITLE_MAX = 200
TEXT_MAX = 2000


class Chain(models.Model):
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    team = models.ForeignKey("orgs.Team", on_delete=models.CASCADE, related_name="handoff_chains")
    name = models.CharField(max_length=120, validators=[single_line])
    ack_within = models.PositiveSmallIntegerField(
        default=DEFAULT_ACK_WITHIN, help_text="Minutes after the receiving shift starts."
    )
    escalate_after = models.PositiveSmallIntegerField(
        default=DEFAULT_ESCALATE_AFTER, help_text="Minutes after the first escalation."
    )
    created_at = models.DateTimeField(default=djtz.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "team", "name"], name="handoff_chain_name")]
        indexes = [models.Index(fields=["org", "team"])]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Shift(models.Model):
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="shifts")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=60, validators=[single_line])
    timezone = models.CharField(max_length=64, validators=[single_line, validate_timezone])
    start = models.TimeField()
    end = models.TimeField()
    overnight = models.BooleanField(default=False)
    days = models.CharField(max_length=7, default="12345", validators=[single_line, validate_work_days])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["chain", "position"], name="handoff_shift_position"),
        ]
        indexes = [models.Index(fields=["org", "chain"])]
        ordering = ["chain", "position"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def hours(self) -> ShiftHours:
        return ShiftHours(self.name, self.zone, self.start, self.end, self.days, self.overnight)

    @property
    def day_names(self) -> str:
        return day_ranges(self.days)


class ShiftMember(models.Model):
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="handoff_shifts")
    # The order escalation asks people in, among those on hours.
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shift", "person"], name="handoff_shift_member")]
        indexes = [models.Index(fields=["org", "person"])]
        ordering = ["shift", "position", "id"]

    def __str__(self) -> str:
        return f"Person {self.person_id} in shift {self.shift_id}"


class Handoff(models.Model):
    """One note from an outgoing shift occurrence to the next shift's occurrence.

    People are deactivated, never deleted, so the cascades below only run when a whole organisation
    goes (and then everything must go with it)."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="handoffs")
    from_shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="handoffs_out")
    to_shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="handoffs_in")
    shift_day = models.DateField(help_text="The outgoing shift's local date (the day it started).")
    author = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="handoffs_written")
    urgent = models.TextField(blank=True, validators=[multi_line])
    written_at = models.DateTimeField(default=djtz.now)
    receiving_starts_at = models.DateTimeField()
    # `ack_within` after the receiving shift starts, or after the note was written if that is later
    # (shifts overlap for the handover, so a note often arrives after the next shift has begun).
    ack_due_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        "orgs.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notified_at = models.DateTimeField(null=True, blank=True)
    escalation_stage = models.PositiveSmallIntegerField(default=0)  # 0 none, 1 next on hours, 2 manager
    # Claimed by the scheduler: the notice, then each escalation; None once nothing more is due.
    next_step_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "from_shift", "shift_day"], name="handoff_once_per_shift"
            ),
        ]
        indexes = [
            models.Index(fields=["org", "chain", "written_at"]),
            models.Index(
                fields=["next_step_at"], name="handoff_step_due", condition=Q(next_step_at__isnull=False)
            ),
        ]
        ordering = ["-written_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_shift_id} → {self.to_shift_id} on {self.shift_day}"

    @property
    def readable_from(self) -> dt.datetime:
        """When the receiving shift could first read it: its start, or later if the note came late."""
        return max(self.receiving_starts_at, self.written_at)

    @property
    def time_to_ack(self) -> dt.timedelta | None:
        if self.acknowledged_at is None:
            return None
        return max(self.acknowledged_at - self.readable_from, dt.timedelta(0))

    @property
    def late(self) -> bool:
        return self.acknowledged_at is not None and self.acknowledged_at > self.ack_due_at


class Status(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    WAITING = "waiting", "Waiting on someone else"
    CLOSED = "closed", "Closed"


class Item(models.Model):
    """An open piece of work that travels with the sun until it is closed. Exactly one owner at any
    time: the column is NOT NULL and every action that changes it checks the new owner."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(max_length=TITLE_MAX, validators=[single_line])
    owner = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="handoff_items")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    next_step = models.TextField(blank=True, validators=[multi_line])
    links = models.JSONField(default=list, blank=True)
    # How many handoffs after the first one have carried it while still open.
    carried = models.PositiveIntegerField(default=0)
    created_in = models.ForeignKey(Handoff, on_delete=models.SET_NULL, null=True, related_name="+")
    last_handoff = models.ForeignKey(Handoff, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=djtz.now)
    updated_at = models.DateTimeField(default=djtz.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["org", "chain", "closed_at"])]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title


class Entry(models.Model):
    """An item as one handoff wrote it: later changes to the item leave the note as it was read."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    handoff = models.ForeignKey(Handoff, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="entries")
    title = models.CharField(max_length=TITLE_MAX, validators=[single_line])
    owner = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices)
    next_step = models.TextField(blank=True, validators=[multi_line])
    links = models.JSONField(default=list, blank=True)
    carried = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["org", "handoff"])]
        ordering = ["handoff", "id"]

    def __str__(self) -> str:
        return self.title


class Escalation(models.Model):
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    handoff = models.ForeignKey(Handoff, on_delete=models.CASCADE, related_name="escalations")
    stage = models.PositiveSmallIntegerField()  # 1: next on hours in the receiving shift; 2: manager
    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=djtz.now)

    class Meta:
        indexes = [models.Index(fields=["org", "handoff"])]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Escalation {self.stage} of handoff {self.handoff_id}"
