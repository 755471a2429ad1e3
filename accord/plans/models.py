"""Improvement plans: one person, measurable milestones, an end date, and the manager's own obligations.

A plan is seen by four people at most: the person, the manager who holds it, the HR contact named on it and
the organisation's HR lead (PlanSettings). It never feeds a team figure or any other aggregate.

Every change is one more PlanEvent row. Events are never updated or deleted (their queryset refuses both),
so the history a person acknowledged against cannot be rewritten afterwards.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.utils import timezone as djtz

from accord.lib.text import multi_line, single_line

TITLE_MAX = 200
CRITERION_MAX = 500
TEXT_MAX = 4000
DEFAULT_BLOCKER_DAYS = 5
# Notices go out this many days after a lingering plan's end date (day +1 to the manager and the HR
# contact, +7 and +14 to the HR lead), at this hour in each recipient's own zone.
NOTICE_DAYS = (1, 7, 14)
NOTICE_HOUR = dt.time(9, 0)


class PlanSettings(models.Model):
    """Per organisation: who leads HR for plans, and how long a blocker may wait unacknowledged."""

    org = models.OneToOneField("orgs.Organisation", on_delete=models.CASCADE, related_name="plan_settings")
    hr_lead = models.ForeignKey(
        "orgs.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    blocker_days = models.PositiveSmallIntegerField(default=DEFAULT_BLOCKER_DAYS)

    def __str__(self) -> str:
        return f"Plan settings of {self.org_id}"


class Plan(models.Model):
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="plans")
    # People leave by being deactivated, so these rows stay; a Person row goes only with its organisation
    # (which must be able to take its plans with it) or by erasure.
    manager = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="plans_held")
    hr_contact = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="plans_as_hr")
    title = models.CharField(max_length=TITLE_MAX, validators=[single_line])
    reason = models.TextField(blank=True, max_length=TEXT_MAX, validators=[multi_line])
    starts_on = models.DateField()
    end_date = models.DateField()
    # The manager's obligations: a held 1:1 every week, written feedback on every milestone.
    weekly_one_on_one = models.BooleanField(default=True)
    feedback_per_milestone = models.BooleanField(default=True)
    # Every change to the terms bumps `version`; the person's acknowledgement is of one version.
    # `agreed_end_date` is the end date that binds: the one the plan opened with, then the one of the last
    # version the person acknowledged, so an extension they have not seen never stops the clock.
    version = models.PositiveIntegerField(default=1)
    acknowledged_version = models.PositiveIntegerField(default=0)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    agreed_end_date = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=djtz.now)

    class Meta:
        indexes = [
            models.Index(fields=["org", "person"]),
            models.Index(fields=["org", "manager"]),
            models.Index(fields=["org", "hr_contact"]),
            models.Index(fields=["org", "closed_at", "end_date"]),
        ]
        ordering = ["end_date", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_version == self.version

    @property
    def binding_end(self) -> dt.date:
        """The end date that counts for lingering: the one the plan opened with or the person last
        acknowledged. A later change (an extension, say) binds only once they acknowledge it."""
        return self.agreed_end_date or self.end_date


class Outcome(models.TextChoices):
    OPEN = "open", "Not decided"
    MET = "met", "Met"
    NOT_MET = "not_met", "Not met"


class Milestone(models.Model):
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="milestones")
    criterion = models.CharField(max_length=CRITERION_MAX, validators=[single_line])
    due_date = models.DateField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    feedback = models.TextField(blank=True, max_length=TEXT_MAX, validators=[multi_line])
    feedback_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["org", "plan"])]
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.criterion[:60]


class EntryKind(models.TextChoices):
    EVIDENCE = "evidence", "Evidence"
    COMMENT = "comment", "Comment"


class PlanEntry(models.Model):
    """Evidence or a comment, from either side; evidence may point at one of the person's commitments
    or check-ins."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="entries")
    milestone = models.ForeignKey(
        Milestone, on_delete=models.SET_NULL, null=True, blank=True, related_name="entries"
    )
    author = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=EntryKind.choices)
    text = models.TextField(max_length=TEXT_MAX, validators=[multi_line])
    commitment = models.ForeignKey(
        "goals.Commitment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    checkin = models.ForeignKey(
        "checkins.Checkin", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=djtz.now)

    class Meta:
        indexes = [models.Index(fields=["org", "plan", "created_at"])]
        ordering = ["created_at", "id"]
        verbose_name_plural = "entries"

    def __str__(self) -> str:
        return self.text[:60]


class AppendOnly(models.QuerySet["PlanEvent"]):
    """History is written once: bulk updates and deletes are refused (a cascade from the organisation's
    own deletion goes around the queryset, so removing a whole tenant still works)."""

    def update(self, **kwargs: Any) -> int:
        raise TypeError("Plan history is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("Plan history is append-only.")


class PlanEvent(models.Model):
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        "orgs.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=40, validators=[single_line])
    # The plan's version after the change, and what changed, in words a person reads.
    version = models.PositiveIntegerField()
    summary = models.TextField(max_length=TEXT_MAX, validators=[multi_line])
    at = models.DateTimeField(default=djtz.now)

    objects = AppendOnly.as_manager()

    class Meta:
        indexes = [models.Index(fields=["org", "plan", "at"])]
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} on plan {self.plan_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("Plan history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("Plan history is append-only.")


class PlanNotice(models.Model):
    """One message about a plan past its end: to one recipient, for one stage (days after the end date)
    of one binding end date. The unique constraint and the scheduler's claim make each go out once."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="notices")
    recipient = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="+")
    end_date = models.DateField()
    stage = models.PositiveSmallIntegerField()
    send_at = models.DateTimeField()
    next_send_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "plan", "end_date", "stage", "recipient"], name="plan_notice_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_send_at"],
                name="plan_notice_due",
                condition=models.Q(next_send_at__isnull=False),
            ),
            models.Index(fields=["org", "plan"]),
        ]

    def __str__(self) -> str:
        return f"Plan {self.plan_id} day +{self.stage} to {self.recipient_id}"
