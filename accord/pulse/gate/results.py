"""Results (rules 1, 3, 4 and 5 of the package docstring): every number a viewer can see, or why it is
not shown; the heatmap, slices and trends."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import accumulate
from typing import NamedTuple

from ..bank import AGREE5_LABELS
from ..data import (
    REGION_LABELS,
    TENURE_LABELS,
    DriverSums,
    QuestionInfo,
    RoundData,
    Stat,
)
from ..models import DRIVERS_MIN_RESPONDENTS
from ..stats import (
    NPS11,
    Change,
    Enps,
    correlation_from_sums,
    enps_change,
    enps_counts,
    favourable_count,
    mean_sd,
    relative_weights,
    weight_shares,
    welch,
)
from .core import (
    DRIVERS_SMALL,
    PROTECTED,
    SMALL,
    SMALL_INVITED,
    CellIndex,
    Group,
    Scope,
    SliceKey,
    cell_index,
    check_scope,
    effective_k,
    gc_paused,
    in_scope,
    round_cache,
    slice_values,
)
from .precision import coarse_change, coarse_mean, coarse_points, coarse_share, small
from .protection import (
    surviving,
)

# --------------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class Suppressed:
    """A number that is not shown, and why (never how many answers there were)."""

    reason: str

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True)
class EnpsFigures:
    """A group's eNPS as it may be shown: exact from 2k answers, rounded below (rule 6), never counts."""

    n: int | None  # None below 2k answers
    score: float  # -100..100
    low: float  # 95% interval (stats.enps_counts)
    high: float
    promoters: float  # shares 0..1
    passives: float
    detractors: float

    @classmethod
    def of(cls, e: Enps, rounded: bool) -> EnpsFigures:
        n = e.n
        if rounded:
            return cls(
                None,
                coarse_points(Fraction(100 * (e.promoters - e.detractors), n)),
                coarse_points(e.low),
                coarse_points(e.high),
                coarse_share(e.promoters, n),
                coarse_share(e.passives, n),
                coarse_share(e.detractors, n),
            )
        return cls(n, e.score, e.low, e.high, e.promoters / n, e.passives / n, e.detractors / n)


@dataclass(frozen=True)
class QuestionResult:
    group: Group
    question: QuestionInfo
    n: int | None  # None below 2k answers (rule 6)
    mean: float  # of scored values (reverse items already flipped); 0-10 for eNPS
    favourable: float  # share 0..1: agree5 scored >= 4; nps11 promoters
    sd: float | None  # None below 2k answers (rule 3)
    distribution: (
        tuple[tuple[str, int], ...] | None
    )  # (label, count) by RAW answer; None unless rule 3 allows
    enps: EnpsFigures | None  # nps11 questions only
    rounded: bool = False  # fewer than 2k answers: rounded figures, no n (rule 6)


@dataclass(frozen=True)
class ConstructResult:
    group: Group
    construct: str
    n: int | None  # answers pooled across the construct's items; None when any item is rounded
    mean: float
    favourable: float
    questions: tuple[int, ...]
    rounded: bool = False  # some item has fewer than 2k answers: rounded figures, no n (rule 6)


@dataclass(frozen=True)
class ParticipationResult:
    invited: int | None  # None when fewer than 2k people answered (rule 6)
    responded: int | None
    rate: float  # to the nearest 10% when rounded
    rounded: bool = False


def _question(data: RoundData, question_id: int) -> QuestionInfo:
    q = round_cache(data).questions.get(question_id)
    if q is None:
        raise LookupError(f"question {question_id} is not in round {data.round_id}")
    return q


class Nums(NamedTuple):
    """A group's totals for one question: answers, sum and sum of squares of scored values, favourable
    answers, and (eNPS) promoters and detractors."""

    n: int
    total: float
    total_sq: float
    fav: int
    promoters: int
    detractors: int


_NO_NUMS = Nums(0, 0.0, 0.0, 0, 0, 0)


