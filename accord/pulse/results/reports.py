"""Pulse results for pages and the API: gate calls composed into page-ready structures.

Every number here comes from a public function of the gate (visible_groups, participation,
construct_result, question_result, drivers, comments_visible); nothing in this module, heatmaps.py
(the heatmap, read from what the gate published) or trends.py (the trend chart) reads answers,
the sealed tally or `RoundData.stats`. What this module adds is choosing (which round, which
group), labelling and formatting, which the other two share.

Groups travel in URLs and JSON as keys: "org", "team-12", optionally narrowed by ".band-1-3y" and/or
".region-emea" (e.g. "team-12.region-emea"). A key that does not parse, names a group the round does
not have, or names one outside the viewer's scope is a 404: the pages and the API answer alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accord.orgs.models import Organisation

from .. import gate, queries
from ..bank import CONSTRUCT_HELP, CONSTRUCTS, NPS11
from ..data import RoundData
from ..gate import (
    ConstructResult,
    Driver,
    EnpsFigures,
    Group,
    ParticipationResult,
    QuestionResult,
    Scope,
    Suppressed,
    Trend,
)
from ..models import Comment, Program, Round, RoundQuestion, RoundTally
from ..stats import Change

# Rounds read for the "change since the previous round" on the results page, and for a trend chart.
HISTORY_ROUNDS = 8
TREND_ROUNDS = 13  # six months of fortnightly rounds

# Heatmap colour bands. Colour is never the only signal: the number is always printed as well.
MEAN_BANDS = ((4.0, "good"), (3.5, "ok"), (3.0, "watch"))  # below the last: "concern"
ENPS_BANDS = ((20.0, "good"), (0.0, "ok"), (-20.0, "watch"))
BAND_WORDS = {"good": "strong", "ok": "fine", "watch": "worth watching", "concern": "a concern"}

Result = ConstructResult | QuestionResult | Suppressed
NO_ENPS_DRIVERS = "eNPS was not asked in this round, so there is nothing for key drivers to explain."


# --- rounds -------------------------------------------------------------------------------------


def with_results(rounds: QuerySet[Round]) -> QuerySet[Round]:
    """Closed rounds into which at least one answer set was mixed (only whether: never how many).
    Results are published once, when a round closes (queries.round_data)."""
    return rounds.filter(closed=True).filter(Exists(RoundTally.objects.filter(round=OuterRef("pk"))))


def result_rounds(org: Organisation, program: Program | None = None) -> QuerySet[Round]:
    """Rounds with results, newest first."""
    return with_results(queries.rounds_of(org, program))


def result_programs(org: Organisation) -> list[Program]:
    has = with_results(Round.objects.filter(org=org, program=OuterRef("pk")))
    return list(Program.objects.filter(org=org).filter(Exists(has)).order_by("name", "pk"))


def choose_round(org: Organisation, round_id: object = None, program_id: object = None) -> Round | None:
    """The round a results page shows: `round_id` if given (and of `program_id`, if that is given too),
    else the latest round with results of `program_id`, else the organisation's latest. A round or
    program of another organisation, a round that is still open, or an id that is not a number: 404."""
    program = None
    if program_id not in (None, ""):
        program = get_object_or_404(Program.objects.filter(org=org), pk=object_id(program_id))
    if round_id not in (None, ""):
        rnd = get_object_or_404(queries.rounds_of(org), pk=object_id(round_id))  # closed rounds only
        if program is None or rnd.program_id == program.pk:
            return rnd
    return default_round(org, program)


def default_round(org: Organisation, program: Program | None = None) -> Round | None:
    """The latest round with results that asked eNPS, else the latest with results: eNPS is the figure
    people look for first, and a page opening on "eNPS: not asked" looks broken."""
    rounds = result_rounds(org, program)
    asked_enps = RoundQuestion.objects.filter(round=OuterRef("pk"), question__scale=NPS11)
    return rounds.filter(Exists(asked_enps)).first() or rounds.first()


def object_id(value: object) -> int:
    try:
        number = int(str(value))
    except ValueError:
        raise Http404("No such object.") from None
    if not 1 <= number < 2**63:
        raise Http404("No such object.")
    return number


def history(rnd: Round, limit: int = HISTORY_ROUNDS) -> list[RoundData]:
    """`rnd` (closed) and up to `limit - 1` earlier rounds of its program with results, oldest first:
    one query for the list, then a fixed number per round (queries.round_data). queries.ResultsPreparing
    if any of them has no current published results (the protection stored with them)."""
    earlier = with_results(
        Round.objects.filter(org_id=rnd.org_id, program_id=rnd.program_id, number__lt=rnd.number)
    )
    rounds = [rnd, *earlier.order_by("-number")[: max(limit - 1, 0)]]
    queries.require_published(rounds)  # what the gate stored at publishing is what it reads back
    return [queries.round_data(r) for r in reversed(rounds)]


def program_history(program: Program, limit: int = TREND_ROUNDS) -> list[RoundData]:
    rounds = list(
        with_results(Round.objects.filter(org_id=program.org_id, program=program)).order_by("-number")[:limit]
    )
    queries.require_published(rounds)
    return [queries.round_data(r) for r in reversed(rounds)]


# --- groups -------------------------------------------------------------------------------------


def group_key(group: Group) -> str:
    return gate.group_key(group)


def parse_group_key(key: str) -> Group | None:
    head, *rest = key.split(".")
    team: int | None = None
    if head.startswith("team-") and head[5:].isdigit() and len(head) < 30:
        team = int(head[5:])
    elif head != "org":
        return None
    band = region = None
    for part in rest:
        if part.startswith("band-") and band is None and len(part) > 5:
            band = part[5:]
        elif part.startswith("region-") and region is None and len(part) > 7:
            region = part[7:]
        else:
            return None
    return Group(team, band=band, region=region)


def default_group(data: RoundData, scope: Scope) -> Group | None:
    """The first group the viewer may see; if none survives protection, the first they may ask about
    (so the page says why it is hidden); None if the round has no group in their scope at all."""
    visible = gate.visible_groups(data, scope)
    if visible:
        return visible[0]
    return next((g for g in gate.family(data) if not g.sliced and gate.in_scope(data, g, scope)), None)


def pick_group(data: RoundData, scope: Scope, key: str | None) -> Group | None:
    """The group named by `key`, or the default one. Http404 for a key that does not parse, a group the
    round does not have, or one outside the viewer's scope. A team that did not exist when the round
    opened (the key came from another round) falls back to the default group."""
    if not key:
        return default_group(data, scope)
    group = parse_group_key(key)
    if group is None:
        raise Http404("No such group.")
    if group not in set(gate.family(data)):
        if group.team is not None and group.team not in data.tree and not group.sliced:
            return default_group(data, scope)
        raise Http404("No such group.")
    if not gate.in_scope(data, group, scope):
        raise Http404("No such group.")
    return group


@dataclass(frozen=True)
class GroupChoice:
    key: str
    label: str


def group_choices(datas: Sequence[RoundData], scope: Scope, current: Group | None) -> list[GroupChoice]:
    """For a picker: the groups visible to the viewer in any of the rounds (in the last round's order,
    labelled as in the last round), with the current group first if it is hidden everywhere."""
    data = datas[-1]
    visible: set[Group] = set()
    for d in datas:
        visible.update(gate.visible_groups(d, scope))
    groups = [g for g in gate.family(data) if g in visible and gate.in_scope(data, g, scope)]
    if current is not None and current not in groups:
        groups = [current, *groups]
    return [GroupChoice(group_key(g), g.label(data)) for g in groups]


# --- formatting ----------------------------------------------------------------------------------


def construct_label(key: str) -> str:
    return CONSTRUCTS.get(key, key.replace("_", " ").capitalize())


def fmt_mean(value: float, rounded: bool = False) -> str:
    """Two decimals; one for a small group's mean, which the gate has rounded to one (rule 6)."""
    return f"{value:.1f}" if rounded else f"{value:.2f}"


