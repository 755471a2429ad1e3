"""Differencing protection of a round (rules 2 and 3 of the package docstring, run by `atoms.Protection`,
then rule 7 by `rounds`): which groups of a round may be shown, computed once per count table, saved and
loaded with a closed round."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from ..data import (
    Cell,
    RoundData,
    ShownRound,
)
from .atoms import Protection
from .core import (
    CATEGORIES,
    CellIndex,
    Group,
    Scope,
    cell_index,
    effective_k,
    gc_paused,
    in_scope,
    round_cache,
)
from .rounds import across_rounds, shown_people


def protect(
    data: RoundData,
    counts: Mapping[Cell, int],
    groups: Iterable[Group],
    values: Mapping[Cell, Sequence[int]] | None = None,
) -> set[Group]:
    """The groups of `groups` that may be shown, given how many answers each cell has (`counts`).

    Rule 2 of the package docstring (and rule 3 on raw values when `values`, the per-cell histograms of
    answer values, is given: an atom or group with one value held by all its answers, or below 2k
    answers by all but one, is unsafe too; the gate itself also checks answer categories, see
    core.answer_mix). Groups not returned are suppressed; empty groups are never returned.
    """
    cache = round_cache(data)
    if values is not None:  # raw values only: no category counts in front (see core.answer_mix)
        values = {c: [0] * CATEGORIES + list(h) for c, h in values.items()}
    return Protection(
        cache.shape,
        CellIndex(cache.shape, counts, values),
        groups,
        k=effective_k(data),
        slices_first=cache.config.slices_first,
        check_values=values is not None,
    ).run()


def surviving(data: RoundData, table: object) -> frozenset[Group]:
    """Groups of the family that survive protection for one count table: "respondents", "invited",
    "commenters" or a question id. Question answers and comment authors are protected starting from the
    groups that survived on respondents (a group hidden there is hidden for every answer and comment);
    participation ("invited") is protected on its own. Rule 7 (across rounds) hides more on respondents,
    and so for every answer and comment too."""
    cache = round_cache(data)
    found = cache.visible.get(table)
    if found is None:
        start = None if table in ("respondents", "invited") else surviving(data, "respondents")
        found = frozenset(
            Protection(
                cache.shape,
                cell_index(data, table),
                cache.family,
                k=effective_k(data),
                slices_first=cache.config.slices_first,
                check_values=isinstance(table, int),
                start=start,
            ).run()
        )
        if table == "respondents":  # rule 7: hiding more after rule 2 never undoes it
            with gc_paused():
                found = across_rounds(data, found)
        cache.visible[table] = found
    return found


def _fingerprint(data: RoundData) -> list[object]:
    """A cheap check that saved protection state belongs to this round and these aggregates."""
    return [
        data.round_id,
        effective_k(data),
        round_cache(data).config.slices_first,
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
        "rule": round_cache(data).config.rule_version,
        "visible": [
            [table, sorted(([g.team, g.band, g.region] for g in surviving(data, table)), key=_group_order)]
            for table in tables
        ],
    }


def load_protection_state(data: RoundData, state: Mapping[str, object]) -> bool:
    """Reuse protections saved by `protection_state` for this round. Returns False (and loads nothing)
    when the state does not match the round's aggregates; the gate then computes them itself."""
    rule = round_cache(data).config.rule_version
    stale = state.get("fingerprint") != _fingerprint(data) or state.get("rule") != rule
    if stale or not isinstance(state.get("visible"), list):
        return False
    cache = round_cache(data)
    for table, groups in state["visible"]:  # type: ignore[attr-defined]
        cache.visible[table] = frozenset(Group(*g) for g in groups)
    return True


def visible_groups(data: RoundData, scope: Scope) -> list[Group]:
    """The groups of the round this viewer may see that survive protection (on respondents), in family
    order: the organisation first, then teams depth-first, each unsliced then by band then by region."""
    vis = surviving(data, "respondents")
    return [g for g in round_cache(data).family if g in vis and in_scope(data, g, scope)]


def shown_before(data: RoundData) -> ShownRound | None:
    """What rule 7 compares later rounds with: this round's k and the people who took part in each
    distinct group it shows. None when the round carries no membership or shows nothing."""
    return shown_people(data, surviving(data, "respondents"))