class Totals:
    """One question's running totals over its cells in tree order (see CellIndex), counting only the
    cells of one slice key (band, region): the totals of any whole subtree, or of one slice of it, are a
    difference of two entries. Scored values are whole numbers, so every sum here is exact and a
    difference of running totals is the same number as adding the cells up one by one."""

    def __init__(
        self, data: RoundData, idx: CellIndex, q: QuestionInfo, key: SliceKey = (None, None)
    ) -> None:
        stats = data.stats.get(q.id, {})
        cells = [stats[c] for c in idx.cells]
        hists = [s.hist for s in cells]
        nps = q.scale == NPS11
        columns: list[list[float]] = [
            list(idx.n),
            [s.total for s in cells],
            [s.total_sq for s in cells],
            [favourable_count(h, q.reverse, q.scale) for h in hists],
            [sum(h[9:11]) for h in hists] if nps else [0] * len(cells),
            [sum(h[0:7]) for h in hists] if nps else [0] * len(cells),
        ]
        b, r = key
        if b is not None or r is not None:
            keep = [
                (b is None or cb == b) and (r is None or cr == r)
                for cb, cr in zip(idx.band, idx.region, strict=True)
            ]
            columns = [[v if k else 0 for v, k in zip(col, keep, strict=True)] for col in columns]
        self.idx = idx
        self.prefix = [list(accumulate(col, initial=0)) for col in columns]

    def of(self, team: int | None) -> Nums:
        lo, hi = self.idx.span(team)
        return _as_nums([col[hi] - col[lo] for col in self.prefix])


def _as_nums(v: Sequence[float]) -> Nums:
    return Nums(int(v[0]), float(v[1]), float(v[2]), int(v[3]), int(v[4]), int(v[5]))


def _numbers(data: RoundData, group: Group, q: QuestionInfo) -> Nums:
    """A group's totals for a question, from the round's running totals for the group's slice key."""
    cache = round_cache(data)
    key = (q.id, group.band, group.region)
    totals = cache.totals.get(key)
    if totals is None:
        with gc_paused():
            totals = cache.totals[key] = Totals(data, cell_index(data, q.id), q, (group.band, group.region))
    return totals.of(group.team)


def _group_hist(data: RoundData, group: Group, q: QuestionInfo) -> list[int]:
    idx = cell_index(data, q.id)
    cells = data.stats.get(q.id, {})
    out = [0] * (11 if q.scale == NPS11 else 6)
    for i in idx.members(group):
        for v, c in enumerate(cells[idx.cells[i]].hist[: len(out)]):
            out[v] += c
    return out


def _status(data: RoundData, group: Group, q: QuestionInfo, n: int) -> Suppressed | None:
    """Why a group's answers to a question are not shown (rules 1-3), or None if they may be."""
    k = effective_k(data)
    if n < k:  # none at all included: one wording for every group under k (rule 1)
        return Suppressed(SMALL.format(k=k))
    if group not in surviving(data, q.id):
        return Suppressed(PROTECTED)
    return None


def _question_core(
    data: RoundData, group: Group, q: QuestionInfo, detail: bool = True
) -> tuple[QuestionResult | Suppressed, Nums]:
    nums = _numbers(data, group, q)
    hidden = _status(data, group, q, nums.n)
    if hidden is not None:
        return hidden, nums
    n = nums.n
    nps = q.scale == NPS11
    if small(n, effective_k(data)):
        return QuestionResult(
            group=group,
            question=q,
            n=None,
            mean=coarse_mean(nums.total, n),
            favourable=coarse_share(nums.fav, n),
            sd=None,
            distribution=None,
            enps=EnpsFigures.of(_enps_of(nums), rounded=True) if nps else None,
            rounded=True,
        ), nums
    sd = mean_sd(Stat(n=n, total=nums.total, total_sq=nums.total_sq))[1]
    distribution: tuple[tuple[str, int], ...] | None = None
    if detail:
        hist = _group_hist(data, group, q)
        if max(hist) < n:  # never the distribution of a unanimous group (protection hides it anyway)
            if nps:
                distribution = tuple((str(v), hist[v]) for v in range(11))
            else:
                distribution = tuple((AGREE5_LABELS[v - 1], hist[v]) for v in range(1, 6))
    result = QuestionResult(
        group=group,
        question=q,
        n=n,
        mean=nums.total / n,
        favourable=nums.fav / n,
        sd=sd,
        distribution=distribution,
        enps=EnpsFigures.of(_enps_of(nums), rounded=False) if nps else None,
    )
    return result, nums


