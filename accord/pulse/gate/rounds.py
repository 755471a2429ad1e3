"""Rule 7 of the package docstring: protection across rounds. It runs after rules 2 and 3 (hiding more
never undoes them), comparing this round with each earlier round in two steps, then with all of them
at once:

1. Pairs (`_pairs`): a group whose people (those who took part) differ by 1 to k-1 from those of a
   group the earlier round showed is hidden.
2. Cuts (`_Now`, `_Graph`): the earlier round's atoms over people and this round's atoms are the two
   sides of a graph whose edges are people (a person in earlier atom A and in atom N now joins A to N;
   one in a shown group of only one of the two rounds joins their atom to OUTSIDE). Any sum a reader
   gets from both rounds, each person answering as before, is non-zero exactly on the people of a cut
   of that graph, so every cut must be 0 or k people or more. `_Graph` checks that exactly by
   contraction and says which groups to hide for each leak; hiding only merges atoms, so the rounds
   found safe stay safe and the others are checked again until none leaks.
3. Every round together (`_all_rounds`, with `history`): exact for two rounds is not enough for three,
   so the gate then proves that no combination of every earlier round and this one singles out 1 to
   k-1 people unless the groups the earlier rounds showed already did (what this round ADDS: earlier
   rounds keep the k they were shown with, so raising k does not hide every later round), hiding
   more groups (as rule 2b would) until the proof goes through.

Cost: earlier atoms are counted per cell of this round once; each step is then linear in the numbers
of cells and atoms (maximum-adjacency passes are O(E log V) each), and only leaky rounds are redone.
Step 3 builds each person's equation over every earlier round once; each pass is a sparse elimination
over the blocks of people with the same equation, so it grows with the number of distinct histories.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from heapq import heappop, heappush
from itertools import islice

from ..data import Cell, RoundData, ShownRound
from . import history
from .core import CellIndex, Group, effective_k, round_cache

ORG = Group()


def _order(group: Group) -> tuple[bool, int, str, str]:
    return (group.team is not None, group.team or 0, group.band or "", group.region or "")


def _index(data: RoundData, took_part: Mapping[Cell, frozenset[int]]) -> CellIndex:
    return CellIndex(round_cache(data).shape, {c: len(p) for c, p in took_part.items()})


def group_people(
    data: RoundData, took_part: Mapping[Cell, frozenset[int]], groups: Iterable[Group]
) -> dict[Group, frozenset[int]]:
    """The people who took part in each group, by the round's cells (a group is a union of cells)."""
    idx = _index(data, took_part)
    people = [took_part[c] for c in idx.cells]
    return {g: frozenset().union(*(people[i] for i in idx.members(g))) for g in groups}


def _signatures(idx: CellIndex, groups: Sequence[Group]) -> list[tuple[int, ...]]:
    """For each cell of `idx`, the positions in `groups` of the groups holding it."""
    sig: list[list[int]] = [[] for _ in idx.cells]
    for gi, group in enumerate(groups):
        for c in idx.members(group):
            sig[c].append(gi)
    return [tuple(s) for s in sig]


def shown_people(data: RoundData, shown: Iterable[Group]) -> ShownRound | None:
    """What later rounds are compared with: this round's k, the people who took part in each distinct
    group of `shown` (the groups it shows), and its atoms over people."""
    if data.membership is None:
        return None
    took_part = data.membership.took_part()
    groups = list(shown)
    found = group_people(data, took_part, groups)
    sets = [people for people in dict.fromkeys(found.values()) if people]
    if not sets:
        return None
    idx = _index(data, took_part)
    atoms: dict[tuple[int, ...], set[int]] = {}
    for cell, sig in zip(idx.cells, _signatures(idx, groups), strict=True):
        if sig:  # people in no shown group are in no sum of this round
            atoms.setdefault(sig, set()).update(took_part[cell])
    return ShownRound(effective_k(data), sets, [frozenset(a) for a in atoms.values()])


def _atoms_of(shown: ShownRound) -> Sequence[frozenset[int]]:
    if shown.atoms:
        return shown.atoms
    pattern: dict[int, list[int]] = {}
    for i, people in enumerate(shown.took_part):
        for person in people:
            pattern.setdefault(person, []).append(i)
    atoms: dict[tuple[int, ...], set[int]] = {}
    for person, sig in pattern.items():
        atoms.setdefault(tuple(sig), set()).add(person)
    return [frozenset(a) for a in atoms.values()]


