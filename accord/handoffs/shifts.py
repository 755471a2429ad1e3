"""Shift maths for follow-the-sun chains: when each shift really runs, and whether a chain hands over
cleanly, computed per date in each shift's real zone (never with a fixed offset).

Rules, decided here once:
- a shift starts on each of its working days (ISO weekdays, in its own zone) at its local start and
  ends at its local end the same day, or the next day when it is explicitly marked overnight; an end
  at or before the start without that mark is an error, and so is the mark on a same-day shift;
- wall-clock times that DST skips or repeats resolve as accord.lib.tz.to_utc documents;
- a chain is a cycle: shift 1 hands to shift 2, ..., the last hands back to shift 1 on the first
  shift's next working day. The first shift's working days are the chain's days: a day that is not
  one of them is a planned break (a weekend), not a gap;
- between one shift and the next, up to HANDOVER_OVERLAP of overlap is allowed (time for the
  handover itself); more overlap, or any gap, is reported with the UTC hours and the dates it happens.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from accord.lib.tz import UTC, to_utc
from accord.orgs.models import WEEKDAYS, day_ranges

HANDOVER_OVERLAP = dt.timedelta(minutes=60)
CHECK_DAYS = 366  # a year from the first checked date sees every DST change of every zone
# The receiving shift's occurrence must start within this of the outgoing end to be "the next one".
NEIGHBOURHOOD = dt.timedelta(hours=12)


@dataclass(frozen=True)
class ShiftHours:
    """What the maths needs of a shift: its name, zone, local hours and working days."""

    name: str
    zone: ZoneInfo
    start: dt.time
    end: dt.time
    days: str
    overnight: bool = False

    def runs_on(self, day: dt.date) -> bool:
        return str(day.isoweekday()) in self.days

    def span(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The UTC interval of the occurrence that starts on local `day`, or None on a day off."""
        if not self.runs_on(day):
            return None
        begin = to_utc(day, self.start, self.zone)
        end_day = day + dt.timedelta(days=1) if self.overnight else day
        return begin, to_utc(end_day, self.end, self.zone)

    def occurrence_near(self, at: dt.datetime) -> tuple[dt.date, dt.datetime, dt.datetime] | None:
        """The occurrence whose start is closest to `at` within NEIGHBOURHOOD: (local day, start, end)."""
        local = at.astimezone(self.zone).date()
        best = None
        for offset in (-1, 0, 1):
            day = local + dt.timedelta(days=offset)
            found = self.span(day)
            if (
                found
                and abs(found[0] - at) <= NEIGHBOURHOOD
                and (best is None or abs(found[0] - at) < best[0])
            ):
                best = (abs(found[0] - at), day, found)
        return (best[1], *best[2]) if best else None

    def current_or_last(
        self, now: dt.datetime, horizon_days: int = 8
    ) -> tuple[dt.date, dt.datetime, dt.datetime] | None:
        """The occurrence running at `now`, else the one that ended most recently (within the horizon)."""
        local = now.astimezone(self.zone).date()
        for back in range(horizon_days + 1):
            day = local - dt.timedelta(days=back)
            found = self.span(day)
            if found and found[0] <= now:
                return day, *found
        return None

    def next_after(
        self, after: dt.datetime, horizon_days: int = 8
    ) -> tuple[dt.date, dt.datetime, dt.datetime] | None:
        """The first occurrence that starts strictly after `after`."""
        local = after.astimezone(self.zone).date() - dt.timedelta(days=1)
        for ahead in range(horizon_days + 2):
            day = local + dt.timedelta(days=ahead)
            found = self.span(day)
            if found and found[0] > after:
                return day, *found
        return None


def shape_errors(start: dt.time, end: dt.time, overnight: bool) -> list[str]:
    """What is wrong with one shift's hours on their own, in the words the form shows."""
    if end == start:
        return ["A shift cannot start and end at the same time."]
    if end < start and not overnight:
        return [
            f"This shift ends ({end:%H:%M}) before it starts ({start:%H:%M}). If it really runs past "
            "midnight, tick “Overnight”."
        ]
    if end > start and overnight:
        return [f"Marked overnight, but {start:%H:%M}–{end:%H:%M} ends the same day. Untick “Overnight”."]
    return []


