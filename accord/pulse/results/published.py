"""The results and trends pages from what the gate published (gate.publish_groups): one group's stored
results in each round the page reads, and the viewer's scope as ranges of positions in each round's
published tree. A fixed number of queries whatever the size of the organisation; never a round's
aggregates. `reports.group_report` and `trends.trends_page` compute the same afresh from the rounds'
data (tests/pulse/test_published.py compares them).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.http import Http404

from accord.orgs.models import Organisation

from .. import gate, queries
from ..data import REGION_LABELS, TENURE_LABELS, Cell
from ..gate import Group, Scope, StoredGroup, TrendRound
from ..models import Program, Round
from ..stats import NPS11
from .reports import (
    HISTORY_ROUNDS,
    TREND_ROUNDS,
    GroupChoice,
    GroupReport,
    Score,
    construct_label,
    construct_scores,
    drivers_view,
    group_key,
    parse_group_key,
    participation_view,
    score_of,
    shown_change,
    with_results,
)
from .trends import TrendSeries, TrendsPage, series_of

Ranges = list[tuple[int, int]] | None  # positions of the tree a viewer may see; None: everything


@dataclass
class History:
    """Rounds a page reads (oldest first, the page's round last), their published headers, and the
    viewer's scope in each round's tree."""

    rounds: list[Round]
    headers: dict[int, dict[str, Any]]
    scope: Scope
    ranges: dict[int, Ranges]

    @property
    def last(self) -> Round:
        return self.rounds[-1]

    def constructs(self, rnd: Round) -> tuple[str, ...]:
        return tuple(self.headers[rnd.pk]["columns"])

    def in_scope(self, rnd: Round, group: Group, pos: int | None) -> bool:
        """gate.in_scope by that round's tree; `pos` is the group's team position there (None: not in it)."""
        if self.scope is None:
            return True
        if self.scope == "org":
            return group.team is None
        if group.team is None or pos is None:
            return False
        return any(lo <= pos < hi for lo, hi in self.ranges[rnd.pk] or ())


def _history(rounds: list[Round], scope: Scope) -> History:
    headers = queries.published_headers(rounds)
    ranges: dict[int, Ranges] = {}
    if scope is not None and scope != "org":
        found = queries.team_positions(rounds, set(scope))
        for r in rounds:
            merged: list[tuple[int, int]] = []
            for lo, hi in sorted(v for (rid, _), v in found.items() if rid == r.pk):
                if merged and lo < merged[-1][1]:
                    merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
                else:
                    merged.append((lo, hi))
            ranges[r.pk] = merged
    elif scope == "org":
        ranges = {r.pk: [(-1, 0)] for r in rounds}
    else:
        ranges = dict.fromkeys((r.pk for r in rounds), None)
    return History(rounds, headers, scope, ranges)


def history(rnd: Round, scope: Scope, limit: int = HISTORY_ROUNDS) -> History:
    """`rnd` and up to `limit - 1` earlier rounds of its program with results (as reports.history)."""
    earlier = with_results(
        Round.objects.filter(org_id=rnd.org_id, program_id=rnd.program_id, number__lt=rnd.number)
    ).defer("protection", "team_tree", "team_names")
    rounds = [rnd, *earlier.order_by("-number")[: max(limit - 1, 0)]]
    return _history(list(reversed(rounds)), scope)


def program_history(program: Program, scope: Scope, limit: int = TREND_ROUNDS) -> History | None:
    rounds = list(
        with_results(Round.objects.filter(org_id=program.org_id, program=program))
        .defer("protection", "team_tree", "team_names")
        .order_by("-number")[:limit]
    )
    return _history(list(reversed(rounds)), scope) if rounds else None


# --- the group ------------------------------------------------------------------------------------


def default_key(hist: History) -> str | None:
    """reports.default_group: the first visible group in the viewer's scope, else the first whole group
    they may ask about, else None."""
    ranges = hist.ranges[hist.last.pk]
    return queries.first_published_group(hist.last, ranges, visible=True) or queries.first_published_group(
        hist.last, ranges, visible=False
    )


@dataclass
class Picked:
    group: Group
    stored: dict[int, str]  # round id -> the group's stored body
    positions: dict[int, int]  # round id -> the group's team position in that round's tree


def pick(hist: History, key: str | None) -> Picked | None:
    """reports.pick_group from the published rows: the group named by `key` or the default one; Http404
    for a key that does not parse, a group the round does not have, or one outside the scope."""
    if key:
        group = parse_group_key(key)
        if group is None:
            raise Http404("No such group.")
    else:
        found = default_key(hist)
        if found is None:
            return None
        group = parse_group_key(found)
        assert group is not None
    picked = _load(hist, group)
    if hist.last.pk not in picked.stored:
        if key and group.team is not None and not group.sliced and hist.last.pk not in picked.positions:
            return pick(hist, None)  # a team of another round: the default group
        raise Http404("No such group.")
    if not hist.in_scope(hist.last, group, picked.positions.get(hist.last.pk)):
        raise Http404("No such group.")
    return picked


def _load(hist: History, group: Group) -> Picked:
    stored = queries.published_groups(hist.rounds, group_key(group))
    positions: dict[int, int] = {r.pk: -1 for r in hist.rounds}
    if group.team is not None:
        found = queries.team_positions(hist.rounds, {group.team})
        positions = {rid: pos for (rid, _), (pos, _) in found.items()}
    return Picked(group, stored, positions)


def _stored(hist: History, picked: Picked, rnd: Round) -> StoredGroup | None:
    body = picked.stored.get(rnd.pk)
    return None if body is None else StoredGroup(picked.group, hist.headers[rnd.pk], body)


def trend_rounds(hist: History, picked: Picked) -> list[TrendRound]:
    """The rounds in which the group is in the viewer's scope, each with its stored results."""
    out = []
    for r in hist.rounds:
        if not hist.in_scope(r, picked.group, picked.positions.get(r.pk)):
            continue
        h = hist.headers[r.pk]
        stored = _stored(hist, picked, r)
        out.append(TrendRound(r.pk, str(h["label"]), int(h["k"]), tuple(h["columns"]), stored))
    return out


def _change_for(usable: list[TrendRound], key: str) -> tuple[Any, str]:
    """reports._change_for from stored results."""
    if len(usable) < 2:
        return None, ""
    return shown_change(gate.stored_trend(usable, key), usable[-1].round_id)


def group_report(hist: History, picked: Picked, org: Organisation) -> GroupReport:
    """reports.group_report from the stored results of the group in the history's rounds."""
    rnd = hist.last
    last = _stored(hist, picked, rnd)
    assert last is not None
    group = picked.group
    part = last.participation
    participation = participation_view(part)
    questions_by: dict[str, list[Score]] = {}
    for q, result in zip(last.questions, last.question_results, strict=True):
        text = q.text.replace("{org}", org.name)
        score = replace(score_of(str(q.id), text, result), scale=q.scale)
        questions_by.setdefault(q.construct, []).append(score)
    nps = {q.construct for q in last.questions if q.scale == NPS11}
    usable = trend_rounds(hist, picked)
    enps, constructs = construct_scores(
        ((key, *_change_for(usable, key), last.constructs[key]) for key in hist.constructs(rnd)),
        questions_by,
        nps,
    )
    drivers, drivers_hidden = drivers_view(last.drivers, enps)
    comments = None
    if last.visible_comments:
        comments = _comments(hist, picked)
    return GroupReport(
        round=rnd,
        round_label=last.round_label,
        group=group,
        key=group_key(group),
        label=last.label,
        k=last.k,
        participation=participation,
        enps=enps,
        constructs=constructs,
        drivers=drivers,
        drivers_hidden=drivers_hidden,
        comments=comments,
        can_reply=hist.scope != "org" and comments is not None,
        previous=str(hist.headers[hist.rounds[-2].pk]["label"]) if len(hist.rounds) > 1 else "",
    )


def _comments(hist: History, picked: Picked) -> list[Any]:
    """queries.comments_in for the group: its comments, by the round's published tree (Group.contains)."""
    rnd, g = hist.last, picked.group
    found = queries.comments_where(rnd, lambda cell: True)
    cells = {c.pk: c.cell() for c in found}
    span = (0, 0)
    positions: dict[tuple[int, int], tuple[int, int]] = {}
    if g.team is not None:
        teams = {cell[0] for cell in cells.values() if cell[0] is not None}
        positions = queries.team_positions([rnd], teams | {g.team})
        span = positions.get((rnd.pk, g.team), (0, 0))

    def keep(cell: Cell) -> bool:
        team, band, region = cell
        if (g.band is not None and band != g.band) or (g.region is not None and region != g.region):
            return False
        if g.team is None:
            return True
        at = positions.get((rnd.pk, team)) if team is not None else None
        return at is not None and span[0] <= at[0] < span[1]

    return [c for c in found if keep(cells[c.pk])]


# --- the picker -------------------------------------------------------------------------------------


def group_choices(hist: History, picked: Picked) -> list[GroupChoice]:
    """For the picker, without listing a large organisation's every group: the groups around the current
    one that the viewer may see and that are visible in any of the rounds (as reports.group_choices
    filters them), in the last round's order: the organisation (members and admins), the ancestors of the
    current team, the current group's team with its tenure and region slices, and its child teams; the
    current group first if it is hidden everywhere."""
    rnd = hist.last
    header = hist.headers[rnd.pk]
    group = picked.group
    pos = -1 if group.team is None else picked.positions.get(rnd.pk, -1)
    above, own, below = queries.published_tree_around(rnd, pos)
    labels: dict[int | None, tuple[int, str]] = {r[0]: (r[1], r[4]) for r in [*above, *own, *below]}
    candidates: list[Group] = [Group()]
    candidates += [Group(r[0]) for r in above]
    candidates += [Group(group.team)]
    candidates += [Group(group.team, band=b) for b in header["bands"]]
    candidates += [Group(group.team, region=r) for r in header["regions"]]
    candidates += [Group(r[0]) for r in below]
    shown = [
        g
        for g in dict.fromkeys(candidates)
        if g.team in labels and hist.in_scope(rnd, g, labels[g.team][0] if g.team is not None else -1)
    ]
    visible = queries.visible_published_keys(hist.rounds, [group_key(g) for g in shown])
    out = [GroupChoice(group_key(g), _label(labels[g.team][1], g)) for g in shown if group_key(g) in visible]
    if group_key(group) not in visible:
        last = _stored(hist, picked, rnd)
        out.insert(0, GroupChoice(group_key(group), last.label if last is not None else ""))
    return out


def _label(name: str, g: Group) -> str:
    """Group.label from the team's published label."""
    parts = [name]
    if g.band is not None:
        parts.append(TENURE_LABELS.get(g.band, g.band))
    if g.region is not None:
        parts.append(REGION_LABELS.get(g.region, g.region))
    return " · ".join(parts)


# --- trends ---------------------------------------------------------------------------------------


def trends_page(hist: History, key: str | None, construct: str | None) -> TrendsPage:
    """trends.trends_page from the published results of the program's rounds."""
    picked = pick(hist, key)
    nps: set[str] = set()
    seen: dict[str, bool] = {}
    for r in hist.rounds:
        header = hist.headers[r.pk]
        asked_nps = set(header["nps_questions"])
        nps |= asked_nps
        for c in header["columns"]:
            seen.setdefault(c, c in asked_nps)
    constructs = [c for c, is_nps in seen.items() if not is_nps] + [c for c, is_nps in seen.items() if is_nps]
    usable = trend_rounds(hist, picked) if picked is not None else []

    def series(c: str) -> TrendSeries:
        assert picked is not None
        found = gate.stored_trend(usable, c)
        is_enps = any(c in hist.headers[r.round_id]["nps_questions"] for r in usable)
        last = usable[-1].stored if usable else None
        label = last.label if last is not None else _label_of_missing(picked.group)
        return series_of(found, c, is_enps, label if usable else "")

    chosen = construct
    if not chosen:
        ordered = [c for c in constructs if c in nps] + [c for c in constructs if c not in nps]
        chosen = ordered[0]
        if picked is not None:
            chosen = next(
                (c for c in ordered if any(row.score.value is not None for row in series(c).rows)), ordered[0]
            )
    if chosen not in constructs:
        raise Http404("That theme was not asked in these rounds.")
    return TrendsPage(
        groups=group_choices(hist, picked) if picked is not None else [],
        constructs=[(c, construct_label(c)) for c in constructs],
        construct=chosen,
        group=picked.group if picked is not None else None,
        series=series(chosen) if picked is not None else None,
    )


def _label_of_missing(group: Group) -> str:
    """Group.label for a group the last round's tree does not have (no stored name)."""
    return _label(gate.ORG_LABEL if group.team is None else f"Team {group.team}", group)
