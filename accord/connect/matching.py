"""Who meets whom in a coffee round: working-hour overlap in real time zones, and the matching itself.

Pure functions over plain values (no database), so the round action, the demo and bench/coffee.py
all run exactly the same code.

**Overlap.** A round plans one week, Monday to Sunday (`week_start`). Each person's working hours
are turned into UTC intervals for every one of *their own* working days whose local date falls in
that week, through `lib/tz.Hours.window`, so each date gets the offset its zone really has on that
date: in the weeks when the United States has changed its clocks and Europe has not, New York and
London are four hours apart instead of five, and the overlap says so. Two people can be paired only
if, on at least one day, they share one unbroken stretch of at least `MIN_OVERLAP` minutes; a group
of three needs such a stretch shared by all three.

**Weights.** Every allowed pair is an edge whose weight is

    BASE                                      10
  + the admin's cross-department weight      0-10, when both have a department and they differ
  + CROSS_TEAM                                2, when their teams differ
  + one point per full hour of overlap        0-4 (the longest shared stretch, capped at 4 hours)
  + MET_BEFORE                               -3, when they met in any earlier round beyond the last N

Pairs who met in the last N rounds (admin setting) get no edge at all: a hard exclusion. The
matching is networkx's `max_weight_matching` with `maxcardinality=True`: first as many pairs as
possible, and among those the largest total weight. BASE keeps every edge positive, so a repeat
from long ago is still better than leaving someone out.

**The odd one out.** Whoever is left unmatched is attached to the pair for which the sum of their
two edge weights is largest, among pairs all three of whom share 30 minutes (each pair takes at most
one extra person). Anyone still left gets a reason: no working hours, no overlap with anyone
available, everyone they overlap with met recently, or odd one out with no pair to join.

**Scale.** The blossom algorithm behind `max_weight_matching` is cubic in the worst case and pure
Python, so a dense graph of thousands of people is out of reach. Up to `BLOCK` people are matched in
one piece with every allowed edge (every real team the app has met so far). Beyond that, people are
sorted by the UTC middle of their working day (ties shuffled) and cut into blocks of `BLOCK`, so that
a block holds people whose days line up, with every department mixed in; within a block each person
keeps only their `K` heaviest edges. Whoever a block leaves over is matched again in one pool with
all edges. The trade-off: a pair from two different blocks is never considered, and a person's 9th
best partner is never tried, so the result can be a little lighter than the true optimum, in
exchange for time that grows linearly with the number of people (bench/coffee.py measures both the
time and the share of cross-department pairs against a greedy pairing of the same people).
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from zoneinfo import ZoneInfo

import networkx as nx

from accord.lib.tz import Hours

MIN_OVERLAP = 30  # minutes
BASE = 10
CROSS_TEAM = 2
OVERLAP_HOURS_CAP = 4
MET_BEFORE = -3
BLOCK = 300
K = 8
SAMPLE = 40

# Why someone opted in got no group; the words are in actions.REASONS.
NO_HOURS, NO_OVERLAP, ALL_RECENT, ODD_ONE_OUT = "no_hours", "no_overlap", "all_recent", "odd_one_out"

Interval = tuple[int, int]  # minutes since week_start 00:00 UTC
Signature = tuple[str, dt.time, dt.time, str]  # zone, start, end, working days


@dataclass(frozen=True)
class Candidate:
    id: int
    department: str  # "" when the person has no team
    team: int | None
    zone: str
    start: dt.time
    end: dt.time
    days: str

    @property
    def signature(self) -> Signature:
        return (self.zone, self.start, self.end, self.days)


@dataclass
class Match:
    groups: list[list[int]] = field(default_factory=list)
    weights: list[int] = field(default_factory=list)
    unmatched: dict[int, str] = field(default_factory=dict)


def pair_key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


@cache
def windows(signature: Signature, week_start: dt.date) -> tuple[Interval, ...]:
    """Working hours on each of the person's working days in the week, as minutes from Monday 00:00 UTC."""
    zone, start, end, days = signature
    if start == end:
        return ()
    hours = Hours(start, end, days, ZoneInfo(zone))
    origin = dt.datetime.combine(week_start, dt.time(0), tzinfo=dt.UTC)
    found = []
    for offset in range(7):
        span = hours.window(week_start + dt.timedelta(days=offset))
        if span:
            found.append(
                (int((span[0] - origin).total_seconds() // 60), int((span[1] - origin).total_seconds() // 60))
            )
    return tuple(found)


def intersect(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
    shared = []
    for s1, e1 in a:
        for s2, e2 in b:
            s, e = max(s1, s2), min(e1, e2)
            if e > s:
                shared.append((s, e))
    return sorted(shared)


def longest(intervals: Iterable[Interval]) -> int:
    return max((e - s for s, e in intervals), default=0)


def longest_shared(a: Sequence[Interval], b: Sequence[Interval]) -> int:
    """`longest(intersect(a, b))` for sorted, non-overlapping lists, in one merge pass."""
    best = i = j = 0
    while i < len(a) and j < len(b):
        s, e = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if e - s > best:
            best = e - s
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return best


def shared_windows(signatures: Sequence[Signature], week_start: dt.date) -> list[Interval]:
    """The stretches of the week everyone in a group is working."""
    shared = list(windows(signatures[0], week_start))
    for sig in signatures[1:]:
        shared = intersect(shared, windows(sig, week_start))
    return shared


class _Graph:
    """Edge weights between candidates, with overlaps computed once per pair of distinct signatures."""

    def __init__(
        self,
        people: Sequence[Candidate],
        week_start: dt.date,
        recent: set[tuple[int, int]],
        met_before: set[tuple[int, int]],
        cross_department: int,
    ) -> None:
        self.week_start = week_start
        self.recent, self.met_before, self.cross_department = recent, met_before, cross_department
        self.sig_index: dict[Signature, int] = {}
        for p in people:
            self.sig_index.setdefault(p.signature, len(self.sig_index))
        self.wins = [windows(s, week_start) for s in self.sig_index]
        # Distinct signatures are few (zones x hours x working days), however many people share them;
        # their overlaps are worked out when first asked for (-1 = not yet), since blocks only ever
        # ask about signatures whose days line up.
        n = len(self.wins)
        self.best = [[-1] * n for _ in range(n)]

    def overlap(self, x: int, y: int) -> int:
        found = self.best[x][y]
        if found < 0:
            found = self.best[x][y] = self.best[y][x] = longest_shared(self.wins[x], self.wins[y])
        return found

    def weight(self, a: Candidate, b: Candidate) -> int | None:
        """The edge weight of a pair, or None when they may not be paired this round."""
        overlap = self.overlap(self.sig_index[a.signature], self.sig_index[b.signature])
        if overlap < MIN_OVERLAP:
            return None
        key = pair_key(a.id, b.id)
        if key in self.recent:
            return None
        w = BASE + min(overlap // 60, OVERLAP_HOURS_CAP)
        if a.department and b.department and a.department != b.department:
            w += self.cross_department
        if a.team != b.team:
            w += CROSS_TEAM
        if key in self.met_before:
            w += MET_BEFORE
        return w

    def overlaps(self, a: Candidate, b: Candidate) -> bool:
        return self.overlap(self.sig_index[a.signature], self.sig_index[b.signature]) >= MIN_OVERLAP


def _max_matching(
    people: Sequence[Candidate], graph: _Graph, keep: int | None, rng: random.Random
) -> list[tuple[int, int]]:
    """Pairs (as indexes into `people`) of a maximum-cardinality, maximum-weight matching. With `keep`,
    each person brings only their `keep` heaviest edges among `SAMPLE` others drawn at random from the
    block (see "Scale" above); ties go to whoever was drawn first, so no one collects everyone's edges."""
    # The same sums as _Graph.weight, with attribute look-ups hoisted: this loop is the hot path.
    n = len(people)
    sig = [graph.sig_index[p.signature] for p in people]
    dept = [p.department for p in people]
    team = [p.team for p in people]
    ids = [p.id for p in people]
    best, recent, before, cross = graph.best, graph.recent, graph.met_before, graph.cross_department
    edges_all: list[tuple[int, int, int]] = []
    everyone = list(range(n))
    for i in range(n):
        if keep:
            others = rng.sample(everyone, SAMPLE) if n > SAMPLE else rng.sample(everyone, n)
        else:
            others = everyone[i + 1 :]
        si = sig[i]
        row, di, ti, ii = best[si], dept[i], team[i], ids[i]
        edges = []
        for j in others:
            overlap = row[sig[j]]
            if overlap < 0:
                overlap = graph.overlap(si, sig[j])
            if j == i or overlap < MIN_OVERLAP:
                continue
            key = (ii, ids[j]) if ii < ids[j] else (ids[j], ii)
            if key in recent:
                continue
            w = BASE + (overlap // 60 if overlap < OVERLAP_HOURS_CAP * 60 else OVERLAP_HOURS_CAP)
            if di and dept[j] and di != dept[j]:
                w += cross
            if ti != team[j]:
                w += CROSS_TEAM
            if key in before:
                w += MET_BEFORE
            edges.append((w, j))
        if keep:
            edges = heapq.nlargest(keep, edges, key=lambda e: e[0])
        edges_all += [(i, j, w) for w, j in edges]
    g = nx.Graph()
    g.add_weighted_edges_from(edges_all)
    return sorted((min(i, j), max(i, j)) for i, j in nx.max_weight_matching(g, maxcardinality=True))


def _centre(p: Candidate, week_start: dt.date) -> int:
    # The UTC middle of the person's first working day: people whose days line up sort together.
    wins = windows(p.signature, week_start)
    return ((wins[0][0] + wins[0][1]) // 2) % 1440 if wins else 0


def match(
    people: Sequence[Candidate],
    week_start: dt.date,
    *,
    recent: set[tuple[int, int]] | None = None,
    met_before: set[tuple[int, int]] | None = None,
    cross_department: int = 6,
    seed: str = "",
    block: int = BLOCK,
    keep: int = K,
) -> Match:
    """Groups for one round, as described in the module docstring. `recent` are pairs (low id first)
    who met in the last N rounds; `met_before` pairs who met in any earlier round."""
    rng = random.Random(f"coffee/{seed}/{week_start}")
    result = Match()
    able = []
    for p in people:
        if windows(p.signature, week_start):
            able.append(p)
        else:
            result.unmatched[p.id] = NO_HOURS
    graph = _Graph(able, week_start, recent or set(), met_before or set(), cross_department)
    able.sort(key=lambda p: p.id)
    rng.shuffle(able)  # no one is favoured by their id
    pairs: list[tuple[Candidate, Candidate]] = []
    if len(able) <= block:
        left = able
    else:
        ordered = sorted(able, key=lambda p: _centre(p, week_start))  # stable: shuffled within a centre
        left = []
        for start in range(0, len(ordered), block):
            chunk = ordered[start : start + block]
            found = _max_matching(chunk, graph, keep, rng)
            pairs += [(chunk[i], chunk[j]) for i, j in found]
            taken = {x for pair in found for x in pair}
            left += [p for i, p in enumerate(chunk) if i not in taken]
    found = _max_matching(left, graph, None if len(left) <= block else keep, rng)
    pairs += [(left[i], left[j]) for i, j in found]
    taken_ids = {p.id for pair in pairs for p in pair}
    odd = [p for p in left if p.id not in taken_ids]

    groups: list[list[Candidate]] = [list(pair) for pair in pairs]
    weights = [graph.weight(a, b) or 0 for a, b in pairs]
    trio_of: set[int] = set()
    for p in odd:
        best: tuple[int, int] | None = None
        for index, (a, b) in enumerate(pairs):
            if index in trio_of:
                continue
            wa, wb = graph.weight(p, a), graph.weight(p, b)
            if wa is None or wb is None:
                continue
            if longest(shared_windows([a.signature, b.signature, p.signature], week_start)) < MIN_OVERLAP:
                continue
            if best is None or wa + wb > best[0]:
                best = (wa + wb, index)
        if best is None:
            result.unmatched[p.id] = _reason(p, able, graph)
        else:
            trio_of.add(best[1])
            groups[best[1]].append(p)
            weights[best[1]] += best[0]
    result.groups = [[p.id for p in g] for g in groups]
    result.weights = weights
    return result


def _reason(p: Candidate, everyone: Sequence[Candidate], graph: _Graph) -> str:
    partners = [q for q in everyone if q.id != p.id and graph.overlaps(p, q)]
    if not partners:
        return NO_OVERLAP
    if all(pair_key(p.id, q.id) in graph.recent for q in partners):
        return ALL_RECENT
    return ODD_ONE_OUT


def department_pairs(departments: Sequence[str]) -> list[tuple[str, str]]:
    """Each unordered pair of different departments in a group, alphabetically ("" never counts)."""
    found = set()
    for i, a in enumerate(departments):
        for b in departments[i + 1 :]:
            if a and b and a != b:
                found.add((a, b) if a < b else (b, a))
    return sorted(found)


def suggested_slots(shared: Sequence[Interval], week_start: dt.date, count: int = 3) -> list[Interval]:
    """Up to `count` 30-minute slots inside the shared stretches, on different days where possible.

    Each starts on the first quarter hour of its stretch, or half an hour in when the stretch is long
    enough that nobody is asked to meet the minute their day begins."""
    by_day: dict[int, list[Interval]] = defaultdict(list)
    for s, e in shared:
        if e - s >= MIN_OVERLAP:
            by_day[s // 1440].append((s, e))
    chosen: list[Interval] = []
    days = sorted(by_day)
    # Spread over the week: Monday, the middle, the end rather than three days in a row.
    if len(days) > count:
        step = (len(days) - 1) / (count - 1) if count > 1 else 0
        days = sorted({days[round(i * step)] for i in range(count)})
    for day in days:
        s, e = max(by_day[day], key=lambda iv: iv[1] - iv[0])
        start = -(-s // 15) * 15  # the next quarter hour
        if e - start >= MIN_OVERLAP + 30:
            start += 30
        if e - start >= MIN_OVERLAP:
            chosen.append((start, start + MIN_OVERLAP))
    return chosen[:count]


def to_datetime(week_start: dt.date, minutes: int) -> dt.datetime:
    return dt.datetime.combine(week_start, dt.time(0), tzinfo=dt.UTC) + dt.timedelta(minutes=minutes)
