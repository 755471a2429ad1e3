"""Organisations (tenants), teams and people.

Every tenant-owned table in Accord carries its own ``org`` foreign key and indexes that start
with it, even where a join could reach the organisation: queries never have to trust a join to
stay inside a tenant, and ``org`` is the distribution column should a deployment shard.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone as djtz

from accord.lib.text import multi_line, single_line

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


@cache
def valid_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    if value not in valid_timezones():
        raise ValidationError(f"“{value}” is not a known IANA time zone (for example Europe/Berlin).")


def validate_work_days(value: str) -> None:
    if not value or any(c not in "1234567" for c in value) or len(set(value)) != len(value):
        raise ValidationError("Working days must be one or more distinct ISO weekdays, 1 (Mon) to 7 (Sun).")


def day_ranges(days: str) -> str:
    """'12345' -> 'Mon–Fri', '1235' -> 'Mon–Wed, Fri', '7' -> 'Sun'."""
    numbers = sorted(int(d) for d in days)
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    parts = []
    for run in runs:
        first, last = WEEKDAYS[run[0] - 1], WEEKDAYS[run[-1] - 1]
        parts.append(first if len(run) == 1 else f"{first}, {last}" if len(run) == 2 else f"{first}–{last}")
    return ", ".join(parts)


class Organisation(models.Model):
    name = models.CharField(max_length=200, validators=[single_line])
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(default=djtz.now)
    # Claimed by the scheduler (lib/jobs.py) with a conditional update; see orgs/jobs.py.
    next_housekeeping_at = models.DateTimeField(default=djtz.now, db_index=True)

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=120, validators=[single_line])
    # Removing a team lifts its sub-teams one level rather than deleting them or blocking the delete.
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    description = models.TextField(blank=True, validators=[multi_line])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "parent", "name"], name="team_unique_name_per_parent"),
        ]
        indexes = [models.Index(fields=["org", "parent"])]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    MEMBER = "member", "Member"
    ADMIN = "admin", "Admin"
    OWNER = "owner", "Owner"


class Person(models.Model):
    """A membership: one user in one organisation, with everything the organisation knows of them."""

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="people")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="people"
    )
    email = models.EmailField(validators=[single_line])
    name = models.CharField(max_length=200, validators=[single_line])
    title = models.CharField(max_length=200, blank=True, validators=[single_line])
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="members")
    manager = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    timezone = models.CharField(max_length=64, default="UTC", validators=[single_line, validate_timezone])
    work_start = models.TimeField(default=dt.time(9, 0))
    work_end = models.TimeField(default=dt.time(17, 0))
    # Hours that end before they start run past midnight; they are allowed only when marked, so a
    # typo such as 17:00–09:00 is caught instead of silently becoming a night shift.
    work_overnight = models.BooleanField(
        "Overnight", default=False, help_text="Tick if your working hours run past midnight (a night shift)."
    )
    work_days = models.CharField(max_length=7, default="12345", validators=[single_line, validate_work_days])
    location = models.CharField(max_length=200, blank=True, validators=[single_line])
    start_date = models.DateField(null=True, blank=True)
    # Birthdays are opt-in and never carry a year.
    birthday_month = models.PositiveSmallIntegerField(null=True, blank=True)
    birthday_day = models.PositiveSmallIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=djtz.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "email"], name="person_unique_email_per_org"),
            models.UniqueConstraint(fields=["org", "user"], name="person_unique_user_per_org"),
        ]
        indexes = [
            models.Index(fields=["org", "team"]),
            models.Index(fields=["org", "manager"]),
            models.Index(fields=["org", "name"]),
            # The directory: its count and its pages in name order read this index alone, and the time
            # zones it offers come from the second without reading the table.
            models.Index(fields=["org", "is_active", "name"], name="person_directory_idx"),
            models.Index(fields=["org", "timezone"], name="person_org_timezone_idx"),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_admin(self) -> bool:
        return self.role in (Role.ADMIN, Role.OWNER)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def work_day_names(self) -> str:
        return day_ranges(self.work_days)

    @property
    def birthday(self) -> dt.date | None:
        if self.birthday_month and self.birthday_day:
            return dt.date(2000, self.birthday_month, self.birthday_day)  # a leap year, so 29 Feb fits
        return None
