"""Rule 7 of the package docstring: protection across rounds, in two parts.

1. The org chart. If everybody answered both rounds as before, two rounds are one round whose groups
   are both rounds' shown groups, each a set of (invited) PEOPLE, and rule 2's atom argument applies with
   people in place of cells: people who belong to exactly the same shown groups of both rounds form a
   joint atom, and anything computable is a sum over whole joint atoms. No joint atom may hold 1 to k-1
   people. The earlier round is shown already, so this round hides groups until that holds.
2. Who took part. Two shown groups of different rounds whose respondents differ by 1 to k-1 people
   (someone skipped one of the two rounds, or came back) are not both shown: the later one is hidden.

Both run after rules 2 and 3, which hiding more never undoes.
"""

from __future__ import annotations

import heapq
import random
import secrets
from collections.abc import Iterable, Mapping, Sequence
from itertools import islice

from ..data import Cell, RoundData, ShownRound
from .core import Group, _cache, _CellIndex, effective_k


def group_people(
    data: RoundData, took_part: Mapping[Cell, frozenset[int]], groups: Iterable[Group]
) -> dict[Group, frozenset[int]]:
    """The people who took part in each group, by the round's cells (a group is a union of cells)."""
    idx = _CellIndex(_cache(data).shape, {c: len(p) for c, p in took_part.items()})
    people = [took_part[c] for c in idx.cells]
    return {g: frozenset().union(*(people[i] for i in idx.members(g))) for g in groups}


def shown_people(data: RoundData, shown: Iterable[Group]) -> ShownRound | None:
    """What later rounds are compared with: this round's k and, for each distinct group of `shown` (the
    groups it shows), the people who took part in it and the people invited to it."""
    if data.membership is None:
        return None
    shown = list(shown)
    cells = data.membership.invited()
    took = group_people(data, data.membership.took_part(), shown)
    invited = group_people(data, cells, shown)
    found = [(took[g], invited[g]) for g in shown if took[g]]
    if not found:
        return None
    return ShownRound(
        effective_k(data),
        list(dict.fromkeys(t for t, _ in found)),
        list(dict.fromkeys(i for _, i in found if i)),
        {person: cell for cell, people in cells.items() for person in people},
    )


def across_rounds(data: RoundData, visible: frozenset[Group]) -> frozenset[Group]:
    """`visible` without the groups rule 7 hides, against every earlier round (k: the larger of the two
    rounds' minimum sizes)."""
    if data.membership is None or not visible:
        return visible
    earlier = data.membership.earlier()
    if not earlier:
        return visible
    k = effective_k(data)
    invited_of = group_people(data, data.membership.invited(), visible)
    # Part 1. Groups with the same people are one class: hiding one of them alone changes nothing.
    order = {g: i for i, g in enumerate(_cache(data).family)}
    alive: dict[frozenset[int], int] = {}
    for group, people in invited_of.items():
        if people:
            alive[people] = min(alive.get(people, len(order)), order.get(group, len(order)))
    placed = {person: cell for cell, people in data.membership.invited().items() for person in people}
    for shown in earlier:
        # Only atoms holding someone who joined, left or moved: rule 2 chooses its groups afresh each
        # round, and people who stayed put are split by those choices alone (see the package).
        changed = {p for p, cell in placed.items() if shown.placed.get(p) != cell}
        changed.update(p for p in shown.placed if p not in placed)
        if changed:
            _protect_pair(alive, shown.invited, max(k, shown.k), changed)
    kept = [g for g in visible if not invited_of[g] or invited_of[g] in alive]
    # Part 2. A set E that differs from S by fewer than w people keeps all but at most w-1 of S, so
    # it holds one of any w of them; when S has fewer than w, E shares one of S's people anyway (two
    # disjoint shown groups differ by at least both their sizes). So look only at sets holding one of
    # `widest` people of S.
    widest = max(k, *(shown.k for shown in earlier))
    before = [(max(k, shown.k), people) for shown in earlier for people in shown.took_part]
    holding: dict[int, list[int]] = {}
    for i, (_, people) in enumerate(before):
        for person in people:
            holding.setdefault(person, []).append(i)
    took_of = group_people(data, data.membership.took_part(), kept)
    verdict: dict[frozenset[int], bool] = {}

    def differenced(people: frozenset[int]) -> bool:
        """Whether `people` differ by 1 to k-1 from those of a group an earlier round showed."""
        near = {i for person in islice(people, widest) for i in holding.get(person, ())}
        for i in near:
            limit, other = before[i]
            if abs(len(people) - len(other)) < limit and 0 < len(people ^ other) < limit:
                return True
        return False

    out = []
    for group in kept:
        people = took_of[group]
        if people and people not in verdict:
            verdict[people] = differenced(people)
        if not people or not verdict[people]:
            out.append(group)
    return frozenset(out)


