"""The trends page and endpoint: one theme of one group across a program's recent rounds, with the
significance of each change in words. Every number comes from the gate, round by round."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import get_object_or_404

from accord.orgs.models import Organisation

from .. import gate
from ..data import RoundData
from ..gate import Group, Scope
from ..models import Program
from ..stats import Change
from .reports import (
    GroupChoice,
    Score,
    construct_label,
    fmt_enps,
    group_choices,
    nps_constructs,
    object_id,
    pick_group,
    result_rounds,
    round_short,
    score_of,
)


def trend_program(org: Organisation, program_id: object = None) -> Program | None:
    """The program whose trends to show: `program_id` (404 if not the organisation's), else the program of
    the latest round with results, else None."""
    if program_id not in (None, ""):
        return get_object_or_404(Program.objects.filter(org=org), pk=object_id(program_id))
    latest = result_rounds(org).first()
    return latest.program if latest is not None else None


@dataclass(frozen=True)
class TrendsPage:
    groups: list[GroupChoice]
    constructs: list[tuple[str, str]]  # (key, label)
    construct: str
    group: Group | None
    series: TrendSeries | None


def trends_page(
    datas: Sequence[RoundData], scope: Scope, key: str | None, construct: str | None
) -> TrendsPage:
    """Choices and the series for the trends page and endpoint; Http404 for a group outside the scope or
    a theme not asked in these rounds. `datas` must not be empty."""
    group = pick_group(datas[-1], scope, key)
    constructs = trend_constructs(datas)
    chosen = construct or default_construct(datas, scope, group, constructs)
    if chosen not in constructs:
        raise Http404("That theme was not asked in these rounds.")
    return TrendsPage(
        groups=group_choices(datas, scope, group),
        constructs=[(c, construct_label(c)) for c in constructs],
        construct=chosen,
        group=group,
        series=trend_series(datas, group, chosen, scope) if group is not None else None,
    )


def default_construct(
    datas: Sequence[RoundData], scope: Scope, group: Group | None, constructs: list[str]
) -> str:
    """eNPS if it was asked, else the first theme with a figure shown for the group: opening on a theme
    whose every point is hidden would look like an empty chart. `constructs` must not be empty."""
    nps = {c for d in datas for c in nps_constructs(d)}
    ordered = [c for c in constructs if c in nps] + [c for c in constructs if c not in nps]
    if group is not None:
        for c in ordered:
            if any(row.score.value is not None for row in trend_series(datas, group, c, scope).rows):
                return c
    return ordered[0]


def trend_constructs(datas: Sequence[RoundData]) -> list[str]:
    """Constructs asked in any of the rounds, in first-asked order, eNPS last."""
    seen: dict[str, bool] = {}
    for data in datas:
        nps = nps_constructs(data)
        for c in gate.round_constructs(data):
            seen.setdefault(c, c in nps)
    return [c for c, is_nps in seen.items() if not is_nps] + [c for c, is_nps in seen.items() if is_nps]


@dataclass(frozen=True)
class TrendRow:
    round_id: int
    label: str
    score: Score
    x: float = 0.0
    y: float | None = None


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    lines: tuple[str, ...]  # "x,y x,y ..." for each run of consecutive shown points
    y_ticks: tuple[tuple[float, str], ...]
    x_ticks: tuple[tuple[float, str], ...]


@dataclass(frozen=True)
class TrendSeries:
    construct: str
    label: str
    group_label: str
    is_enps: bool
    rows: tuple[TrendRow, ...]
    change: Change | None
    change_from: str
    change_to: str
    chart: Chart
    summary: str  # for aria-label
    span: str = ""  # "3.63 in Round 1 → 2.93 in Round 12": the first and last rounds shown


CHART_W, CHART_H = 520, 260
PAD_L, PAD_R, PAD_T, PAD_B = 40, 14, 14, 34


def trend_series(datas: Sequence[RoundData], group: Group, construct: str, scope: Scope) -> TrendSeries:
    """A construct (or eNPS) for one group over rounds, oldest first, with the latest change in words and
    the geometry of an SVG line chart. Rounds before the group existed are left out."""
    usable = [d for d in datas if gate.in_scope(d, group, scope)]
    found = gate.trend(usable, group, construct, scope=scope)
    is_enps = any(construct in nps_constructs(d) for d in usable)
    return series_of(found, construct, is_enps, group.label(usable[-1]) if usable else "")


def series_of(found: gate.Trend, construct: str, is_enps: bool, group_label: str) -> TrendSeries:
    """The chart, the change in words and the summary of the gate's trend (computed or published)."""
    label = construct_label(construct)
    lo, hi = (-100.0, 100.0) if is_enps else (1.0, 5.0)
    inner_w, inner_h = CHART_W - PAD_L - PAD_R, CHART_H - PAD_T - PAD_B
    count = len(found.points)

    def x_at(i: int) -> float:
        return PAD_L + (inner_w / 2 if count == 1 else inner_w * i / (count - 1))

    def y_at(v: float) -> float:
        return PAD_T + inner_h * (hi - min(max(v, lo), hi)) / (hi - lo)

    rows: list[TrendRow] = []
    lines: list[str] = []
    run: list[str] = []
    for i, point in enumerate(found.points):
        score = score_of(construct, label, point.result)
        value = score.value
        x = round(x_at(i), 1)
        y = None if value is None else round(y_at(value), 1)
        rows.append(TrendRow(point.round_id, point.label, score, x, y))
        if y is None:
            if len(run) > 1:
                lines.append(" ".join(run))
            run = []
        else:
            run.append(f"{x},{y}")
    if len(run) > 1:
        lines.append(" ".join(run))
    ticks = (-100, -50, 0, 50, 100) if is_enps else (1, 2, 3, 4, 5)
    y_ticks = tuple((round(y_at(t), 1), fmt_enps(t) if is_enps else str(t)) for t in ticks)
    step = max(1, (count + 6) // 7)  # at most about seven round labels under the axis
    x_ticks = tuple(
        (r.x, round_short(r.label).replace("Round ", "R")) for i, r in enumerate(rows) if i % step == 0
    )
    chart = Chart(
        CHART_W, CHART_H, PAD_L, CHART_W - PAD_R, PAD_T, CHART_H - PAD_B, tuple(lines), y_ticks, x_ticks
    )
    shown = [r for r in rows if r.score.hidden is None]
    change_from = change_to = ""
    if found.change is not None and len(shown) >= 2:
        change_from, change_to = shown[-2].label, shown[-1].label
    span = ""
    if len(shown) >= 2:
        first, last = shown[0], shown[-1]
        since, until = round_short(first.label), round_short(last.label)
        span = f"{first.score.text} in {since} → {last.score.text} in {until}"
    summary = _summary(label, group_label, rows, shown, found.change, change_from, change_to)
    return TrendSeries(
        construct=construct,
        label=label,
        group_label=group_label,
        is_enps=is_enps,
        rows=tuple(rows),
        change=found.change,
        change_from=change_from,
        change_to=change_to,
        chart=chart,
        summary=summary,
        span=span,
    )


def _summary(
    label: str,
    group_label: str,
    rows: Sequence[TrendRow],
    shown: Sequence[TrendRow],
    change: Change | None,
    change_from: str,
    change_to: str,
) -> str:
    if not rows:
        return f"{label} for {group_label}: not asked in these rounds."
    span = f"{round_short(rows[0].label)} to {round_short(rows[-1].label)}"
    head = f"{label} for {group_label}, {span}"
    if not shown:
        return f"{head}: no round can be shown."
    hidden = len(rows) - len(shown)
    parts = [f"{head}: {len(shown)} of {len(rows)} rounds shown"]
    if len(shown) == 1:
        parts.append(f"{shown[0].score.text} in {round_short(shown[0].label)}")
    else:
        parts.append(f"from {shown[0].score.text} to {shown[-1].score.text}")
    if change is not None:
        parts.append(f"latest change, {round_short(change_from)} to {round_short(change_to)}: {change.words}")
    if hidden:
        parts.append(f"{hidden} hidden to protect anonymity or for too few responses")
    return "; ".join(parts) + "."
