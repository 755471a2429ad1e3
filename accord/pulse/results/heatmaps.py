"""The heatmap page and endpoint: every team the viewer may see against every theme, and one row
sliced by tenure and region. A closed round's heatmap is read from what the gate published when the
round closed (`published`); `heatmap_table` and `slice_table` compute the same afresh from a round's
data, for publishing and for tests that compare the two."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404

from .. import gate, queries
from ..data import RoundData
from ..gate import Group, Scope
from ..models import Round
from .reports import Score, construct_label, group_key, nps_constructs, parse_group_key, score_of


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    is_enps: bool


@dataclass(frozen=True)
class HeatRow:
    key: str
    label: str
    depth: int  # the gate's: 0 for the organisation, 1 for top-level teams, ...
    team: int | None
    cells: tuple[Score, ...]
    level: int = 0  # indentation on the page: depth below the viewer's first row
    # Teams in the row's subtree below it (published rows only; a folded page offers to open them).
    below: int = field(default=0, compare=False)

    @property
    def indented_label(self) -> str:
        return "\u00a0\u00a0" * self.level + self.label


@dataclass(frozen=True)
class HeatTable:
    columns: tuple[Column, ...]
    rows: tuple[HeatRow, ...]


def heat_table(found: gate.Heatmap, nps: set[str]) -> HeatTable:
    """The gate's heatmap, labelled for the page and the API."""
    top = min((row.depth for row in found.rows), default=0)
    columns = tuple(Column(c, construct_label(c), c in nps) for c in found.columns)
    rows = tuple(
        HeatRow(
            key=group_key(row.group),
            label=row.label,
            depth=row.depth,
            level=row.depth - top,
            team=row.group.team,
            cells=tuple(
                score_of(col.key, col.label, cell) for col, cell in zip(columns, row.cells, strict=True)
            ),
        )
        for row in found.rows
    )
    return HeatTable(columns=columns, rows=rows)


def _heat_scores(col: Column, pub: gate.Published, texts: Iterable[str]) -> dict[str, Score]:
    """score_of for each distinct stored cell text of a column. A construct's Score gets its fields in
    one go from the gate's numbers (a copy of the column's blank Score fields), rather than through a
    result and the frozen dataclass's __init__ (thousands of distinct cells in a large organisation);
    it is the same Score."""
    blank: dict[str, Any] = {
        "key": col.key,
        "label": col.label,
        "hidden": None,
        "n": None,
        "mean": None,
        "favourable": None,
        "enps": None,
        "distribution": None,
        "change": None,
        "change_since": "",
        "questions": (),
        "scale": "",
        "rounded": False,
    }
    new, put, numbers_of = object.__new__, object.__setattr__, pub.construct_numbers
    made: dict[str, Score] = {}
    for text in texts:
        numbers = numbers_of(text)
        if numbers is None:
            # A Score holds no group: any group will do for the result it is made from.
            made[text] = score_of(col.key, col.label, pub.cell_text(Group(), col.key, text))
            continue
        fields = blank.copy()
        fields["n"], fields["mean"], fields["favourable"] = numbers
        score = new(Score)
        put(score, "__dict__", fields)
        made[text] = score
    return made


