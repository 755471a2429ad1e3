"""Six months of fortnightly pulse rounds for the demo company, with a story a manager would notice.

The story: Support's task-based trust slides over the last two months (handoffs between regions
have been dropping things), while Engineering's eNPS climbs after a quieter, better-planned quarter.
Everyone else stays roughly steady, with ordinary noise. The latest round is still open.

Answer sets are written through the same code the mixer uses (`apply_answer_sets`), in shuffled
order, so the demo's aggregates are exactly what real answering would have produced.
"""

from __future__ import annotations

import datetime as dt
import random

from django.http import Http404

from accord.orgs.models import Person
from accord.pulse.answering import apply_answer_sets, reply_as_manager, seal_pool, thread_key
from accord.pulse.attributes import snapshot
from accord.pulse.models import (
    DEFAULT_MIN_GROUP,
    Comment,
    MixingPool,
    Participation,
    Program,
    Question,
    Round,
    Scale,
)
from accord.pulse.programs import ensure_bank, open_round, save_program
from accord.pulse.publishing import publish_round
from accord.pulse.queries import viewer_scope
from accord.pulse.results.reports import reply_group

from . import words
from .people import LEVEL_1, PERSONAS, Cast

# Twelve rounds: the eleventh (the latest closed one) asks eNPS, as every second round does, so the
# results page opens on a round with eNPS; the twelfth is open.
ROUNDS = 12
OPENED_DAYS_AGO = 2  # the open round opened this many days before the demo starts; it runs five days
EVERY = dt.timedelta(days=14)

# Baseline (1–5, already scored) per construct; departments shift it a little.
BASE = {
    "engagement": 3.9,
    "trust_interpersonal": 4.1,
    "trust_organisational": 3.6,
    "trust_task": 3.9,
    "psych_safety": 3.8,
    "connection": 3.3,
    "workload": 3.2,
    "recognition": 3.5,
    "clarity": 3.6,
    "manager_support": 4.0,
    "growth": 3.4,
}
DEPARTMENT_SHIFT = {
    "Sales": {"workload": -0.3, "recognition": 0.2},
    "Support": {"connection": -0.2},
    "Engineering": {"growth": 0.2},
    "Leadership": {"clarity": 0.3},
}
# Level 1 answers every round, all of it: the same people every time is also what lets the gate show the
# team round after round (rule 7: a group whose set of people changes by fewer than k is hidden).
# Share of people who leave a comment: Support Level 1 has plenty to say about handoffs lately, so its
# manager (the manager persona) has comments from enough people to see them behind the gate.
# Who answers the closed rounds: the same people every time (REGULAR_SHARE of everyone, plus all of
# Level 1), as in a company where answering has become a habit. A group whose people changed by fewer
# than k between two rounds would be hidden (rule 7), and so would a tenure band or region that a
# team's few answers split (rule 2): `regulars` tops up any (team, band, region) cell left with fewer
# than k answers from more than k people, so the company-wide slices can be shown.
REGULAR_SHARE = 0.85
COMMENT_SHARE = 0.12
STORY_COMMENT_SHARE = 0.6
STORY_ROUNDS = 3  # the last closed rounds in which Level 1 comments that much


def department(cast: Cast, team_id: int | None) -> str:
    for path, team in cast.teams.items():
        if team.pk == team_id:
            return path[0]
    return ""


