"""Rule 7 of the package docstring: protection across rounds. Two shown groups of different rounds
whose people (those who took part) differ by 1 to k-1 are not both shown: the later round hides its
group. It runs after rules 2 and 3, which hiding more never undoes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import islice

from ..data import Cell, RoundData, ShownRound
from .core import CellIndex, Group, effective_k, round_cache


def group_people(
    data: RoundData, took_part: Mapping[Cell, frozenset[int]], groups: Iterable[Group]
) -> dict[Group, frozenset[int]]:
    """The people who took part in each group, by the round's cells (a group is a union of cells)."""
    idx = CellIndex(round_cache(data).shape, {c: len(p) for c, p in took_part.items()})
    people = [took_part[c] for c in idx.cells]
    return {g: frozenset().union(*(people[i] for i in idx.members(g))) for g in groups}


def shown_people(data: RoundData, shown: Iterable[Group]) -> ShownRound | None:
    """What later rounds are compared with: this round's k and the people who took part in each
    distinct group of `shown` (the groups it shows)."""
    if data.membership is None:
        return None
    found = group_people(data, data.membership.took_part(), shown)
    sets = [people for people in dict.fromkeys(found.values()) if people]
    return ShownRound(effective_k(data), sets) if sets else None


def across_rounds(data: RoundData, visible: frozenset[Group]) -> frozenset[Group]:
    """`visible` without every group whose people differ by 1 to k-1 from those of a group an earlier
    round showed, k being the larger of the two rounds' minimum sizes."""
    if data.membership is None or not visible:
        return visible
    earlier = data.membership.earlier()
    if not earlier:
        return visible
    k = effective_k(data)
    # A set E that differs from S by fewer than w people keeps all but at most w-1 of S, so it holds
    # one of any w of them; when S has fewer than w, E shares one of S's people anyway (two disjoint
    # shown groups differ by at least both their sizes). So only sets holding one of `widest` people of
    # S are looked at.
    widest = max(k, *(shown.k for shown in earlier))
    before = [(max(k, shown.k), people) for shown in earlier for people in shown.took_part]
    holding: dict[int, list[int]] = {}
    for i, (_, people) in enumerate(before):
        for person in people:
            holding.setdefault(person, []).append(i)
    people_of = group_people(data, data.membership.took_part(), visible)
    verdict: dict[frozenset[int], bool] = {}

    def differenced(people: frozenset[int]) -> bool:
        near = {i for person in islice(people, widest) for i in holding.get(person, ())}
        for i in near:
            limit, other = before[i]
            if abs(len(people) - len(other)) < limit and 0 < len(people ^ other) < limit:
                return True
        return False

    kept = []
    for group in visible:
        people = people_of[group]
        if people and people not in verdict:
            verdict[people] = differenced(people)
        if not people or not verdict[people]:
            kept.append(group)
    return frozenset(kept)
