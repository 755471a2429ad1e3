"""Published results.

A closed round never changes, and its protection covers the whole family of groups any viewer can
see, so it does not depend on the viewer. `publish` therefore computes, once when the round closes,
the gate's final output for every row a heatmap can show (the organisation and every team's subtree):
each construct's result or the reason it is hidden, and the same for the row's tenure and region
slices. The database keeps one row per (round, team) (models.PublishedRow); a request reads only the
rows of the viewer's subtrees and `published_heatmap` / `published_slices` turn them back into the
very objects `heatmap` and `slices` return. Nothing is recomputed from answers on the way back: a
visible group's stored numbers are its answer count, sum of scores and favourable count (the mean and
share are those divided by the count, exactly as `results` divides them), or the full result for eNPS.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import astuple
from typing import Any, NamedTuple

from ..data import (
    REGION_LABELS,
    TENURE_LABELS,
    QuestionInfo,
    RoundData,
)
from ..models import ABSOLUTE_MIN_GROUP
from ..stats import (
    NPS11,
)
from .config import RULE_VERSION
from .core import (
    PROTECTED,
    SMALL,
    CellIndex,
    Group,
    cell_index,
    effective_k,
    gc_paused,
    round_cache,
    slice_values,
)
from .protection import (
    surviving,
)
from .results import (
    ConstructResult,
    EnpsFigures,
    Heatmap,
    HeatmapRow,
    Nums,
    QuestionResult,
    SliceRow,
    Slices,
    Suppressed,
    construct_core,
    construct_questions,
    round_constructs,
)

# 3: rounded figures of small groups (rule 6): a construct cell [mean, favourable] and question cells
# with "r"; eNPS as shown (EnpsFigures), never its counts. 4: with every group's results (stored.py).
PUBLISH_FORMAT = 4
_new, _put = object.__new__, object.__setattr__

Result = ConstructResult | QuestionResult | Suppressed


def results_stamp(k: int) -> str:
    """What published results were computed under: the protection rules, this storage format and the
    round's k. Published rows with any other stamp are stale and must be published again."""
    return f"{RULE_VERSION};format={PUBLISH_FORMAT};k={max(int(k), ABSOLUTE_MIN_GROUP)}"


class RowToStore(NamedTuple):
    """One stored row: the organisation (team None, position -1) or one team's subtree."""

    team: int | None
    pos: int  # position in the round's tree, depth-first; -1 for the organisation
    end: int  # the position after the team's subtree (a subtree is the positions pos..end-1)
    depth: int  # as HeatmapRow.depth
    label: str
    first_visible: str  # the first group of its own block surviving on respondents: "whole", "band-…",
    # "region-…", or "" if none does
    heat: str  # one encoded cell per column, each JSON, joined by tabs (see publish)
    slices: str  # JSON: {construct: [one encoded cell per tenure band, then per region]}


def _slice_suffix(group: Group) -> str:
    if group.band is not None:
        return f"band-{group.band}"
    if group.region is not None:
        return f"region-{group.region}"
    return "whole"


def question_code(result: QuestionResult) -> dict[str, Any]:
    """A question's full result as stored (eNPS as shown, never its counts); the heatmap's rows and
    every group's stored results (stored.py) keep it alike."""
    return {
        "q": result.question.id,
        "n": result.n,
        "mean": result.mean,
        "fav": result.favourable,
        "sd": result.sd,
        "dist": None if result.distribution is None else [list(d) for d in result.distribution],
        "enps": None if result.enps is None else list(astuple(result.enps)),
        "r": result.rounded,
    }


def question_from_code(code: Mapping[str, Any], group: Group, question: QuestionInfo) -> QuestionResult:
    """The QuestionResult `question_code` stored, for `group`."""
    dist = code["dist"]
    return QuestionResult(
        group=group,
        question=question,
        n=code["n"],
        mean=code["mean"],
        favourable=code["fav"],
        sd=code["sd"],
        distribution=None if dist is None else tuple((str(a), int(b)) for a, b in dist),
        enps=None if code["enps"] is None else EnpsFigures(*code["enps"]),
        rounded=bool(code["r"]),
    )


