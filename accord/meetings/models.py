"""1:1s: a series per manager–report pair, its meetings, shared agendas, private notes and action items.

The slot of a series is a wall-clock time in the manager's zone (snapshotted on the series, so that a
manager who moves does not silently move every meeting); each meeting is stored as a UTC instant worked
out from that slot by `lib/tz.to_utc`, so a weekly 09:00 stays 09:00 local across DST changes.

The scheduler (jobs.py) claims a series when its latest meeting has ended (`next_meeting_at`), creates
the next occurrence and carries open action items onto it.
"""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone as djtz

from accord.lib.choices import Weekday
from accord.lib.text import multi_line, single_line
from accord.orgs.models import validate_timezone

TEXT_MAX = 2000
NOTE_MAX = 20000


def new_uid() -> str:
    return f"{uuid.uuid4()}@accord"


class Cadence(models.TextChoices):
    WEEKLY = "weekly", "Every week"
    FORTNIGHTLY = "fortnightly", "Every 2 weeks"
    MONTHLY = "monthly", "Monthly (same weekday of the month)"


class OneOnOneSeries(models.Model):
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    manager = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="series_as_manager")
    report = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="series_as_report")
    cadence = models.CharField(max_length=12, choices=Cadence.choices, default=Cadence.WEEKLY)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, default=Weekday.TUESDAY)
    start_time = models.TimeField(help_text="Local wall-clock time in the manager's zone.")
    duration_minutes = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(10), MaxValueValidator(180)]
    )
    # The manager's zone when the slot was last set: the zone the slot's wall-clock time is read in.
    timezone = models.CharField(max_length=64, validators=[single_line, validate_timezone])
    # The first occurrence of the current version of the series (local date in `timezone`): the DTSTART
    # of its calendar event, and the anchor every later occurrence is counted from.
    starts_on = models.DateField()
    uid = models.CharField(max_length=120, unique=True, default=new_uid)
    # RFC 5545 SEQUENCE: bumped on every change that is sent out as an update.
    sequence = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Claimed by the scheduler: when the latest meeting ends, the next one is created.
    next_meeting_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=djtz.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "manager", "report"],
                condition=models.Q(active=True),
                name="one_active_series_per_pair",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "manager"]),
            models.Index(fields=["org", "report"]),
        ]
        verbose_name = "1:1 series"
        verbose_name_plural = "1:1 series"

    def __str__(self) -> str:
        return f"1:1 {self.manager_id}–{self.report_id}"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    SKIPPED = "skipped", "Skipped"


class Meeting(models.Model):
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    series = models.ForeignKey(OneOnOneSeries, on_delete=models.CASCADE, related_name="meetings")
    scheduled_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    # Shared notes both people can read (minutes); private thoughts go in PrivateNote.
    notes = models.TextField(blank=True, max_length=NOTE_MAX, validators=[multi_line])
    marked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=djtz.now)

    class Meta:
        constraints = [
            # Also the index the series page and the health figures read through.
            models.UniqueConstraint(
                fields=["org", "series", "scheduled_at"], name="one_meeting_per_occurrence"
            ),
        ]
        indexes = [models.Index(fields=["org", "scheduled_at"])]
        ordering = ["scheduled_at"]

    def __str__(self) -> str:
        return f"Meeting {self.series_id} at {self.scheduled_at:%Y-%m-%d %H:%M}"


class AgendaItem(models.Model):
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    author = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=TEXT_MAX, validators=[single_line])
    done = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=djtz.now)

    class Meta:
        indexes = [models.Index(fields=["org", "meeting"])]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class PrivateNote(models.Model):
    """One per side per meeting, readable only by its author: never by the other person, nor by admins."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="private_notes")
    author = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="+")
    text = models.TextField(max_length=NOTE_MAX, validators=[multi_line])
    updated_at = models.DateTimeField(default=djtz.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "meeting", "author"], name="one_private_note_per_side"),
        ]

    def __str__(self) -> str:
        return f"Private note of {self.author_id}"


class ActionItem(models.Model):
    """Agreed in a meeting (`raised_in`); sits on the series' latest meeting (`meeting`) until done."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    series = models.ForeignKey(OneOnOneSeries, on_delete=models.CASCADE, related_name="action_items")
    raised_in = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="raised_actions")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items")
    owner = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=TEXT_MAX, validators=[single_line])
    due_on = models.DateField(null=True, blank=True)
    carried = models.PositiveSmallIntegerField(default=0, help_text="Meetings it has been carried over to.")
    created_at = models.DateTimeField(default=djtz.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["org", "series", "done_at"]),
            models.Index(fields=["org", "meeting"]),
        ]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class CalendarFeed(models.Model):
    """A person's private calendar feed URL. Only the token's hash is stored, like API tokens."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=djtz.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "person"], name="one_feed_per_person")]

    def __str__(self) -> str:
        return f"Calendar feed of {self.person_id}"