def published_table(pub: gate.Published, stored: Sequence[queries.StoredRow]) -> HeatTable:
    """`heat_table(gate.published_heatmap(pub, stored), ...)` without building a result per cell: a Score
    holds no group, so each distinct stored cell of a column becomes a Score once (through the gate's
    `Published.cell_text` and `construct_numbers`) and every row showing it shares that Score; rows with
    the same stored cells share their tuple of Scores."""
    nps = set(pub.nps)
    columns = tuple(Column(c, construct_label(c), c in nps) for c in pub.columns)
    top = min((r[1] for r in stored), default=0)
    new, put = object.__new__, object.__setattr__
    rows: list[HeatRow] = []
    with gate.gc_paused():
        cells_of = {heat: gate.published_cells(heat) for heat in {r[4] for r in stored}}
        if any(len(cells) != len(columns) for cells in cells_of.values()):
            raise ValueError("A published row does not have one cell per column.")
        made = [
            _heat_scores(col, pub, {cells[i] for cells in cells_of.values()}) for i, col in enumerate(columns)
        ]
        # Each distinct stored row's Scores, looked up column by column in C (map over the dicts).
        row_cells = {heat: tuple(map(dict.__getitem__, made, cells)) for heat, cells in cells_of.items()}
        for team, depth, label, _, heat, _, pos, end in stored:
            heat_row = new(HeatRow)  # HeatRow(...), its fields set in one go (thousands of rows)
            put(
                heat_row,
                "__dict__",
                {
                    "key": "org" if team is None else f"team-{team}",  # group_key of the row's group
                    "label": label,
                    "depth": depth,
                    "team": team,
                    "cells": row_cells[heat],
                    "level": depth - top,
                    "below": end - pos - 1,
                },
            )
            rows.append(heat_row)
    return HeatTable(columns=columns, rows=tuple(rows))


def heatmap_table(data: RoundData, scope: Scope) -> HeatTable:
    """The heatmap computed afresh from a round's data (what publishing stores)."""
    return heat_table(gate.heatmap(data, scope), nps_constructs(data))


@dataclass(frozen=True)
class SliceTable:
    construct: str
    label: str
    base: str
    is_enps: bool
    by_band: tuple[Score, ...]
    by_region: tuple[Score, ...]

    @property
    def tables(self) -> tuple[tuple[str, tuple[Score, ...]], ...]:
        return (("Tenure", self.by_band), ("Region", self.by_region))


def slice_table_of(found: gate.Slices, base: str, is_enps: bool) -> SliceTable:
    construct = str(found.key)
    return SliceTable(
        construct=construct,
        label=construct_label(construct),
        base=base,
        is_enps=is_enps,
        by_band=tuple(score_of(construct, r.label, r.result) for r in found.by_band),
        by_region=tuple(score_of(construct, r.label, r.result) for r in found.by_region),
    )


def slice_table(data: RoundData, scope: Scope, construct: str, team: int | None) -> SliceTable:
    """Computed afresh from a round's data. Raises gate.NotInScope for a team outside the viewer's scope."""
    found = gate.slices(data, scope, construct, team)
    return slice_table_of(found, found.base.label(data), construct in nps_constructs(data))


@dataclass(frozen=True)
class HeatmapPage:
    table: HeatTable
    construct: str  # the theme sliced by tenure and region
    team_key: str  # the group sliced: the organisation or a team's subtree
    slices: SliceTable | None
    k: int
    folded: list[str] = field(default_factory=list, compare=False)  # keys of rows that unfold


@dataclass(frozen=True)
class PublishedHeatmap:
    """A closed round's published heatmap, as one viewer may see it."""

    round: Round
    pub: gate.Published
    rows: list[queries.StoredRow]
    table: HeatTable


def published(rnd: Round, scope: Scope, fold: queries.Fold | None = None) -> PublishedHeatmap:
    """The heatmap a viewer may see, read from what the gate stored when the round was published: the
    rows of the viewer's subtrees only (folded: see queries.Fold). queries.ResultsPreparing if that is
    missing or stale."""
    pub = gate.Published(queries.current_header(rnd))
    rows = queries.published_rows(rnd, scope, fold)
    return PublishedHeatmap(rnd, pub, rows, published_table(pub, rows))


# A whole-organisation heatmap opens on the viewer's top rows and this many levels below them (a few
# hundred rows for 100,000 people in 12,000 teams); each row below unfolds on demand.
FOLD_LEVELS = 4
MAX_OPENED = 100  # rows a page's address may hold open


def team_of_key(key: str) -> int:
    """The team of a whole team's key ("team-12"); Http404 for anything else."""
    group = parse_group_key(key)
    if group is None or group.team is None or group.sliced:
        raise Http404("No such team.")
    return group.team