def build_pulse(cast: Cast) -> None:
    org, rng = cast.org, cast.rng("pulse")
    questions = ensure_bank(org)
    by_construct: dict[str, list[Question]] = {}
    for q in questions:
        if q.scale == Scale.AGREE5:
            by_construct.setdefault(q.construct, []).append(q)
    # One item of every construct per round, rotating through each construct's items: trends and
    # the heatmap then have every theme in every round.
    interleaved = [
        items[i]
        for i in range(max(map(len, by_construct.values())))
        for items in by_construct.values()
        if i < len(items)
    ]
    enps = next(q for q in questions if q.scale == Scale.NPS11)
    opened = cast.today - dt.timedelta(days=OPENED_DAYS_AGO)
    first_open = dt.datetime.combine(opened - EVERY * (ROUNDS - 1), dt.time(6), tzinfo=dt.UTC)
    program = save_program(
        Program(
            org=org,
            name="Fortnightly pulse",
            cadence_days=14,
            questions_per_round=len(by_construct),
            enps_every_days=28,
            window_days=5,
        ),
        questions=[*interleaved, enps],
        teams=[],
        start=first_open,
    )
    people = {p.pk: p for p in cast.people}
    person_effect = {pk: rng.gauss(0, 0.35) for pk in people}
    lead = cast.by_key.get("l1_lead")
    personas = {cast.by_key[key].pk for key in PERSONAS.values()}
    level_1 = cast.teams[LEVEL_1].pk
    said = words.Varied(rng, "pulse comment")
    regular = regulars(rng, cast, first_open.date())
    for number in range(ROUNDS):
        opened = first_open + EVERY * number
        rnd = open_round(program, opened)
        program.refresh_from_db()
        latest = number == ROUNDS - 1
        parts = list(Participation.objects.filter(round=rnd).select_related("person"))
        share = 0.45
        # The personas have not answered the open round yet: a visitor finds it waiting.
        answering = [
            p
            for p in parts
            if (
                (rng.random() < share if latest else p.person_id in regular)
                or (p.team_id_at_open == level_1 and not latest)
            )
            and not (latest and p.person_id in personas)
        ]
        story = ROUNDS - 1 - STORY_ROUNDS <= number < ROUNDS - 1
        qs = {q.id: q for q in rnd.questions.all()}
        progress = number / (ROUNDS - 1)
        sets = []
        for p in answering:
            dept = department(cast, p.team_id_at_open)
            talk = STORY_COMMENT_SHARE if story and p.team_id_at_open == level_1 else COMMENT_SHARE
            comment = words.pulse_comment(said, dept) if rng.random() < talk else ""
            sets.append(_answer_set(rng, rnd, p, dept, qs, progress, person_effect[p.person_id], comment))
        sets = as_answered(rng, qs, sets, rnd.min_group_size)
        Participation.objects.filter(pk__in=[p.pk for p in answering]).update(
            took_part=True, next_send_at=None
        )
        if latest:
            # Still open: k answer sets wait in the pool, as the mixer always leaves them (mix_pool).
            pooled, sets = sets[: rnd.min_group_size], sets[rnd.min_group_size :]
            MixingPool.objects.bulk_create(
                MixingPool(org=org, round=rnd, payload=seal_pool(rnd, s)) for s in pooled
            )
        rng.shuffle(sets)
        apply_answer_sets(rnd, qs, sets)
        if not latest:
            Round.objects.filter(pk=rnd.pk).update(next_close_at=None)
            Participation.objects.filter(round=rnd).update(next_send_at=None)
            publish_round(rnd)
    _reply_to_some(rng, cast, lead)
    Program.objects.filter(pk=program.pk).update(next_round_at=first_open + EVERY * ROUNDS)


def regulars(rng: random.Random, cast: Cast, since: dt.date) -> set[int]:
    """The people who answer every closed round: REGULAR_SHARE of everyone, then in each cell of
    (team, tenure band, region) at least k of them when the cell has that many people."""
    regular = {p.pk for p in cast.people if rng.random() < REGULAR_SHARE}
    cells: dict[tuple, list[Person]] = {}
    for p in cast.people:
        cells.setdefault(snapshot(p, since), []).append(p)
    for members in cells.values():
        answering = [p for p in members if p.pk in regular]
        if answering and len(members) >= DEFAULT_MIN_GROUP and len(answering) < DEFAULT_MIN_GROUP:
            regular.update(p.pk for p in members[:DEFAULT_MIN_GROUP])
    return regular