def fmt_share(value: float) -> str:
    return f"{round(value * 100)}%"


def fmt_enps(value: float) -> str:
    """Whole points with a sign, and a true minus sign: "+12", "0", "−8"."""
    rounded = round(value)
    return f"{rounded:+d}".replace("-", "\u2212") if rounded else "0"


def round_short(label: str) -> str:
    """ "Round 12 · 8 Nov 2026" -> "Round 12"."""
    return label.split(" · ")[0]


def band(value: float, is_enps: bool) -> str:
    """The colour band of a value as printed (two decimals for means, whole points for eNPS)."""
    shown = round(value) if is_enps else round(value, 2)
    for low, name in ENPS_BANDS if is_enps else MEAN_BANDS:
        if shown >= low:
            return name
    return "concern"


def nps_constructs(data: RoundData) -> set[str]:
    return {q.construct for q in data.questions if q.scale == NPS11}


# --- one group's results ---------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    share: float

    @property
    def percent(self) -> str:
        return fmt_share(self.share)

    @property
    def width(self) -> str:  # for a CSS width, independent of the locale's decimal separator
        return f"{self.share * 100:.1f}"


@dataclass(frozen=True)
class EnpsView:
    n: int | None  # None for a small group (rounded figures)
    score: float
    low: float
    high: float
    promoters: float
    passives: float
    detractors: float

    @property
    def text(self) -> str:
        return fmt_enps(self.score)

    @property
    def interval(self) -> str:
        return f"{fmt_enps(self.low)} to {fmt_enps(self.high)}"

    @property
    def bars(self) -> list[Bar]:
        return [
            Bar("Promoters (9–10)", 0, self.promoters),
            Bar("Passives (7–8)", 0, self.passives),
            Bar("Detractors (0–6)", 0, self.detractors),
        ]

    @classmethod
    def of(cls, e: EnpsFigures) -> EnpsView:
        return cls(e.n, e.score, e.low, e.high, e.promoters, e.passives, e.detractors)


