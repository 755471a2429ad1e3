"""Choices that several apps store the same way."""

from __future__ import annotations

from django.db import models


class Weekday(models.IntegerChoices):
    """ISO weekday numbers, as Python's date.isoweekday() and Person.work_days count them."""

    MONDAY = 1, "Monday"
    TUESDAY = 2, "Tuesday"
    WEDNESDAY = 3, "Wednesday"
    THURSDAY = 4, "Thursday"
    FRIDAY = 5, "Friday"
    SATURDAY = 6, "Saturday"
    SUNDAY = 7, "Sunday"
