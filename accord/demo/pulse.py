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

from django.utils import timezone

from accord.pulse.answering import apply_answer_sets, reply_as_manager, seal_pool, thread_key
from accord.pulse.models import Comment, MixingPool, Participation, Program, Question, Round, Scale
from accord.pulse.programs import ensure_bank, open_round, save_program
from accord.pulse.publishing import publish_round

from .people import ENGINEERING, SUPPORT, Cast

ROUNDS = 13
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
COMMENTS = {
    "Support": [
        "Handoffs from the Manila shift often arrive without the customer's history; we start from zero.",
        "Tickets marked 'in progress' overnight sometimes turn out nobody touched them.",
        "I'd like a clear owner for every open ticket at the end of a shift.",
        "Love this team, but the weekend rota is wearing people down.",
        "More written runbooks, fewer calls at 6am my time, please.",
        "The Bogotá to Manila handoff is the weak spot: nobody overlaps.",
    ],
    "Engineering": [
        "The planning changes this quarter made a real difference. Fewer surprises.",
        "Async design reviews work well; keep them.",
        "On-call is calmer since the platform cleanup. Thank you.",
        "Would like more time for learning, but it's better than last year.",
        "The written decision log is great for those of us in other time zones.",
    ],
    "Sales": [
        "End of quarter was intense again; the targets felt like they moved late.",
        "Great support from the team when deals got stuck.",
        "Would love more contact with engineering about what's coming.",
    ],
    "Leadership": ["Monthly all-hands in two time slots has helped a lot."],
}


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
    first_open = timezone.make_aware(
        dt.datetime.combine(cast.today - EVERY * (ROUNDS - 1), dt.time(6)), dt.UTC
    )
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
    for number in range(ROUNDS):
        opened = first_open + EVERY * number
        rnd = open_round(program, opened)
        program.refresh_from_db()
        latest = number == ROUNDS - 1
        parts = list(Participation.objects.filter(round=rnd).select_related("person"))
        share = 0.45 if latest else rng.uniform(0.66, 0.82)
        answering = [p for p in parts if rng.random() < share]
        qs = {q.id: q for q in rnd.questions.all()}
        progress = number / (ROUNDS - 1)
        sets = []
        for p in answering:
            dept = department(cast, p.team_id_at_open)
            sets.append(_answer_set(rng, rnd, p, dept, qs, progress, person_effect[p.person_id]))
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
) -> dict:
    answers: dict[str, int] = {}
    for qid, q in qs.items():
        if rng.random() < 0.04:
            continue  # the occasional skipped question
        if q.scale == Scale.NPS11:
            base = 7.2 + effect * 2 + (2.0 * progress if dept == "Engineering" else 0.0)
            answers[str(qid)] = max(0, min(10, round(rng.gauss(base, 1.6))))
            continue
        mean = BASE[q.construct] + DEPARTMENT_SHIFT.get(dept, {}).get(q.construct, 0.0) + effect
        if dept == "Support" and q.construct == "trust_task":
            mean -= support_slide(progress)
        scored = max(1, min(5, round(rng.gauss(mean, 0.75))))
        answers[str(qid)] = 6 - scored if q.reverse else scored
    comment = ""
    if rng.random() < 0.12 and COMMENTS.get(dept):
        comment = rng.choice(COMMENTS[dept])
    return {
        "cell": [p.team_id_at_open, p.tenure_band, p.region],
        "answers": answers,
        "comment": comment,
        "thread": thread_key(p.person_id, rnd.pk) if comment else "",
    }


def _reply_to_some(rng: random.Random, cast: Cast, lead) -> None:  # type: ignore[no-untyped-def]
    if lead is None:
        return
    support_teams = {t.pk for path, t in cast.teams.items() if path[0] == SUPPORT[0]}
    engineering = {t.pk for path, t in cast.teams.items() if path[0] == ENGINEERING[0]}
    comments = [c for c in Comment.objects.filter(org=cast.org) if c.cell()[0] in support_teams | engineering]
    for comment in comments:
        if comment.cell()[0] in support_teams and "handoff" in comment.text.lower() and rng.random() < 0.5:
            reply_as_manager(
                comment,
                lead,
                "Thank you for saying this. From next week every shift ends with a "
                "written handoff and a named owner per open ticket. Tell me if it helps.",
            )