def as_answered(rng: random.Random, qs: dict[int, Question], sets: list[dict], k: int) -> list[dict]:
    """The answer sets as people gave them: opinions differ within every (team, band, region) cell of k
    or more, people skip the occasional question, and reverse-worded items are answered the other way.

    A small group whose answers all fall in one category (all favourable, no promoter ...) or, below 2k
    answers, nearly all on one value is hidden by the gate (rule 3), and so is a group that one skipped
    question leaves with fewer than k answers (rule 1); both would hide the slices the demo shows. Real
    small teams rarely agree that completely, so where the draw did, one or two people are moved to the
    neighbouring answer, and skipping is left to cells that stay at 2k answers or more."""
    cells: dict[tuple, list[dict]] = {}
    for s in sets:
        cells.setdefault(tuple(s["cell"]), []).append(s)
    for members in cells.values():
        if len(members) < k:
            continue
        for qid, q in qs.items():
            answers = [m["answers"] for m in members]
            for _ in range(10):  # each step fixes one thing; a few are always enough
                if not _differ(rng, answers, str(qid), q.scale == Scale.NPS11, small=len(members) < 2 * k):
                    break
        for qid in qs:
            answering = [m for m in members if str(qid) in m["answers"]]
            for m in answering:
                if len(answering) > 2 * k and rng.random() < 0.04:
                    del m["answers"][str(qid)]  # the occasional skipped question
                    answering.remove(m)
    for s in sets:
        s["answers"] = {
            key: 6 - v if qs[int(key)].reverse and qs[int(key)].scale == Scale.AGREE5 else v
            for key, v in s["answers"].items()
        }
    return sets


def _differ(rng: random.Random, answers: list[dict[str, int]], key: str, nps: bool, small: bool) -> bool:
    """Move one answer if the cell is of one mind on this question; False when it is not."""
    top, low, high = (10, 0, 10) if nps else (5, 1, 5)
    liked = 9 if nps else 4  # promoters / favourable
    values = [a[key] for a in answers]
    ups = [a for a in answers if a[key] >= liked]
    downs = [a for a in answers if a[key] < liked]
    if not downs:
        rng.choice(ups)[key] = liked - 1
        return True
    if not ups:
        rng.choice(downs)[key] = liked
        return True
    mode = max(set(values), key=values.count)
    if small and values.count(mode) >= len(values) - 1:
        chosen = rng.choice([a for a in answers if a[key] == mode])
        step = 1 if mode < top and (mode + 1 >= liked) == (mode >= liked) else -1
        chosen[key] = max(low, min(high, mode + step))
        return True
    return False


def support_slide(progress: float) -> float:
    """How far Support's task-based trust has fallen: a drift over six weeks, then a sharp drop in
    the last closed round, when the dropped handoffs started to hurt (a significant change)."""
    rounds_left = round((1 - progress) * (ROUNDS - 1))
    return {3: 0.15, 2: 0.3, 1: 1.1, 0: 1.2}.get(rounds_left, 0.0)


def _answer_set(
    rng: random.Random,
    rnd: Round,
    p: Participation,
    dept: str,
    qs: dict[int, Question],
    progress: float,
    effect: float,
    comment: str,
) -> dict:
    answers: dict[str, int] = {}  # scored (reverse items not yet turned back): see `as_answered`
    for qid, q in qs.items():
        if q.scale == Scale.NPS11:
            base = 7.2 + effect * 2 + (2.0 * progress if dept == "Engineering" else 0.0)
            answers[str(qid)] = max(0, min(10, round(rng.gauss(base, 1.6))))
            continue
        mean = BASE[q.construct] + DEPARTMENT_SHIFT.get(dept, {}).get(q.construct, 0.0) + effect
        if dept == "Support" and q.construct == "trust_task":
            mean -= support_slide(progress)
        scored = max(1, min(5, round(rng.gauss(mean, 0.75))))
        answers[str(qid)] = scored
    return {
        "cell": [p.team_id_at_open, p.tenure_band, p.region],
        "answers": answers,
        "comment": comment,
        "thread": thread_key(p.person_id, rnd.pk) if comment else "",
    }


def _reply_to_some(rng: random.Random, cast: Cast, lead: Person | None) -> None:
    """The Level 1 lead answers some of the comments she can see, handoff ones first, through the same
    checks as the results page (a comment her scope shows, in a closed round), never around them."""
    if lead is None:
        return
    scope = viewer_scope(lead)
    visible = []
    for comment in Comment.objects.filter(org=cast.org, round__closed=True).select_related("round"):
        if comment.cell()[0] != lead.team_id:
            continue
        try:
            reply_group(comment, scope, None)
        except Http404:
            continue  # not shown to her: she cannot answer it
        visible.append(comment)
    chosen = [c for c in visible if rng.random() < (0.6 if "handoff" in c.text.lower() else 0.2)]
    replies = list(words.MANAGER_REPLIES)
    rng.shuffle(replies)
    for comment in (chosen or visible[:1])[: len(replies)]:
        reply_as_manager(comment, lead, replies.pop())
