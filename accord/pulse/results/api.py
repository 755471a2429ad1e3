"""Pulse results over JSON: the same gate and the same `reports` as the results pages.

Members see organisation-wide groups, managers their teams' subtrees, admins everything. A number the
gate does not show comes as {"suppressed": true, "reason": "..."}, with the reason as the page words it
and never how many answered. Another organisation's round or program, and a group outside the caller's
scope, answer 404; the heatmap answers 403 to members.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from accord.api_errors import Problem
from accord.lib.api import ApiRequest, Id, current_person
from accord.orgs.access import get_for_org

from .. import gate, queries
from ..gate import Group
from ..models import Comment, Program, Round
from ..stats import Change
from . import heatmaps, published, reports
from .reports import EnpsView, Score
from .trends import trend_program

router = Router(tags=["pulse results"])

PREPARING = (
    " 409 while the round's results are being prepared (published again in the background, e.g. after an "
    "upgrade): try again in a few minutes."
)


ROUNDED = (
    "True when fewer than twice the minimum group size answered: then the counts are null and the "
    "figures are rounded (means to 1 decimal, shares to the nearest 10%, eNPS to the nearest 10)."
)


class Hidden(Schema):
    suppressed: Literal[True] = True
    reason: str = Field(
        description="Why it is not shown, e.g. “Not shown: fewer than 5 responses” (also when nobody "
        "answered: the same words for every group under the minimum size)."
    )


class PulseRoundOut(Schema):
    id: int
    program_id: int
    program: str
    number: int
    opens_on: dt.date
    closed: bool
    min_group_size: int = Field(description="Results show only for groups with at least this many answers.")


class ResultGroupOut(Schema):
    key: str = Field(
        description="Pass as `group`: “org”, “team-<id>”, optionally “.band-<band>”/“.region-<r>”."
    )
    label: str
    team_id: int | None
    tenure_band: str | None
    region: str | None


class ChangeOut(Schema):
    delta: float = Field(
        description="Later minus earlier: scale points for means, eNPS points for eNPS. Between rounded "
        "figures, the difference of the two figures as shown."
    )
    p_value: float | None = Field(description="null when either round's figures are rounded.")
    significant: bool
    words: str = Field(
        description="The change in words, e.g. “down 0.6 points, significant (p = 0.01)”; between "
        "rounded figures only “a significant rise”, “a significant fall” or “not significant”."
    )
    since: str = Field(description="The earlier round compared with (the last one in which it was shown).")


class PulseParticipationOut(Schema):
    suppressed: Literal[False] = False
    invited: int | None
    responded: int | None
    rate: float
    rounded: bool = Field(description=ROUNDED)


class EnpsOut(Schema):
    suppressed: Literal[False] = False
    n: int | None
    rounded: bool = Field(description=ROUNDED)
    score: float = Field(description="−100 to +100.")
    low: float = Field(description="95% interval (adjusted Wald), lower end.")
    high: float
    promoters: float = Field(description="Share 0–1 answering 9–10.")
    passives: float
    detractors: float


class ScoreOut(Schema):
    suppressed: Literal[False] = False
    n: int | None = Field(description="Answers (pooled over the theme's questions for a theme).")
    rounded: bool = Field(description=ROUNDED)
    mean: float
    favourable: float = Field(description="Share 0–1 of favourable answers.")


class BarOut(Schema):
    answer: str
    count: int


class QuestionScoreOut(ScoreOut):
    distribution: list[BarOut] | None = Field(description="Only when the group is large and not unanimous.")
    enps: EnpsOut | None


class ConstructOut(Schema):
    key: str
    label: str
    result: ScoreOut | Hidden
    change: ChangeOut | None


class QuestionResultOut(Schema):
    id: int
    theme: str = Field(description="The theme (construct) key, e.g. “trust_task” or “enps”.")
    text: str
    scale: str
    result: QuestionScoreOut | Hidden


class DriverOut(Schema):
    theme: str = Field(description="The theme (construct) key, e.g. “trust_task” or “enps”.")
    label: str
    share: float = Field(description="Share 0–1 of the explained variance in eNPS (relative weights).")


class CommentReplyOut(Schema):
    from_author: bool
    by: str
    text: str
    created_on: dt.date


class CommentOut(Schema):
    id: uuid.UUID
    text: str
    replies: list[CommentReplyOut]


class ResultsOut(Schema):
    round: PulseRoundOut
    group: ResultGroupOut
    participation: PulseParticipationOut | Hidden
    enps: EnpsOut | Hidden | None = Field(description="null when the round did not ask eNPS.")
    enps_change: ChangeOut | None
    constructs: list[ConstructOut]
    questions: list[QuestionResultOut]
    drivers: list[DriverOut] | Hidden
    comments: list[CommentOut] | Hidden = Field(description="In stored (random) order.")


def _round_out(rnd: Round) -> PulseRoundOut:
    return PulseRoundOut(
        id=rnd.pk,
        program_id=rnd.program_id,
        program=rnd.program.name,
        number=rnd.number,
        opens_on=rnd.opens_on,
        closed=rnd.closed,
        min_group_size=rnd.min_group_size,
    )


def _group_out(group: Group, label: str) -> ResultGroupOut:
    return ResultGroupOut(
        key=reports.group_key(group),
        label=label,
        team_id=group.team,
        tenure_band=group.band,
        region=group.region,
    )


def _change_out(change: Change | None, since: str) -> ChangeOut | None:
    if change is None:
        return None
    return ChangeOut(
        delta=change.delta,
        p_value=change.p_value,
        significant=change.significant,
        words=change.words,
        since=since,
    )


def _enps_out(e: EnpsView) -> EnpsOut:
    return EnpsOut(
        n=e.n,
        rounded=e.n is None,
        score=e.score,
        low=e.low,
        high=e.high,
        promoters=e.promoters,
        passives=e.passives,
        detractors=e.detractors,
    )


def _score_out(s: Score) -> ScoreOut | Hidden:
    if s.hidden is not None or s.mean is None or s.favourable is None:
        return Hidden(reason=s.hidden or gate.PROTECTED)
    return ScoreOut(n=s.n, rounded=s.rounded, mean=s.mean, favourable=s.favourable)


def _question_score_out(s: Score) -> QuestionScoreOut | Hidden:
    if s.hidden is not None or s.mean is None or s.favourable is None:
        return Hidden(reason=s.hidden or gate.PROTECTED)
    bars = None if s.distribution is None else [BarOut(answer=b.label, count=b.count) for b in s.distribution]
    return QuestionScoreOut(
        n=s.n,
        rounded=s.rounded,
        mean=s.mean,
        favourable=s.favourable,
        distribution=bars,
        enps=_enps_out(s.enps) if s.enps is not None else None,
    )


def _round(request: ApiRequest, round_id: int) -> Round:
    """A closed round of the caller's organisation: results are published when a round closes."""
    return get_object_or_404(queries.rounds_of(request.org), pk=round_id)