class _Encoder:
    def __init__(self, data: RoundData, columns: Sequence[str]) -> None:
        self.reasons: dict[str, int] = {}
        self.questions = {c: tuple(q.id for q in construct_questions(data, c)) for c in columns}

    def cell(self, result: QuestionResult | Suppressed) -> object:
        if isinstance(result, Suppressed):
            return self.reasons.setdefault(result.reason, len(self.reasons))
        return question_code(result)

    def construct(self, result: ConstructResult, nums: Nums) -> object:
        if result.rounded:
            # Rule 6: only the rounded figures are stored, never the count or the sum. Every item of the
            # construct is in it (an item with fewer than k answers hides the construct).
            if result.questions != self.questions[result.construct]:
                raise ValueError(f"a rounded {result.construct!r} cell without all its items")
            return [result.mean, result.favourable]
        total: float | int = int(nums.total) if float(nums.total).is_integer() else nums.total
        out: list[object] = [result.n, total, nums.fav]
        if result.questions != self.questions[result.construct]:
            out.append(list(result.questions))
        return out


def publish(data: RoundData) -> tuple[dict[str, object], list[RowToStore]]:
    """The round's published results: a header (columns, reasons, slice values, ...) and one row per
    heatmap row of an admin's view (the organisation, then every team depth-first)."""
    k = effective_k(data)
    columns = round_constructs(data)
    shape = round_cache(data).shape
    bands, regions = slice_values(data)
    respondents = surviving(data, "respondents")
    enc = _Encoder(data, columns)

    small = Suppressed(SMALL.format(k=k))
    indexes: dict[str, list[CellIndex]] = {}
    for c in columns:
        items = construct_questions(data, c)
        nps = [q for q in items if q.scale == NPS11]
        indexes[c] = [cell_index(data, q.id) for q in (nps[:1] or items)]  # as construct_core reads them

    def encoded(group: Group, construct: str) -> object:
        if group not in respondents:
            # Hidden on respondents, so hidden for every question (see surviving): construct_core gives
            # the first item's reason, and only its answer count says which.
            n = indexes[construct][0].size(group)
            return enc.cell(small if n < k else Suppressed(PROTECTED))
        result, nums = construct_core(data, group, construct, detail=group.sliced)
        if isinstance(result, ConstructResult):
            return enc.construct(result, nums)
        return enc.cell(result)

    rows: list[RowToStore] = []
    with gc_paused():
        for pos in range(-1, len(shape.order)):
            team = None if pos < 0 else shape.order[pos]
            base = Group(team)
            block = [base, *(Group(team, band=b) for b in bands), *(Group(team, region=r) for r in regions)]
            first = next((g for g in block if g in respondents), None)
            heat = [encoded(base, c) for c in columns]
            sliced = {c: [encoded(g, c) for g in block[1:]] for c in columns}
            rows.append(
                RowToStore(
                    team=team,
                    pos=pos,
                    end=len(shape.order) if pos < 0 else shape.end[pos],
                    depth=0 if pos < 0 else shape.depth[pos] + 1,
                    label=base.label(data),
                    first_visible="" if first is None else _slice_suffix(first),
                    heat="\t".join(json.dumps(code, separators=(",", ":")) for code in heat),
                    slices=json.dumps(sliced, separators=(",", ":")),
                )
            )
    nps_questions = {}
    for c in columns:
        nps = [q for q in construct_questions(data, c) if q.scale == NPS11]
        if nps:
            nps_questions[c] = astuple(nps[0])
    header: dict[str, object] = {
        "stamp": results_stamp(k),
        "k": k,
        "columns": columns,
        "questions": {c: list(qs) for c, qs in enc.questions.items()},
        "nps_questions": nps_questions,
        "reasons": list(enc.reasons),
        "bands": bands,
        "regions": regions,
    }
    return header, rows


