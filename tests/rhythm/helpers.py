from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from accord.orgs.models import Person

UTC = ZoneInfo("UTC")


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, tzinfo=dt.UTC)


def person(zone: str, start=(9, 0), end=(17, 0), days="12345", overnight=False, pk=None, name=None) -> Person:
    """An unsaved person: the maths needs only hours and a zone."""
    return Person(
        pk=pk,
        name=name or zone,
        timezone=zone,
        work_start=dt.time(*start),
        work_end=dt.time(*end),
        work_days=days,
        work_overnight=overnight,
    )