@router.get("/pulse/rounds", response=list[PulseRoundOut], summary="Pulse rounds with results")
def rounds(request: ApiRequest, program: Id | None = None) -> list[PulseRoundOut]:
    chosen = get_for_org(request, Program, pk=program) if program is not None else None
    found = reports.result_rounds(current_person(request).org, chosen)[:200]
    return [_round_out(r) for r in found]


@router.get(
    "/pulse/rounds/{round_id}/groups",
    response={200: list[ResultGroupOut], 409: Problem},
    summary="Groups of a round whose results I can see",
    description="Members: organisation-wide groups; managers: their teams' subtrees; admins: every group. "
    "Each team's subtree, on its own and by tenure band or region, that survives the anonymity rules."
    + PREPARING,
)
def groups(request: ApiRequest, round_id: Id) -> list[ResultGroupOut]:
    rnd = _round(request, round_id)
    queries.require_published([rnd])
    data = queries.round_data(rnd)
    scope = queries.viewer_scope(current_person(request))
    return [_group_out(g, g.label(data)) for g in gate.visible_groups(data, scope)]


@router.get(
    "/pulse/rounds/{round_id}/results",
    response={200: ResultsOut, 409: Problem},
    summary="One group's results in a round",
    description="`group` is a key from …/groups (default: the first group you can see). A group outside "
    "your scope is a 404; a group you may ask about whose numbers are hidden answers with reasons."
    + PREPARING,
)
def results(request: ApiRequest, round_id: Id, group: str | None = None) -> ResultsOut:
    me = current_person(request)
    rnd = _round(request, round_id)
    scope = queries.viewer_scope(me)
    hist = published.history(rnd, scope)
    picked = published.pick(hist, group)
    if picked is None:
        raise Http404("None of your teams was part of this round.")
    chosen = picked.group
    report = published.group_report(hist, picked, me.org)
    questions = [
        QuestionResultOut(
            id=int(q.key), theme=c.key, text=q.label, scale=q.scale, result=_question_score_out(q)
        )
        for c in [*report.constructs, *([report.enps] if report.enps else [])]
        for q in c.questions
    ]
    part = report.participation
    enps: EnpsOut | Hidden | None = None
    if report.enps is not None:
        e = report.enps
        enps = Hidden(reason=e.hidden or gate.PROTECTED) if e.enps is None else _enps_out(e.enps)
    hidden_comments = Hidden(
        reason=f"Not shown: comments appear only when at least {report.k} people in the group commented."
    )
    return ResultsOut(
        round=_round_out(rnd),
        group=_group_out(chosen, report.label),
        participation=Hidden(reason=part.hidden)
        if part.hidden
        else PulseParticipationOut(
            invited=part.invited, responded=part.responded, rate=part.rate, rounded=part.rounded
        ),
        enps=enps,
        enps_change=_change_out(report.enps.change, report.enps.change_since) if report.enps else None,
        constructs=[
            ConstructOut(
                key=c.key, label=c.label, result=_score_out(c), change=_change_out(c.change, c.change_since)
            )
            for c in report.constructs
        ],
        questions=questions,
        drivers=Hidden(reason=report.drivers_hidden)
        if report.drivers is None
        else [DriverOut(theme=d.construct, label=d.label, share=d.share) for d in report.drivers],
        comments=hidden_comments if report.comments is None else [_comment_out(c) for c in report.comments],
    )


