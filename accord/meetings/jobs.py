"""Periodic 1:1 work for the scheduler: the next occurrence of each series, when its latest one ends."""

from __future__ import annotations

import datetime as dt

from accord.lib.jobs import periodic

from .actions import schedule_next
from .models import OneOnOneSeries


@periodic("1:1 occurrences", OneOnOneSeries, "next_meeting_at")
def create_next_meeting(series: OneOnOneSeries, now: dt.datetime) -> dt.datetime | None:
    """Create the next meeting at the slot's local time (DST-correct) and carry open action items onto it.
    Runs inside the claim's transaction, so a crash leaves the series due and creates nothing."""
    if not series.active or not series.manager.is_active or not series.report.is_active:
        return None
    return schedule_next(series, now).ends_at