def across_rounds(data: RoundData, visible: frozenset[Group]) -> frozenset[Group]:
    """`visible` without the groups rule 7 hides: first every group whose people differ by 1 to k-1
    from those of a group an earlier round showed, then (`_Now`, `_Graph`) enough groups that no cut
    between this round's atoms and any earlier round's is 1 to k-1 people."""
    if data.membership is None or not visible:
        return visible
    earlier = [shown for shown in data.membership.earlier() if shown.took_part]
    if not earlier:
        return visible
    took_part = data.membership.took_part()
    kept = _pairs(data, took_part, visible, earlier)
    if not kept:
        return frozenset()
    k = effective_k(data)
    idx = _index(data, took_part)
    people = [took_part[c] for c in idx.cells]
    cell_of = {person: c for c, who in enumerate(people) for person in who}
    # Each earlier atom as counts of its people per cell of this round (-1: took no part now), once:
    # the atoms of this round are unions of its cells, whatever groups end up hidden.
    before = [
        (
            max(k, shown.k),
            [list(Counter(cell_of.get(p, -1) for p in atom).items()) for atom in _atoms_of(shown)],
        )
        for shown in earlier
    ]
    now = _Now(idx, sorted(kept, key=_order))
    # Hiding groups only merges this round's atoms (with each other, or with OUTSIDE when nobody
    # shows them any more): a cut of the merged graph was a cut before, so a round with no leak
    # never gets one and only rounds that had one are looked at again. Each step hides at least one
    # group, so this ends.
    pending = list(range(len(before)))
    while pending:
        hide: set[int] = set()
        still = []
        for i in pending:
            found = _Graph(before[i][1], now, before[i][0]).to_hide()
            if found:
                hide |= found
                still.append(i)
        if not hide:
            break
        now.hide(hide)
        pending = still
    _all_rounds(
        now,
        [(_atoms_of(shown), shown.took_part) for shown in earlier],
        people,
        max(k, *(shown.k for shown in earlier)),
    )
    return frozenset(g for gi, g in enumerate(now.groups) if gi not in now.hidden)


def _all_rounds(
    now: _Now,
    earlier: Sequence[tuple[Sequence[frozenset[int]], Sequence[frozenset[int]]]],
    people: Sequence[frozenset[int]],
    k: int,
) -> None:
    """Step c: hide groups of this round until every equation settles (`history`) with every earlier
    round at once. Unsettled people in one of this round's atoms: that atom is widened as rule 2b would
    (`_Now.widen`); unsettled people in none (they took no part now, or are in no shown group): the atom
    holding most of the people they shared an earlier atom with. Each pass hides at least one group;
    with every group hidden nothing is left of this round, so it ends."""
    flat = [atom for atoms, _ in earlier for atom in atoms]  # variable number -> earlier atom
    base = len(flat)
    # What the reader has of the earlier rounds: the groups they showed, each a sum of its atoms.
    reader: dict[int, list[int]] = {}
    var = number = 0
    for atoms, groups in earlier:
        group_of: dict[int, list[int]] = {}
        for shown in groups:
            for person in shown:
                group_of.setdefault(person, []).append(number)
            number += 1
        for atom in atoms:  # an atom's people are in exactly the same groups: any one of them says which
            reader[var] = group_of.get(next(iter(atom)), []) if atom else []
            var += 1
    old: dict[int, list[int]] = {}
    for x, atom in enumerate(flat):
        for person in atom:
            old.setdefault(person, []).append(x)
    before = {person: tuple(eq) for person, eq in old.items()}
    while True:
        atom_of: dict[int, int] = {}
        for c, who in enumerate(people):
            b = now.cell_atom[c]
            if b >= 0:
                atom_of.update(dict.fromkeys(who, b))
        counts: Counter[history.Equation] = Counter()
        for person, eq in before.items():
            at = atom_of.get(person)
            counts[eq if at is None else (*eq, base + at)] += 1
        for person, b in atom_of.items():
            if person not in before:
                counts[(base + b,)] += 1
        left = history.unresolved(counts, k, reader)
        if not left:
            return
        mine: set[int] = set()
        spread: dict[int, Counter[int]] = {}  # earlier atom -> its people per atom of this round
        for eq in left:
            if eq[-1] >= base:
                mine.add(eq[-1] - base)
                continue
            near: Counter[int] = Counter()
            for x in eq:
                if x not in spread:
                    spread[x] = Counter(atom_of[p] for p in flat[x] if p in atom_of)
                near.update(spread[x])
            if near:
                mine.add(near.most_common(1)[0][0])
        hide: set[int] = set()
        for b in mine:
            hide |= now.widen({b})
        hide -= now.hidden
        if not hide:
            hide = set(range(len(now.groups))) - now.hidden
            if not hide:
                return
        now.hide(hide)