def _comment_out(comment: Comment) -> CommentOut:
    return CommentOut(
        id=comment.pk,
        text=comment.text,
        replies=[
            CommentReplyOut(
                from_author=r.from_author,
                by="The author" if r.from_author else (r.manager.name if r.manager else "A former manager"),
                text=r.text,
                created_on=r.created_on,
            )
            for r in comment.replies.all()
        ],
    )


class ColumnOut(Schema):
    key: str
    label: str


class HeatCellOut(Schema):
    suppressed: Literal[False] = False
    value: float = Field(description="The mean (1–5), or the eNPS score (−100 to +100) in the eNPS column.")
    favourable: float
    band: Literal["good", "ok", "watch", "concern"]
    rounded: bool = Field(description=ROUNDED)


class HeatRowOut(Schema):
    group: ResultGroupOut
    depth: int = Field(description="0 for the organisation, 1 for top-level teams, …")
    cells: list[HeatCellOut | Hidden] = Field(description="One per column, in column order.")


class HeatmapOut(Schema):
    round: PulseRoundOut
    columns: list[ColumnOut]
    rows: list[HeatRowOut]


def _heat_cell(s: Score) -> HeatCellOut | Hidden:
    if s.hidden is not None or s.value is None or s.favourable is None:
        return Hidden(reason=s.hidden or gate.PROTECTED)
    return HeatCellOut(
        value=s.value,
        favourable=s.favourable,
        band=s.band,  # type: ignore[arg-type]
        rounded=s.rounded,
    )


@router.get(
    "/pulse/rounds/{round_id}/heatmap",
    response={200: HeatmapOut, 409: Problem},
    summary="Teams against themes (managers and admins)",
    description="Managers get their teams' subtrees; admins the organisation and every team. Members: 403."
    + PREPARING,
)
def heatmap(request: ApiRequest, round_id: Id) -> HeatmapOut:
    rnd = _round(request, round_id)
    scope = queries.viewer_scope(current_person(request))
    if scope == "org":
        raise PermissionDenied("Members see organisation-wide results only.")
    table = heatmaps.published(rnd, scope).table
    return HeatmapOut(
        round=_round_out(rnd),
        columns=[ColumnOut(key=c.key, label=c.label) for c in table.columns],
        rows=[
            HeatRowOut(
                group=ResultGroupOut(
                    key=row.key, label=row.label, team_id=row.team, tenure_band=None, region=None
                ),
                depth=row.depth,
                cells=[_heat_cell(c) for c in row.cells],
            )
            for row in table.rows
        ],
    )


class TrendValueOut(Schema):
    suppressed: Literal[False] = False
    value: float = Field(description="The mean (1–5), or the eNPS score (−100 to +100).")
    favourable: float
    n: int | None
    rounded: bool = Field(description=ROUNDED)


class TrendPointOut(Schema):
    round_id: int
    label: str
    result: TrendValueOut | Hidden


class TrendOut(Schema):
    program_id: int
    group: ResultGroupOut
    theme: str = Field(description="The theme (construct) key, e.g. “trust_task” or “enps”.")
    label: str
    points: list[TrendPointOut] = Field(description="Oldest first; rounds that did not ask it are left out.")
    change: ChangeOut | None = Field(description="Between the last two rounds in which it was shown.")


@router.get(
    "/pulse/trends",
    response={200: TrendOut, 409: Problem},
    summary="A theme or eNPS for one group across rounds",
    description=f"The last {reports.TREND_ROUNDS} rounds with results of `program` (default: the program of "
    "the latest round), for `group` (a key from …/groups) and `construct` (a theme key, or “enps”)."
    + PREPARING,
)
def trends(
    request: ApiRequest,
    program: Id | None = None,
    group: str | None = None,
    theme: str | None = Query(None, alias="construct"),
) -> TrendOut:
    me = current_person(request)
    scope = queries.viewer_scope(me)
    chosen = trend_program(me.org, program)
    hist = published.program_history(chosen, scope) if chosen is not None else None
    if chosen is None or hist is None:
        raise Http404("No results yet.")
    found = published.trends_page(hist, group, theme)
    series, picked = found.series, found.group
    if series is None or picked is None:
        raise Http404("None of your teams was part of these rounds.")
    return TrendOut(
        program_id=chosen.pk,
        group=_group_out(picked, series.group_label),
        theme=found.construct,
        label=series.label,
        points=[
            TrendPointOut(
                round_id=r.round_id,
                label=r.label,
                result=Hidden(reason=r.score.hidden or gate.PROTECTED)
                if r.score.hidden is not None or r.score.value is None
                else TrendValueOut(
                    value=r.score.value,
                    favourable=r.score.favourable or 0.0,
                    n=r.score.n,
                    rounded=r.score.rounded,
                ),
            )
            for r in series.rows
        ],
        change=_change_out(series.change, series.change_from),
    )