def _enps_of(nums: Nums) -> Enps:
    return enps_counts(nums.promoters, nums.n - nums.promoters - nums.detractors, nums.detractors)


def question_result(
    data: RoundData, group: Group, question_id: int, *, scope: Scope
) -> QuestionResult | Suppressed:
    """One question for one group: n, mean, favourable share, and (rule 3) sd and distribution, or eNPS."""
    check_scope(data, group, scope)
    return _question_core(data, group, _question(data, question_id))[0]


def construct_questions(data: RoundData, construct: str) -> list[QuestionInfo]:
    cache = round_cache(data)
    found = cache.constructs.get(construct)
    if found is None:
        found = cache.constructs[construct] = [q for q in data.questions if q.construct == construct]
    return found


def construct_core(
    data: RoundData, group: Group, construct: str, detail: bool = True
) -> tuple[ConstructResult | QuestionResult | Suppressed, Nums]:
    questions = construct_questions(data, construct)
    if not questions:
        raise LookupError(f"construct {construct!r} is not in round {data.round_id}")
    nps = [q for q in questions if q.scale == NPS11]
    if nps:
        return _question_core(data, group, nps[0], detail)
    pooled = [0.0] * 6
    used: list[int] = []
    k = effective_k(data)
    rounded = False
    for q in questions:
        nums = _numbers(data, group, q)
        # An item nobody in the group answered hides the construct like an item a few answered: showing
        # it without that item would say that nobody did (rule 1).
        hidden = _status(data, group, q, nums.n)
        if hidden is not None:
            return hidden, _NO_NUMS
        rounded = rounded or small(nums.n, k)
        for j in range(6):
            pooled[j] += nums[j]
        used.append(q.id)
    total = _as_nums(pooled)
    if rounded:
        mean, fav = coarse_mean(total.total, total.n), coarse_share(total.fav, total.n)
    else:
        mean, fav = total.total / total.n, total.fav / total.n
    result = ConstructResult(
        group=group,
        construct=construct,
        n=None if rounded else total.n,
        mean=mean,
        favourable=fav,
        questions=tuple(used),
        rounded=rounded,
    )
    return result, total


def construct_result(
    data: RoundData, group: Group, construct: str, *, scope: Scope
) -> ConstructResult | QuestionResult | Suppressed:
    """A construct for one group: mean and favourable share pooled over its items' answers. Suppressed when
    any of its items is suppressed for the group. For "enps" (an nps11 construct) the eNPS item's result."""
    check_scope(data, group, scope)
    return construct_core(data, group, construct)[0]


def participation(data: RoundData, group: Group, *, scope: Scope) -> ParticipationResult | Suppressed:
    """Invited, responded and rate for a group, protected with the invited counts. Never a list of people."""
    check_scope(data, group, scope)
    k = effective_k(data)
    invited = cell_index(data, "invited").size(group)
    if invited < k:  # nobody invited included (rule 1)
        return Suppressed(SMALL_INVITED.format(k=k))
    if group not in surviving(data, "invited"):
        return Suppressed(PROTECTED)
    responded = cell_index(data, "respondents").size(group)
    if small(responded, k):
        return ParticipationResult(None, None, coarse_share(responded, invited), rounded=True)
    return ParticipationResult(invited=invited, responded=responded, rate=responded / invited)


def comments_visible(data: RoundData, group: Group, *, scope: Scope) -> bool:
    """Whether the group's comments may be shown: its comment AUTHORS pass protection (commenter counts)."""
    check_scope(data, group, scope)
    return group in surviving(data, "commenters")


class Driver(NamedTuple):
    construct: str
    weight: float  # raw relative weight: this construct's part of R² (they add up to R²)
    share: float  # weight / R², 0..1


