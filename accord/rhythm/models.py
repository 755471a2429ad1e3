"""Working across time zones: recurring meetings with a fair rotation and a burden log, team charters.

A recurring meeting's slots are wall-clock times in its own zone (`timezone`, the organiser's when it
was set up), on one weekday, so a meeting stays at "16:00 New York" across DST; what that means for each
person is worked out per occurrence in their own zone. The rotation cycles through its slots week by
week from `starts_on`. Each occurrence, once it has started, is written to the burden log: for each
person, the minutes outside their declared working hours and how many of those fell in their night.

A charter has a version; an edit marked as material bumps it, and everyone in the team is asked to
read and acknowledge the new version. New members are asked simply because they have no acknowledgement.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone as djtz

from accord.lib.choices import Weekday
from accord.lib.text import multi_line, single_line
from accord.orgs.models import validate_timezone

TEXT_MAX = 4000
MAX_MEETING_MINUTES = 8 * 60


class RecurringMeeting(models.Model):
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    name = models.CharField(max_length=200, validators=[single_line])
    organiser = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_MEETING_MINUTES)]
    )
    timezone = models.CharField(max_length=64, validators=[single_line, validate_timezone])
    # Local start times ("HH:MM") in `timezone`, taken in turn week after week.
    rotation = models.JSONField(default=list)
    starts_on = models.DateField(help_text="The local date of the first occurrence.")
    # Claimed by the scheduler: the next occurrence to write to the burden log once it has started.
    next_log_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=djtz.now)

    class Meta:
        indexes = [models.Index(fields=["org", "name"])]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Attendee(models.Model):
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    meeting = models.ForeignKey(RecurringMeeting, on_delete=models.CASCADE, related_name="attendees")
    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "meeting", "person"], name="one_attendance_per_person")
        ]
        indexes = [models.Index(fields=["org", "person"])]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.meeting_id}"


class Occurrence(models.Model):
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    meeting = models.ForeignKey(RecurringMeeting, on_delete=models.CASCADE, related_name="occurrences")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    local_start = models.CharField(max_length=5, help_text="The rotation slot, in the meeting's zone.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "meeting", "starts_at"], name="one_log_per_occurrence")
        ]
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"{self.meeting_id} at {self.starts_at:%Y-%m-%d %H:%M}"


class Burden(models.Model):
    """One person's inconvenience in one occurrence, as computed when it happened."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="burdens")
    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="+")
    outside_minutes = models.PositiveSmallIntegerField()
    night_minutes = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "occurrence", "person"], name="one_burden_per_person")
        ]
        indexes = [models.Index(fields=["org", "person"])]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.score}"

    @property
    def score(self) -> int:
        return self.outside_minutes + self.night_minutes


class Charter(models.Model):
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    team = models.OneToOneField("orgs.Team", on_delete=models.CASCADE, related_name="charter")
    sync_decisions = models.TextField(
        "Decided together, in a meeting", max_length=TEXT_MAX, blank=True, validators=[multi_line]
    )
    async_decisions = models.TextField(
        "Decided in writing, asynchronously", max_length=TEXT_MAX, blank=True, validators=[multi_line]
    )
    escalation = models.TextField(
        "How to escalate across time zones", max_length=TEXT_MAX, blank=True, validators=[multi_line]
    )
    meeting_norms = models.TextField(
        "Meeting norms", max_length=TEXT_MAX, blank=True, validators=[multi_line]
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=djtz.now)
    updated_by = models.ForeignKey(
        "orgs.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["org", "team"])]

    def __str__(self) -> str:
        return f"Charter of {self.team_id}"


class Channel(models.Model):
    """One row of a charter's "which channel for what" table."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="channels")
    purpose = models.CharField("What for", max_length=200, validators=[single_line])
    channel = models.CharField(max_length=120, validators=[single_line])
    response_time = models.CharField("Expected response", max_length=80, validators=[single_line])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["org", "charter"])]
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.purpose


class Acknowledgement(models.Model):
    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE)
    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="acknowledgements")
    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    acknowledged_at = models.DateTimeField(default=djtz.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "charter", "person"], name="one_acknowledgement_per_person"
            )
        ]
        indexes = [models.Index(fields=["org", "person"])]

    def __str__(self) -> str:
        return f"{self.person_id} read v{self.version}"