def _pairs(
    data: RoundData,
    took_part: Mapping[Cell, frozenset[int]],
    visible: frozenset[Group],
    earlier: list[ShownRound],
) -> set[Group]:
    """Step 1: `visible` without every group whose people differ by 1 to k-1 from those of a group an
    earlier round showed, k being the larger of the two rounds' minimum sizes."""
    k = effective_k(data)
    # A set E that differs from S by fewer than w people keeps all but at most w-1 of S, so it holds
    # one of any w of them; when S has fewer than w, E shares one of S's people anyway (two disjoint
    # shown groups differ by at least both their sizes). So only sets holding one of `widest` people of
    # S are looked at.
    widest = max(k, *(shown.k for shown in earlier))
    before = [(max(k, shown.k), people) for shown in earlier for people in shown.took_part]
    holding: dict[int, list[int]] = {}
    for i, (_, people) in enumerate(before):
        for person in islice(people, widest):
            holding.setdefault(person, []).append(i)
    people_of = group_people(data, took_part, visible)
    verdict: dict[frozenset[int], bool] = {}

    def differenced(people: frozenset[int]) -> bool:
        near = {i for person in people for i in holding.get(person, ())}
        for i in near:
            limit, other = before[i]
            if abs(len(people) - len(other)) < limit and 0 < len(people ^ other) < limit:
                return True
        return False

    kept = set()
    for group in visible:
        people = people_of[group]
        if people and people not in verdict:
            verdict[people] = differenced(people)
        if not people or not verdict[people]:
            kept.add(group)
    return kept


class _Now:
    """This round's atoms over its visible groups: cells (and the people in them) in exactly the same
    visible groups. Cells in no visible group are in no sum and count as OUTSIDE (atom -1). Groups
    keep their position in `groups`; `hide` drops some and merges atoms accordingly."""

    def __init__(self, idx: CellIndex, groups: Sequence[Group]) -> None:
        self.groups = groups
        self.members = [idx.members(g) for g in groups]
        self.cell_n = idx.n
        sig: list[list[int]] = [[] for _ in idx.cells]
        for gi, cells in enumerate(self.members):
            for c in cells:
                sig[c].append(gi)
        self.cell_sig = [tuple(s) for s in sig]
        self.hidden: set[int] = set()
        self._atoms()

    def hide(self, groups: set[int]) -> None:
        self.hidden |= groups
        for c in {c for gi in groups for c in self.members[gi]}:
            self.cell_sig[c] = tuple(gi for gi in self.cell_sig[c] if gi not in groups)
        self._atoms()

    def _atoms(self) -> None:
        ids: dict[tuple[int, ...], int] = {}
        self.cell_atom = [ids.setdefault(sig, len(ids)) if sig else -1 for sig in self.cell_sig]
        self.sig = list(ids)  # atom -> positions in `groups` of the visible groups holding it
        self.size = [0] * len(ids)
        for atom, n in zip(self.cell_atom, self.cell_n, strict=True):
            if atom >= 0:
                self.size[atom] += n
        self.atom_with = ids
        self._group_atoms: dict[int, set[int]] = {}
        self._one_less: dict[tuple[int, ...], list[tuple[int, int]]] | None = None

    def one_less(self) -> dict[tuple[int, ...], list[tuple[int, int]]]:
        """For a signature s, the atoms b (with the group gi) whose signature is s plus gi: hiding gi
        merges b into the atom with signature s."""
        if self._one_less is None:
            found: dict[tuple[int, ...], list[tuple[int, int]]] = {}
            for b, sig in enumerate(self.sig):
                for i, gi in enumerate(sig):
                    found.setdefault(sig[:i] + sig[i + 1 :], []).append((b, gi))
            self._one_less = found
        return self._one_less

    def atoms_in(self, gi: int) -> set[int]:
        found = self._group_atoms.get(gi)
        if found is None:
            found = {self.cell_atom[c] for c in self.members[gi]}
            self._group_atoms[gi] = found
        return found

    def group_size(self, gi: int) -> int:
        return sum(self.size[a] for a in self.atoms_in(gi))

    def widen(self, mine: set[int]) -> set[int]:
        """Groups to hide so that the atoms `mine` stop being told apart from the rest (a leaky node
        with no earlier atom to join it to, or people the check over all rounds cannot clear): as rule
        2b, the smallest group whose hiding merges one of them with an atom outside `mine`; else the
        groups made only of them; else the smallest group holding one. The whole organisation only
        when nothing else does."""
        now = self
        key = lambda gi: (now.groups[gi] == ORG, now.group_size(gi), _order(now.groups[gi]))  # noqa: E731
        merging: set[int] = set()
        one_less = now.one_less()
        for a in mine:
            sig = now.sig[a]
            for i, gi in enumerate(sig):
                b = now.atom_with.get(sig[:i] + sig[i + 1 :])
                if b is not None and b not in mine:
                    merging.add(gi)
            merging.update(gi for b, gi in one_less.get(sig, ()) if b not in mine)
        if merging and not all(now.groups[gi] == ORG for gi in merging):
            return {min(merging, key=key)}
        holding = {gi for a in mine for gi in now.sig[a]}
        inside = {gi for gi in holding if now.atoms_in(gi) <= mine and now.groups[gi] != ORG}
        if inside:
            return inside
        return {min(holding | merging, key=key)}