def drivers(data: RoundData, group: Group, *, scope: Scope) -> list[Driver] | Suppressed:
    """Key drivers of eNPS for a visible group with at least DRIVERS_MIN_RESPONDENTS complete answer sets:
    Johnson's relative weights of the construct scores (stats.relative_weights), largest first."""
    check_scope(data, group, scope)
    k = effective_k(data)
    if group not in surviving(data, "respondents"):
        n = cell_index(data, "respondents").size(group)
        return Suppressed(SMALL.format(k=k) if n < k else PROTECTED)
    if "enps" not in data.driver_vars or len(data.driver_vars) < 2:
        return Suppressed(DRIVERS_SMALL)
    return drivers_of(data, (ds for cell, ds in data.drivers.items() if group.contains(cell, data)))


def drivers_of(data: RoundData, sums: Iterable[DriverSums]) -> list[Driver] | Suppressed:
    """`drivers` for a visible group from its cells' sums, in the order of `data.drivers` (publishing
    finds each group's cells by the tree instead of testing every cell, and adds them in the same order,
    so the floating-point sums are the same numbers)."""
    if "enps" not in data.driver_vars or len(data.driver_vars) < 2:
        return Suppressed(DRIVERS_SMALL)
    p = len(data.driver_vars)
    total = DriverSums(0, [0.0] * p, [[0.0] * p for _ in range(p)])
    for ds in sums:
        if ds.n > 0:
            total.n += ds.n
            for i in range(p):
                total.sums[i] += ds.sums[i]
                row, src = total.cross[i], ds.cross[i]
                for j in range(p):
                    row[j] += src[j]
    if total.n < DRIVERS_MIN_RESPONDENTS:
        return Suppressed(DRIVERS_SMALL)
    y = data.driver_vars.index("enps")
    corr = correlation_from_sums(total.n, total.sums, total.cross)
    weights = relative_weights(corr, y)
    shares = weight_shares(weights)
    names = [v for i, v in enumerate(data.driver_vars) if i != y]
    out = [Driver(c, w, s) for c, w, s in zip(names, weights, shares, strict=True)]
    out.sort(key=lambda d: (-d.weight, d.construct))
    return out


# --------------------------------------------------------------------------------------------------
# Heatmap, slices, trends


@dataclass(frozen=True)
class HeatmapRow:
    group: Group
    label: str
    depth: int  # 0 for the organisation, 1 for top-level teams, ...
    cells: tuple[ConstructResult | QuestionResult | Suppressed, ...]


@dataclass(frozen=True)
class Heatmap:
    columns: tuple[str, ...]  # construct keys in round order; "enps" (or the nps11 construct) last
    rows: tuple[HeatmapRow, ...]


def round_constructs(data: RoundData) -> list[str]:
    """Constructs asked in the round, in question order, eNPS last."""
    scored: list[str] = []
    nps: list[str] = []
    for q in data.questions:
        target = nps if q.scale == NPS11 else scored
        if q.construct not in scored and q.construct not in nps:
            target.append(q.construct)
    return scored + nps


def heatmap(data: RoundData, scope: Scope) -> Heatmap:
    """Team hierarchy against constructs for what the viewer may see: the organisation row (admins and
    members), then every team of the viewer's subtrees depth-first. Every cell is a result or Suppressed."""
    columns = round_constructs(data)
    shape = round_cache(data).shape
    groups: list[tuple[Group, int]] = []
    if scope is None or scope == "org":
        groups.append((Group(), 0))
    if scope is None:
        positions: Iterable[int] = range(len(shape.order))
    elif scope == "org":
        positions = ()
    elif isinstance(scope, str):
        raise ValueError(f"unknown scope {scope!r}")
    else:
        chosen: set[int] = set()
        for root in scope:
            i = shape.index.get(root)
            if i is not None:
                chosen.update(range(i, shape.end[i]))
        positions = sorted(chosen)
    groups.extend((Group(shape.order[i]), shape.depth[i] + 1) for i in positions)
    heat = round_cache(data).heat

    def cell(g: Group, c: str) -> ConstructResult | QuestionResult | Suppressed:
        found = heat.get((g, c))
        if found is None:
            found = construct_core(data, g, c, detail=False)[0]
            heat[(g, c)] = found
        return found

    with gc_paused():
        rows = tuple(
            HeatmapRow(group=g, label=g.label(data), depth=depth, cells=tuple(cell(g, c) for c in columns))
            for g, depth in groups
        )
    return Heatmap(columns=tuple(columns), rows=rows)


