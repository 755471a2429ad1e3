"""The gate's groups (the organisation and team subtrees, sliced or not), the round's team tree in
depth-first order, the cells of a count table, and the per-round cache. See the package for the rules."""

from __future__ import annotations

import gc
import weakref
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import accumulate
from typing import TYPE_CHECKING, Literal, NamedTuple

from ..data import (
    REGION_LABELS,
    REGIONS,
    TENURE_BANDS,
    TENURE_LABELS,
    Cell,
    QuestionInfo,
    RoundData,
)
from ..models import ABSOLUTE_MIN_GROUP, DRIVERS_MIN_RESPONDENTS
from ..stats import DETRACTOR_MAX, NPS11, PROMOTER_MIN, favourable_count
from .config import DEFAULT, GateConfig

if TYPE_CHECKING:
    from .results import ConstructResult, QuestionResult, Suppressed, Totals

Scope = Literal["org"] | set[int] | frozenset[int] | None

ORG_LABEL = "Whole organisation"
# One wording for every group under k, an empty one included (rule 1): "No responses" next to "fewer than
# 5 responses" would tell a reader whether the one person of a team, or of a slice, answered at all.
SMALL = "Not shown: fewer than {k} responses"
SMALL_INVITED = "Not shown: fewer than {k} people invited"
PROTECTED = "Not shown to protect anonymity"
DRIVERS_SMALL = f"Not shown: key drivers need at least {DRIVERS_MIN_RESPONDENTS} complete responses"


class NotInScope(PermissionError):
    """The viewer asked about a group outside what they may see."""


def effective_k(data: RoundData) -> int:
    """The round's minimum group size, never below ABSOLUTE_MIN_GROUP (3)."""
    return max(int(data.k), ABSOLUTE_MIN_GROUP)


# --------------------------------------------------------------------------------------------------
# Groups


class Group(NamedTuple):
    """A group of a round: the whole organisation (team None) or one team's subtree, optionally narrowed
    to one tenure band and/or one region."""

    team: int | None = None
    band: str | None = None
    region: str | None = None

    @property
    def sliced(self) -> bool:
        return self.band is not None or self.region is not None

    def label(self, data: RoundData) -> str:
        base = ORG_LABEL if self.team is None else (data.team_names.get(self.team) or f"Team {self.team}")
        parts = [base]
        if self.band is not None:
            parts.append(TENURE_LABELS.get(self.band, self.band))
        if self.region is not None:
            parts.append(REGION_LABELS.get(self.region, self.region))
        return " · ".join(parts)

    def contains(self, cell: Cell, data: RoundData) -> bool:
        """Whether `cell` is in this group, by the round's team tree snapshot. A cell whose team is None
        or not in the tree belongs only to organisation-wide groups."""
        team, band, region = cell
        if self.band is not None and band != self.band:
            return False
        if self.region is not None and region != self.region:
            return False
        if self.team is None:
            return True
        return round_cache(data).shape.in_subtree(team, self.team)


class TeamTree:
    """The round's team tree in depth-first order: every subtree is a contiguous range of positions."""

    def __init__(self, tree: Mapping[int, int | None]) -> None:
        children: dict[int, list[int]] = {}
        roots: list[int] = []
        for team, parent in tree.items():
            if parent is None or parent not in tree or parent == team:
                roots.append(team)
            else:
                children.setdefault(parent, []).append(team)
        order: list[int] = []
        index: dict[int, int] = {}
        parent_idx: list[int] = []
        depth: list[int] = []

        def walk(start: list[int]) -> None:
            stack = [(t, -1) for t in sorted(start, reverse=True)]
            while stack:
                team, pidx = stack.pop()
                if team in index:
                    continue
                index[team] = len(order)
                order.append(team)
                parent_idx.append(pidx)
                depth.append(0 if pidx < 0 else depth[pidx] + 1)
                here = index[team]
                stack.extend((c, here) for c in sorted(children.get(team, ()), reverse=True))

        walk(roots)
        while len(order) < len(tree):  # a cycle in a damaged snapshot: break it at its smallest id
            walk([min(t for t in tree if t not in index)])
        size = [1] * len(order)
        for i in range(len(order) - 1, 0, -1):
            if parent_idx[i] >= 0:
                size[parent_idx[i]] += size[i]
        self.order = order
        self.index = index
        self.parent = parent_idx
        self.depth = depth
        self.end = [i + size[i] for i in range(len(order))]
        self.children: list[list[int]] = [[] for _ in order]
        self.roots: list[int] = []
        for i, p in enumerate(parent_idx):
            (self.children[p] if p >= 0 else self.roots).append(i)

    def pos(self, team: int | None) -> int:
        """Position of a team in depth-first order; teams outside the tree (and None) sort last."""
        if team is None:
            return len(self.order)
        return self.index.get(team, len(self.order))

    def in_subtree(self, team: int | None, root: int) -> bool:
        if team is None:
            return False
        i = self.index.get(team)
        r = self.index.get(root)
        return i is not None and r is not None and r <= i < self.end[r]


