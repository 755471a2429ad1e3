"""The fairness ranking and the rotation, on a case worked out by hand."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from accord.orgs.queries import hours_of
from accord.rhythm import fairness

from .helpers import UTC, person

WEDNESDAY = dt.date(2026, 1, 14)


def two_people():
    london = person("Europe/London", pk=1)  # 09–17 UTC in January
    # Sydney (AEDT, +11) works Tue 22:00–Wed 06:00 and Wed 22:00–Thu 06:00 UTC; its night
    # (22:00–07:00 local) is 11:00–20:00 UTC.
    sydney = person("Australia/Sydney", pk=2)
    return [fairness.PersonHours(p.pk, hours_of(p)) for p in (london, sydney)]


def test_ranking_worked_out_by_hand():
    ranked = fairness.suggest(two_people(), WEDNESDAY, UTC, 60)
    # Each slot as (total, London's cost, Sydney's cost); a night minute counts twice:
    #   09:00–10:00: London inside; Sydney 20:00–21:00, outside, not night  → worst 60, total 60
    #   09:30, 10:00: the same, Sydney up to 22:00 at the latest              → 60, 60
    #   08:30: London 30 min early; Sydney 19:30–20:30                        → 60, 90
    #   07:00, 07:30, 08:00: London an hour before work (after 07:00, not night); Sydney 18:00–20:00
    #   20:00, 20:30, 21:00: London an evening hour; Sydney 07:00–09:00 before work  → 60, 120
    hand = [
        ("09:00", (60, 0, 60)),
        ("09:30", (60, 0, 60)),
        ("10:00", (60, 0, 60)),
        ("08:30", (90, 30, 60)),
        ("07:00", (120, 60, 60)),
        ("07:30", (120, 60, 60)),
        ("08:00", (120, 60, 60)),
        ("20:00", (120, 60, 60)),
        ("20:30", (120, 60, 60)),
        ("21:00", (120, 60, 60)),
    ]
    got = [(s.label, (s.total, s.costs[0].score, s.costs[1].score)) for s in ranked[:10]]
    assert got == hand
    assert ranked[0].worst == 60
    # 10:30: Sydney 21:30–22:30, the last half hour in its night, counts double: 60 + 30.
    slot = next(s for s in ranked if s.label == "10:30")
    assert (slot.costs[1].outside, slot.costs[1].night, slot.worst) == (60, 30, 90)
    # 05:00: London 05:00–06:00 is all night (2 × 60), Sydney is inside its hours.
    slot = next(s for s in ranked if s.label == "05:00")
    assert [(c.outside, c.night) for c in slot.costs] == [(60, 60), (0, 0)]
    assert len(ranked) == 48


def test_rotation_shares_the_burden_instead_of_always_costing_sydney():
    ranked = fairness.suggest(two_people(), WEDNESDAY, UTC, 60)
    always_best = fairness.cycle_costs([ranked[0]] * 3)
    assert always_best == {1: 0, 2: 180}  # Sydney carries every evening
    rotation = fairness.rotation(ranked)
    # Twice 09:00 (Sydney 60 each) and once a London night hour (120): 120 each. Nothing beats a
    # worst of 120 over three weeks: every slot costs someone at least 60, and a single 0-for-Sydney
    # slot costs London a 120 night hour.
    assert fairness.cycle_costs(rotation) == {1: 120, 2: 120}
    assert [s.label for s in rotation] == ["00:00", "09:00", "09:00"]


def test_one_slot_that_suits_everyone_does_not_rotate():
    people = [
        fairness.PersonHours(i, hours_of(person(z, pk=i)))
        for i, z in enumerate(["Europe/Berlin", "Europe/Warsaw"])
    ]
    ranked = fairness.suggest(people, WEDNESDAY, ZoneInfo("Europe/Berlin"), 60)
    assert ranked[0].label == "09:00" and ranked[0].worst == 0
    assert [s.label for s in fairness.rotation(ranked)] == ["09:00"]


def test_a_day_off_counts_as_outside_hours():
    four_days = person("Europe/Berlin", days="1234", pk=1)
    ranked = fairness.suggest([fairness.PersonHours(1, hours_of(four_days))], dt.date(2026, 1, 16), UTC, 30)
    assert ranked[0].worst == 30  # Friday is not a working day: every slot costs at least its length


def test_slots_in_a_spring_forward_gap_are_not_offered_twice():
    # New York, 8 March 2026: 02:00 and 02:30 do not exist; they would land on 03:00 and 03:30.
    people = [fairness.PersonHours(1, hours_of(person("America/New_York", days="1234567", pk=1)))]
    ranked = fairness.suggest(people, dt.date(2026, 3, 8), ZoneInfo("America/New_York"), 30)
    assert len(ranked) == 46
    assert len({s.starts_at for s in ranked}) == 46