@dataclass(frozen=True)
class CoverageProblem:
    """One gap or too-large overlap between two shifts, at the same UTC hours on one or more dates."""

    kind: str  # "gap" or "overlap"
    after: str  # the outgoing shift's name
    before: str  # the receiving shift's name
    begin: dt.time  # UTC
    end: dt.time  # UTC
    dates: tuple[dt.date, ...]  # the outgoing shift's local dates

    @property
    def hours(self) -> str:
        return f"{self.begin:%H:%M}–{self.end:%H:%M} UTC"

    @property
    def message(self) -> str:
        what = "Uncovered" if self.kind == "gap" else "Overlap longer than the allowed hour"
        between = f"between {self.after} and {self.before}"
        days = "".join(sorted({str(d.isoweekday()) for d in self.dates}))
        weekdays = _plural_days(days)
        return f"{what}: {self.hours} {between} on {weekdays}, {date_spans(self.dates)}."


def _plural_days(days: str) -> str:
    if len(days) == 1:
        return WEEKDAYS[int(days) - 1] + "s"
    return day_ranges(days)


def date_spans(dates: Sequence[dt.date], most: int = 4) -> str:
    """'8 Mar 2026 – 27 Mar 2026 (15 dates)': runs of dates no more than a week apart, the first few."""
    runs: list[list[dt.date]] = []
    for d in sorted(dates):
        if runs and (d - runs[-1][-1]).days <= 7:
            runs[-1].append(d)
        else:
            runs.append([d])
    parts = []
    for run in runs[:most]:
        first, last = run[0], run[-1]
        parts.append(_day(first) if first == last else f"{_day(first)} – {_day(last)}")
    more = f" and {len(runs) - most} more periods" if len(runs) > most else ""
    count = f" ({len(dates)} date{'s' if len(dates) != 1 else ''})"
    return ", ".join(parts) + more + count


def _day(d: dt.date) -> str:
    return f"{d.day} {d:%b %Y}"


def check_chain(
    shifts: Sequence[ShiftHours], start: dt.date, days: int = CHECK_DAYS
) -> list[CoverageProblem]:
    """Every gap and every too-large overlap of the chain on the dates from `start`, grouped by kind,
    shifts and UTC hours, each with the dates it happens. An empty list means the chain is sound."""
    if len(shifts) < 2:
        return []
    found: dict[tuple[str, str, str, dt.time, dt.time], list[dt.date]] = {}

    def compare(
        after: ShiftHours, before: ShiftHours, end: dt.datetime, begin: dt.datetime, day: dt.date
    ) -> None:
        if begin > end:
            key = ("gap", after.name, before.name, _utc(end), _utc(begin))
        elif end - begin > HANDOVER_OVERLAP:
            key = ("overlap", after.name, before.name, _utc(begin), _utc(end))
        else:
            return
        found.setdefault(key, []).append(day)

    first = shifts[0]
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        span = first.span(day)
        if span is None:
            continue
        end = span[1]
        previous = first
        broken = False
        for shift in shifts[1:]:
            nxt = shift.occurrence_near(end)
            if nxt is None:
                # The receiving shift has a day off here. If cover resumes within a day (a later shift
                # or tomorrow's first), everything until then is uncovered; if not, the chain simply
                # stops here for its break (a weekend that starts after this shift).
                following = _next_start(shifts, shifts.index(shift) + 1, end, first, day)
                if following is not None and following - end <= dt.timedelta(days=1):
                    key = ("gap", previous.name, shift.name, _utc(end), _utc(following))
                    found.setdefault(key, []).append(day)
                broken = True
                break
            compare(previous, shift, end, nxt[1], day)
            previous, end = shift, nxt[2]
        if broken:
            continue
        tomorrow = first.span(day + dt.timedelta(days=1))
        if tomorrow is not None:
            compare(previous, first, end, tomorrow[0], day)
    return [CoverageProblem(k[0], k[1], k[2], k[3], k[4], tuple(v)) for k, v in found.items()]


def _next_start(
    shifts: Sequence[ShiftHours], index: int, end: dt.datetime, first: ShiftHours, day: dt.date
) -> dt.datetime | None:
    """When cover resumes after a shift's day off: the earliest later shift (or tomorrow's first)."""
    starts = [nxt[1] for shift in shifts[index:] if (nxt := shift.next_after(end)) is not None]
    tomorrow = first.span(day + dt.timedelta(days=1))
    if tomorrow is not None:
        starts.append(tomorrow[0])
    return min(starts) if starts else None


def _utc(at: dt.datetime) -> dt.time:
    return at.astimezone(UTC).time().replace(second=0, microsecond=0)
