"""Periodic work for the scheduler: write each recurring meeting's occurrences to the burden log."""

from __future__ import annotations

import datetime as dt

from accord.lib.jobs import periodic

from .actions import log_occurrences
from .models import RecurringMeeting


@periodic("meeting burden log", RecurringMeeting, "next_log_at")
def log_meeting(meeting: RecurringMeeting, now: dt.datetime) -> dt.datetime | None:
    """Log every occurrence that has started (with each attendee's cost from their hours at the time)
    and wait for the next one. Runs inside the claim's transaction, so a crash logs nothing twice."""
    return log_occurrences(meeting, now)