class Published:
    """A published round's header, ready to turn stored cells back into results."""

    def __init__(self, header: Mapping[str, Any]) -> None:
        self.k = int(header["k"])
        self.columns: tuple[str, ...] = tuple(header["columns"])
        self.questions: dict[str, tuple[int, ...]] = {c: tuple(qs) for c, qs in header["questions"].items()}
        self.nps = {c: QuestionInfo(*q) for c, q in header["nps_questions"].items()}
        self.hidden = [Suppressed(r) for r in header["reasons"]]
        self.bands: list[str] = list(header["bands"])
        self.regions: list[str] = list(header["regions"])

    def cell(self, group: Group, construct: str, code: object) -> Result:
        if isinstance(code, int):
            return self.hidden[code]
        if isinstance(code, list) and len(code) == 2:
            return ConstructResult(
                group, construct, None, code[0], code[1], self.questions[construct], rounded=True
            )
        if isinstance(code, list):
            n = code[0]
            # ConstructResult(...), its fields set in one go rather than one by one through the frozen
            # dataclass's __init__: a large organisation's heatmap has tens of thousands of these.
            made = _new(ConstructResult)
            _put(
                made,
                "__dict__",
                {
                    "group": group,
                    "construct": construct,
                    "n": n,
                    "mean": code[1] / n,
                    "favourable": code[2] / n,
                    "questions": tuple(code[3]) if len(code) > 3 else self.questions[construct],
                    "rounded": False,
                },
            )
            return made
        return self._question(group, construct, code)  # type: ignore[arg-type]

    def construct_numbers(self, text: str) -> tuple[int, float, float] | None:
        """(n, mean, favourable) of a construct cell stored with all its items, as its ConstructResult
        would hold them, without building the result; None for any other cell."""
        if text[0] != "[" or text.count(",") != 2:
            return None
        a, b, c = text[1:-1].split(",")
        n = int(a)
        # float(total) / n is the same number as total / n for the whole-number sums stored here
        return n, float(b) / n, int(c) / n

    def cell_text(self, group: Group, construct: str, text: str) -> Result:
        """`cell` from one stored cell's JSON text. The two common shapes (a reason's number; a
        construct's count, sum and favourable count) are read without the JSON parser."""
        if text.isdigit():
            return self.hidden[int(text)]
        if text[0] == "[" and text.count(",") == 2:
            n, total, fav = text[1:-1].split(",")
            # float(total) / n is the same number as total / n for the whole-number sums stored here
            return self.cell(group, construct, [int(n), float(total), int(fav)])
        return self.cell(group, construct, json.loads(text))

    def _question(self, group: Group, construct: str, code: Mapping[str, Any]) -> QuestionResult:
        q = self.nps[construct]
        if code["q"] != q.id:
            raise ValueError(f"published cell of question {code['q']} under {construct!r}")
        return question_from_code(code, group, q)

    def default_group(self, rows: Iterable[tuple[int | None, str]]) -> Group | None:
        """`visible_groups(data, scope)[0]` if any, else the first group of the viewer's rows, given the
        viewer's rows as (team, first_visible) in order (as `published_heatmap` takes them)."""
        first: Group | None = None
        for team, suffix in rows:
            if first is None:
                first = Group(team)
            if suffix:
                return _with_suffix(team, suffix)
        return first


def _with_suffix(team: int | None, suffix: str) -> Group:
    if suffix.startswith("band-"):
        return Group(team, band=suffix[5:])
    if suffix.startswith("region-"):
        return Group(team, region=suffix[7:])
    return Group(team)


def published_heatmap(pub: Published, rows: Sequence[Sequence[Any]]) -> Heatmap:
    """The heatmap from stored rows (team, depth, label, first_visible, heat, ...), already narrowed to
    the viewer's scope and in order: equal to `heatmap(data, scope)` on the round's data."""
    columns = pub.columns
    out = []
    with gc_paused():
        for team, label, depth, texts in published_grid(rows):
            group = Group(team)
            cells = tuple(pub.cell_text(group, c, t) for c, t in zip(columns, texts, strict=True))
            out.append(HeatmapRow(group=group, label=label, depth=depth, cells=cells))
    return Heatmap(columns=columns, rows=tuple(out))


def published_grid(rows: Sequence[Sequence[Any]]) -> list[tuple[int | None, str, int, list[str]]]:
    """The stored rows as (team, label, depth, the text of each cell)."""
    return [(r[0], r[2], r[1], published_cells(r[4])) for r in rows]


def published_cells(heat: str) -> list[str]:
    """The text of each cell of a stored row, for callers that turn each DISTINCT cell text of a column
    into something of their own once (`Published.cell_text` gives its result): a large organisation's
    heatmap has ~100,000 cells but far fewer distinct ones."""
    return heat.split("\t") if heat else []


def published_slices(pub: Published, team: int | None, slices_json: str, construct: str) -> Slices:
    """`slices(data, scope, construct, team)` from the stored row of `team` (the caller has checked that
    the viewer may see it). Raises LookupError for a construct the round did not ask."""
    found = json.loads(slices_json)
    if construct not in found:
        raise LookupError(f"construct {construct!r} is not in this round")
    codes = found[construct]
    nb = len(pub.bands)
    by_band = tuple(
        SliceRow(g, TENURE_LABELS.get(b, b), pub.cell(g, construct, code))
        for b, code in zip(pub.bands, codes[:nb], strict=True)
        for g in [Group(team, band=b)]
    )
    by_region = tuple(
        SliceRow(g, REGION_LABELS.get(r, r), pub.cell(g, construct, code))
        for r, code in zip(pub.regions, codes[nb:], strict=True)
        for g in [Group(team, region=r)]
    )
    return Slices(key=construct, base=Group(team), by_band=by_band, by_region=by_region)