class _Graph:
    """One earlier round's atoms (nodes 0..r-1), this round's atoms (r..r+n-1) and OUTSIDE (r+n),
    joined by people: a person in earlier atom A and in atom N of this round is an edge A-N, one who
    took part in (or is shown by) only one of the two rounds an edge to OUTSIDE.

    A reader's sum 1_U - 1_W (U, W unions of the two rounds' atoms) is non-zero exactly on the people
    whose edge crosses the cut around U+W. Conversely any combination of the two rounds' atom sums that
    is non-zero on fewer than k people gives such a cut: take the atoms whose coefficient is one
    non-zero value c (earlier atoms) or -c (this round's); the people it is non-zero on include every
    edge crossing that cut. So "every cut is 0 or at least k people" is rule 2's promise for the two
    rounds together, with OUTSIDE never on U+W's side (a cut and its complement are the same people).

    It is checked exactly, without trying every cut: two nodes that no cut below k separates can be
    merged (contracted) without changing the answer. Pairs joined by k or more people are; then each
    pass orders the nodes by maximum adjacency (Nagamochi and Ibaraki): an edge whose later end was
    joined to the nodes before it by q people has no cut below q between its ends, and the last node's
    own cut is the least one between the last two. A node (a set of atoms by then) whose own cut is 1
    to k-1 people is a leak; when every component is down to one node, there is none.

    An earlier atom smaller than `limit` (k went up since) is first merged with the atom of this round
    holding most of its people (or with OUTSIDE): cutting it off adds or removes that earlier atom's own
    sum, which the earlier round showed under its own k, not anything this round shows."""

    def __init__(self, atoms: Sequence[list[tuple[int, int]]], now: _Now, limit: int) -> None:
        self.now = now
        self.limit = limit
        r, n = len(atoms), len(now.sig)
        self.r = r
        self.outside = r + n
        size = r + n + 1
        self.parent = list(range(size))
        self.adj: list[dict[int, int]] = [{} for _ in range(size)]
        self.edges: list[tuple[int, int, int]] = []
        self.home: list[int] = []  # earlier atom -> node of the atom of this round holding most of it
        reached = [0] * n
        cell_atom = now.cell_atom
        sizes = []
        for ai, cells in enumerate(atoms):
            counts: dict[int, int] = {}
            for c, w in cells:
                b = cell_atom[c] if c >= 0 else -1
                counts[b] = counts.get(b, 0) + w
            sizes.append(sum(counts.values()))
            best, best_w = -1, 0
            for b, w in counts.items():
                node = self.outside if b < 0 else r + b
                self.edges.append((ai, node, w))
                if b >= 0:
                    reached[b] += w
                    if w > best_w:
                        best, best_w = node, w
            self.home.append(best)
        for b in range(n):
            if now.size[b] > reached[b]:  # took part now, in no atom of the earlier round
                self.edges.append((r + b, self.outside, now.size[b] - reached[b]))
        for u, v, w in self.edges:
            self.adj[u][v] = self.adj[u].get(v, 0) + w
            self.adj[v][u] = self.adj[v].get(u, 0) + w
        pairs = [(u, v) for u, v, w in self.edges if w >= limit]
        for ai, atom_size in enumerate(sizes):
            if atom_size < limit:
                pairs.append((ai, self.home[ai] if self.home[ai] >= 0 else self.outside))
        self._contract(pairs)

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def _contract(self, pairs: list[tuple[int, int]]) -> None:
        adj, limit = self.adj, self.limit
        while pairs:
            u, v = pairs.pop()
            ru, rv = self.find(u), self.find(v)
            if ru == rv:
                continue
            if len(adj[ru]) < len(adj[rv]):  # the smaller neighbour list moves
                ru, rv = rv, ru
            self.parent[rv] = ru
            merged = adj[rv]
            adj[rv] = {}
            adj[ru].pop(rv, None)
            for x, w in merged.items():
                if x == ru:
                    continue
                del adj[x][rv]
                total = adj[ru].get(x, 0) + w
                adj[ru][x] = total
                adj[x][ru] = total
                if total >= limit:
                    pairs.append((ru, x))

    def _pass(self, roots: list[int]) -> list[tuple[int, int]]:
        """One maximum-adjacency ordering of every component: the pairs it proves no cut below
        `limit` separates."""
        adj, limit = self.adj, self.limit
        done: set[int] = set()
        found: list[tuple[int, int]] = []
        for start in roots:
            if start in done or not adj[start]:
                continue
            attached: dict[int, int] = {start: 0}
            heap = [(0, start)]
            last: list[int] = []
            while heap:
                _, v = heappop(heap)
                if v in done:
                    continue
                done.add(v)
                last = [*last[-1:], v]
                for u, w in adj[v].items():
                    if u not in done:
                        q = attached.get(u, 0) + w
                        attached[u] = q
                        heappush(heap, (-q, u))
                        if q >= limit:
                            found.append((v, u))
            if len(last) == 2:
                found.append((last[0], last[1]))
        return found

    def leaks(self) -> list[int]:
        """The nodes (each a set of atoms, by `find`) cut off by 1 to limit-1 people; none when every
        cut is 0 or at least `limit`."""
        adj, limit = self.adj, self.limit
        while True:
            roots = [x for x in range(len(self.parent)) if self.parent[x] == x and adj[x]]
            small = [x for x in roots if sum(adj[x].values()) < limit]
            if small or not roots:
                return small
            self._contract(self._pass(roots))

    def to_hide(self) -> set[int]:
        """Positions (in `now.groups`) of groups to hide so that the leaks found go away, or nothing."""
        leaky = self.leaks()
        if not leaky:
            return set()
        now, r, out = self.now, self.r, self.find(self.outside)
        if leaky == [out]:
            # Only everything but OUTSIDE together is cut off by fewer than k: the sum of all the
            # earlier round's atoms minus the sum of all of this round's is the few who joined or
            # left, even with the whole organisation hidden. Only people in no shown group at all
            # widen that cut, so the atom held by the fewest groups (then the smallest) leaves every
            # group.
            rest = [b for b in range(len(now.sig)) if self.find(r + b) != out]
            if rest:
                return set(now.sig[min(rest, key=lambda b: (len(now.sig[b]), now.size[b]))])
        bad = set(leaky) - {out}
        hide: set[int] = set()
        # A leaky node is first joined to its neighbour along the earlier atoms: an atom of this round
        # holding a few of earlier atom A's people is merged with A's home (the groups telling the two
        # apart are hidden), as a team that lost one person is hidden with the one it went to.
        settled: set[int] = set()
        for u, v, _ in self.edges:
            if u >= r or v == self.outside:
                continue
            ru, rv = self.find(u), self.find(v)
            if ru != rv and (ru in bad or rv in bad) and self.home[u] not in (-1, v):
                hide.update(set(now.sig[v - r]) ^ set(now.sig[self.home[u] - r]))
                settled.update((ru, rv))
        members: dict[int, set[int]] = {}
        for b in range(len(now.sig)):
            members.setdefault(self.find(r + b), set()).add(b)
        for x in bad - settled:
            hide |= now.widen(members[x])
        return hide
