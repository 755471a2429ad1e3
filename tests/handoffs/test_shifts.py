"""The chain check, per date in real zones: gaps and overlaps reported with UTC hours and dates,
across the DST changes of the US, the EU and Australia, including the weeks when they disagree."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from accord.handoffs.shifts import ShiftHours, check_chain, shape_errors

T = dt.time


def shift(name, zone, start, end, days="1234567", overnight=False):
    return ShiftHours(name, ZoneInfo(zone), start, end, days, overnight)


def spans(problem):
    """The runs of dates of a problem as (first, last) pairs, runs broken by a gap of more than a week."""
    runs = []
    for d in problem.dates:
        if runs and (d - runs[-1][1]).days <= 7:
            runs[-1][1] = d
        else:
            runs.append([d, d])
    return [tuple(r) for r in runs]


def test_the_support_chain_hands_over_cleanly_all_year():
    chain = [
        shift("Manila", "Asia/Manila", T(5), T(13), "12345"),
        shift("Kraków", "Europe/Warsaw", T(6), T(15), "12345"),
        shift("Bogotá", "America/Bogota", T(8), T(16), "12345"),
    ]
    assert check_chain(chain, dt.date(2025, 6, 1), days=730) == []


def test_an_eu_summer_gap_is_reported_with_its_hours_and_dates():
    chain = [
        shift("Manila", "Asia/Manila", T(6), T(14), "12345"),
        shift("Kraków", "Europe/Warsaw", T(7), T(15), "12345"),
        shift("Bogotá", "America/Bogota", T(9), T(17), "12345"),
    ]
    [problem] = check_chain(chain, dt.date(2026, 1, 1))
    assert (problem.kind, problem.after, problem.before, problem.hours) == (
        "gap",
        "Kraków",
        "Bogotá",
        "13:00–14:00 UTC",
    )
    assert spans(problem) == [(dt.date(2026, 3, 30), dt.date(2026, 10, 23))]
    assert problem.message == (
        "Uncovered: 13:00–14:00 UTC between Kraków and Bogotá on Mon–Fri, "
        "30 Mar 2026 – 23 Oct 2026 (150 dates)."
    )


def test_an_overnight_shift_runs_into_the_next_day():
    night = shift("New York", "America/New_York", T(13), T(1), overnight=True)
    begin, end = night.span(dt.date(2026, 1, 14))
    assert (begin, end) == (
        dt.datetime(2026, 1, 14, 18, tzinfo=dt.UTC),
        dt.datetime(2026, 1, 15, 6, tzinfo=dt.UTC),
    )


def test_hours_that_end_before_they_start_need_the_overnight_mark():
    assert shape_errors(T(22), T(6), overnight=False) == [
        "This shift ends (06:00) before it starts (22:00). If it really runs past midnight, tick “Overnight”."
    ]
    assert shape_errors(T(22), T(6), overnight=True) == []
    assert shape_errors(T(9), T(17), overnight=True) == [
        "Marked overnight, but 09:00–17:00 ends the same day. Untick “Overnight”."
    ]
    assert shape_errors(T(9), T(9), overnight=False) == ["A shift cannot start and end at the same time."]


def test_the_weeks_when_the_us_has_changed_and_the_eu_has_not():
    # London 06–18 and New York 13–01 meet exactly when both are on winter or both on summer time.
    # While only the US is on summer time, New York ends an hour earlier in UTC: 05:00–06:00 UTC is
    # uncovered, on the dates of the outgoing (London) day, in autumn 2025 and in spring 2026.
    chain = [
        shift("London", "Europe/London", T(6), T(18)),
        shift("New York", "America/New_York", T(13), T(1), overnight=True),
    ]
    [problem] = check_chain(chain, dt.date(2025, 9, 1))
    assert (problem.kind, problem.after, problem.before, problem.hours) == (
        "gap",
        "New York",
        "London",
        "05:00–06:00 UTC",
    )
    # EU back on winter time 26 Oct 2025, US 2 Nov 2025; US on summer time 8 Mar 2026, EU 29 Mar 2026.
    assert spans(problem) == [
        (dt.date(2025, 10, 25), dt.date(2025, 11, 1)),
        (dt.date(2026, 3, 8), dt.date(2026, 3, 27)),
    ]
    assert "25 Oct 2025 – 1 Nov 2025, 8 Mar 2026 – 27 Mar 2026 (28 dates)" in problem.message


def test_australia_changes_the_other_way_on_its_own_dates():
    # Sydney 06–18 and London 07–19 meet exactly in the northern winter (UTC+11 and UTC+0).
    chain = [shift("Sydney", "Australia/Sydney", T(6), T(18)), shift("London", "Europe/London", T(7), T(19))]
    found = {(p.kind, p.hours): spans(p) for p in check_chain(chain, dt.date(2026, 1, 1), days=120)}
    assert found == {
        # London on summer time from 29 Mar, Sydney still on its summer time until 5 Apr.
        ("gap", "18:00–19:00 UTC"): [(dt.date(2026, 3, 29), dt.date(2026, 4, 3))],
        # Sydney back on standard time: its next morning starts at 20:00 UTC ...
        ("gap", "18:00–20:00 UTC"): [(dt.date(2026, 4, 4), dt.date(2026, 4, 30))],
        # ... and its evening ends at 08:00 UTC, two hours into London's day: more than the allowed hour.
        ("overlap", "06:00–08:00 UTC"): [(dt.date(2026, 4, 5), dt.date(2026, 4, 30))],
    }


def test_a_45_minute_zone_is_placed_to_the_minute():
    chain = [
        shift("Kathmandu", "Asia/Kathmandu", T(6), T(15)),
        shift("Bogotá", "America/Bogota", T(4, 15), T(19, 15)),
    ]
    # Kathmandu is UTC+5:45: 06:00–15:00 is 00:15–09:15 UTC; Bogotá (UTC−5) 04:15–19:15 is 09:15–00:15 UTC.
    assert check_chain(chain, dt.date(2026, 1, 1)) == []
    late = [
        shift("Kathmandu", "Asia/Kathmandu", T(6), T(15)),
        shift("Bogotá", "America/Bogota", T(4, 30), T(19, 15)),
    ]
    [problem] = check_chain(late, dt.date(2026, 1, 1), days=7)
    assert problem.hours == "09:15–09:30 UTC"


def test_a_shift_missing_a_day_in_the_middle_of_the_chain_is_a_gap():
    chain = [
        shift("Manila", "Asia/Manila", T(5), T(13), "12345"),
        shift("Kraków", "Europe/Warsaw", T(6), T(15), "1245"),  # not on Wednesdays
        shift("Bogotá", "America/Bogota", T(8), T(16), "12345"),
    ]
    [problem] = check_chain(chain, dt.date(2026, 1, 5), days=7)
    assert (problem.after, problem.before, problem.hours, problem.dates) == (
        "Manila",
        "Kraków",
        "05:00–13:00 UTC",
        (dt.date(2026, 1, 7),),
    )


# Zones without DST, so that a partition of the UTC day stays a partition on every date.
FIXED = ["Asia/Manila", "America/Bogota", "Asia/Kolkata", "Asia/Kathmandu", "Africa/Lagos", "UTC"]


@st.composite
def partitions(draw):
    """Shifts that split the UTC day at 5-minute boundaries, each in a fixed-offset zone."""
    n = draw(st.integers(2, 5))
    cuts = sorted(draw(st.sets(st.integers(0, 287), min_size=n, max_size=n)))
    minutes = [c * 5 for c in cuts]
    zones = [draw(st.sampled_from(FIXED)) for _ in range(n)]
    return minutes, zones


def build(minutes, zones, late_start=None):
    """The shifts of a partition; `late_start` = (index, minutes) starts that shift later (a gap)."""
    shifts = []
    for i, (begin, zone) in enumerate(zip(minutes, zones, strict=True)):
        end = minutes[(i + 1) % len(minutes)] + (1440 if i == len(minutes) - 1 else 0)
        if late_start and late_start[0] == i:
            begin += late_start[1]
        offset = (
            dt.datetime(2026, 1, 5, tzinfo=dt.UTC).astimezone(ZoneInfo(zone)).utcoffset().total_seconds()
            // 60
        )
        local = [int((m + offset) % 1440) for m in (begin, end)]
        start, stop = (T(m // 60, m % 60) for m in local)
        shifts.append(ShiftHours(f"S{i}", ZoneInfo(zone), start, stop, "1234567", overnight=stop <= start))
    return shifts


@settings(max_examples=60, deadline=None)
@given(partitions())
def test_any_partition_of_the_day_is_sound_and_a_late_start_is_exactly_one_gap(partition):
    minutes, zones = partition
    lengths = [(minutes[(i + 1) % len(minutes)] - minutes[i]) % 1440 for i in range(len(minutes))]
    assert check_chain(build(minutes, zones), dt.date(2026, 1, 1), days=10) == []
    i = max(range(len(minutes)), key=lambda k: lengths[k])
    late = min(45, lengths[i] - 5)
    [problem] = check_chain(build(minutes, zones, late_start=(i, late)), dt.date(2026, 1, 1), days=10)
    begin = minutes[i] % 1440
    assert problem.kind == "gap" and problem.before == f"S{i}"
    assert (problem.begin, problem.end) == (
        T(begin // 60, begin % 60),
        T((begin + late) % 1440 // 60, (begin + late) % 60),
    )
