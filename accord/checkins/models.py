"""Async check-ins: a template per team, a schedule per member, the check-ins themselves and blockers.

Nothing here records hours, presence or activity. A check-in is what a person chose to write, when
they chose to write it; the only times stored are when we asked, when it closes and when it was sent.

The scheduler (lib/jobs.py) claims three kinds of due rows (see jobs.py):
- CheckinSchedule.next_plan_at, one row per organisation: plans the coming day of check-ins for every
  member in bulk (a few statements for a whole organisation, however large);
- Checkin.next_send_at: the prompt email, then the one reminder, each claimed row by row;
- CheckinSettings.next_digest_at: a manager's digest at their own local time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone as djtz

from accord.lib.text import multi_line

BLOCKERS_TEXT = "Anything blocking me"
DEFAULT_QUESTIONS: list[dict[str, Any]] = [
    {"key": "q1", "text": "What I got done", "blocker": False},
    {"key": "q2", "text": "What's next", "blocker": False},
    {"key": "q3", "text": BLOCKERS_TEXT, "blocker": True},
]
MAX_QUESTIONS = 6
QUESTION_MAX = 200
ANSWER_MAX = 4000
DEFAULT_PROMPT_TIME = dt.time(9, 0)
DEFAULT_DIGEST_TIME = dt.time(17, 30)

MOODS = {1: "Rough", 2: "Meh", 3: "Okay", 4: "Good", 5: "Great"}


def default_questions() -> list[dict[str, Any]]:
    return [dict(q) for q in DEFAULT_QUESTIONS]


class Cadence(models.TextChoices):
    DAILY = "daily", "Daily, on each person's working days"
    WEEKLY = "weekly", "Weekly"


class Digest(models.TextChoices):
    DAILY = "daily", "Every working day"
    WEEKLY = "weekly", "Once a week, on my last working day"
    OFF = "off", "Never"


class CheckinSchedule(models.Model):
    """The organisation's planner row: when the scheduler next plans the coming day of check-ins."""

    org = models.OneToOneField("orgs.Organisation", on_delete=models.CASCADE, related_name="checkin_schedule")
    next_plan_at = models.DateTimeField(default=djtz.now)
    # Hourly runs look for new members only among person ids above this (ids only grow); a full look,
    # for members who gained a team or a sign-in and for new managers, runs once a day.
    people_seen_upto = models.BigIntegerField(default=0)
    full_scan_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Scheduler indexes span organisations (the scheduler does): they do not start with org.
        indexes = [models.Index(fields=["next_plan_at"], name="checkin_schedule_due")]

    def __str__(self) -> str:
        return f"Check-in schedule of org {self.org_id}"


class CheckinTemplate(models.Model):
    """A team's questions and cadence. `questions` is a list of {key, text, blocker}; exactly one or
    none is the blockers question, whose non-empty answers become Blocker rows."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    team = models.OneToOneField("orgs.Team", on_delete=models.CASCADE, related_name="checkin_template")
    questions = models.JSONField(default=default_questions)
    cadence = models.CharField(max_length=10, choices=Cadence.choices, default=Cadence.DAILY)
    # ISO weekday (1 = Monday) of a weekly check-in; people who don't work that day check in on their
    # first working day after it.
    weekday = models.PositiveSmallIntegerField(default=1)
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=djtz.now)

    class Meta:
        indexes = [models.Index(fields=["org", "team"])]

    def __str__(self) -> str:
        return f"Check-in template of team {self.team_id}"


class CheckinSettings(models.Model):
    """One member's own choices, and where the scheduler stands for them."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    person = models.OneToOneField("orgs.Person", on_delete=models.CASCADE, related_name="checkin_settings")
    # Local wall-clock time, in the person's own zone.
    prompt_time = models.TimeField(default=DEFAULT_PROMPT_TIME)
    # The planning cursor: the UTC instant of the next check-in not yet planned.
    next_prompt_at = models.DateTimeField(null=True, blank=True)
    digest = models.CharField(max_length=10, choices=Digest.choices, default=Digest.DAILY)
    digest_time = models.TimeField(default=DEFAULT_DIGEST_TIME)
    # Managers only: when their next digest goes out, and the end of the last one's window.
    next_digest_at = models.DateTimeField(null=True, blank=True)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["org", "next_prompt_at"]),
            models.Index(
                fields=["next_digest_at"],
                name="checkin_digest_due",
                condition=Q(next_digest_at__isnull=False),
            ),
        ]
        verbose_name_plural = "check-in settings"

    def __str__(self) -> str:
        return f"Check-in settings of person {self.person_id}"


class Checkin(models.Model):
    """One person's check-in for one local day: asked, reminded once, closed at the end of their day.

    The planner inserts a day of these for a whole organisation at once, so the table keeps few
    indexes: every read goes through one that starts with org (no separate org index is needed).
    """

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, db_index=False)
    # Found through (org, person, day); people are deactivated, never deleted, so no index of its own.
    person = models.ForeignKey(
        "orgs.Person", on_delete=models.CASCADE, related_name="checkins", db_index=False
    )
    # The team when it was planned: its template's questions, its feed.
    team = models.ForeignKey(
        "orgs.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    day = models.DateField(help_text="The person's local date this check-in is for.")
    prompt_at = models.DateTimeField()
    reminder_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField()
    # Claimed by the scheduler: the prompt, then the reminder; None once nothing more is due.
    next_send_at = models.DateTimeField(null=True, blank=True)
    prompts_sent = models.PositiveSmallIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # [{key, question, answer, blocker}] as asked and answered: later template edits leave it alone.
    answers = models.JSONField(default=list, blank=True)
    # [{id, title, status}]: commitments this check-in changed.
    commitment_updates = models.JSONField(default=list, blank=True)
    # 1–5, private to the person unless `mood_shared` (then their manager sees it too).
    mood = models.PositiveSmallIntegerField(null=True, blank=True)
    mood_shared = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "person", "day"], name="checkin_once_a_day"),
            models.CheckConstraint(
                condition=Q(mood__isnull=True) | Q(mood__gte=1, mood__lte=5), name="checkin_mood_1_to_5"
            ),
        ]
        indexes = [
            # The team feed reads sent check-ins only; planned ones stay out of this index.
            models.Index(
                fields=["org", "team", "submitted_at"],
                name="checkin_team_feed",
                condition=Q(submitted_at__isnull=False),
            ),
            models.Index(
                fields=["next_send_at"], name="checkin_send_due", condition=Q(next_send_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"Check-in of person {self.person_id} for {self.day}"

    def is_open(self, now: dt.datetime) -> bool:
        return self.submitted_at is None and now < self.closes_at


class Blocker(models.Model):
    """A non-empty answer to the blockers question: seen (acknowledged) and then resolved."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    checkin = models.OneToOneField(Checkin, on_delete=models.CASCADE, related_name="blocker")
    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="checkin_blockers")
    team = models.ForeignKey("orgs.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    text = models.TextField(validators=[multi_line])
    created_at = models.DateTimeField(default=djtz.now)
    acknowledged_by = models.ForeignKey(
        "orgs.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        "orgs.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["org", "team", "resolved_at"]),
            models.Index(fields=["org", "person", "resolved_at"]),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def status(self) -> str:
        if self.resolved_at:
            return "resolved"
        return "acknowledged" if self.acknowledged_at else "open"
