"""Local-time maths. Everything stored is UTC; everything a person sees or is asked happens in
their own zone, on their own working days.

DST rules, decided once here so that every feature behaves alike:
- a local time that does not exist (spring forward, e.g. 02:30 in New York on the change day) is
  moved forward by the size of the gap: "02:30" becomes 03:30, the moment a wall clock would show;
- a local time that happens twice (fall back) means the first occurrence (fold=0), so a prompt is
  never sent twice and never an hour late.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

UTC = dt.UTC


def to_utc(day: dt.date, at: dt.time, zone: ZoneInfo) -> dt.datetime:
    """The UTC instant of wall-clock time `at` on `day` in `zone`, resolving DST as documented above."""
    # PEP 495: with fold=0 a wall time inside a gap takes the offset from before the gap, which
    # lands on the reading shifted forward by the gap; inside a repeat it means the first occurrence.
    return dt.datetime.combine(day, at).replace(tzinfo=zone, fold=0).astimezone(UTC)


def local_now(zone: ZoneInfo, now: dt.datetime) -> dt.datetime:
    return now.astimezone(zone)


def utc_offset_label(zone: ZoneInfo, now: dt.datetime) -> str:
    offset = now.astimezone(zone).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{mins:02d}" if mins else "")


@dataclass(frozen=True)
class Hours:
    """A person's declared working hours: local start and end, ISO weekdays (1 = Monday)."""

    start: dt.time
    end: dt.time
    days: str
    zone: ZoneInfo

    def is_working_day(self, day: dt.date) -> bool:
        return str(day.isoweekday()) in self.days

    def window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The UTC interval of the working hours that start on local `day`, or None on a day off."""
        if not self.is_working_day(day):
            return None
        begin = to_utc(day, self.start, self.zone)
        end_day = day if self.end > self.start else day + dt.timedelta(days=1)
        return begin, to_utc(end_day, self.end, self.zone)

    def is_working(self, now: dt.datetime) -> bool:
        local_day = now.astimezone(self.zone).date()
        # A shift that began yesterday may still be running (overnight hours).
        for day in (local_day - dt.timedelta(days=1), local_day):
            span = self.window(day)
            if span and span[0] <= now < span[1]:
                return True
        return False

    def next_start(self, now: dt.datetime, horizon_days: int = 14) -> dt.datetime | None:
        """When working hours next begin after `now` (None if no working day within the horizon)."""
        local_day = now.astimezone(self.zone).date()
        for offset in range(horizon_days + 1):
            span = self.window(local_day + dt.timedelta(days=offset))
            if span and span[0] > now:
                return span[0]
        return None
