"""Outcomes: goals aligned in a tree, measurable key results, and commitments that are kept or not.

Nothing here measures activity. Follow-through is about promises: commitments done by the date they
were due, over commitments that fell due (queries.follow_through).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone as djtz

from accord.lib.text import multi_line, single_line


class Level(models.TextChoices):
    COMPANY = "company", "Company"
    TEAM = "team", "Team"
    PERSON = "person", "Person"


class Goal(models.Model):
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    title = models.CharField(max_length=200, validators=[single_line])
    description = models.TextField(blank=True, validators=[multi_line])
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.TEAM)
    team = models.ForeignKey("orgs.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    owner = models.ForeignKey(
        "orgs.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="goals"
    )
    # Alignment: the goal this one contributes to (company → team → person).
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    # Private goals are visible only to the owner, the owner's manager and admins.
    private = models.BooleanField(default=False)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=djtz.now)

    class Meta:
        indexes = [
            models.Index(fields=["org", "parent"]),
            models.Index(fields=["org", "owner"]),
            models.Index(fields=["org", "team"]),
        ]
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class KeyResult(models.Model):
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="key_results")
    title = models.CharField(max_length=200, validators=[single_line])
    start = models.FloatField(default=0)
    target = models.FloatField()
    current = models.FloatField(default=0)
    unit = models.CharField(max_length=30, blank=True, validators=[single_line])
    # The owner's confidence that the target will be met, 0–100 %.
    confidence = models.PositiveSmallIntegerField(default=70)

    class Meta:
        indexes = [models.Index(fields=["org", "goal"])]
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title

    @property
    def progress(self) -> float:
        """0..1 from start to target, in either direction (a target below the start counts down)."""
        span = self.target - self.start
        if span == 0:
            return 0.0
        return max(0.0, min(1.0, (self.current - self.start) / span))

    @property
    def percent(self) -> int:
        return round(self.progress * 100)

    @property
    def confidence_tone(self) -> str:
        """A badge colour for the confidence: ok from 70 %, warn from 40 %, bad below."""
        return "ok" if self.confidence >= 70 else "warn" if self.confidence >= 40 else "bad"


class KeyResultUpdate(models.Model):
    """The progress history of a key result: every change of value or confidence."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="updates")
    value = models.FloatField()
    confidence = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=500, blank=True, validators=[single_line])
    by = models.ForeignKey("orgs.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField(default=djtz.now)

    class Meta:
        indexes = [models.Index(fields=["org", "key_result", "at"])]
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.value} at {self.at:%Y-%m-%d}"


class CommitmentStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class Commitment(models.Model):
    """A deliverable someone promised: an owner, a due date in the owner's own zone, a definition of done."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    owner = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="commitments")
    title = models.CharField(max_length=200, validators=[single_line])
    definition_of_done = models.TextField(validators=[multi_line])
    due_on = models.DateField(help_text="A date in the owner's time zone.")
    goal = models.ForeignKey(
        Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="commitments"
    )
    status = models.CharField(max_length=10, choices=CommitmentStatus.choices, default=CommitmentStatus.OPEN)
    # The owner's local date when it was marked done, to compare with due_on.
    done_on = models.DateField(null=True, blank=True)
    # Who wrote it down: the owner, or a manager or admin on the owner's behalf.
    created_by = models.ForeignKey(
        "orgs.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=djtz.now)

    class Meta:
        indexes = [
            models.Index(fields=["org", "owner", "due_on"]),
            models.Index(fields=["org", "status", "due_on"]),
        ]
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title