def folded(rows: Sequence[HeatRow], opened: frozenset[int], levels: int = FOLD_LEVELS) -> list[str]:
    """Keys of the rows with teams below them that are not shown (a link or button unfolds them)."""
    return [
        r.key for r in rows if r.below and r.team is not None and r.level >= levels and r.team not in opened
    ]


def unfolded_rows(rnd: Round, scope: Scope, key: str) -> HeatTable:
    """The row of team `key` and its child teams, for a page that unfolds the row (Http404 for a team that
    is not one of the viewer's rows). Levels are counted from the viewer's top rows, as on the page."""
    team = team_of_key(key)
    found = published(rnd, scope, queries.Fold(FOLD_LEVELS, children_of=team))
    if not found.rows or found.rows[0][0] != team:
        raise Http404("No such team.")
    top = queries.published_rows(rnd, scope, queries.Fold(0))  # the viewer's top rows: their depth
    base = min((r[1] for r in top), default=0)
    rows = tuple(_relevel(r, base) for r in found.table.rows)
    return HeatTable(found.table.columns, rows)


def _relevel(row: HeatRow, base: int) -> HeatRow:
    copy = object.__new__(HeatRow)
    object.__setattr__(copy, "__dict__", {**row.__dict__, "level": row.depth - base})
    return copy


def _published_group(found: PublishedHeatmap, scope: Scope, key: str) -> Group | None:
    """`pick_group` for the heatmap page, from the viewer's published rows: the group named by `key` or
    the default one; Http404 for a key that does not parse, a slice, or a group outside the scope. A team
    that was not in the round's tree falls back to the default group."""
    default = found.pub.default_group((r[0], r[3]) for r in found.rows)
    if not key:
        return default
    group = parse_group_key(key)
    if group is None or group.sliced:
        raise Http404("Slices are of a whole team or the whole organisation.")
    if group.team is None:
        if scope is None or scope == "org":
            return group
        raise Http404("No such group.")
    if any(r[0] == group.team for r in found.rows):
        return group
    if scope is not None and queries.published_team_exists(found.round, group.team):
        raise Http404("No such group.")  # in the round, outside the viewer's subtrees
    return default


def heatmap_page(
    rnd: Round,
    scope: Scope,
    construct: str | None,
    team_key: str | None,
    opened: frozenset[int] | None = None,
) -> HeatmapPage:
    """The heatmap and, below it, one theme of one row sliced by tenure and region (default: the first
    theme and the first row). Http404 for a theme not asked, or a team that is not a row of the viewer.
    With `opened` (the page), folded: the viewer's top FOLD_LEVELS levels, the children of the opened
    teams and the sliced team's row; without (the API), every row.
    Everything comes from the round's published results: a fixed number of queries whatever its size."""
    fold = None
    if opened is not None:
        also = parse_group_key(team_key) if team_key else None
        also_team = also.team if also is not None and not also.sliced else None
        fold = queries.Fold(FOLD_LEVELS, opened=opened, also=also_team)
    found = published(rnd, scope, fold)
    table = found.table
    keys = [c.key for c in table.columns]
    chosen = construct or (keys[0] if keys else "")
    if keys and chosen not in keys:
        raise Http404("That theme was not asked in this round.")
    team = _published_group(found, scope, team_key or (table.rows[0].key if table.rows else ""))
    if team is not None and team.sliced:
        raise Http404("Slices are of a whole team or the whole organisation.")
    slices = None
    if team is not None and chosen:
        first = found.rows[0] if found.rows else None
        stored = first[5] if first is not None and first[0] == team.team else None
        stored = stored or queries.published_slices(rnd, team.team)
        if stored is None:
            raise Http404("No such group.")
        label = next(r[2] for r in found.rows if r[0] == team.team)
        cut = gate.published_slices(found.pub, team.team, stored, chosen)
        slices = slice_table_of(cut, label, chosen in found.pub.nps)
    return HeatmapPage(
        table,
        chosen,
        group_key(team) if team is not None else "",
        slices,
        found.pub.k,
        folded=folded(table.rows, opened) if opened is not None else [],
    )
