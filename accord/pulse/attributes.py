"""The coarse attributes an answer set keeps for slicing: tenure band and region. Nothing finer."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from accord.orgs.models import Person


def tenure_band(start: dt.date | None, on: dt.date) -> str:
    # Someone with no recorded start date counts in the middle band rather than a band of their own,
    # which could otherwise single them out.
    if start is None:
        return "1-3y"
    days = (on - start).days
    if days < 365:
        return "under-1y"
    if days < 3 * 365:
        return "1-3y"
    return "over-3y"


def region(zone_name: str) -> str:
    """Americas, EMEA or Asia-Pacific from the zone's standard (mid-January) UTC offset.

    Offsets, not zone-name prefixes: Asia/Dubai belongs with Europe and Africa for working-hour
    purposes, and Atlantic/ and Pacific/ zones fall on both sides.
    """
    probe = dt.datetime(2026, 1, 15, 12, tzinfo=dt.UTC).astimezone(ZoneInfo(zone_name))
    hours = (probe.utcoffset() or dt.timedelta(0)).total_seconds() / 3600
    if hours <= -2.5:
        return "americas"
    if hours <= 4.0:
        return "emea"
    return "apac"


def snapshot(person: Person, on: dt.date) -> tuple[int | None, str, str]:
    return person.team_id, tenure_band(person.start_date, on), region(person.timezone)
