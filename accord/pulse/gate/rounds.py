"""Rule 7 of the package docstring: protection across rounds. A group whose people differ by 1 to k-1
from the people of a group an earlier round showed is hidden (within-round protection has run first)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import islice

from ..data import Cell, RoundData
from .core import Group, _cache, _CellIndex, effective_k


def group_people(
    data: RoundData, took_part: Mapping[Cell, frozenset[int]], groups: Iterable[Group]
) -> dict[Group, frozenset[int]]:
    """The people who took part in each group, by the round's cells (a group is a union of cells)."""
    idx = _CellIndex(_cache(data).shape, {c: len(p) for c, p in took_part.items()})
    people = [took_part[c] for c in idx.cells]
    return {g: frozenset().union(*(people[i] for i in idx.members(g))) for g in groups}


def shown_people(data: RoundData, shown: Iterable[Group]) -> list[tuple[int, frozenset[int]]]:
    """(k, people) of every distinct group of `shown`, the groups this round shows: what later rounds
    compare themselves with."""
    if data.membership is None:
        return []
    k = effective_k(data)
    found = group_people(data, data.membership.took_part(), shown)
    return [(k, people) for people in dict.fromkeys(found.values()) if people]


def across_rounds(data: RoundData, visible: frozenset[Group]) -> frozenset[Group]:
    """`visible` without every group whose people differ from those of a group an earlier round showed
    by at least one and fewer than k people, k being the larger of the two rounds' minimum sizes."""
    if data.membership is None or not visible:
        return visible
    earlier = data.membership.earlier()
    if not earlier:
        return visible
    k = effective_k(data)
    widest = max(k, *(ke for ke, _ in earlier))
    # Who was in which earlier group. A set E that differs from S by fewer than `widest` people keeps all
    # but at most widest-1 of S's people, so it holds one of any `widest` of them (and if S has fewer,
    # E shares one of S's people anyway: two disjoint shown groups differ by at least both their sizes).
    holding: dict[int, list[int]] = {}
    for i, (_, people) in enumerate(earlier):
        for person in people:
            holding.setdefault(person, []).append(i)
    people_of = group_people(data, data.membership.took_part(), visible)
    verdict: dict[frozenset[int], bool] = {}

    def differenced(s: frozenset[int]) -> bool:
        candidates = {i for person in islice(s, widest) for i in holding.get(person, ())}
        for i in candidates:
            ke, e = earlier[i]
            limit = max(k, ke)
            if abs(len(s) - len(e)) >= limit:
                continue
            apart = len(s) + len(e) - 2 * len(s & e)
            if 0 < apart < limit:
                return True
        return False

    hidden: set[Group] = set()
    for group, s in people_of.items():
        if not s:
            continue  # no person known (a round without participation records): nothing to compare
        bad = verdict.get(s)
        if bad is None:
            bad = verdict[s] = differenced(s)
        if bad:
            hidden.add(group)
    return visible - hidden if hidden else visible
