import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accord.lib.tz import UTC, Hours, to_utc, utc_offset_label
from accord.orgs.models import validate_timezone

NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
KOLKATA = ZoneInfo("Asia/Kolkata")
SYDNEY = ZoneInfo("Australia/Sydney")
KATHMANDU = ZoneInfo("Asia/Kathmandu")


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        # 09:00 stays 09:00 local on both sides of each change, so the UTC instant moves by an hour.
        (NY, dt.date(2026, 3, 6), utc(2026, 3, 6, 14)),  # EST, -5
        (NY, dt.date(2026, 3, 9), utc(2026, 3, 9, 13)),  # EDT, -4, the day after the change
        (NY, dt.date(2026, 11, 2), utc(2026, 11, 2, 14)),  # back to EST
        (LONDON, dt.date(2026, 3, 27), utc(2026, 3, 27, 9)),  # GMT
        (LONDON, dt.date(2026, 3, 30), utc(2026, 3, 30, 8)),  # BST
        (SYDNEY, dt.date(2026, 4, 3), utc(2026, 4, 2, 22)),  # AEDT, +11
        (SYDNEY, dt.date(2026, 4, 6), utc(2026, 4, 5, 23)),  # AEST, +10
        (KOLKATA, dt.date(2026, 7, 1), utc(2026, 7, 1, 3, 30)),  # +05:30, no DST
        (KATHMANDU, dt.date(2026, 7, 1), utc(2026, 7, 1, 3, 15)),  # +05:45
    ],
)
def test_nine_oclock_local_is_right_in_utc(zone, day, expected):
    assert to_utc(day, dt.time(9, 0), zone) == expected


def test_nonexistent_local_time_moves_forward_by_the_gap():
    # 02:30 does not exist in New York on 8 March 2026: clocks jump from 02:00 to 03:00.
    assert to_utc(dt.date(2026, 3, 8), dt.time(2, 30), NY).astimezone(NY).time() == dt.time(3, 30)


def test_ambiguous_local_time_means_the_first_occurrence():
    # 01:30 happens twice in New York on 1 November 2026; the first is still EDT (-4).
    assert to_utc(dt.date(2026, 11, 1), dt.time(1, 30), NY) == utc(2026, 11, 1, 5, 30)


def test_offset_labels_include_odd_minutes():
    now = utc(2026, 7, 1, 12)
    assert utc_offset_label(KATHMANDU, now) == "UTC+5:45"
    assert utc_offset_label(KOLKATA, now) == "UTC+5:30"
    assert utc_offset_label(NY, now) == "UTC−4"
    assert utc_offset_label(ZoneInfo("UTC"), now) == "UTC+0"


def test_working_hours_follow_dst_in_new_york():
    hours = Hours(dt.time(9), dt.time(17), "12345", NY)
    # Friday 6 March (EST): 09:00 local is 14:00 UTC.
    assert hours.is_working(utc(2026, 3, 6, 13, 59)) is False
    assert hours.is_working(utc(2026, 3, 6, 14, 0)) is True
    # Monday 9 March (EDT): 09:00 local is 13:00 UTC, an hour earlier in UTC.
    assert hours.is_working(utc(2026, 3, 9, 13, 0)) is True
    assert hours.is_working(utc(2026, 3, 9, 21, 0)) is False  # 17:00 EDT, the end is exclusive


def test_weekend_and_next_start():
    hours = Hours(dt.time(9), dt.time(17), "12345", LONDON)
    saturday_noon = utc(2026, 3, 28, 12)
    assert hours.is_working(saturday_noon) is False
    # Clocks go forward on Sunday 29 March, so Monday 09:00 BST is 08:00 UTC.
    assert hours.next_start(saturday_noon) == utc(2026, 3, 30, 8)


def test_overnight_hours_span_midnight():
    hours = Hours(dt.time(22), dt.time(6), "12345", KOLKATA)
    # Friday 22:00 IST = 16:30 UTC; the shift runs into Saturday morning.
    assert hours.is_working(utc(2026, 7, 3, 16, 30)) is True
    assert hours.is_working(utc(2026, 7, 3, 23, 0)) is True  # Sat 04:30 IST
    assert hours.is_working(utc(2026, 7, 4, 0, 30)) is False  # Sat 06:00 IST


def test_no_working_days_within_horizon_gives_none():
    hours = Hours(dt.time(9), dt.time(17), "7", LONDON)
    assert hours.next_start(utc(2026, 7, 6, 12), horizon_days=3) is None


@pytest.mark.parametrize("bad", ["Mars/Olympus", "EST5EDT/x", "", "europe/berlin", "UTC+2"])
def test_unknown_zone_is_rejected(bad):
    with pytest.raises(ValidationError):
        validate_timezone(bad)


def test_known_zones_are_accepted():
    for name in ["America/Bogota", "Asia/Kathmandu", "Australia/Sydney", "UTC"]:
        validate_timezone(name)


@pytest.mark.django_db
def test_person_clock_across_the_eu_change(org):
    from accord.orgs.queries import clock
    from tests.factories import PersonFactory

    berlin = PersonFactory(org=org, timezone="Europe/Berlin")
    # Friday 27 March 2026, 08:30 UTC = 09:30 CET: working.
    with time_machine.travel(utc(2026, 3, 27, 8, 30), tick=False):
        c = clock(berlin, dt.datetime.now(tz=UTC))
        assert (c.local.strftime("%a %H:%M"), c.offset, c.working) == ("Fri 09:30", "UTC+1", True)
    # Monday 30 March 2026, 07:30 UTC = 09:30 CEST: working, and the offset is now +2.
    with time_machine.travel(utc(2026, 3, 30, 7, 30), tick=False):
        c = clock(berlin, dt.datetime.now(tz=UTC))
        assert (c.local.strftime("%a %H:%M"), c.offset, c.working) == ("Mon 09:30", "UTC+2", True)
    # Saturday: not working; back on Monday at 09:00 local.
    with time_machine.travel(utc(2026, 3, 28, 12), tick=False):
        c = clock(berlin, dt.datetime.now(tz=UTC))
        assert (c.working, c.next_start.strftime("%a %H:%M %Z")) == (False, "Mon 09:00 CEST")