@dataclass(frozen=True)
class Score:
    """A construct or a question for one group: its numbers, or why they are not shown."""

    key: str  # construct key, or question id as text
    label: str
    hidden: str | None = None  # the gate's reason, as given
    n: int | None = None
    mean: float | None = None
    favourable: float | None = None
    enps: EnpsView | None = None
    distribution: tuple[Bar, ...] | None = None
    change: Change | None = None
    change_since: str = ""  # the label of the round the change is measured from
    questions: tuple[Score, ...] = ()
    scale: str = ""  # questions only: "agree5" or "nps11"
    rounded: bool = False  # a small group's rounded figures, without n (the gate's rule 6)

    @property
    def value(self) -> float | None:
        """The headline number: the mean, or the eNPS score for eNPS."""
        return self.enps.score if self.enps is not None else self.mean

    @property
    def text(self) -> str:
        if self.enps is not None:
            return self.enps.text
        return fmt_mean(self.mean, self.rounded) if self.mean is not None else "—"

    @property
    def favourable_text(self) -> str:
        return fmt_share(self.favourable) if self.favourable is not None else "—"

    @property
    def band(self) -> str:
        value = self.value
        return "" if value is None else band(value, self.enps is not None)

    @property
    def band_words(self) -> str:
        return BAND_WORDS.get(self.band, "")

    @property
    def help(self) -> str:
        return CONSTRUCT_HELP.get(self.key, "")

    @property
    def change_since_short(self) -> str:
        return round_short(self.change_since)


def score_of(key: str, label: str, result: Result) -> Score:
    if isinstance(result, Suppressed):
        return Score(key, label, hidden=result.reason)
    if isinstance(result, QuestionResult):
        distribution = None
        if result.distribution is not None:
            total = sum(c for _, c in result.distribution) or 1
            distribution = tuple(Bar(lbl, c, c / total) for lbl, c in result.distribution)
        return Score(
            key,
            label,
            n=result.n,
            mean=result.mean,
            favourable=result.favourable,
            enps=EnpsView.of(result.enps) if result.enps is not None else None,
            distribution=distribution,
            rounded=result.rounded,
        )
    return Score(
        key, label, n=result.n, mean=result.mean, favourable=result.favourable, rounded=result.rounded
    )


@dataclass(frozen=True)
class ParticipationView:
    hidden: str | None = None
    invited: int | None = 0  # None when rounded (fewer than 2k answered)
    responded: int | None = 0
    rate: float = 0.0
    rounded: bool = False

    @property
    def rate_text(self) -> str:
        return fmt_share(self.rate)


@dataclass(frozen=True)
class DriverView:
    construct: str
    label: str
    share: float

    @property
    def percent(self) -> str:
        return fmt_share(self.share)

    @property
    def width(self) -> str:
        return f"{self.share * 100:.1f}"


@dataclass
class GroupReport:
    round: Round
    round_label: str
    group: Group
    key: str
    label: str
    k: int
    participation: ParticipationView
    enps: Score | None  # None when the round did not ask eNPS
    constructs: list[Score]
    drivers: list[DriverView] | None
    drivers_hidden: str
    comments: list[Comment] | None  # None: hidden for this group
    can_reply: bool
    previous: str = ""  # label of the previous round with results, if any


def _change_for(
    datas: Sequence[RoundData], group: Group, key: str | int, scope: Scope
) -> tuple[Change | None, str]:
    """The change into the LAST round of `datas` from the latest earlier round where the number was shown,
    or (None, "") if the last round's number is hidden or nothing earlier is shown."""
    usable = [d for d in datas if gate.in_scope(d, group, scope)]
    if len(usable) < 2:
        return None, ""
    return shown_change(gate.trend(usable, group, key, scope=scope), usable[-1].round_id)