def slice_values(data: RoundData) -> tuple[list[str], list[str]]:
    bands = list(TENURE_BANDS)
    regions = list(REGIONS)
    extra_b: set[str] = set()
    extra_r: set[str] = set()
    for table in (data.respondents, data.invited, data.commenters):
        for _team, band, region in table:
            if band not in TENURE_BANDS:
                extra_b.add(band)
            if region not in REGIONS:
                extra_r.add(region)
    return bands + sorted(extra_b), regions + sorted(extra_r)


def family(data: RoundData) -> list[Group]:
    """Every group any viewer can see in a round: the whole organisation and every team's subtree (every
    team in the round's tree, every level, depth-first), each unsliced, by each tenure band and by each
    region. Differencing protection is always computed over this whole family."""
    return list(round_cache(data).family)


def _make_family(data: RoundData, shape: TeamTree) -> list[Group]:
    bands, regions = slice_values(data)
    out: list[Group] = []
    for team in [None, *shape.order]:
        out.append(Group(team))
        out.extend(Group(team, band=b) for b in bands)
        out.extend(Group(team, region=r) for r in regions)
    return out


# --------------------------------------------------------------------------------------------------
# Cells of one count table, sorted so that a subtree is a range


SliceKey = tuple[str | None, str | None]


class CellIndex:
    """The non-empty cells of one count table (respondents, one question's answers, ...)."""

    def __init__(
        self, shape: TeamTree, counts: Mapping[Cell, int], hists: Mapping[Cell, Sequence[int]] | None = None
    ) -> None:
        items = sorted(((shape.pos(c[0]), c, int(n)) for c, n in counts.items() if n > 0), key=lambda x: x[0])
        self.shape = shape
        self.pos = [p for p, _, _ in items]
        self.cells = [c for _, c, _ in items]
        self.n = [n for _, _, n in items]
        self.band = [c[1] for c in self.cells]
        self.region = [c[2] for c in self.cells]
        self.hists: list[Sequence[int]] | None = None
        if hists is not None:
            width = max((len(h) for h in hists.values()), default=0)
            # The caller's lists when they already have the full width (no copies to allocate).
            self.hists = [
                h if len(h) == width else _pad(h, width) for h in (hists.get(c, ()) for c in self.cells)
            ]
        self._prefix: dict[SliceKey, list[int]] = {}

    def span(self, team: int | None) -> tuple[int, int]:
        if team is None:
            return 0, len(self.pos)
        i = self.shape.index.get(team)
        if i is None:
            return 0, 0
        return bisect_left(self.pos, i), bisect_left(self.pos, self.shape.end[i])

    def members(self, group: Group) -> list[int]:
        lo, hi = self.span(group.team)
        b, r = group.band, group.region
        if b is None and r is None:
            return list(range(lo, hi))
        band, region = self.band, self.region
        return [i for i in range(lo, hi) if (b is None or band[i] == b) and (r is None or region[i] == r)]

    def prefix(self, key: SliceKey) -> list[int]:
        """Running totals of the counts of the cells matching a (band, region) slice key."""
        prefix = self._prefix.get(key)
        if prefix is None:
            b, r = key
            if b is None and r is None:
                vals: Iterable[int] = self.n
            else:
                vals = (
                    n if (b is None or cb == b) and (r is None or cr == r) else 0
                    for n, cb, cr in zip(self.n, self.band, self.region, strict=True)
                )
            prefix = self._prefix[key] = list(accumulate(vals, initial=0))
        return prefix

    def size(self, group: Group) -> int:
        prefix = self.prefix((group.band, group.region))
        lo, hi = self.span(group.team)
        return prefix[hi] - prefix[lo]


def _pad(hist: Sequence[int], width: int) -> list[int]:
    return list(hist) + [0] * (width - len(hist))


CATEGORIES = 4  # the category counts at the head of an answer mix (see answer_mix)


