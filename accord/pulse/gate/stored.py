"""Published group results: what the results page, the trends page and their API endpoints read.

Like the heatmap (`published`), everything one group's results page shows is computed once when the round
is published, for every group of the family (the organisation and every team's subtree, each unsliced,
by tenure band and by region): participation, each question's and each construct's result or the reason
it is hidden, key drivers, whether comments may be shown, and whether the group survives protection on
respondents (the picker lists those). A trend needs one thing more: the change between the last two
shown points is tested on exact totals (rule 6 rounds only what is shown), so each shown construct
keeps its totals (answers, sum, sum of squares, favourable, promoters, detractors). Those totals are the
gate's own numbers for a group that passed protection, never shown as such: `stored_trend` turns them
into the same Change the gate's `trend` computes.

A request then reads one row per round for the group it shows, never a round's aggregates.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import astuple
from typing import Any, NamedTuple

from ..data import DriverSums, QuestionInfo, RoundData
from .core import SMALL, Group, family, gc_paused, round_cache
from .protection import surviving
from .published import question_code, question_from_code
from .results import (
    ConstructResult,
    Driver,
    Nums,
    ParticipationResult,
    QuestionResult,
    Suppressed,
    Trend,
    TrendPoint,
    comments_visible,
    construct_core,
    drivers,
    drivers_of,
    last_change,
    participation,
    question_result,
    round_constructs,
)

Result = ConstructResult | QuestionResult | Suppressed


class GroupToStore(NamedTuple):
    """One group's stored results (models.PublishedGroup)."""

    key: str  # as reports.group_key: "org", "team-12", "team-12.band-1-3y", ...
    team: int | None
    pos: int  # the team's position in the round's tree; -1 for organisation-wide groups
    order: int  # position in the round's family (gate.family): the default group is the first visible
    visible: bool  # survives protection on respondents (gate.visible_groups before the scope)
    body: str  # JSON, see publish_groups


def group_key(group: Group) -> str:
    parts = ["org" if group.team is None else f"team-{group.team}"]
    if group.band is not None:
        parts.append(f"band-{group.band}")
    if group.region is not None:
        parts.append(f"region-{group.region}")
    return ".".join(parts)


def _result(result: Result, reasons: dict[str, int]) -> object:
    if isinstance(result, Suppressed):
        return reasons.setdefault(result.reason, len(reasons))  # a few reasons, stored once per round
    if isinstance(result, QuestionResult):
        return question_code(result)
    return [result.n, result.mean, result.favourable, list(result.questions), result.rounded]


def _driver_cells(data: RoundData) -> dict[Group, list[DriverSums]]:
    """Each group's driver sums in the order of `data.drivers` (as `drivers` adds them), found by walking
    each cell's team up the tree instead of testing every cell against every group."""
    shape = round_cache(data).shape
    out: dict[Group, list[DriverSums]] = {}
    for (team, band, region), ds in data.drivers.items():
        teams: list[int | None] = [None]
        i = shape.index.get(team) if team is not None else None
        while i is not None and i >= 0:
            teams.append(shape.order[i])
            i = shape.parent[i]
        for t in teams:
            for g in (Group(t), Group(t, band=band), Group(t, region=region)):
                out.setdefault(g, []).append(ds)
    return out


def publish_groups(data: RoundData) -> tuple[list[str], list[GroupToStore]]:
    """Every group's results as the gate gives them to an admin (a viewer's scope only narrows which
    groups they may ask about, never a group's numbers), and the reasons their hidden results give (a
    hidden result is stored as its reason's position in that list, which goes in the round's header)."""
    reasons: dict[str, int] = {}
    shape = round_cache(data).shape
    respondents = surviving(data, "respondents")
    constructs = round_constructs(data)
    by_group = _driver_cells(data)
    out: list[GroupToStore] = []
    with gc_paused():
        for order, g in enumerate(family(data)):
            visible = g in respondents
            found_drivers = drivers_of(data, by_group.get(g, ())) if visible else drivers(data, g, scope=None)
            cons: list[object] = []
            for c in constructs:
                result, nums = construct_core(data, g, c)
                shown = not isinstance(result, Suppressed)
                cons.append([c, _result(result, reasons), list(nums) if shown else None])
            body = {
                "label": g.label(data),
                "participation": _participation(participation(data, g, scope=None), reasons),
                "questions": [
                    _result(question_result(data, g, q.id, scope=None), reasons) for q in data.questions
                ],
                "constructs": cons,
                "drivers": reasons.setdefault(found_drivers.reason, len(reasons))
                if isinstance(found_drivers, Suppressed)
                else [list(d) for d in found_drivers],
                "comments": comments_visible(data, g, scope=None),
            }
            out.append(
                GroupToStore(
                    key=group_key(g),
                    team=g.team,
                    pos=-1 if g.team is None else shape.index[g.team],
                    order=order,
                    visible=visible,
                    body=json.dumps(body, separators=(",", ":")),
                )
            )
    return list(reasons), out


