"""1:1 series, made through the action the page uses."""

from __future__ import annotations

import datetime as dt

from accord.meetings.actions import Slot, create_series
from accord.meetings.models import Cadence


def make_series(
    org,
    manager,
    report,
    *,
    actor=None,
    cadence=Cadence.WEEKLY,
    weekday=2,
    at=dt.time(10),
    now=None,
    minutes=30,
):
    return create_series(
        org,
        actor=actor or manager,
        manager=manager,
        report=report,
        slot=Slot(cadence, weekday, at, minutes),
        now=now,
    )