def shown_change(found: Trend, last_round_id: int) -> tuple[Change | None, str]:
    """A trend's change into the round `last_round_id` and the label of the round it is from, or (None, "")
    when that round's number is hidden or nothing earlier is shown."""
    shown = [p for p in found.points if not isinstance(p.result, Suppressed)]
    if found.change is None or len(shown) < 2 or shown[-1].round_id != last_round_id:
        return None, ""
    return found.change, shown[-2].label


def participation_view(part: ParticipationResult | Suppressed) -> ParticipationView:
    if isinstance(part, Suppressed):
        return ParticipationView(hidden=part.reason)
    return ParticipationView(
        invited=part.invited, responded=part.responded, rate=part.rate, rounded=part.rounded
    )


def construct_scores(
    found: Iterable[tuple[str, Change | None, str, Result]],
    questions_by: dict[str, list[Score]],
    nps: set[str],
) -> tuple[Score | None, list[Score]]:
    """Each construct's score, given as (key, change, round the change is from, result), with its
    questions' scores; the eNPS construct (the first of `nps`) apart from the others."""
    enps: Score | None = None
    constructs: list[Score] = []
    for key, change, since, result in found:
        score = replace(
            score_of(key, construct_label(key), result),
            change=change,
            change_since=since,
            questions=tuple(questions_by.get(key, ())),
        )
        if key in nps:
            enps = enps or score
        else:
            constructs.append(score)
    return enps, constructs


def drivers_view(found: list[Driver] | Suppressed, enps: Score | None) -> tuple[list[DriverView] | None, str]:
    """The key drivers as shown, or None and why they are hidden."""
    if isinstance(found, Suppressed):
        return None, NO_ENPS_DRIVERS if enps is None else found.reason
    return [DriverView(d.construct, construct_label(d.construct), d.share) for d in found], ""


def group_report(
    rnd: Round, datas: Sequence[RoundData], group: Group, scope: Scope, org: Organisation
) -> GroupReport:
    """Everything the results page shows for one group of the last round of `datas` (which is `rnd`)."""
    data = datas[-1]
    nps = nps_constructs(data)
    part = gate.participation(data, group, scope=scope)
    participation = participation_view(part)
    questions_by: dict[str, list[Score]] = {}
    for q in data.questions:
        text = q.text.replace("{org}", org.name)
        result = gate.question_result(data, group, q.id, scope=scope)
        questions_by.setdefault(q.construct, []).append(
            replace(score_of(str(q.id), text, result), scale=q.scale)
        )
    enps, constructs = construct_scores(
        (
            (
                key,
                *_change_for(datas, group, key, scope),
                gate.construct_result(data, group, key, scope=scope),
            )
            for key in gate.round_constructs(data)
        ),
        questions_by,
        nps,
    )
    drivers, drivers_hidden = drivers_view(gate.drivers(data, group, scope=scope), enps)
    comments = None
    if gate.comments_visible(data, group, scope=scope):
        cells = {c for table in (data.respondents, data.commenters, data.invited) for c in table}
        comments = queries.comments_in(rnd, {c for c in cells if group.contains(c, data)})
    return GroupReport(
        round=rnd,
        round_label=data.label,
        group=group,
        key=group_key(group),
        label=group.label(data),
        k=gate.effective_k(data),
        participation=participation,
        enps=enps,
        constructs=constructs,
        drivers=drivers,
        drivers_hidden=drivers_hidden,
        comments=comments,
        can_reply=scope != "org" and comments is not None,
        previous=datas[-2].label if len(datas) > 1 else "",
    )


def reply_group(comment: Comment, scope: Scope, wanted: str | None) -> Group:
    """A group through which this viewer may answer `comment`: managers and admins only, in a closed
    round, the group in their scope, containing the comment's cell, with its comments visible; else 404."""
    if scope == "org" or not comment.round.closed:
        raise Http404("No such comment.")
    data = queries.round_data(comment.round)
    cell = comment.cell()
    first = parse_group_key(wanted) if wanted else None
    candidates = ([first] if first is not None else []) + gate.visible_groups(data, scope)
    for group in candidates:
        if (
            gate.in_scope(data, group, scope)
            and group.contains(cell, data)
            and gate.comments_visible(data, group, scope=scope)
        ):
            return group
    raise Http404("No such comment.")
