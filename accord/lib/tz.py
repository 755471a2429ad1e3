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


# --- Intervals -----------------------------------------------------------------------------------
# Shared maths for anything that compares several people's hours (team maps, meeting times, who is
# reachable, handoffs): half-open UTC intervals [start, end), kept sorted and non-overlapping.

Interval = tuple[dt.datetime, dt.datetime]


def local_day_span(day: dt.date, zone: ZoneInfo) -> Interval:
    """The UTC interval of local `day` in `zone`: 23 or 25 hours long on DST change days."""
    return to_utc(day, dt.time(0), zone), to_utc(day + dt.timedelta(days=1), dt.time(0), zone)


def working_intervals(hours: Hours, start: dt.datetime, end: dt.datetime) -> list[Interval]:
    """The UTC intervals of `hours` that fall inside [start, end), clipped to it.

    Each local day's hours are placed in the zone's offset of that day, so a span that crosses a
    DST change gets both offsets; hours that started the local day before (overnight) are included.
    """
    first = start.astimezone(hours.zone).date() - dt.timedelta(days=1)
    last = end.astimezone(hours.zone).date()
    found: list[Interval] = []
    day = first
    while day <= last:
        span = hours.window(day)
        if span and span[0] < end and span[1] > start:
            found.append((max(span[0], start), min(span[1], end)))
        day += dt.timedelta(days=1)
    return merge(found)


def merge(intervals: list[Interval]) -> list[Interval]:
    """Sorted, with touching or overlapping intervals joined and empty ones dropped."""
    out: list[Interval] = []
    for begin, end in sorted(i for i in intervals if i[1] > i[0]):
        if out and begin <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((begin, end))
    return out


def intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """Where both lists cover the same time (both sorted and non-overlapping, as merge returns)."""
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        begin, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if begin < end:
            out.append((begin, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def intersect_all(lists: list[list[Interval]]) -> list[Interval]:
    """The time every list covers; empty for no lists at all (nobody means no common time)."""
    if not lists:
        return []
    common = lists[0]
    for other in lists[1:]:
        common = intersect(common, other)
    return common


def minutes(intervals: list[Interval]) -> int:
    return int(sum((end - begin).total_seconds() for begin, end in intervals) // 60)


@dataclass(frozen=True)
class HourCoverage:
    """One hour of a span: how many people work all of it, and how many only part of it."""

    start: dt.datetime
    end: dt.datetime
    full: int
    part: int


def coverage(per_person: list[list[Interval]], span: Interval) -> list[HourCoverage]:
    """Hour by hour across `span` (UTC hours from its start), who is working during that hour."""
    hours: list[HourCoverage] = []
    begin = span[0]
    while begin < span[1]:
        end = min(begin + dt.timedelta(hours=1), span[1])
        full = part = 0
        for intervals in per_person:
            covered = minutes(intersect(intervals, [(begin, end)]))
            if covered * 60 >= (end - begin).total_seconds():
                full += 1
            elif covered > 0:
                part += 1
        hours.append(HourCoverage(begin, end, full, part))
        begin = end
    return hours


def humanize_until(later: dt.datetime, now: dt.datetime) -> str:
    """“in 2 h 15 min”, “in 40 min”, “in 3 days”: how far `later` is from `now`, rounded down."""
    total = max(0, int((later - now).total_seconds() // 60))
    if total >= 48 * 60:
        return f"in {total // (24 * 60)} days"
    hours, mins = divmod(total, 60)
    if not hours:
        return f"in {mins} min"
    return f"in {hours} h" + (f" {mins} min" if mins else "")
