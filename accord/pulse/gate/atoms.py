"""Rules 2 and 3 of the package docstring as one algorithm: given one count table of a round and a family
of groups, the `Protection` class finds the groups that may be shown (no atom below k, no atom or group
whose answers share one category). It knows nothing of rounds, cache or storage; `protection` applies it
to a round's count tables, and `rounds` adds rule 7 on top."""

from __future__ import annotations

import heapq
import random
import secrets
from bisect import bisect_left
from collections.abc import Iterable
from itertools import accumulate
from operator import attrgetter, itemgetter, xor

from .core import CellIndex, Group, SliceKey, TeamTree, gc_paused, unsafe_mix

# --------------------------------------------------------------------------------------------------
# Differencing protection: rule 2 (and rule 3 on answer categories and values)
#
# `Protection(...).run()` reads top to bottom as the rule does:
#   place_groups            where each group's cells lie (its span in tree order, per slice key)
#   hide_unsafe_groups      2a / 3: groups with 1..k-1 answers, or whose answers share one category
#   merge_identical_groups  groups with exactly the same cells are hidden or kept together (a CLASS)
#   build_atoms             cells that belong to exactly the same visible groups form one ATOM
#   then, smallest bad atom first (a heap): choose_class_to_hide (2b), hide_class, requeue.


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


# A visible group of one scope (a team's subtree, or the organisation), as (group id, band, region).
_Placed = tuple[int, str | None, str | None]


