"""The anonymity gate: the ONE module every pulse number leaves through (pages, API, exports, jobs).

Nothing outside this module reads answer aggregates (`RoundData.stats`, `drivers`, the count tables)
to show them to anyone. Views ask the functions at the bottom of this module, which return either a
result or `Suppressed`.

The rules, in plain words
=========================

1. Minimum group size k. A number about a group is shown only when at least k people in it answered
   (k is the round's setting, default 5, and never below 3 whatever the setting says). A hidden number
   says why without saying how many there were: "Not shown: fewer than 5 responses".

2. Differencing protection. A viewer who sees two groups can subtract one from the other: a team
   minus one of its child teams is "everyone else in the team", and the whole organisation minus
   "Under 1 year" is everybody who has been here longer. If such a difference is one person, their
   answer is out. So we look at the FAMILY of every group anyone can see in a round (the whole
   organisation and every team's subtree at every level, each on its own and split by tenure band and
   by region), not just the groups one viewer sees, because viewers talk to each other.
   Every group is a union of CELLS (team, tenure band, region). Cells that belong to exactly the same
   visible groups can never be told apart by adding and subtracting visible numbers; they merge into
   one ATOM. Any number anybody can compute from the visible groups is a sum over whole atoms, so if
   every non-empty atom holds at least k answers, no sum over fewer than k people can be computed.
   `protect()` enforces this:
     a. hide every group with 1..k-1 answers (groups with none are simply empty);
     b. while some non-empty atom holds fewer than k answers (smallest atom first), hide one more
        group: the smallest visible group whose hiding merges that atom with another non-empty atom;
        if none does, the smallest visible group containing the atom (then try again); if only the
        whole organisation contains it, the smallest group that separates it from its nearest atom.
        Groups with exactly the same cells (a team whose people all share one region, a parent whose
        only members are in its one child team) are hidden together, since hiding one of them alone
        would change nothing. The whole-organisation group is never chosen (it contains every cell,
        so hiding it merges nothing); it is hidden only when the whole organisation is itself unsafe,
        and then everything is.
   The protection is computed for the whole family, for each count separately: respondents (which
   groups exist in a round), each question's answers (people skip questions), comment authors, and
   people invited (participation). Answers and comment authors start from the groups that survived on
   respondents, so a group hidden there is hidden for every question and comment. A viewer's own view is
   then a subset of what survived, never a weaker filter.
   The atom rule is deliberately conservative: it does not try to prove that a small atom's sum cannot
   be computed, it makes sure no small atom exists. With many small teams AND organisation-wide slices
   this hides a lot (an organisation-wide band splits every team's own people by band); SLICES_FIRST
   chooses which of the two gives way.

3. Unanimity. If everybody in a small group gives the same answer, the group's mean tells each of them
   what the others answered (and a manager who knows who took part learns every answer). Our rule:
     - The distribution (how many gave each answer) and the standard deviation of a group are shown
       only when it has at least 2k answers and no single value holds all of them. Smaller groups show
       n, the mean and the favourable share (and eNPS with its interval), nothing finer.
     - A group, and by the same atom argument any ATOM, with fewer than 2k answers in which all answers
       are the same, or all but one, is unsafe: `protect()` treats it exactly like an atom below k, so
       it is hidden (or merged) and the mean of a near-unanimous small set cannot be computed by
       differencing either. Hidden this way, it says only "Not shown to protect anonymity" - the same
       words as a group hidden by differencing - so the reader cannot tell unanimity from differencing.
     - Why "all but one": then no respondent, subtracting their own answer, learns that the others were
       unanimous; and a person can never be certain of anyone's exact answer from what is shown.
     - At 2k answers or more a unanimous mean is shown: the group's agreement is its message and each
       person is one of at least 2k. (Its distribution is still not shown.)

4. Comments show only for groups whose comment AUTHORS pass the same protection (computed with the
   comment-author counts). Key drivers need a visible group and at least 30 complete answer sets.
   Participation shows invited, responded and rate, protected with the invited counts; never a list.

5. Viewers. `scope` is None for admins (everything), a set of team ids for managers (the groups of those
   teams' subtrees, sliced or not), or "org" for members (organisation-wide groups and their slices).
   Asking about a group outside the scope raises `NotInScope`.

Heatmap cells are summaries: n, mean and favourable share (and eNPS), never a distribution.

Speed: a round's protection runs once per count table and is cached on the RoundData object (treat a
RoundData as immutable once it has been given to this module). Atoms are found by hashing each cell's
set of visible groups (XOR of a random 128-bit key per group; a collision, about 2^-128 per pair, could
only merge two atoms), updated incrementally as groups are hidden; the smallest bad atom always comes
from a heap. Totals of whole subtrees, and of their tenure and region slices, are running sums over cells
in depth-first order. When a round closes, `publish` stores the heatmap and its slices as this module
computed them (see "Published results" at the end); pages read those back instead of computing again.
"""

from __future__ import annotations

import gc
import heapq
import json
import random
import secrets
import weakref
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import astuple, dataclass
from itertools import accumulate
from operator import attrgetter, itemgetter, xor
from typing import Any, Literal, NamedTuple

