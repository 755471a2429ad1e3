"""Fair meeting times: how inconvenient a slot is for each person, and a rotation that shares it.

Inconvenience is counted in minutes from declared working hours only: a minute of the meeting outside
a person's working hours costs 1; if it also falls in their night (22:00–07:00 local), it costs 2.
Slots are ranked by the worst cost any one person bears, then by the total, then by time, so nobody
is sacrificed to make everyone else comfortable.

A rotation is a cycle of weekly slots (three weeks, repeats allowed) chosen to keep the worst total any
one person carries over the cycle as low as possible, then the total: when no slot suits everyone, the
late evenings move around instead of always landing on the same people.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from accord.lib.tz import Hours, Interval, intersect, minutes, to_utc, working_intervals

NIGHT_START, NIGHT_END = dt.time(22, 0), dt.time(7, 0)
STEP_MINUTES = 30
ROTATION_WEEKS = 3


@dataclass(frozen=True)
class Cost:
    person_id: int
    outside: int  # minutes outside working hours
    night: int  # of those, minutes in the person's night

    @property
    def score(self) -> int:
        return self.outside + self.night


@dataclass(frozen=True)
class Slot:
    local_start: dt.time  # in the meeting's zone
    starts_at: dt.datetime  # UTC
    ends_at: dt.datetime
    costs: tuple[Cost, ...]

    @property
    def worst(self) -> int:
        return max((c.score for c in self.costs), default=0)

    @property
    def total(self) -> int:
        return sum(c.score for c in self.costs)

    @property
    def label(self) -> str:
        return self.local_start.strftime("%H:%M")


@dataclass(frozen=True)
class PersonHours:
    person_id: int
    hours: Hours


class Calendar:
    """Each person's working and night intervals around one day, computed once for many slots."""

    def __init__(self, people: Sequence[PersonHours], around: Interval) -> None:
        self.people = people
        start, end = around[0] - dt.timedelta(days=1), around[1] + dt.timedelta(days=1)
        self.work = {p.person_id: working_intervals(p.hours, start, end) for p in people}
        self.night: dict[int, list[Interval]] = {}
        for p in people:
            nights = Hours(NIGHT_START, NIGHT_END, "1234567", p.hours.zone)
            self.night[p.person_id] = working_intervals(nights, start, end)

    def cost(self, person_id: int, start: dt.datetime, end: dt.datetime) -> Cost:
        meeting = [(start, end)]
        work = intersect(self.work[person_id], meeting)
        night = intersect(self.night[person_id], meeting)
        outside = minutes(meeting) - minutes(work)
        night_outside = minutes(night) - minutes(intersect(night, work))
        return Cost(person_id, outside, night_outside)

    def slot(self, local_start: dt.time, start: dt.datetime, duration: int) -> Slot:
        end = start + dt.timedelta(minutes=duration)
        return Slot(local_start, start, end, tuple(self.cost(p.person_id, start, end) for p in self.people))


def rank(slots: list[Slot]) -> list[Slot]:
    return sorted(slots, key=lambda s: (s.worst, s.total, s.starts_at))


def suggest(people: Sequence[PersonHours], day: dt.date, zone: ZoneInfo, duration: int) -> list[Slot]:
    """Every half-hour start on local `day` in `zone`, ranked by fairness (best first)."""
    begin = to_utc(day, dt.time(0), zone)
    calendar = Calendar(people, (begin, begin + dt.timedelta(days=1)))
    seen: set[dt.datetime] = set()
    slots = []
    for step in range(0, 24 * 60, STEP_MINUTES):
        local = dt.time(step // 60, step % 60)
        start = to_utc(day, local, zone)
        # In a spring-forward gap two wall times land on the same instant: keep the first.
        if start in seen:
            continue
        seen.add(start)
        slots.append(calendar.slot(local, start, duration))
    return rank(slots)


def cycle_costs(cycle: Sequence[Slot]) -> dict[int, int]:
    """Each person's summed cost over one pass of a rotation."""
    totals: dict[int, int] = {}
    for slot in cycle:
        for cost in slot.costs:
            totals[cost.person_id] = totals.get(cost.person_id, 0) + cost.score
    return totals


def rotation(ranked: list[Slot], weeks: int = ROTATION_WEEKS) -> list[Slot]:
    """A cycle of `weeks` slots (in time order); one slot if the best costs nobody anything.

    The aim is the lowest worst total any one person carries over the cycle, then the lowest total.
    Week by week, take the slot that keeps the worst running total lowest (a slot that spares last
    week's late risers wins the next week), then swap single weeks for any other slot while that
    improves the cycle. Every slot is a candidate, so a group spread over many zones can rotate right
    round the clock; the search costs weeks × slots × people per pass, not combinations of slots.
    """
    if not ranked:
        return []
    if ranked[0].worst == 0:
        return [ranked[0]]
    scores = [[c.score for c in slot.costs] for slot in ranked]
    people = range(len(scores[0]))

    def cost(cycle: list[int]) -> tuple[int, int]:
        totals = [sum(scores[i][p] for i in cycle) for p in people]
        return max(totals, default=0), sum(totals)

    cycle: list[int] = []
    for _ in range(weeks):
        cycle.append(min(range(len(ranked)), key=lambda i: (cost([*cycle, i]), i)))
    best = cost(cycle)
    improved = True
    while improved:
        improved = False
        for week in range(weeks):
            for i in range(len(ranked)):
                trial = cycle[:week] + [i] + cycle[week + 1 :]
                if (found := cost(trial)) < best:
                    cycle, best, improved = trial, found, True
    chosen = [ranked[i] for i in cycle]
    if len({s.starts_at for s in chosen}) == 1:
        return chosen[:1]
    return sorted(chosen, key=lambda s: s.starts_at)