class Protection:
    """Rules 2 and 3 over `groups` for one count table (`cells`: its non-empty cells and their counts,
    and with `check_values` each cell's answer mix, see core.answer_mix).

    `k` is the round's minimum group size (core.effective_k). `start`, if given, are the only groups
    that may be visible at all (those that survived on respondents). `slices_first` hides sliced groups
    before unsliced ones whatever their size (config.SLICES_FIRST). Groups with exactly the same
    non-empty cells (a team whose members all share one region, a parent with a single child and no
    members of its own) are one CLASS: hiding one of them alone changes nothing, so a class is hidden or
    kept as a whole. The class of the whole organisation is never hidden (unless the organisation itself
    is unsafe)."""

    def __init__(
        self,
        shape: TeamTree,
        cells: CellIndex,
        groups: Iterable[Group],
        *,
        k: int,
        slices_first: bool,
        check_values: bool,
        start: frozenset[Group] | set[Group] | None = None,
    ) -> None:
        self.shape = shape
        self.idx = cells
        self.k = k
        self.slices_first = slices_first
        self.hists = cells.hists if check_values else None
        # Groups outside `start` can never be visible, so they play no part at all.
        self.groups = list(dict.fromkeys(groups if start is None else (g for g in groups if g in start)))
        self.n_teams = len(shape.order)
        self.n_cells = len(cells.cells)
        self.rng = random.Random(secrets.randbits(128))

    def run(self) -> set[Group]:
        """The groups that may be shown."""
        with gc_paused():
            self.place_groups()
            self.hide_unsafe_groups()
            if not any(self.visible):
                return set()
            self.merge_identical_groups()
            self.index_visible_groups()
            self.build_atoms()
            self.hide_until_every_atom_is_safe()
        return {g for gid, g in enumerate(self.groups) if self.visible[gid]}

    def unsafe(self, n: int, hist: list[int] | None) -> bool:
        """Rule 1 (fewer than k answers) and rule 3 (one category holds them all, ...): core.unsafe_mix."""
        return n < self.k or (hist is not None and unsafe_mix(n, hist, self.k))

    # --- where each group's cells are ------------------------------------------------------------

    def place_groups(self) -> None:
        """Each group's scope (team position, -1 for the organisation, -2 for a team outside the tree,
        always empty) and slice key (band, region); per slice key the matching cells in tree order, so
        a group's cells are one slice of a list, with running totals of counts, of each answer-mix
        column, and a running XOR of random cell keys (equal XOR and size: identical groups)."""
        idx, shape, n_cells = self.idx, self.shape, self.n_cells
        key_id: dict[SliceKey, int] = {}
        self.g_key = g_key = [0] * len(self.groups)
        self.scope_of = scope_of = [-2] * len(self.groups)
        index_of = shape.index
        for gid, (team, band, region) in enumerate(self.groups):
            kid = key_id.setdefault((band, region), len(key_id))
            g_key[gid] = kid
            scope_of[gid] = -1 if team is None else index_of.get(team, -2)
        self.keys = keys = list(key_id)

        cell_rnd = [self.rng.getrandbits(128) for _ in range(n_cells)]
        cell_band, cell_region, cell_pos, cell_n = idx.band, idx.region, idx.pos, idx.n
        self.key_cells: list[list[int]] = []
        key_cells = self.key_cells
        self.key_pos: list[list[int]] = []
        key_pos = self.key_pos
        key_count: list[list[int]] = []
        self.key_xor: list[list[int]] = []
        key_xor = self.key_xor
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
        self.spans: list[tuple[int, int]] = []
        spans = self.spans
        for gid in range(len(self.groups)):
            t, kid = scope_of[gid], g_key[gid]
            if t == -2:
                spans.append((0, 0))
            elif t == -1:
                spans.append((0, len(key_cells[kid])))
            else:
                pos = key_pos[kid]
                spans.append((bisect_left(pos, t), bisect_left(pos, end[t])))
        self.size = [key_count[g_key[gid]][b] - key_count[g_key[gid]][a] for gid, (a, b) in enumerate(spans)]
        # Running totals of each answer-mix column per slice key: a group's category counts (rule 3) are
        # differences, as its size is, so every group is checked, not only the small ones.
        self.key_cat: list[list[list[int]]] = []
        hists = self.hists
        if hists is not None:
            width = len(hists[0]) if hists else 0
            for cells_k in key_cells:
                self.key_cat.append(
                    [list(accumulate((hists[i][v] for i in cells_k), initial=0)) for v in range(width)]
                )

    def members(self, gid: int) -> list[int]:
        a, b = self.spans[gid]
        return self.key_cells[self.g_key[gid]][a:b]

    def group_mix(self, gid: int) -> list[int]:
        a, b = self.spans[gid]
        return [col[b] - col[a] for col in self.key_cat[self.g_key[gid]]]

    # --- rule 2a, and rule 3 on whole groups ---------------------------------------------------------

    def hide_unsafe_groups(self) -> None:
        """Hide every group that is unsafe on its own: 1..k-1 answers (empty groups are simply empty),
        or (rule 3) one category holding all its answers, or below 2k one value all or all but one."""
        self.visible = visible = bytearray(len(self.groups))
        for gid, s in enumerate(self.size):
            if s < self.k:
                continue
            if self.hists is not None and unsafe_mix(s, self.group_mix(gid), self.k):
                continue
            visible[gid] = 1

    # --- classes of identical groups --------------------------------------------------------------

    def merge_identical_groups(self) -> None:
        """Visible groups with the same cells form one class, hidden or kept together; a class's key is
        the XOR of its members' random keys. With slices_first, a class holding any unsliced group is
        of the second tier (hidden only when no sliced class will do)."""
        visible, getrandbits = self.visible, self.rng.getrandbits
        self.rnd = rnd = [getrandbits(128) if v else 0 for v in visible]
        self.class_of = class_of = [-1] * len(self.groups)
        self.class_members: list[list[int]] = []
        class_members = self.class_members
        self.class_key: list[int] = []
        class_key = self.class_key
        by_content: dict[tuple[int, int], int] = {}
        for gid in range(len(self.groups)):
            if visible[gid]:
                a, b = self.spans[gid]
                kx = self.key_xor[self.g_key[gid]]
                content = (self.size[gid], kx[b] ^ kx[a])
                c = by_content.get(content)
                if c is None:
                    c = by_content[content] = len(class_members)
                    class_members.append([])
                    class_key.append(0)
                class_of[gid] = c
                class_members[c].append(gid)
                class_key[c] ^= rnd[gid]
        self.org_class = -1
        for gid, g in enumerate(self.groups):
            if visible[gid] and g.team is None and g.band is None and g.region is None:
                self.org_class = class_of[gid]
        self.tier = [0] * len(class_members)
        if self.slices_first:
            for c, gids in enumerate(class_members):
                self.tier[c] = 1 if any(not self.groups[g].sliced for g in gids) else 0
        # Smallest first, then family order: the order in which classes are chosen (rule 2b).
        self.class_rank = [(self.size[gids[0]], gids[0]) for gids in class_members]

    def index_visible_groups(self) -> None:
        """The visible groups of each scope, each team's whole-subtree group, and how many visible
        groups each subtree holds (to skip subtrees with none)."""
        n_teams, parent = self.n_teams, self.shape.parent
        self.team_groups: list[list[_Placed]] = [[] for _ in range(n_teams)]
        self.org_groups: list[_Placed] = []
        self.whole_gid = [-1] * n_teams
        for gid in range(len(self.groups)):
            t = self.scope_of[gid]
            if t == -2:
                continue
            kb, kr = self.keys[self.g_key[gid]]
            if kb is None and kr is None and t >= 0:
                self.whole_gid[t] = gid
            if self.visible[gid]:
                (self.team_groups[t] if t >= 0 else self.org_groups).append((gid, kb, kr))
        self.vis_below = vis_below = [0] * n_teams
        for i in range(n_teams - 1, -1, -1):
            vis_below[i] += len(self.team_groups[i])
            if parent[i] >= 0:
                vis_below[parent[i]] += vis_below[i]

    # --- atoms --------------------------------------------------------------------------------------

    def build_atoms(self) -> None:
        """Each cell's signature hash, the XOR of the random keys of the visible groups containing it
        (built top-down per slice key); cells with equal hashes form one atom."""
        n_teams, n_cells, parent = self.n_teams, self.n_cells, self.shape.parent
        n_keys = len(self.keys)
        own_key = [[0] * n_teams for _ in range(n_keys)]  # the random key of a team's visible group, or 0
        org_key = [0] * n_keys
        for gid in range(len(self.groups)):
            if self.visible[gid]:
                t = self.scope_of[gid]
                if t >= 0:
                    own_key[self.g_key[gid]][t] = self.rnd[gid]
                elif t == -1:
                    org_key[self.g_key[gid]] = self.rnd[gid]
        cell_hash = [0] * n_cells
        for kid in range(n_keys):
            org_h, own = org_key[kid], own_key[kid]
            arr = [0] * n_teams
            for i in range(n_teams):
                p = parent[i]
                arr[i] = (arr[p] if p >= 0 else org_h) ^ own[i]
            for ci, here in zip(self.key_cells[kid], self.key_pos[kid], strict=True):
                cell_hash[ci] ^= arr[here] if here < n_teams else org_h
        hists, cell_n = self.hists, self.idx.n
        self.atoms: dict[int, _Atom] = {}
        atoms = self.atoms
        self.cell_atom: list[_Atom] = []
        cell_atom = self.cell_atom
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

    # --- rule 2b: hide groups until no atom is unsafe --------------------------------------------

    def hide_until_every_atom_is_safe(self) -> None:
        """Smallest unsafe atom first: hide the class `choose_class_to_hide` picks, which merges atoms
        (an atom's signature loses that class); requeue what changed; until none is unsafe."""
        self.heap: list[tuple[int, int, _Atom]] = []
        self.seq = 0
        for atom in self.atoms.values():
            if atom.h != 0 and self.unsafe(atom.n, atom.hist):
                self.seq += 1
                atom.queued = atom.n
                self.heap.append((atom.n, self.seq, atom))
        heapq.heapify(self.heap)
        while self.heap:
            n, _, atom = heapq.heappop(self.heap)
            if not atom.alive or atom.n != n or atom.queued != n:
                continue
            atom.queued = -1
            if atom.h == 0 or not self.unsafe(atom.n, atom.hist):
                continue
            c = self.choose_class_to_hide(atom)
            if c < 0 or not self.visible[self.class_members[c][0]]:
                break  # nothing left to hide (defensive; unreachable with a consistent family)
            self.hide_class(c)
            if atom.alive:
                self.requeue(atom)

    def requeue(self, atom: _Atom) -> None:
        if atom.queued != atom.n and atom.h != 0 and self.unsafe(atom.n, atom.hist):
            self.seq += 1
            atom.queued = atom.n
            heapq.heappush(self.heap, (atom.n, self.seq, atom))

    def hide_class(self, c: int) -> None:
        """Hide class c. Every atom inside it had all its groups in its signature: each atom moves to
        hash ^ class key, merging with the atom already there if any (the smaller one's cells are
        re-pointed)."""
        parent, atoms, cell_atom = self.shape.parent, self.atoms, self.cell_atom
        for gid in self.class_members[c]:
            self.visible[gid] = 0
            t = self.scope_of[gid]
            kb, kr = self.keys[self.g_key[gid]]
            (self.team_groups[t] if t >= 0 else self.org_groups).remove((gid, kb, kr))
            while t >= 0:
                self.vis_below[t] -= 1
                t = parent[t]
        cells = self.members(self.class_members[c][0])
        if not cells:
            return
        found = itemgetter(*cells)(cell_atom)
        moved = sorted(set(found) if len(cells) > 1 else {found}, key=attrgetter("uid"))
        rc = self.class_key[c]
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
            self.requeue(big)

    def signature(self, ci: int) -> set[int]:
        """The classes of the visible groups containing cell ci."""
        idx, n_teams, parent, class_of = self.idx, self.n_teams, self.shape.parent, self.class_of
        b, r = idx.band[ci], idx.region[ci]
        out: set[int] = set()
        t = idx.pos[ci]
        while 0 <= t < n_teams:
            out.update(
                class_of[gid] for gid, kb, kr in self.team_groups[t] if kb in (None, b) and kr in (None, r)
            )
            t = parent[t]
        out.update(class_of[gid] for gid, kb, kr in self.org_groups if kb in (None, b) and kr in (None, r))
        return out

    def choose_class_to_hide(self, atom: _Atom) -> int:
        """Rule 2b for an unsafe atom: the smallest class whose hiding merges it with another non-empty
        atom; if none does, the smallest class containing it; if only the organisation contains it, the
        smallest class separating it from its nearest atom. With slices_first, sliced classes (tier 0)
        before whole ones (tier 1)."""
        own, has_band, has_region, top = self._classes_containing(atom)
        best = self._best_merge(atom, own, has_band, has_region, top)
        for level in (0, 1):
            if best[level] is not None:
                return best[level][2]  # type: ignore[index]
            smallest = min(((*self.class_rank[c], c) for c in own if self.tier[c] == level), default=None)
            if smallest is not None:
                return smallest[2]
        return self._towards_nearest_atom(atom, own)

    def _classes_containing(self, atom: _Atom) -> tuple[set[int], bool, bool, int]:
        """The classes (but the organisation's) of the visible groups containing the atom, whether any
        of them is a band (region) slice, and the deepest team position among them (-1: none)."""
        idx, class_of = self.idx, self.class_of
        rep = atom.cells[0]
        rb, rr = idx.band[rep], idx.region[rep]
        own: set[int] = set()
        has_band = has_region = False
        for gid, kb, kr in self.org_groups:
            if (kb is None or kb == rb) and (kr is None or kr == rr):
                own.add(class_of[gid])
                has_band = has_band or kb is not None
                has_region = has_region or kr is not None
        top = -1
        for t in reversed(self._chain(rep)):
            for gid, kb, kr in self.team_groups[t]:
                if (kb is None or kb == rb) and (kr is None or kr == rr):
                    own.add(class_of[gid])
                    has_band = has_band or kb is not None
                    has_region = has_region or kr is not None
                    top = t
        own.discard(self.org_class)
        return own, has_band, has_region, top

    def _chain(self, ci: int) -> list[int]:
        """The team positions from cell ci's team up to its root."""
        chain, t, parent = [], self.idx.pos[ci], self.shape.parent
        while 0 <= t < self.n_teams:
            chain.append(t)
            t = parent[t]
        return chain

    def _best_merge(
        self, atom: _Atom, own: set[int], has_band: bool, has_region: bool, top: int
    ) -> list[tuple[int, int, int] | None]:
        """Per tier, the smallest class whose hiding merges the atom with another in one step, as
        (size, group id, class). Hiding a class of the atom's own signature merges it with the atom that
        has all the same groups but those. Hiding a class g outside the signature merges into it the atom
        whose signature is the atom's plus g: g is then another slice on the atom's chain of scopes, or a
        group below its deepest scope reached through teams whose whole-subtree group is hidden; and if
        the signature has a band (region) group, g's band (region) must be the atom's."""
        rep = atom.cells[0]
        rb, rr = self.idx.band[rep], self.idx.region[rep]
        others: list[_Placed] = []
        # Slices of the atom's chain of scopes that do not contain it can merge another atom into it
        # only if the signature has no band (region) group to tell them apart.
        if not (has_band and has_region):
            others.extend(
                item for item in self.org_groups if item[1] not in (None, rb) or item[2] not in (None, rr)
            )
            for t in reversed(self._chain(rep)):
                others.extend(
                    item
                    for item in self.team_groups[t]
                    if item[1] not in (None, rb) or item[2] not in (None, rr)
                )
                if t == top:
                    break  # below the deepest scope, the search under it finds these
        children, vis_below = self.shape.children, self.vis_below
        stack = [c for c in (children[top] if top >= 0 else self.shape.roots) if vis_below[c]]
        while stack:
            t = stack.pop()
            others.extend(self.team_groups[t])
            w = self.whole_gid[t]
            if w < 0 or not self.visible[w]:
                stack.extend(c for c in children[t] if vis_below[c])
        h, atoms, class_key, class_rank, tier = atom.h, self.atoms, self.class_key, self.class_rank, self.tier
        best: list[tuple[int, int, int] | None] = [None, None]

        def consider(c: int) -> None:
            if (h ^ class_key[c]) in atoms:
                cand = (*class_rank[c], c)
                found = best[tier[c]]
                if found is None or cand < found:
                    best[tier[c]] = cand

        for c in own:
            consider(c)
        tried = {*own, self.org_class}
        for gid, kb, kr in others:
            if (has_band and kb is not None and kb != rb) or (has_region and kr is not None and kr != rr):
                continue
            c = self.class_of[gid]
            if c not in tried:
                tried.add(c)
                consider(c)
        return best

    def _towards_nearest_atom(self, atom: _Atom, own: set[int]) -> int:
        """Only the organisation's class contains the atom: the smallest class separating it from the
        nearest atom (fewest classes apart); the organisation's class if there is none."""
        in_sig = own | {self.org_class}
        nearest: tuple[int, int, int, int, int] | None = None
        for other in self.atoms.values():
            if other is atom or other.h == 0:
                continue
            diff = self.signature(other.cells[0]) - in_sig
            if diff:
                small = min((self.tier[c], *self.class_rank[c], c) for c in diff)
                cand = (len(diff), *small)
                nearest = cand if nearest is None or cand < nearest else nearest
        return nearest[4] if nearest is not None else self.org_class