from .data import (
    REGION_LABELS,
    REGIONS,
    TENURE_BANDS,
    TENURE_LABELS,
    Cell,
    DriverSums,
    QuestionInfo,
    RoundData,
    Stat,
)
from .models import ABSOLUTE_MIN_GROUP, DRIVERS_MIN_RESPONDENTS
from .stats import (
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

Scope = Literal["org"] | set[int] | frozenset[int] | None

ORG_LABEL = "Whole organisation"
SMALL = "Not shown: fewer than {k} responses"
SMALL_INVITED = "Not shown: fewer than {k} people invited"
PROTECTED = "Not shown to protect anonymity"
NO_ANSWERS = "No responses"
DRIVERS_SMALL = f"Not shown: key drivers need at least {DRIVERS_MIN_RESPONDENTS} complete responses"
AGREE5_LABELS = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree")


# Which groups to hide first when an atom is too small (rule 2b). False: the smallest group, whatever
# it is, as the issue describes. True: sliced groups (tenure band, region) before any whole team or the
# whole organisation, smallest first within each kind. On a synthetic organisation of 12,000 teams and
# 70,000 respondents, False keeps the 6 organisation-wide slices but only ~230 of 9,570 teams with 5 or
# more respondents; True keeps ~8,000 of those teams and no organisation-wide slice. Both are safe.
SLICES_FIRST = True
# Saved protection states carry this; change it whenever the protection rules change.
RULE_VERSION = f"2026-11/slices-first={SLICES_FIRST}"


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
        return _cache(data).shape.in_subtree(team, self.team)


class _Shape:
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


def _slice_values(data: RoundData) -> tuple[list[str], list[str]]:
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
    return list(_cache(data).family)


def _make_family(data: RoundData, shape: _Shape) -> list[Group]:
    bands, regions = _slice_values(data)
    out: list[Group] = []
    for team in [None, *shape.order]:
        out.append(Group(team))
        out.extend(Group(team, band=b) for b in bands)
        out.extend(Group(team, region=r) for r in regions)
    return out


# --------------------------------------------------------------------------------------------------
# Cells of one count table, sorted so that a subtree is a range


_SliceKey = tuple[str | None, str | None]


class _CellIndex:
    """The non-empty cells of one count table (respondents, one question's answers, ...)."""

    def __init__(
        self, shape: _Shape, counts: Mapping[Cell, int], hists: Mapping[Cell, Sequence[int]] | None = None
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
        self._prefix: dict[_SliceKey, list[int]] = {}

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

    def prefix(self, key: _SliceKey) -> list[int]:
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


def _near_unanimous(n: int, hist: Sequence[int]) -> bool:
    """All answers the same, or all but one."""
    return bool(hist) and max(hist) >= n - 1


# --------------------------------------------------------------------------------------------------
# Differencing protection


class _Atom:
    __slots__ = ("alive", "cells", "h", "hist", "n", "queued", "uid")

    def __init__(self, uid: int, h: int, cells: list[int], n: int, hist: list[int] | None) -> None:
        self.uid = uid  # creation order, for a deterministic order of work
        self.h = h  # hash of the set of visible groups its cells belong to (0: none)
        self.cells = cells
        self.n = n
        self.hist = hist
        self.alive = True
        self.queued = -1  # the n it is queued with on the heap, -1 if not queued


def protect(
    data: RoundData,
    counts: Mapping[Cell, int],
    groups: Iterable[Group],
    values: Mapping[Cell, Sequence[int]] | None = None,
) -> set[Group]:
    """The groups of `groups` that may be shown, given how many answers each cell has (`counts`).

    Implements rule 2 of the module docstring (and rule 3 when `values`, the per-cell histograms of
    answer values, is given: atoms and groups with fewer than 2k answers, all or all but one the same,
    are unsafe too). Groups not returned are suppressed; empty groups are never returned.
    """
    shape = _cache(data).shape
    index = _CellIndex(shape, counts, values)
    k = effective_k(data)
    return _protect(shape, index, k, list(groups), check_values=values is not None, slices_first=SLICES_FIRST)


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


def _protect(
    shape: _Shape,
    idx: _CellIndex,
    k: int,
    groups: list[Group],
    check_values: bool,
    start: frozenset[Group] | set[Group] | None = None,
    slices_first: bool = False,
) -> set[Group]:
    with gc_paused():
        return _protect_groups(shape, idx, k, groups, check_values, start, slices_first)


def _protect_groups(
    shape: _Shape,
    idx: _CellIndex,
    k: int,
    groups: list[Group],
    check_values: bool,
    start: frozenset[Group] | set[Group] | None,
    slices_first: bool,
) -> set[Group]:
    """Rule 2 (and 3 with `check_values`) over `groups`. `start`, if given, are the only groups that may
    be visible at all (e.g. those that survived the respondent counts). `slices_first` hides sliced
    groups before unsliced ones whatever their size (see SLICES_FIRST).

    Groups with exactly the same non-empty cells (a team whose members all share one region, a parent
    with a single child and no members of its own) are one CLASS: hiding one of them alone changes
    nothing, so a class is hidden or kept as a whole. The class of the whole organisation is never
    hidden (unless the organisation itself is unsafe)."""
    # Groups outside `start` can never be visible, so they play no part at all.
    uniq = list(dict.fromkeys(groups if start is None else (g for g in groups if g in start)))
    n_groups = len(uniq)
    n_teams = len(shape.order)
    n_cells = len(idx.cells)
    hists = idx.hists if check_values else None
    two_k = 2 * k
    parent = shape.parent
    children = shape.children
    cell_band, cell_region, cell_pos, cell_n = idx.band, idx.region, idx.pos, idx.n

    # Where each group sits: its scope (team position, -1 for the organisation, -2 for a team outside
    # the tree, which is always empty) and its slice key (band, region).
    key_id: dict[_SliceKey, int] = {}
    g_key = [0] * n_groups
    scope_of = [-2] * n_groups
    index_of = shape.index
    for gid, (team, band, region) in enumerate(uniq):
        key = (band, region)
        kid = key_id.get(key)
        if kid is None:
            kid = key_id[key] = len(key_id)
        g_key[gid] = kid
        scope_of[gid] = -1 if team is None else index_of.get(team, -2)
    keys = list(key_id)
    n_keys = len(keys)

    # The cells matching each slice key, in tree order, so that a group's cells are one slice of a list;
    # running totals of counts and a running XOR of random cell keys (to find identical groups).
    rng = random.Random(secrets.randbits(128))
    cell_rnd = [rng.getrandbits(128) for _ in range(n_cells)]  # to recognise identical groups
    key_cells: list[list[int]] = []
    key_pos: list[list[int]] = []
    key_count: list[list[int]] = []
    key_xor: list[list[int]] = []
    for kb, kr in keys:
        if kb is None and kr is None:
            cells_k = list(range(n_cells))
        else:
            cells_k = [
                i
                for i in range(n_cells)
                if (kb is None or cell_band[i] == kb) and (kr is None or cell_region[i] == kr)
            ]
        key_cells.append(cells_k)
        key_pos.append([cell_pos[i] for i in cells_k])
        key_count.append(list(accumulate((cell_n[i] for i in cells_k), initial=0)))
        key_xor.append(list(accumulate((cell_rnd[i] for i in cells_k), xor, initial=0)))
    end = shape.end
    spans: list[tuple[int, int]] = []
    for gid in range(n_groups):
        t, kid = scope_of[gid], g_key[gid]
        if t == -2:
            spans.append((0, 0))
        elif t == -1:
            spans.append((0, len(key_cells[kid])))
        else:
            pos = key_pos[kid]
            spans.append((bisect_left(pos, t), bisect_left(pos, end[t])))
    size = [key_count[g_key[gid]][b] - key_count[g_key[gid]][a] for gid, (a, b) in enumerate(spans)]

    def members(gid: int) -> list[int]:
        a, b = spans[gid]
        return key_cells[g_key[gid]][a:b]

    def bad(n: int, hist: list[int] | None) -> bool:
        return n < k or (hist is not None and n < two_k and max(hist) >= n - 1)

    def group_hist(gid: int) -> list[int]:
        assert hists is not None
        out = [0] * len(hists[0])
        for ci in members(gid):
            for v, c in enumerate(hists[ci]):
                out[v] += c
        return out

    # a. Groups that are unsafe on their own.
    visible = bytearray(n_groups)
    for gid in range(n_groups):
        s = size[gid]
        if s < k:
            continue
        if hists is not None and s < two_k and _near_unanimous(s, group_hist(gid)):
            continue
        visible[gid] = 1
    if not any(visible):
        return set()

    # Classes of identical visible groups; the class key XORs its members' random keys.
    getrandbits = rng.getrandbits
    rnd = [getrandbits(128) if v else 0 for v in visible]
    class_of = [-1] * n_groups
    class_members: list[list[int]] = []
    class_key: list[int] = []
    by_content: dict[tuple[int, int], int] = {}
    for gid in range(n_groups):
        if visible[gid]:
            a, b = spans[gid]
            kx = key_xor[g_key[gid]]
            content = (size[gid], kx[b] ^ kx[a])
            c = by_content.get(content)
            if c is None:
                c = by_content[content] = len(class_members)
                class_members.append([])
                class_key.append(0)
            class_of[gid] = c
            class_members[c].append(gid)
            class_key[c] ^= rnd[gid]
    del by_content
    org_class = -1
    for gid, g in enumerate(uniq):
        if visible[gid] and g.team is None and g.band is None and g.region is None:
            org_class = class_of[gid]
    tier = [0] * len(class_members)
    if slices_first:  # a class is "whole" if any member is an unsliced group
        for c, gids in enumerate(class_members):
            tier[c] = 1 if any(not uniq[g].sliced for g in gids) else 0

    # The visible groups of each scope, as (gid, band, region).
    team_groups: list[list[tuple[int, str | None, str | None]]] = [[] for _ in range(n_teams)]
    org_groups: list[tuple[int, str | None, str | None]] = []
    whole_gid = [-1] * n_teams
    for gid in range(n_groups):
        t = scope_of[gid]
        if t == -2:
            continue
        kb, kr = keys[g_key[gid]]
        if kb is None and kr is None and t >= 0:
            whole_gid[t] = gid
        if visible[gid]:
            (team_groups[t] if t >= 0 else org_groups).append((gid, kb, kr))
    vis_below = [0] * n_teams  # visible groups of the teams in each subtree
    for i in range(n_teams - 1, -1, -1):
        vis_below[i] += len(team_groups[i])
        if parent[i] >= 0:
            vis_below[parent[i]] += vis_below[i]

    # b. Each cell's signature hash: XOR of the random keys of the visible groups containing it, built
    # top-down per slice key; cells with equal hashes form one atom.
    own_key = [[0] * n_teams for _ in range(n_keys)]  # the random key of a team's visible group, or 0
    org_key = [0] * n_keys
    for gid in range(n_groups):
        if visible[gid]:
            t = scope_of[gid]
            if t >= 0:
                own_key[g_key[gid]][t] = rnd[gid]
            elif t == -1:
                org_key[g_key[gid]] = rnd[gid]
    hash_by_key: list[tuple[int, list[int]]] = []
    for kid in range(n_keys):
        org_h = org_key[kid]
        own = own_key[kid]
        arr = [0] * n_teams
        for i in range(n_teams):
            p = parent[i]
            arr[i] = (arr[p] if p >= 0 else org_h) ^ own[i]
        hash_by_key.append((org_h, arr))
    del own_key
    cell_hash = [0] * n_cells
    for kid in range(n_keys):
        org_h, arr = hash_by_key[kid]
        for ci, here in zip(key_cells[kid], key_pos[kid], strict=True):
            cell_hash[ci] ^= arr[here] if here < n_teams else org_h
    atoms: dict[int, _Atom] = {}
    cell_atom: list[_Atom] = []
    for ci, h in enumerate(cell_hash):
        atom = atoms.get(h)
        if atom is None:
            hist = list(hists[ci]) if hists is not None else None
            atom = atoms[h] = _Atom(len(atoms), h, [ci], cell_n[ci], hist)
        else:
            atom.cells.append(ci)
            atom.n += cell_n[ci]
            if atom.hist is not None and hists is not None:
                ah = atom.hist
                for v, c in enumerate(hists[ci]):
                    ah[v] += c
        cell_atom.append(atom)
    del cell_hash

    heap: list[tuple[int, int, _Atom]] = []
    seq = 0
    for atom in atoms.values():
        if atom.h != 0 and bad(atom.n, atom.hist):
            seq += 1
            atom.queued = atom.n
            heap.append((atom.n, seq, atom))
    heapq.heapify(heap)

    def push(atom: _Atom) -> None:
        nonlocal seq
        if atom.queued != atom.n and atom.h != 0 and bad(atom.n, atom.hist):
            seq += 1
            atom.queued = atom.n
            heapq.heappush(heap, (atom.n, seq, atom))

    def remove(c: int) -> None:
        """Hide class c. Every atom inside it had all its groups in its signature: each atom moves to
        hash ^ class key, merging with the atom already there if any (the smaller one's cells are
        re-pointed)."""
        for gid in class_members[c]:
            visible[gid] = 0
            t = scope_of[gid]
            kb, kr = keys[g_key[gid]]
            (team_groups[t] if t >= 0 else org_groups).remove((gid, kb, kr))
            while t >= 0:
                vis_below[t] -= 1
                t = parent[t]
        cells = members(class_members[c][0])
        if not cells:
            return
        found = itemgetter(*cells)(cell_atom)
        moved = sorted(set(found) if len(cells) > 1 else {found}, key=attrgetter("uid"))
        rc = class_key[c]
        for atom in moved:
            del atoms[atom.h]
        for atom in moved:
            nh = atom.h ^ rc
            other = atoms.get(nh)
            if other is None:
                atom.h = nh  # same cells, same n: its place on the heap stays valid
                atoms[nh] = atom
                continue
            big, small = (other, atom) if len(other.cells) >= len(atom.cells) else (atom, other)
            big.h = nh
            atoms[nh] = big
            small.alive = False
            for ci in small.cells:
                cell_atom[ci] = big
            big.cells.extend(small.cells)
            big.n += small.n
            bh, sh = big.hist, small.hist
            if bh is not None and sh is not None:
                for v, cnt in enumerate(sh):
                    bh[v] += cnt
            push(big)

    def signature(ci: int) -> set[int]:
        """The classes of the visible groups containing cell ci."""
        b, r = cell_band[ci], cell_region[ci]
        out: set[int] = set()
        t = cell_pos[ci]
        while 0 <= t < n_teams:
            out.update(class_of[gid] for gid, kb, kr in team_groups[t] if kb in (None, b) and kr in (None, r))
            t = parent[t]
        out.update(class_of[gid] for gid, kb, kr in org_groups if kb in (None, b) and kr in (None, r))
        return out

    class_rank = [(size[gids[0]], gids[0]) for gids in class_members]  # smallest first, then family order

    def choose(atom: _Atom) -> int:
        """The class to hide next for a bad atom (rule 2b)."""
        rep = atom.cells[0]
        rb, rr = cell_band[rep], cell_region[rep]
        h = atom.h
        own: set[int] = set()  # classes containing the atom
        # Groups that might merge another atom into this one: slices of the atom's chain of scopes that
        # do not contain it. They can only if the signature has no band (region) group to tell apart.
        others: list[tuple[int, str | None, str | None]] = []
        chain = []
        t = cell_pos[rep]
        while 0 <= t < n_teams:
            chain.append(t)
            t = parent[t]
        has_band = has_region = False
        for gid, kb, kr in org_groups:
            if (kb is None or kb == rb) and (kr is None or kr == rr):
                own.add(class_of[gid])
                if kb is not None:
                    has_band = True
                if kr is not None:
                    has_region = True
        top = -1
        for t in reversed(chain):
            for gid, kb, kr in team_groups[t]:
                if (kb is None or kb == rb) and (kr is None or kr == rr):
                    own.add(class_of[gid])
                    if kb is not None:
                        has_band = True
                    if kr is not None:
                        has_region = True
                    top = t
        if not (has_band and has_region):
            others.extend(
                item for item in org_groups if item[1] not in (None, rb) or item[2] not in (None, rr)
            )
            for t in reversed(chain):
                others.extend(
                    item for item in team_groups[t] if item[1] not in (None, rb) or item[2] not in (None, rr)
                )
                if t == top:
                    break  # below the deepest scope, the search under it finds these
        own.discard(org_class)
        # One-step merges. Hiding a class of the atom's own signature merges it with the atom that has
        # all the same groups but those. Hiding a class g outside the signature merges into it the atom
        # whose signature is the atom's plus g: g is then another slice on the atom's chain of scopes,
        # or a group below its deepest scope reached through teams whose whole-subtree group is hidden;
        # and if the signature has a band (region) group, g's band (region) must be the atom's.
        stack = [c for c in (children[top] if top >= 0 else shape.roots) if vis_below[c]]
        while stack:
            t = stack.pop()
            others.extend(team_groups[t])
            w = whole_gid[t]
            if w < 0 or not visible[w]:
                stack.extend(c for c in children[t] if vis_below[c])
        best_merge: list[tuple[int, int, int] | None] = [None, None]  # per tier: (size, gid, class)
        for c in own:
            if (h ^ class_key[c]) in atoms:
                cand = (*class_rank[c], c)
                tc = tier[c]
                if best_merge[tc] is None or cand < best_merge[tc]:  # type: ignore[operator]
                    best_merge[tc] = cand
        tried = set(own)
        tried.add(org_class)
        for gid, kb, kr in others:
            if (has_band and kb is not None and kb != rb) or (has_region and kr is not None and kr != rr):
                continue
            c = class_of[gid]
            if c in tried:
                continue
            tried.add(c)
            if (h ^ class_key[c]) in atoms:
                cand = (*class_rank[c], c)
                tc = tier[c]
                if best_merge[tc] is None or cand < best_merge[tc]:  # type: ignore[operator]
                    best_merge[tc] = cand
        for level in (0, 1):
            found = best_merge[level]
            if found is not None:
                return found[2]
            # No single class merges it: hide the smallest visible class containing it, try again.
            smallest = min(((*class_rank[c], c) for c in own if tier[c] == level), default=None)
            if smallest is not None:
                return smallest[2]
        # Only the organisation's class contains it: walk towards the nearest atom (fewest classes apart).
        in_sig = own | {org_class}
        nearest: tuple[int, int, int, int, int] | None = None
        for other in atoms.values():
            if other is atom or other.h == 0:
                continue
            diff = signature(other.cells[0]) - in_sig
            if diff:
                small = min((tier[c], *class_rank[c], c) for c in diff)
                cand5 = (len(diff), *small)
                nearest = cand5 if nearest is None or cand5 < nearest else nearest
        return nearest[4] if nearest is not None else org_class

    while heap:
        n, _, atom = heapq.heappop(heap)
        if not atom.alive or atom.n != n or atom.queued != n:
            continue
        atom.queued = -1
        if atom.h == 0 or not bad(atom.n, atom.hist):
            continue
        c = choose(atom)
        if c < 0 or not visible[class_members[c][0]]:
            break  # nothing left to hide (defensive; unreachable with a consistent family)
        remove(c)
        if atom.alive:
            push(atom)
    return {uniq[gid] for gid in range(n_groups) if visible[gid]}


# --------------------------------------------------------------------------------------------------
# Per-round cache


class _RoundCache:
    def __init__(self, data: RoundData) -> None:
        self.shape = _Shape(data.tree)
        self._family: list[Group] | None = None
        self._data = weakref.ref(data)
        self.visible: dict[object, frozenset[Group]] = {}
        self.indexes: dict[object, _CellIndex] = {}
        self.totals: dict[tuple[int, str | None, str | None], _Totals] = {}
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


_CACHE: dict[int, _RoundCache] = {}


def _cache(data: RoundData) -> _RoundCache:
    key = id(data)
    found = _CACHE.get(key)
    if found is None:
        found = _RoundCache(data)
        _CACHE[key] = found
        weakref.finalize(data, _CACHE.pop, key, None)
    return found


def _index(data: RoundData, table: object) -> _CellIndex:
    cache = _cache(data)
    idx = cache.indexes.get(table)
    if idx is None:
        if isinstance(table, int):
            cells = data.stats.get(table, {})
            idx = _CellIndex(
                cache.shape, {c: s.n for c, s in cells.items()}, {c: s.hist for c, s in cells.items()}
            )
        elif table == "respondents":
            idx = _CellIndex(cache.shape, data.respondents)
        elif table == "commenters":
            idx = _CellIndex(cache.shape, data.commenters)
        elif table == "invited":
            idx = _CellIndex(cache.shape, data.invited)
        else:
            raise ValueError(f"unknown count table {table!r}")
        cache.indexes[table] = idx
    return idx


def _visible(data: RoundData, table: object) -> frozenset[Group]:
    """Groups of the family that survive protection for one count table: "respondents", "invited",
    "commenters" or a question id. Question answers and comment authors are protected starting from the
    groups that survived on respondents (a group hidden there is hidden for every answer and comment);
    participation ("invited") is protected on its own."""
    cache = _cache(data)
    found = cache.visible.get(table)
    if found is None:
        start = None if table in ("respondents", "invited") else _visible(data, "respondents")
        with gc_paused():
            idx = _index(data, table)
            found = frozenset(
                _protect_groups(
                    cache.shape,
                    idx,
                    effective_k(data),
                    cache.family,
                    check_values=isinstance(table, int),
                    start=start,
                    slices_first=SLICES_FIRST,
                )
            )
        cache.visible[table] = found
    return found


def _fingerprint(data: RoundData) -> list[object]:
    """A cheap check that saved protection state belongs to this round and these aggregates."""
    return [
        data.round_id,
        effective_k(data),
        SLICES_FIRST,
        len(data.tree),
        [sum(data.respondents.values()), len(data.respondents)],
        [sum(data.invited.values()), sum(data.commenters.values())],
        sorted([qid, sum(s.n for s in cells.values()), len(cells)] for qid, cells in data.stats.items()),
    ]


def _group_order(g: Sequence[int | str | None]) -> tuple[str, ...]:
    return tuple("" if x is None else f"{x!s:>20}" for x in g)


def protection_state(data: RoundData) -> dict[str, object]:
    """Every protection of a round (respondents, invited, commenters, each question) as JSON-able data.

    Protection of a large organisation takes about a second per count table. A CLOSED round never
    changes, so a job can compute this once when the round closes and store it; pages then call
    `load_protection_state` and never protect again. Do not store it for a round that can still change.
    """
    tables: list[object] = ["respondents", "invited", "commenters", *(q.id for q in data.questions)]
    return {
        "fingerprint": _fingerprint(data),
        "rule": RULE_VERSION,
        "visible": [
            [table, sorted(([g.team, g.band, g.region] for g in _visible(data, table)), key=_group_order)]
            for table in tables
        ],
    }


def load_protection_state(data: RoundData, state: Mapping[str, object]) -> bool:
    """Reuse protections saved by `protection_state` for this round. Returns False (and loads nothing)
    when the state does not match the round's aggregates; the gate then computes them itself."""
    stale = state.get("fingerprint") != _fingerprint(data) or state.get("rule") != RULE_VERSION
    if stale or not isinstance(state.get("visible"), list):
        return False
    cache = _cache(data)
    for table, groups in state["visible"]:  # type: ignore[attr-defined]
        cache.visible[table] = frozenset(Group(*g) for g in groups)
    return True


# --------------------------------------------------------------------------------------------------
# Viewers


def _check_scope(data: RoundData, group: Group, scope: Scope) -> None:
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
    shape = _cache(data).shape
    return any(shape.in_subtree(group.team, root) for root in scope)


def visible_groups(data: RoundData, scope: Scope) -> list[Group]:
    """The groups of the round this viewer may see that survive protection (on respondents), in family
    order: the organisation first, then teams depth-first, each unsliced then by band then by region."""
    vis = _visible(data, "respondents")
    return [g for g in _cache(data).family if g in vis and in_scope(data, g, scope)]


# --------------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class Suppressed:
    """A number that is not shown, and why (never how many answers there were)."""

    reason: str

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True)
class QuestionResult:
    group: Group
    question: QuestionInfo
    n: int
    mean: float  # of scored values (reverse items already flipped); 0-10 for eNPS
    favourable: float  # share 0..1: agree5 scored >= 4; nps11 promoters
    sd: float | None  # None below 2k answers (rule 3)
    distribution: (
        tuple[tuple[str, int], ...] | None
    )  # (label, count) by RAW answer; None unless rule 3 allows
    enps: Enps | None  # nps11 questions only


@dataclass(frozen=True)
class ConstructResult:
    group: Group
    construct: str
    n: int  # answers pooled across the construct's items
    mean: float
    favourable: float
    questions: tuple[int, ...]


@dataclass(frozen=True)
class Participation:
    invited: int
    responded: int
    rate: float


def _question(data: RoundData, question_id: int) -> QuestionInfo:
    q = _cache(data).questions.get(question_id)
    if q is None:
        raise LookupError(f"question {question_id} is not in round {data.round_id}")
    return q


class _Nums(NamedTuple):
    """A group's totals for one question: answers, sum and sum of squares of scored values, favourable
    answers, and (eNPS) promoters and detractors."""

    n: int
    total: float
    total_sq: float
    fav: int
    promoters: int
    detractors: int


_NO_NUMS = _Nums(0, 0.0, 0.0, 0, 0, 0)


class _Totals:
    """One question's running totals over its cells in tree order (see _CellIndex), counting only the
    cells of one slice key (band, region): the totals of any whole subtree, or of one slice of it, are a
    difference of two entries. Scored values are whole numbers, so every sum here is exact and a
    difference of running totals is the same number as adding the cells up one by one."""

    def __init__(
        self, data: RoundData, idx: _CellIndex, q: QuestionInfo, key: _SliceKey = (None, None)
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

    def of(self, team: int | None) -> _Nums:
        lo, hi = self.idx.span(team)
        return _as_nums([col[hi] - col[lo] for col in self.prefix])


def _as_nums(v: Sequence[float]) -> _Nums:
    return _Nums(int(v[0]), float(v[1]), float(v[2]), int(v[3]), int(v[4]), int(v[5]))


def _numbers(data: RoundData, group: Group, q: QuestionInfo) -> _Nums:
    """A group's totals for a question, from the round's running totals for the group's slice key."""
    cache = _cache(data)
    key = (q.id, group.band, group.region)
    totals = cache.totals.get(key)
    if totals is None:
        with gc_paused():
            totals = cache.totals[key] = _Totals(data, _index(data, q.id), q, (group.band, group.region))
    return totals.of(group.team)


def _group_hist(data: RoundData, group: Group, q: QuestionInfo) -> list[int]:
    idx = _index(data, q.id)
    cells = data.stats.get(q.id, {})
    out = [0] * (11 if q.scale == NPS11 else 6)
    for i in idx.members(group):
        for v, c in enumerate(cells[idx.cells[i]].hist[: len(out)]):
            out[v] += c
    return out


def _status(data: RoundData, group: Group, q: QuestionInfo, n: int) -> Suppressed | None:
    """Why a group's answers to a question are not shown (rules 1-3), or None if they may be."""
    k = effective_k(data)
    if n <= 0:
        return Suppressed(NO_ANSWERS)
    if n < k:
        return Suppressed(SMALL.format(k=k))
    if group not in _visible(data, q.id):
        return Suppressed(PROTECTED)
    return None


def _question_core(
    data: RoundData, group: Group, q: QuestionInfo, detail: bool = True
) -> tuple[QuestionResult | Suppressed, _Nums]:
    nums = _numbers(data, group, q)
    hidden = _status(data, group, q, nums.n)
    if hidden is not None:
        return hidden, nums
    n = nums.n
    mean = nums.total / n
    big = n >= 2 * effective_k(data)
    sd: float | None = None
    distribution: tuple[tuple[str, int], ...] | None = None
    if big:
        sd = mean_sd(Stat(n=n, total=nums.total, total_sq=nums.total_sq))[1]
        if detail:
            hist = _group_hist(data, group, q)
            if max(hist) < n:  # never the distribution of a unanimous group
                if q.scale == NPS11:
                    distribution = tuple((str(v), hist[v]) for v in range(11))
                else:
                    distribution = tuple((AGREE5_LABELS[v - 1], hist[v]) for v in range(1, 6))
    result = QuestionResult(
        group=group,
        question=q,
        n=n,
        mean=mean,
        favourable=nums.fav / n,
        sd=sd,
        distribution=distribution,
        enps=enps_counts(nums.promoters, n - nums.promoters - nums.detractors, nums.detractors)
        if q.scale == NPS11
        else None,
    )
    return result, nums


def question_result(
    data: RoundData, group: Group, question_id: int, *, scope: Scope
) -> QuestionResult | Suppressed:
    """One question for one group: n, mean, favourable share, and (rule 3) sd and distribution, or eNPS."""
    _check_scope(data, group, scope)
    return _question_core(data, group, _question(data, question_id))[0]


def _construct_questions(data: RoundData, construct: str) -> list[QuestionInfo]:
    cache = _cache(data)
    found = cache.constructs.get(construct)
    if found is None:
        found = cache.constructs[construct] = [q for q in data.questions if q.construct == construct]
    return found


def _construct_core(
    data: RoundData, group: Group, construct: str, detail: bool = True
) -> tuple[ConstructResult | QuestionResult | Suppressed, _Nums]:
    questions = _construct_questions(data, construct)
    if not questions:
        raise LookupError(f"construct {construct!r} is not in round {data.round_id}")
    nps = [q for q in questions if q.scale == NPS11]
    if nps:
        return _question_core(data, group, nps[0], detail)
    pooled = [0.0] * 6
    used: list[int] = []
    for q in questions:
        nums = _numbers(data, group, q)
        if nums.n <= 0:
            continue  # nobody in the group answered this item
        hidden = _status(data, group, q, nums.n)
        if hidden is not None:
            return hidden, _NO_NUMS
        for j in range(6):
            pooled[j] += nums[j]
        used.append(q.id)
    total = _as_nums(pooled)
    if total.n == 0:
        return Suppressed(NO_ANSWERS), total
    result = ConstructResult(
        group=group,
        construct=construct,
        n=total.n,
        mean=total.total / total.n,
        favourable=total.fav / total.n,
        questions=tuple(used),
    )
    return result, total


def construct_result(
    data: RoundData, group: Group, construct: str, *, scope: Scope
) -> ConstructResult | QuestionResult | Suppressed:
    """A construct for one group: mean and favourable share pooled over its items' answers. Suppressed when
    any of its items is suppressed for the group. For "enps" (an nps11 construct) the eNPS item's result."""
    _check_scope(data, group, scope)
    return _construct_core(data, group, construct)[0]


def participation(data: RoundData, group: Group, *, scope: Scope) -> Participation | Suppressed:
    """Invited, responded and rate for a group, protected with the invited counts. Never a list of people."""
    _check_scope(data, group, scope)
    k = effective_k(data)
    invited = _index(data, "invited").size(group)
    if invited <= 0:
        return Suppressed("Nobody was invited")
    if invited < k:
        return Suppressed(SMALL_INVITED.format(k=k))
    if group not in _visible(data, "invited"):
        return Suppressed(PROTECTED)
    responded = _index(data, "respondents").size(group)
    return Participation(invited=invited, responded=responded, rate=responded / invited)


def comments_visible(data: RoundData, group: Group, *, scope: Scope) -> bool:
    """Whether the group's comments may be shown: its comment AUTHORS pass protection (commenter counts)."""
    _check_scope(data, group, scope)
    return group in _visible(data, "commenters")


class Driver(NamedTuple):
    construct: str
    weight: float  # raw relative weight: this construct's part of R² (they add up to R²)
    share: float  # weight / R², 0..1


def drivers(data: RoundData, group: Group, *, scope: Scope) -> list[Driver] | Suppressed:
    """Key drivers of eNPS for a visible group with at least DRIVERS_MIN_RESPONDENTS complete answer sets:
    Johnson's relative weights of the construct scores (stats.relative_weights), largest first."""
    _check_scope(data, group, scope)
    k = effective_k(data)
    if group not in _visible(data, "respondents"):
        n = _index(data, "respondents").size(group)
        return Suppressed(NO_ANSWERS if n == 0 else SMALL.format(k=k) if n < k else PROTECTED)
    if "enps" not in data.driver_vars or len(data.driver_vars) < 2:
        return Suppressed(DRIVERS_SMALL)
    p = len(data.driver_vars)
    total = DriverSums(0, [0.0] * p, [[0.0] * p for _ in range(p)])
    for cell, ds in data.drivers.items():
        if ds.n > 0 and group.contains(cell, data):
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
    shape = _cache(data).shape
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
    heat = _cache(data).heat

    def cell(g: Group, c: str) -> ConstructResult | QuestionResult | Suppressed:
        found = heat.get((g, c))
        if found is None:
            found = _construct_core(data, g, c, detail=False)[0]
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
    return _construct_core(data, group, key)[0]


def slices(
    data: RoundData, scope: Scope, construct_or_question: str | int, team: int | None = None
) -> Slices:
    """A construct (key) or question (id) by tenure band and by region, for the organisation or one team's
    subtree (`team`). Raises NotInScope if the viewer may not see that group."""
    base = Group(team)
    _check_scope(data, base, scope)
    bands, regions = _slice_values(data)
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
    shown: list[tuple[ConstructResult | QuestionResult, float]] = []  # with the sd for Welch
    if datas:
        _check_scope(datas[-1], group, scope)
    for data in datas:
        if not in_scope(data, group, scope):
            continue  # e.g. the team sat outside the viewer's subtree in that round's tree
        key = question_or_construct
        res: ConstructResult | QuestionResult | Suppressed
        if isinstance(key, int):
            q = _cache(data).questions.get(key)
            if q is None:
                continue
            res, nums = _question_core(data, group, q)
        else:
            if not _construct_questions(data, key):
                continue
            res, nums = _construct_core(data, group, key)
        points.append(TrendPoint(data.round_id, data.label, res))
        if not isinstance(res, Suppressed):
            sd = mean_sd(Stat(n=nums.n, total=nums.total, total_sq=nums.total_sq))[1]
            shown.append((res, sd))
    change: Change | None = None
    if len(shown) >= 2:
        (a, sd_a), (b, sd_b) = shown[-2], shown[-1]
        if isinstance(a, QuestionResult) and isinstance(b, QuestionResult) and a.enps and b.enps:
            change = enps_change(a.enps, b.enps)
        else:
            change = welch(a.mean, sd_a, a.n, b.mean, sd_b, b.n)
    return Trend(points=tuple(points), change=change)


# --------------------------------------------------------------------------------------------------
# Published results
#
# A closed round never changes, and its protection covers the whole family of groups any viewer can
# see, so it does not depend on the viewer. `publish` therefore computes, once when the round closes,
# the gate's final output for every row a heatmap can show (the organisation and every team's subtree):
# each construct's result or the reason it is hidden, and the same for the row's tenure and region
# slices. The database keeps one row per (round, team) (models.PublishedRow); a request reads only the
# rows of the viewer's subtrees and `published_heatmap` / `published_slices` turn them back into the
# very objects `heatmap` and `slices` return. Nothing is recomputed from answers on the way back: a
# visible group's stored numbers are its answer count, sum of scores and favourable count (the mean and
# share are those divided by the count, exactly as above), or the full result for eNPS.

PUBLISH_FORMAT = 2
_new, _put = object.__new__, object.__setattr__

Result = ConstructResult | QuestionResult | Suppressed


def results_stamp(k: int) -> str:
    """What published results were computed under: the protection rules, this storage format and the
    round's k. Published rows with any other stamp are stale and must be published again."""
    return f"{RULE_VERSION};format={PUBLISH_FORMAT};k={max(int(k), ABSOLUTE_MIN_GROUP)}"


class PublishedRow(NamedTuple):
    """One stored row: the organisation (team None, position -1) or one team's subtree."""

    team: int | None
    pos: int  # position in the round's tree, depth-first; -1 for the organisation
    end: int  # the position after the team's subtree (a subtree is the positions pos..end-1)
    depth: int  # as HeatmapRow.depth
    label: str
    first_visible: str  # the first group of its own block surviving on respondents: "whole", "band-…",
    # "region-…", or "" if none does
    heat: str  # one encoded cell per column, each JSON, joined by tabs (see publish)
    slices: str  # JSON: {construct: [one encoded cell per tenure band, then per region]}


def _slice_suffix(group: Group) -> str:
    if group.band is not None:
        return f"band-{group.band}"
    if group.region is not None:
        return f"region-{group.region}"
    return "whole"


class _Encoder:
    def __init__(self, data: RoundData, columns: Sequence[str]) -> None:
        self.reasons: dict[str, int] = {}
        self.questions = {c: tuple(q.id for q in _construct_questions(data, c)) for c in columns}

    def cell(self, result: QuestionResult | Suppressed) -> object:
        if isinstance(result, Suppressed):
            return self.reasons.setdefault(result.reason, len(self.reasons))
        return {
            "q": result.question.id,
            "n": result.n,
            "mean": result.mean,
            "fav": result.favourable,
            "sd": result.sd,
            "dist": None if result.distribution is None else [list(d) for d in result.distribution],
            "enps": None if result.enps is None else list(astuple(result.enps)),
        }

    def construct(self, result: ConstructResult, nums: _Nums) -> object:
        total: float | int = int(nums.total) if float(nums.total).is_integer() else nums.total
        out: list[object] = [result.n, total, nums.fav]
        if result.questions != self.questions[result.construct]:
            out.append(list(result.questions))
        return out


def publish(data: RoundData) -> tuple[dict[str, object], list[PublishedRow]]:
    """The round's published results: a header (columns, reasons, slice values, ...) and one row per
    heatmap row of an admin's view (the organisation, then every team depth-first)."""
    k = effective_k(data)
    columns = round_constructs(data)
    shape = _cache(data).shape
    bands, regions = _slice_values(data)
    respondents = _visible(data, "respondents")
    enc = _Encoder(data, columns)

    small = Suppressed(SMALL.format(k=k))
    indexes: dict[str, list[_CellIndex]] = {}
    for c in columns:
        items = _construct_questions(data, c)
        nps = [q for q in items if q.scale == NPS11]
        indexes[c] = [_index(data, q.id) for q in (nps[:1] or items)]  # as _construct_core reads them

    def encoded(group: Group, construct: str) -> object:
        if group not in respondents:
            # Hidden on respondents, so hidden for every question (see _visible): _construct_core would
            # give the first answered item's reason, and only its answer count says which.
            for idx in indexes[construct]:
                n = idx.size(group)
                if n > 0:
                    return enc.cell(small if n < k else Suppressed(PROTECTED))
            return enc.cell(Suppressed(NO_ANSWERS))
        result, nums = _construct_core(data, group, construct, detail=group.sliced)
        if isinstance(result, ConstructResult):
            return enc.construct(result, nums)
        return enc.cell(result)

    rows: list[PublishedRow] = []
    with gc_paused():
        for pos in range(-1, len(shape.order)):
            team = None if pos < 0 else shape.order[pos]
            base = Group(team)
            block = [base, *(Group(team, band=b) for b in bands), *(Group(team, region=r) for r in regions)]
            first = next((g for g in block if g in respondents), None)
            heat = [encoded(base, c) for c in columns]
            sliced = {c: [encoded(g, c) for g in block[1:]] for c in columns}
            rows.append(
                PublishedRow(
                    team=team,
                    pos=pos,
                    end=len(shape.order) if pos < 0 else shape.end[pos],
                    depth=0 if pos < 0 else shape.depth[pos] + 1,
                    label=base.label(data),
                    first_visible="" if first is None else _slice_suffix(first),
                    heat="\t".join(json.dumps(code, separators=(",", ":")) for code in heat),
                    slices=json.dumps(sliced, separators=(",", ":")),
                )
            )
    nps_questions = {}
    for c in columns:
        nps = [q for q in _construct_questions(data, c) if q.scale == NPS11]
        if nps:
            nps_questions[c] = astuple(nps[0])
    header: dict[str, object] = {
        "stamp": results_stamp(k),
        "k": k,
        "columns": columns,
        "questions": {c: list(qs) for c, qs in enc.questions.items()},
        "nps_questions": nps_questions,
        "reasons": list(enc.reasons),
        "bands": bands,
        "regions": regions,
    }
    return header, rows


class Published:
    """A published round's header, ready to turn stored cells back into results."""

    def __init__(self, header: Mapping[str, Any]) -> None:
        self.k = int(header["k"])
        self.columns: tuple[str, ...] = tuple(header["columns"])
        self.questions: dict[str, tuple[int, ...]] = {c: tuple(qs) for c, qs in header["questions"].items()}
        self.nps = {c: QuestionInfo(*q) for c, q in header["nps_questions"].items()}
        self.hidden = [Suppressed(r) for r in header["reasons"]]
        self.bands: list[str] = list(header["bands"])
        self.regions: list[str] = list(header["regions"])

    def cell(self, group: Group, construct: str, code: object) -> Result:
        if isinstance(code, int):
            return self.hidden[code]
        if isinstance(code, list):
            n = code[0]
            # ConstructResult(...), its fields set in one go rather than one by one through the frozen
            # dataclass's __init__: a large organisation's heatmap has tens of thousands of these.
            made = _new(ConstructResult)
            _put(
                made,
                "__dict__",
                {
                    "group": group,
                    "construct": construct,
                    "n": n,
                    "mean": code[1] / n,
                    "favourable": code[2] / n,
                    "questions": tuple(code[3]) if len(code) > 3 else self.questions[construct],
                },
            )
            return made
        return self._question(group, construct, code)  # type: ignore[arg-type]

    def construct_numbers(self, text: str) -> tuple[int, float, float] | None:
        """(n, mean, favourable) of a construct cell stored with all its items, as its ConstructResult
        would hold them, without building the result; None for any other cell."""
        if text[0] != "[" or text.count(",") != 2:
            return None
        a, b, c = text[1:-1].split(",")
        n = int(a)
        # float(total) / n is the same number as total / n for the whole-number sums stored here
        return n, float(b) / n, int(c) / n

    def cell_text(self, group: Group, construct: str, text: str) -> Result:
        """`cell` from one stored cell's JSON text. The two common shapes (a reason's number; a
        construct's count, sum and favourable count) are read without the JSON parser."""
        if text.isdigit():
            return self.hidden[int(text)]
        if text[0] == "[" and text.count(",") == 2:
            n, total, fav = text[1:-1].split(",")
            # float(total) / n is the same number as total / n for the whole-number sums stored here
            return self.cell(group, construct, [int(n), float(total), int(fav)])
        return self.cell(group, construct, json.loads(text))

    def _question(self, group: Group, construct: str, code: Mapping[str, Any]) -> QuestionResult:
        q = self.nps[construct]
        if code["q"] != q.id:
            raise ValueError(f"published cell of question {code['q']} under {construct!r}")
        dist = code["dist"]
        return QuestionResult(
            group=group,
            question=q,
            n=code["n"],
            mean=code["mean"],
            favourable=code["fav"],
            sd=code["sd"],
            distribution=None if dist is None else tuple((str(a), int(b)) for a, b in dist),
            enps=None if code["enps"] is None else Enps(*code["enps"]),
        )

    def default_group(self, rows: Iterable[tuple[int | None, str]]) -> Group | None:
        """`visible_groups(data, scope)[0]` if any, else the first group of the viewer's rows, given the
        viewer's rows as (team, first_visible) in order (as `published_heatmap` takes them)."""
        first: Group | None = None
        for team, suffix in rows:
            if first is None:
                first = Group(team)
            if suffix:
                return _with_suffix(team, suffix)
        return first


def _with_suffix(team: int | None, suffix: str) -> Group:
    if suffix.startswith("band-"):
        return Group(team, band=suffix[5:])
    if suffix.startswith("region-"):
        return Group(team, region=suffix[7:])
    return Group(team)


def published_heatmap(pub: Published, rows: Sequence[Sequence[Any]]) -> Heatmap:
    """The heatmap from stored rows (team, depth, label, first_visible, heat, ...), already narrowed to
    the viewer's scope and in order: equal to `heatmap(data, scope)` on the round's data."""
    columns = pub.columns
    out = []
    with gc_paused():
        for team, label, depth, texts in published_grid(rows):
            group = Group(team)
            cells = tuple(pub.cell_text(group, c, t) for c, t in zip(columns, texts, strict=True))
            out.append(HeatmapRow(group=group, label=label, depth=depth, cells=cells))
    return Heatmap(columns=columns, rows=tuple(out))


def published_grid(rows: Sequence[Sequence[Any]]) -> list[tuple[int | None, str, int, list[str]]]:
    """The stored rows as (team, label, depth, the text of each cell)."""
    return [(r[0], r[2], r[1], published_cells(r[4])) for r in rows]


def published_cells(heat: str) -> list[str]:
    """The text of each cell of a stored row, for callers that turn each DISTINCT cell text of a column
    into something of their own once (`Published.cell_text` gives its result): a large organisation's
    heatmap has ~100,000 cells but far fewer distinct ones."""
    return heat.split("\t") if heat else []


def published_slices(pub: Published, team: int | None, slices_json: str, construct: str) -> Slices:
    """`slices(data, scope, construct, team)` from the stored row of `team` (the caller has checked that
    the viewer may see it). Raises LookupError for a construct the round did not ask."""
    found = json.loads(slices_json)
    if construct not in found:
        raise LookupError(f"construct {construct!r} is not in this round")
    codes = found[construct]
    nb = len(pub.bands)
    by_band = tuple(
        SliceRow(g, TENURE_LABELS.get(b, b), pub.cell(g, construct, code))
        for b, code in zip(pub.bands, codes[:nb], strict=True)
        for g in [Group(team, band=b)]
    )
    by_region = tuple(
        SliceRow(g, REGION_LABELS.get(r, r), pub.cell(g, construct, code))
        for r, code in zip(pub.regions, codes[nb:], strict=True)
        for g in [Group(team, region=r)]
    )
    return Slices(key=construct, base=Group(team), by_band=by_band, by_region=by_region)
