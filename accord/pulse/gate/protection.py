"""Differencing protection (rules 2 and 3 of the package docstring): which groups of a round may be
shown, computed once per count table, saved and loaded with a closed round."""

from __future__ import annotations

import heapq
import random
import secrets
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from itertools import accumulate
from operator import attrgetter, itemgetter, xor

from ..data import (
    Cell,
    RoundData,
    ShownRound,
)
from .core import (
    CATEGORIES,
    Group,
    Scope,
    _cache,
    _CellIndex,
    _index,
    _settings,
    _Shape,
    _SliceKey,
    effective_k,
    gc_paused,
    in_scope,
    unsafe_mix,
)
from .rounds import across_rounds, shown_people

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

    Implements rule 2 of the module docstring (and rule 3 on raw values when `values`, the per-cell
    histograms of answer values, is given: an atom or group with one value held by all its answers, or
    below 2k answers by all but one, is unsafe too; the gate itself also checks answer categories, see
    core.answer_mix). Groups not returned are suppressed; empty groups are never returned.
    """
    shape = _cache(data).shape
    if values is not None:  # raw values only: no category counts in front (see core.answer_mix)
        values = {c: [0] * CATEGORIES + list(h) for c, h in values.items()}
    index = _CellIndex(shape, counts, values)
    k = effective_k(data)
    slices_first = _settings().SLICES_FIRST
    return _protect(shape, index, k, list(groups), check_values=values is not None, slices_first=slices_first)


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
    groups before unsliced ones whatever their size (see SLICES_FIRST in the package).

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
        return n < k or (hist is not None and unsafe_mix(n, hist, k))

    # Running totals of each category column per slice key, so that a group's category counts (rule 3)
    # are differences, as its size is: every group is checked, not only the small ones.
    key_cat: list[list[list[int]]] = []
    if hists is not None:
        width = len(hists[0]) if hists else 0
        for cells_k in key_cells:
            key_cat.append(
                [list(accumulate((hists[i][v] for i in cells_k), initial=0)) for v in range(width)]
            )

    def group_hist(gid: int) -> list[int]:
        a, b = spans[gid]
        return [col[b] - col[a] for col in key_cat[g_key[gid]]]

    # a. Groups that are unsafe on their own.
    visible = bytearray(n_groups)
    for gid in range(n_groups):
        s = size[gid]
        if s < k:
            continue
        if hists is not None and unsafe_mix(s, group_hist(gid), k):
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


def _visible(data: RoundData, table: object) -> frozenset[Group]:
    """Groups of the family that survive protection for one count table: "respondents", "invited",
    "commenters" or a question id. Question answers and comment authors are protected starting from the
    groups that survived on respondents (a group hidden there is hidden for every answer and comment);
    participation ("invited") is protected on its own. Rule 7 (across rounds) hides more on respondents,
    and so for every answer and comment too."""
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
                    slices_first=_settings().SLICES_FIRST,
                )
            )
            if table == "respondents":  # rule 7: hiding more after rule 2 never undoes it
                found = across_rounds(data, found)
        cache.visible[table] = found
    return found


def _fingerprint(data: RoundData) -> list[object]:
    """A cheap check that saved protection state belongs to this round and these aggregates."""
    return [
        data.round_id,
        effective_k(data),
        _settings().SLICES_FIRST,
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
        "rule": _settings().RULE_VERSION,
        "visible": [
            [table, sorted(([g.team, g.band, g.region] for g in _visible(data, table)), key=_group_order)]
            for table in tables
        ],
    }


def load_protection_state(data: RoundData, state: Mapping[str, object]) -> bool:
    """Reuse protections saved by `protection_state` for this round. Returns False (and loads nothing)
    when the state does not match the round's aggregates; the gate then computes them itself."""
    rule = _settings().RULE_VERSION
    stale = state.get("fingerprint") != _fingerprint(data) or state.get("rule") != rule
    if stale or not isinstance(state.get("visible"), list):
        return False
    cache = _cache(data)
    for table, groups in state["visible"]:  # type: ignore[attr-defined]
        cache.visible[table] = frozenset(Group(*g) for g in groups)
    return True


def visible_groups(data: RoundData, scope: Scope) -> list[Group]:
    """The groups of the round this viewer may see that survive protection (on respondents), in family
    order: the organisation first, then teams depth-first, each unsliced then by band then by region."""
    vis = _visible(data, "respondents")
    return [g for g in _cache(data).family if g in vis and in_scope(data, g, scope)]


def shown_before(data: RoundData) -> ShownRound | None:
    """What rule 7 compares later rounds with: this round's k and the people who took part in each
    distinct group it shows. None when the round carries no membership or shows nothing."""
    return shown_people(data, _visible(data, "respondents"))
