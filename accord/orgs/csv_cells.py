"""Reading and writing one cell of the people CSV: times, working hours (with "overnight"), days,
dates, birthdays, time zones in any casing, and the quote that keeps a spreadsheet from running a
cell as a formula. people_csv turns a cell these cannot read into a line-numbered error."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from .models import WEEKDAYS, valid_timezones

DEFAULT_TIMEZONE = "UTC"
DEFAULT_WORK_START = dt.time(9, 0)
DEFAULT_WORK_END = dt.time(17, 0)
DEFAULT_WORK_DAYS = "12345"

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

FULL_DAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
DAY_NUMBERS = {
    name: n
    for n, (abbr, full) in enumerate(zip(WEEKDAYS, FULL_DAY_NAMES, strict=True), start=1)
    for name in (abbr.casefold(), full)
}

TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
HOURS_RE = re.compile(r"^([^-–]+?)\s*[-–]\s*([^-–]+)$")
OVERNIGHT_RE = re.compile(r"\s*\(?\bovernight\b\)?\s*$", re.IGNORECASE)
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
BIRTHDAY_RE = re.compile(r"^(\d{1,2})-(\d{1,2})$")


# After the apostrophe the export adds, what the import takes it off from: a formula start, or a
# second apostrophe (so a value that itself begins with "'=" survives the round trip).
QUOTED_STARTS = (*FORMULA_STARTS, "'")


def unescape(value: str) -> str:
    if value.startswith("'") and value[1:2] and value[1] in QUOTED_STARTS:
        return value[1:]
    return value


def escape(value: str) -> str:
    """The cell as the export writes it: a spreadsheet would run "=…", "+…", "-…", "@…" (also after a tab
    or CR) as a formula, so these get a leading apostrophe, which the import removes again."""
    quoted = value.startswith(FORMULA_STARTS) or (value.startswith("'") and value[1:2] in QUOTED_STARTS)
    return f"'{value}" if quoted else value


def parse_timezone(value: str) -> str | None:
    if not value:
        return DEFAULT_TIMEZONE
    if value in valid_timezones():
        return value
    return zones_by_folded_name().get(value.casefold())


@cache
def zones_by_folded_name() -> dict[str, str]:
    return {z.casefold(): z for z in valid_timezones()}


def parse_time(value: str) -> dt.time:
    match = TIME_RE.match(value.strip())
    if not match:
        raise ValueError
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    return dt.time(hour, minute, second)  # out-of-range parts raise ValueError too


def parse_hours(value: str) -> tuple[dt.time, dt.time, bool]:
    if not value:
        return DEFAULT_WORK_START, DEFAULT_WORK_END, False
    # Hours that run past midnight must say so, as on the profile form, so 17:00-09:00 stays a typo.
    hours, overnight = OVERNIGHT_RE.subn("", value)
    match = HOURS_RE.match(hours.strip())
    try:
        if not match:
            raise ValueError
        start, end = parse_time(match[1]), parse_time(match[2])
    except ValueError:
        raise ValueError(f"Write working hours like 09:00-17:30, not “{value}”.") from None
    if end == start or (end < start and not overnight):
        raise ValueError(
            f"Working hours must end after they start (“{value}”); "
            "for a night shift write it like 22:00-06:00 overnight."
        )
    if overnight and end > start:
        raise ValueError(f"Overnight hours end before they start, like 22:00-06:00 overnight (“{value}”).")
    return start, end, bool(overnight)


def parse_days(value: str) -> str | None:
    """ISO weekday digits, sorted, for "Mon-Fri", "Sun-Thu", "Mon,Tue,Thu" or "12345"; None if unreadable."""
    if not value:
        return DEFAULT_WORK_DAYS
    compact = value.replace(" ", "")
    if compact.isdigit():
        return "".join(sorted(set(compact))) if set(compact) <= set("1234567") else None
    days: set[int] = set()
    for part in compact.casefold().split(","):
        first, _, last = part.partition("-")
        if first not in DAY_NUMBERS or (last and last not in DAY_NUMBERS):
            return None
        a = DAY_NUMBERS[first]
        b = DAY_NUMBERS[last] if last else a
        span = (b - a) % 7  # a range may wrap round the weekend: Sun-Thu
        days.update((a - 1 + i) % 7 + 1 for i in range(span + 1))
    return "".join(str(d) for d in sorted(days))


def parse_start_date(value: str) -> dt.date | None:
    if not value:
        return None
    if not DATE_RE.match(value):
        raise ValueError(f"Write the start date as YYYY-MM-DD, for example 2024-01-15, not “{value}”.")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"“{value}” is not a real date.") from None


def parse_birthday(value: str) -> tuple[int | None, int | None]:
    if not value:
        return None, None
    match = BIRTHDAY_RE.match(value)
    if not match:
        raise ValueError(f"Write the birthday as MM-DD with no year, for example 04-23, not “{value}”.")
    month, day = int(match[1]), int(match[2])
    try:
        dt.date(2000, month, day)  # a leap year, so 02-29 is allowed
    except ValueError:
        raise ValueError(f"“{value}” is not a real day of the year.") from None
    return month, day


def format_time(value: dt.time) -> str:
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def format_work_days(digits: str) -> str:
    """A run of three or more days as a range (Mon-Fri, or Sun-Thu across the weekend), else a list."""
    days = sorted({int(d) for d in digits})
    if len(days) == 7:
        return "Mon-Sun"
    if len(days) >= 3:
        for first in days:
            run = {(first - 1 + i) % 7 + 1 for i in range(len(days))}
            if run == set(days):
                last = (first - 1 + len(days) - 1) % 7 + 1
                return f"{WEEKDAYS[first - 1]}-{WEEKDAYS[last - 1]}"
    return ",".join(WEEKDAYS[d - 1] for d in days)