@dataclass(frozen=True)
class SliceRow:
    group: Group
    label: str
    result: ConstructResult | QuestionResult | Suppressed


@dataclass(frozen=True)
class Slices:
    key: str | int
    base: Group
    by_band: tuple[SliceRow, ...]
    by_region: tuple[SliceRow, ...]


def _result_for(
    data: RoundData, group: Group, key: str | int
) -> ConstructResult | QuestionResult | Suppressed:
    if isinstance(key, int):
        return _question_core(data, group, _question(data, key))[0]
    return construct_core(data, group, key)[0]


def slices(
    data: RoundData, scope: Scope, construct_or_question: str | int, team: int | None = None
) -> Slices:
    """A construct (key) or question (id) by tenure band and by region, for the organisation or one team's
    subtree (`team`). Raises NotInScope if the viewer may not see that group."""
    base = Group(team)
    check_scope(data, base, scope)
    bands, regions = slice_values(data)
    by_band = tuple(
        SliceRow(g, TENURE_LABELS.get(b, b), _result_for(data, g, construct_or_question))
        for b in bands
        for g in [Group(team, band=b)]
    )
    by_region = tuple(
        SliceRow(g, REGION_LABELS.get(r, r), _result_for(data, g, construct_or_question))
        for r in regions
        for g in [Group(team, region=r)]
    )
    return Slices(key=construct_or_question, base=base, by_band=by_band, by_region=by_region)


@dataclass(frozen=True)
class TrendPoint:
    round_id: int
    label: str
    result: ConstructResult | QuestionResult | Suppressed


@dataclass(frozen=True)
class Trend:
    points: tuple[TrendPoint, ...]
    change: Change | None  # between the last two points that are shown; None if fewer than two


def trend(
    datas: Sequence[RoundData], group: Group, question_or_construct: str | int, *, scope: Scope
) -> Trend:
    """A question (id) or construct (key) for one group across rounds (oldest first), and whether the
    change between the last two SHOWN points is significant: enps_change for eNPS, welch for means
    (Welch on construct means treats the pooled item answers as the sample).
    Rounds where the question or construct was not asked, or where the group was outside the viewer's
    scope (by that round's tree), are left out; the group must be in scope in the latest round."""
    points: list[TrendPoint] = []
    shown: list[tuple[ConstructResult | QuestionResult, Nums]] = []  # with the exact totals for the test
    if datas:
        check_scope(datas[-1], group, scope)
    for data in datas:
        if not in_scope(data, group, scope):
            continue  # e.g. the team sat outside the viewer's subtree in that round's tree
        key = question_or_construct
        res: ConstructResult | QuestionResult | Suppressed
        if isinstance(key, int):
            q = round_cache(data).questions.get(key)
            if q is None:
                continue
            res, nums = _question_core(data, group, q)
        else:
            if not construct_questions(data, key):
                continue
            res, nums = construct_core(data, group, key)
        points.append(TrendPoint(data.round_id, data.label, res))
        if not isinstance(res, Suppressed):
            shown.append((res, nums))
    return Trend(points=tuple(points), change=last_change(shown))


def last_change(shown: Sequence[tuple[ConstructResult | QuestionResult, Nums]]) -> Change | None:
    """The change between the last two shown points of a trend, tested on their exact totals."""
    change: Change | None = None
    if len(shown) >= 2:
        (a, na), (b, nb) = shown[-2], shown[-1]
        if isinstance(a, QuestionResult) and isinstance(b, QuestionResult) and a.enps and b.enps:
            change = enps_change(_enps_of(na), _enps_of(nb))
            shown_delta = b.enps.score - a.enps.score
        else:
            sd_a = mean_sd(Stat(n=na.n, total=na.total, total_sq=na.total_sq))[1]
            sd_b = mean_sd(Stat(n=nb.n, total=nb.total, total_sq=nb.total_sq))[1]
            change = welch(na.total / na.n, sd_a, na.n, nb.total / nb.n, sd_b, nb.n)
            shown_delta = round(b.mean - a.mean, 1)
        if a.rounded or b.rounded:
            change = coarse_change(change, shown_delta)  # rule 6: the words only
    return change