def _participation(result: ParticipationResult | Suppressed, reasons: dict[str, int]) -> object:
    if isinstance(result, Suppressed):
        return reasons.setdefault(result.reason, len(reasons))
    return [result.invited, result.responded, result.rate, result.rounded]


def round_facts(data: RoundData, reasons: Sequence[str]) -> dict[str, object]:
    """What the header adds for reading group results back: the round's label, its questions in order,
    and the reasons of hidden results (publish_groups)."""
    return {
        "label": data.label,
        "question_info": [list(astuple(q)) for q in data.questions],
        "group_reasons": list(reasons),
    }


class StoredGroup:
    """One group's published results in one round, turned back into the gate's result objects."""

    def __init__(self, group: Group, header: Mapping[str, Any], body: str) -> None:
        found = json.loads(body)
        hidden = [Suppressed(r) for r in header["group_reasons"]]
        self.group = group
        self.k = int(header["k"])
        self.round_label = str(header["label"])
        self.questions = [QuestionInfo(*q) for q in header["question_info"]]
        by_id = {q.id: q for q in self.questions}
        self.label: str = found["label"]
        self.visible_comments: bool = bool(found["comments"])
        part = found["participation"]
        self.participation: ParticipationResult | Suppressed = (
            hidden[part] if isinstance(part, int) else ParticipationResult(*part)
        )
        self.question_results: list[QuestionResult | Suppressed] = [
            self._question(code, by_id, hidden) for code in found["questions"]
        ]
        self.constructs: dict[str, Result] = {}
        self.nums: dict[str, Nums] = {}
        for c, code, nums in found["constructs"]:
            if isinstance(code, list):
                n, mean, fav, qs, rounded = code
                self.constructs[c] = ConstructResult(group, c, n, mean, fav, tuple(qs), rounded=rounded)
            else:
                self.constructs[c] = self._question(code, by_id, hidden)
            if nums is not None:
                self.nums[c] = Nums(int(nums[0]), float(nums[1]), float(nums[2]), *map(int, nums[3:]))
        d = found["drivers"]
        self.drivers: list[Driver] | Suppressed = (
            hidden[d] if isinstance(d, int) else [Driver(c, w, s) for c, w, s in d]
        )

    def _question(
        self, code: object, by_id: Mapping[int, QuestionInfo], hidden: Sequence[Suppressed]
    ) -> QuestionResult | Suppressed:
        if isinstance(code, int):
            return hidden[code]
        assert isinstance(code, dict)
        return question_from_code(code, self.group, by_id[code["q"]])


class TrendRound(NamedTuple):
    """A round of a stored trend: its id, label, k, constructs asked, and the group's stored results
    there (None when the round has no such group: a team not yet in its tree, a slice it did not have)."""

    round_id: int
    label: str
    k: int
    constructs: tuple[str, ...]
    stored: StoredGroup | None


def stored_trend(rounds: Sequence[TrendRound], construct: str) -> Trend:
    """`trend(datas, group, construct, scope)` from stored results: `rounds` oldest first, already
    narrowed to the rounds where the group is in the viewer's scope (as `trend` skips the others)."""
    points: list[TrendPoint] = []
    shown: list[tuple[ConstructResult | QuestionResult, Nums]] = []
    for r in rounds:
        if construct not in r.constructs:
            continue
        if r.stored is None:
            # The gate finds nobody in a group the round's tree or slices do not have: fewer than k.
            points.append(TrendPoint(r.round_id, r.label, Suppressed(SMALL.format(k=r.k))))
            continue
        res = r.stored.constructs[construct]
        points.append(TrendPoint(r.round_id, r.label, res))
        if not isinstance(res, Suppressed):
            shown.append((res, r.stored.nums[construct]))
    return Trend(points=tuple(points), change=last_change(shown))