def _protect_pair(
    alive: dict[frozenset[int], int], before: Sequence[frozenset[int]], k: int, changed: set[int]
) -> None:
    """Hide classes of `alive` (people -> family position) until no joint atom with `before` holding
    someone of `changed` is small.

    A joint atom is keyed by (hash of the classes of this round holding the person, hash of the groups
    of the earlier round holding them): XORs of random 64-bit keys, updated as classes are hidden."""
    rng = random.Random(secrets.randbits(128))
    then: dict[int, int] = {}
    for people in before:
        group_key = rng.getrandbits(64)
        for person in people:
            then[person] = then.get(person, 0) ^ group_key
    now: dict[int, int] = {}
    class_key: dict[frozenset[int], int] = {}
    holding: dict[int, list[frozenset[int]]] = {}
    for people in alive:
        own_key = class_key[people] = rng.getrandbits(64)
        for person in people:
            now[person] = now.get(person, 0) ^ own_key
            holding.setdefault(person, []).append(people)
    atoms: dict[tuple[int, int], set[int]] = {}
    siblings: dict[int, set[int]] = {}  # earlier-round hash -> the hashes of this round beside it
    for person in now.keys() | then.keys():
        key = (now.get(person, 0), then.get(person, 0))
        atoms.setdefault(key, set()).add(person)
        siblings.setdefault(key[1], set()).add(key[0])

    def small(key: tuple[int, int], people: set[int]) -> bool:
        return 0 < len(people) < k and key != (0, 0) and not people.isdisjoint(changed)

    def classes_of(key: tuple[int, int]) -> set[frozenset[int]]:
        person = next(iter(atoms[key]))
        return {c for c in holding.get(person, ()) if c in alive}

    def choose(key: tuple[int, int]) -> frozenset[int] | None:
        """A joint atom can only grow by merging with people of its own earlier atom (the earlier
        round cannot change): hide the smallest class in which it differs from the nearest of them."""
        own = classes_of(key) if key[0] else set()
        best: tuple[int, int, int] | None = None
        pick = None
        for h in siblings.get(key[1], ()):
            if h == key[0] or (h, key[1]) == (0, 0):
                continue
            apart = own ^ (classes_of((h, key[1])) if h else set())
            if not apart:
                continue
            cls = min(apart, key=lambda c: (len(c), alive[c]))
            rank = (len(apart), len(cls), alive[cls])
            if best is None or rank < best:
                best, pick = rank, cls
        if pick is None and own:
            pick = min(own, key=lambda c: (len(c), alive[c]))
        return pick

    heap = [(len(p), key) for key, p in atoms.items() if small(key, p)]
    heapq.heapify(heap)
    while heap:
        n, key = heapq.heappop(heap)
        members = atoms.get(key)
        if members is None or len(members) != n or not small(key, members):
            continue
        cls = choose(key)
        if cls is None:
            continue  # nothing of this round can merge it (its whole earlier atom was under this k)
        del alive[cls]
        touched = {key}
        for person in cls:
            old = (now[person], then.get(person, 0))
            now[person] ^= class_key[cls]
            new = (now[person], old[1])
            atoms[old].discard(person)
            atoms.setdefault(new, set()).add(person)
            siblings[new[1]].add(new[0])
            touched.update((old, new))
        for key2 in touched:
            group = atoms.get(key2)
            if group is not None and not group:
                del atoms[key2]
                siblings[key2[1]].discard(key2[0])
            elif group is not None and small(key2, group):
                heapq.heappush(heap, (len(group), key2))