def answer_mix(q: QuestionInfo, hist: Sequence[int]) -> list[int]:
    """What rule 3 looks at in a histogram of RAW answers to `q`: first how many fall in each category a
    viewer can be shown (agree5: favourable, not favourable, neutral, unfavourable, i.e. scored 4-5, 1-3,
    3 and 1-2; nps11: promoters, not promoters, passives, detractors), then how many gave each value.
    Every value lies in one category of each kind, so one value held by everyone puts everyone in one
    category too: the categories cover each bar of a distribution as well."""
    n = sum(hist)
    if q.scale == NPS11:
        promoters = sum(hist[PROMOTER_MIN:11])
        detractors = sum(hist[0 : DETRACTOR_MAX + 1])
        return [promoters, n - promoters, n - promoters - detractors, detractors, *hist]
    fav = favourable_count(hist, q.reverse, q.scale)
    neutral = hist[3] if len(hist) > 3 else 0
    return [fav, n - fav, neutral, n - fav - neutral, *hist]


def unsafe_mix(n: int, mix: Sequence[int], k: int) -> bool:
    """Rule 3, for a group or atom of n answers (n >= k) whose `answer_mix` is `mix`: one category holds
    every answer (at any size), or, below 2k answers, one value holds all of them or all but one."""
    if not mix:
        return False
    if max(mix[:CATEGORIES]) >= n:
        return True
    return n < 2 * k and max(mix[CATEGORIES:], default=0) >= n - 1


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector during a burst of allocations. The gate allocates hundreds of
    thousands of small objects (atoms, lists, results) that are never cyclic garbage; letting the collector
    walk every live object each time it triggers made protection and heatmaps several times slower."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --------------------------------------------------------------------------------------------------
# Per-round cache


class RoundCache:
    """The gate's working state for one round, kept on the RoundData (`gate_cache`): the team tree, the
    family of groups, cell indexes, which groups survive each count table, running totals and heatmap
    cells already computed. `config` is what protection runs with."""

    def __init__(self, data: RoundData, config: GateConfig = DEFAULT) -> None:
        self.config = config
        self.shape = TeamTree(data.tree)
        self._family: list[Group] | None = None
        self._data = weakref.ref(data)  # the data holds this cache: no strong cycle
        self.visible: dict[object, frozenset[Group]] = {}
        self.indexes: dict[object, CellIndex] = {}
        self.totals: dict[tuple[int, str | None, str | None], Totals] = {}
        self.constructs: dict[str, list[QuestionInfo]] = {}
        self.questions = {q.id: q for q in data.questions}
        # Heatmap cells already computed for this (immutable) round: a manager's next view is lookups.
        self.heat: dict[tuple[Group, str], ConstructResult | QuestionResult | Suppressed] = {}

    @property
    def family(self) -> list[Group]:
        if self._family is None:
            data = self._data()
            assert data is not None
            self._family = _make_family(data, self.shape)
        return self._family


def round_cache(data: RoundData) -> RoundCache:
    """The round's cache, made on first use with the default configuration."""
    found = data.gate_cache
    if found is None:
        found = data.gate_cache = RoundCache(data)
    return found  # type: ignore[no-any-return]


def configure(data: RoundData, config: GateConfig) -> None:
    """Run the gate on this round with `config` (tests compare SLICES_FIRST both ways). Anything already
    computed for the round is dropped."""
    data.gate_cache = RoundCache(data, config)


def cell_index(data: RoundData, table: object) -> CellIndex:
    cache = round_cache(data)
    idx = cache.indexes.get(table)
    if idx is None:
        if isinstance(table, int):
            # Protection (rule 3) looks at the categories a viewer can be shown as well as raw values.
            cells = data.stats.get(table, {})
            q = cache.questions.get(table)
            idx = CellIndex(
                cache.shape,
                {c: s.n for c, s in cells.items()},
                {c: answer_mix(q, s.hist) for c, s in cells.items()} if q is not None else None,
            )
        elif table == "respondents":
            idx = CellIndex(cache.shape, data.respondents)
        elif table == "commenters":
            idx = CellIndex(cache.shape, data.commenters)
        elif table == "invited":
            idx = CellIndex(cache.shape, data.invited)
        else:
            raise ValueError(f"unknown count table {table!r}")
        cache.indexes[table] = idx
    return idx


# --------------------------------------------------------------------------------------------------
# Viewers


def check_scope(data: RoundData, group: Group, scope: Scope) -> None:
    if not in_scope(data, group, scope):
        raise NotInScope(f"{group} is outside the viewer's scope")


def in_scope(data: RoundData, group: Group, scope: Scope) -> bool:
    """Whether a viewer with `scope` may ask about `group` (before any protection)."""
    if scope is None:
        return True
    if scope == "org":
        return group.team is None
    if isinstance(scope, str):
        raise ValueError(f"unknown scope {scope!r}")
    if group.team is None:
        return False
    shape = round_cache(data).shape
    return any(shape.in_subtree(group.team, root) for root in scope)
