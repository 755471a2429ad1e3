"""Team-map maths against real zone rules: each person's hours are placed per date in their own zone.

Every expected figure below is worked out by hand from the published offsets in the comments.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from accord.lib.tz import coverage, intersect, local_day_span, merge, minutes, working_intervals
from accord.orgs.queries import hours_of
from accord.rhythm.queries import day_map

from .helpers import UTC, at, person

NOW = at(2026, 1, 1, 12)


def overlap_of(people, day, viewer=UTC):
    m = day_map(people, day, viewer, NOW)
    return [(b.start, b.end) for b in m.overlap], m


# New York and London, seen from UTC, through both springs and autumns.
@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # 2026: US springs forward on 8 March, the EU on 29 March.
        (dt.date(2026, 3, 4), (at(2026, 3, 4, 14), at(2026, 3, 4, 17))),  # EST -5, GMT: 3 h
        (dt.date(2026, 3, 11), (at(2026, 3, 11, 13), at(2026, 3, 11, 17))),  # EDT -4, GMT: 4 h
        (dt.date(2026, 3, 25), (at(2026, 3, 25, 13), at(2026, 3, 25, 17))),  # still the odd week(s)
        (dt.date(2026, 4, 1), (at(2026, 4, 1, 13), at(2026, 4, 1, 16))),  # EDT -4, BST +1: 3 h
        # 2025: the EU falls back on 26 October, the US on 2 November.
        (dt.date(2025, 10, 22), (at(2025, 10, 22, 13), at(2025, 10, 22, 16))),  # EDT, BST: 3 h
        (dt.date(2025, 10, 29), (at(2025, 10, 29, 13), at(2025, 10, 29, 17))),  # EDT, GMT: 4 h
        (dt.date(2025, 11, 5), (at(2025, 11, 5, 14), at(2025, 11, 5, 17))),  # EST, GMT: 3 h
    ],
)
def test_new_york_and_london_overlap_moves_with_each_countrys_own_dst(day, expected):
    common, _ = overlap_of([person("America/New_York"), person("Europe/London")], day)
    assert common == [expected]


@pytest.mark.parametrize(
    ("day", "hours"),
    [
        (dt.date(2026, 3, 4), 2),  # Berlin CET 08–17 UTC, Chicago CST 15–23 UTC: 15–17
        (dt.date(2026, 3, 11), 3),  # Berlin CET 08–17 UTC, Chicago CDT 14–22 UTC: 14–17
        (dt.date(2026, 4, 1), 2),  # Berlin CEST 07–16 UTC, Chicago CDT 14–22 UTC: 14–16
    ],
)
def test_berlin_and_chicago(day, hours):
    # Berlin works 09–18 local here.
    common, _ = overlap_of([person("Europe/Berlin", end=(18, 0)), person("America/Chicago")], day)
    assert minutes(common) == hours * 60


# Australia changes in the other direction: Sydney leaves daylight time on 5 April 2026 and enters it
# on 5 October 2025. Kolkata (+5:30) never changes.
@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # AEDT +11: Sydney's Wednesday is Tue 22:00–Wed 06:00 UTC; Kolkata is 03:30–11:30 UTC.
        (dt.date(2026, 4, 1), (at(2026, 4, 1, 3, 30), at(2026, 4, 1, 6))),
        # AEST +10: Tue 23:00–Wed 07:00 UTC.
        (dt.date(2026, 4, 8), (at(2026, 4, 8, 3, 30), at(2026, 4, 8, 7))),
        (dt.date(2025, 10, 1), (at(2025, 10, 1, 3, 30), at(2025, 10, 1, 7))),  # AEST
        (dt.date(2025, 10, 8), (at(2025, 10, 8, 3, 30), at(2025, 10, 8, 6))),  # AEDT
    ],
)
def test_sydney_and_kolkata_across_the_australian_changes(day, expected):
    common, _ = overlap_of([person("Australia/Sydney"), person("Asia/Kolkata")], day)
    assert common == [expected]


def test_coverage_in_the_week_the_us_has_changed_and_the_eu_has_not():
    # 11 March 2026 from UTC: London 09–17, New York (EDT) 13–21.
    _, m = overlap_of([person("America/New_York"), person("Europe/London")], dt.date(2026, 3, 11))
    expected = [0] * 24
    for hour in range(9, 17):
        expected[hour] += 1
    for hour in range(13, 21):
        expected[hour] += 1
    assert [h.full for h in m.coverage] == expected
    assert [h.part for h in m.coverage] == [0] * 24
    assert m.max_coverage == 2


def test_the_viewers_own_dst_day_has_23_hours_and_bars_sit_on_the_right_hours():
    # Seen from New York on 8 March 2026 (02:00 EST → 03:00 EDT at 07:00 UTC), the day runs from
    # 05:00 UTC to 04:00 UTC next day. London's 09:00–17:00 GMT (= UTC) falls after the change, on
    # EDT: 05:00–13:00 New York time.
    m = day_map([person("Europe/London")], dt.date(2026, 3, 8), ZoneInfo("America/New_York"), NOW)
    assert m.hours == 23
    assert len(m.coverage) == 23
    # Sunday is not a working day for London: nothing to show.
    assert m.rows[0].intervals == []
    m = day_map(
        [person("Europe/London", days="1234567")], dt.date(2026, 3, 8), ZoneInfo("America/New_York"), NOW
    )
    assert m.rows[0].intervals == [(at(2026, 3, 8, 9), at(2026, 3, 8, 17))]
    zone = ZoneInfo("America/New_York")
    start, end = m.rows[0].intervals[0]
    assert (start.astimezone(zone).hour, end.astimezone(zone).hour) == (5, 13)
    # The bar starts 4 hours into a 23-hour day (00:00 EST = 05:00 UTC; 09:00 UTC is 4 h later).
    assert m.rows[0].bars[0].left == round(4 * 100 / 23, 3)


def test_a_45_minute_offset_zone():
    # Kathmandu is +05:45: 09:00–17:00 is 03:15–11:15 UTC; London in January 09:00–17:00 UTC.
    _, m = overlap_of([person("Asia/Kathmandu"), person("Europe/London")], dt.date(2026, 1, 14))
    assert [(b.start, b.end) for b in m.overlap] == [(at(2026, 1, 14, 9), at(2026, 1, 14, 11, 15))]
    assert m.overlap_minutes == 135
    assert m.rows[0].offset == "UTC+5:45"
    cov = {h.start.hour: (h.full, h.part) for h in m.coverage}
    assert cov[3] == (0, 1)  # Kathmandu starts at 03:15
    assert cov[4] == (1, 0)
    assert cov[9] == (2, 0)
    assert cov[11] == (1, 1)  # London all hour, Kathmandu until 11:15
    assert cov[17] == (0, 0)


def test_eucla_plus_0845_against_chatham_plus_1345():
    # Eucla is +08:45 all year; Chatham +13:45 in its summer (January). 09–17 local each:
    # Eucla 00:15–08:15 UTC; Chatham the day before 19:15 → 03:15 UTC.
    _, m = overlap_of([person("Australia/Eucla"), person("Pacific/Chatham")], dt.date(2026, 1, 14))
    assert [(b.start, b.end) for b in m.overlap] == [(at(2026, 1, 14, 0, 15), at(2026, 1, 14, 3, 15))]


def test_an_overnight_shift_spans_midnight_and_skips_days_off():
    night = person("Europe/London", start=(22, 0), end=(6, 0), overnight=True)
    # Wednesday 14 January 2026: Tuesday's shift until 06:00, Wednesday's from 22:00.
    m = day_map([night], dt.date(2026, 1, 14), UTC, NOW)
    assert m.rows[0].intervals == [
        (at(2026, 1, 14, 0), at(2026, 1, 14, 6)),
        (at(2026, 1, 14, 22), at(2026, 1, 15, 0)),
    ]
    assert m.rows[0].minutes == 8 * 60
    # Saturday: only Friday's shift running on; Monday: only Monday's own shift from 22:00.
    assert day_map([night], dt.date(2026, 1, 17), UTC, NOW).rows[0].minutes == 6 * 60
    assert day_map([night], dt.date(2026, 1, 19), UTC, NOW).rows[0].minutes == 2 * 60


def test_an_overnight_shift_across_the_spring_change_is_an_hour_shorter():
    night = person("Europe/London", start=(22, 0), end=(6, 0), days="1234567", overnight=True)
    span = local_day_span(dt.date(2026, 3, 29), ZoneInfo("Europe/London"))
    # Sunday 29 March: Saturday's shift 22:00 GMT → 06:00 BST (05:00 UTC), then Sunday's from 22:00 BST.
    found = working_intervals(hours_of(night), *span)
    assert found == [(at(2026, 3, 29, 0), at(2026, 3, 29, 5)), (at(2026, 3, 29, 21), at(2026, 3, 29, 23))]
    assert (span[1] - span[0]) == dt.timedelta(hours=23)


def test_interval_helpers():
    a = merge([(at(2026, 1, 1, 9), at(2026, 1, 1, 12)), (at(2026, 1, 1, 11), at(2026, 1, 1, 13))])
    assert a == [(at(2026, 1, 1, 9), at(2026, 1, 1, 13))]
    b = [(at(2026, 1, 1, 8), at(2026, 1, 1, 10)), (at(2026, 1, 1, 12), at(2026, 1, 1, 20))]
    assert intersect(a, b) == [
        (at(2026, 1, 1, 9), at(2026, 1, 1, 10)),
        (at(2026, 1, 1, 12), at(2026, 1, 1, 13)),
    ]
    assert coverage([], (at(2026, 1, 1), at(2026, 1, 1, 2)))[0].full == 0


def test_nobody_has_no_overlap():
    common, m = overlap_of([], dt.date(2026, 1, 14))
    assert common == [] and m.max_coverage == 0


def test_reach_sees_a_night_shift_that_began_yesterday():
    from accord.rhythm.queries import reach

    night = person("Asia/Manila", start=(22, 0), end=(6, 0), overnight=True, name="Night")
    day = person("Asia/Manila", name="Day")
    # Thursday 02:00 in Manila (+8) is Wednesday 18:00 UTC: Wednesday's night shift is running.
    working, later = reach([night, day], at(2026, 1, 14, 18))
    assert [(r.person.name, r.change_at, r.until) for r in working] == [
        ("Night", at(2026, 1, 14, 22), "in 4 h")  # until 06:00 local
    ]
    # The day worker starts at 09:00 Thursday local, 01:00 UTC.
    assert [(r.person.name, r.until) for r in later] == [("Day", "in 7 h")]
