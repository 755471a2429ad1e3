"""Writes for pulse surveys: the bank, programs, opening and closing rounds, answering, mixing, replies."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import random
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accord.lib.tz import to_utc
from accord.orgs.models import Organisation, Person, Team
from accord.orgs.queries import subtree_ids

from . import bank, tally
from .attributes import snapshot
from .data import Cell
from .models import (
    ABSOLUTE_MIN_GROUP,
    Answer,
    Comment,
    MixingPool,
    Participation,
    Program,
    ProgramQuestion,
    PublishedRound,
    PublishedRow,
    PulseSettings,
    Question,
    Reply,
    Response,
    Round,
    RoundQuestion,
    Scale,
)
from .sealing import POOL, POOL_BLOCK, seal, seal_cell
from .sealing import thread_key as thread_key

COMMENT_MAX = 2000
# Prompts go out an hour into the person's working day: after the morning's first things, before meetings.
PROMPT_DELAY = dt.timedelta(hours=1)


class PulseError(Exception):
    """A request the rules refuse; the message is shown to the person as it is."""


# --- settings and bank --------------------------------------------------------------------------


def pulse_settings(org: Organisation) -> PulseSettings:
    found, _ = PulseSettings.objects.get_or_create(org=org)
    return found


def set_min_group_size(org: Organisation, k: int) -> PulseSettings:
    if k < ABSOLUTE_MIN_GROUP:
        raise ValidationError(
            {"min_group_size": [f"The minimum group size can't go below {ABSOLUTE_MIN_GROUP}."]}
        )
    if k > 50:
        raise ValidationError({"min_group_size": ["Above 50, almost every team result would be hidden."]})
    found = pulse_settings(org)
    found.min_group_size = k
    found.save(update_fields=["min_group_size"])
    return found


def ensure_bank(org: Organisation) -> list[Question]:
    """Give the organisation its own copy of the built-in questions (once); admins add more beside them."""
    have = set(Question.objects.filter(org=org, builtin=True).values_list("key", flat=True))
    missing = [
        Question(
            org=org,
            key=item.key,
            text=item.text,
            construct=item.construct,
            scale=item.scale,
            reverse=item.reverse,
            builtin=True,
        )
        for item in bank.BANK
        if item.key not in have
    ]
    Question.objects.bulk_create(missing, ignore_conflicts=True)  # two admins at once: both fine
    return list(Question.objects.filter(org=org))


def add_question(org: Organisation, *, text: str, construct: str, reverse: bool) -> Question:
    text = text.strip()
    errors: dict[str, list[str]] = {}
    if not text:
        errors["text"] = ["Write the question."]
    elif len(text) > 200:
        errors["text"] = ["Keep it under 200 characters."]
    if construct not in bank.CONSTRUCTS or construct == "enps":
        errors["construct"] = ["Choose one of the listed themes."]
    base = "custom-" + hashlib.sha256(text.encode()).hexdigest()[:10]
    if "text" not in errors and Question.objects.filter(org=org, key=base).exists():
        errors["text"] = ["That question is already in the bank."]
    if errors:
        raise ValidationError(errors)
    return Question.objects.create(
        org=org, key=base, text=text, construct=construct, scale=Scale.AGREE5, reverse=reverse, builtin=False
    )


# --- programs -------------------------------------------------------------------------------


def save_program(
    program: Program, *, questions: list[Question], teams: list[Team], start: dt.datetime
) -> Program:
    """Create or change a program. The first round opens at `start`; later ones follow the cadence."""
    errors: dict[str, list[str]] = {}
    if not program.name.strip():
        errors["name"] = ["Give the program a name."]
    if any(q.org_id != program.org_id for q in questions) or any(t.org_id != program.org_id for t in teams):
        errors["questions"] = ["Questions and teams must belong to this organisation."]
    scored = [q for q in questions if q.scale == Scale.AGREE5]
    if not scored:
        errors["questions"] = ["Choose at least one question to ask."]
    if not program.whole_org and not teams:
        errors["teams"] = ["Choose the teams this program asks, or the whole organisation."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if program.pk is None:
            program.next_round_at = start
        program.save()
        program.teams.set([] if program.whole_org else teams)
        ProgramQuestion.objects.filter(program=program).delete()
        ProgramQuestion.objects.bulk_create(
            ProgramQuestion(org_id=program.org_id, program=program, question=q, position=i)
            for i, q in enumerate(questions)
        )
    return program


def audience(program: Program) -> list[Person]:
    people = Person.objects.filter(org_id=program.org_id, is_active=True, user__isnull=False)
    if not program.whole_org:
        team_ids: set[int] = set()
        for team in program.teams.all():
            team_ids.update(subtree_ids(team))
        people = people.filter(team_id__in=team_ids)
    return list(people.select_related("team"))


def next_questions(program: Program, on: dt.date) -> tuple[list[Question], bool]:
    """The next slice of the program's cycle, and whether eNPS is due (no sooner than its interval)."""
    ordered = [
        pq.question for pq in ProgramQuestion.objects.filter(program=program).select_related("question")
    ]
    scored = [q for q in ordered if q.scale == Scale.AGREE5 and q.active]
    enps = next((q for q in ordered if q.scale == Scale.NPS11 and q.active), None)
    take = min(program.questions_per_round, len(scored))
    start = program.rotation % len(scored) if scored else 0
    chosen = [scored[(start + i) % len(scored)] for i in range(take)]
    enps_due = enps is not None and (
        program.last_enps_on is None or (on - program.last_enps_on).days >= program.enps_every_days
    )
    return (chosen + [enps] if enps_due and enps else chosen), enps_due


def prompt_time(person: Person, after: dt.datetime, before: dt.datetime) -> dt.datetime | None:
    """An hour into the person's next working day (their zone, DST-resolved), not before `after`."""
    zone = person.zone
    day = after.astimezone(zone).date()
    local_at = (dt.datetime.combine(day, person.work_start) + PROMPT_DELAY).time()
    for offset in range(15):
        candidate_day = day + dt.timedelta(days=offset)
        if str(candidate_day.isoweekday()) not in person.work_days:
            continue
        at = to_utc(candidate_day, local_at, zone)
        if at >= after - dt.timedelta(minutes=1):
            return at if at < before else None
        end_today = to_utc(candidate_day, person.work_end, zone)
        if offset == 0 and after < end_today - dt.timedelta(hours=1):
            return after  # already inside today's hours, with time left: ask now
    return None


def reminder_time(person: Person, prompt: dt.datetime, closes: dt.datetime) -> dt.datetime | None:
    """Same local time two working days later, if the round is still open then."""
    zone = person.zone
    local = prompt.astimezone(zone)
    day, seen = local.date(), 0
    for _ in range(14):
        day += dt.timedelta(days=1)
        if str(day.isoweekday()) in person.work_days:
            seen += 1
            if seen == 2:
                at = to_utc(day, local.time(), zone)
                return at if at < closes - dt.timedelta(hours=2) else None
    return None


def open_round(program: Program, now: dt.datetime) -> Round:
    today = now.date()
    questions, enps_due = next_questions(program, today)
    if not questions:
        raise PulseError("This program has no active questions.")
    people = audience(program)
    closes = now + dt.timedelta(days=program.window_days)
    teams = list(Team.objects.filter(org_id=program.org_id).values_list("id", "parent_id", "name"))
    with transaction.atomic():
        number = (Round.objects.filter(program=program).aggregate(m=Max("number"))["m"] or 0) + 1
        rnd = Round.objects.create(
            org_id=program.org_id,
            program=program,
            number=number,
            opens_on=today,
            closes_at=closes,
            team_tree={str(t): p for t, p, _ in teams},
            team_names={str(t): n for t, _, n in teams},
            min_group_size=max(ABSOLUTE_MIN_GROUP, pulse_settings(program.org).min_group_size),
            next_close_at=closes,
        )
        RoundQuestion.objects.bulk_create(
            RoundQuestion(org_id=program.org_id, round=rnd, question=q, position=i)
            for i, q in enumerate(questions)
        )
        rows = []
        for person in people:
            at = prompt_time(person, now, closes)
            if at is None:
                continue  # no working day inside the window: not asked this round
            team_id, band, reg = snapshot(person, today)
            rows.append(
                Participation(
                    org_id=program.org_id,
                    round=rnd,
                    person=person,
                    team_id_at_open=team_id,
                    tenure_band=band,
                    region=reg,
                    prompt_at=at,
                    reminder_at=reminder_time(person, at, closes),
                    next_send_at=at,
                )
            )
        Participation.objects.bulk_create(rows, batch_size=1000)
        scored_taken = len([q for q in questions if q.scale == Scale.AGREE5])
        program.rotation += scored_taken
        if enps_due:
            program.last_enps_on = today
        program.save(update_fields=["rotation", "last_enps_on"])
    return rnd


# --- answering --------------------------------------------------------------------------------


def check_open(rnd: Round, now: dt.datetime) -> None:
    if rnd.closed or now >= rnd.closes_at:
        raise PulseError("This round has closed. Thank you all the same; the next one will come round soon.")


def submit_answers(
    participation: Participation, *, answers: dict[int, int | None], comment: str, now: dt.datetime
) -> None:
    """Record that the person took part, and put their answers in the round's mixing pool."""
    rnd = participation.round
    check_open(rnd, now)
    questions = {q.id: q for q in rnd.questions.all()}
    clean: dict[str, int] = {}
    for qid, value in answers.items():
        if value is None:
            continue  # skipped: every question may be skipped
        question = questions.get(qid)
        if question is None:
            raise PulseError("That question is not part of this round.")
        low, high = (0, 10) if question.scale == Scale.NPS11 else (1, 5)
        if not low <= value <= high:
            raise PulseError(f"Answers to “{question.text}” go from {low} to {high}.")
        clean[str(qid)] = value
    comment = comment.strip()
    if len(comment) > COMMENT_MAX:
        raise PulseError(f"Keep the comment under {COMMENT_MAX} characters.")
    if not clean and not comment:
        raise PulseError("Answer at least one question, or write a comment.")
    with transaction.atomic():
        took = Participation.objects.filter(pk=participation.pk, took_part=False).update(
            took_part=True, next_send_at=None
        )
        if took != 1:
            raise PulseError("You have already answered this round. Thank you!")
        # Written in the same transaction as `took_part`, so a reader of the database sees whose row this
        # is: it is sealed and of one fixed length, so that is all they learn (threat model in models.py).
        MixingPool.objects.create(
            org_id=rnd.org_id,
            round=rnd,
            payload=seal_pool(
                rnd,
                {
                    "cell": [participation.team_id_at_open, participation.tenure_band, participation.region],
                    "answers": clean,
                    "comment": comment,
                    "thread": thread_key(participation.person_id, rnd.id) if comment else "",
                },
            ),
        )

        def maybe_mix() -> None:
            from .tasks import mix_round_once

            if MixingPool.objects.filter(round=rnd).count() >= 2 * rnd.min_group_size:
                mix_round_once(rnd.id)

        transaction.on_commit(maybe_mix)


def seal_pool(rnd: Round, payload: dict[str, Any]) -> bytes:
    return seal(POOL, rnd.pk, payload, block=POOL_BLOCK)


def mix_pool(rnd: Round, *, force: bool) -> int:
    """Move pooled answer sets into the anonymous tables in random order, folding them into the tally.

    Every batch written in the clear holds at least k answer sets, the last one included: while the
    round is open, a batch is mixed only once 2k sets are pooled, and k of them (chosen at random) stay
    behind, so at closing at least k are left to go together. Fewer than k at closing means fewer than k
    answered the whole round: their answers go into the sealed tally only (the gate hides every group of
    such a round) and no clear row is written for them.
    """
    k = rnd.min_group_size
    with transaction.atomic():
        Round.objects.select_for_update().filter(pk=rnd.pk).first()  # one mixer per round at a time
        pooled = list(MixingPool.objects.filter(round=rnd))
        if not pooled or (not force and len(pooled) < 2 * k):
            return 0
        random.SystemRandom().shuffle(pooled)
        batch = pooled if force else pooled[: len(pooled) - k]
        questions = {q.id: q for q in rnd.questions.all()}
        sets = [p.opened() for p in batch]
        apply_answer_sets(rnd, questions, sets, clear_rows=len(sets) >= k)
        MixingPool.objects.filter(pk__in=[p.pk for p in batch]).delete()
    return len(batch)


def _scored(question: Question, value: int) -> int:
    return bank.score(question.scale, question.reverse, value)


def driver_vars(questions: Iterable[Question]) -> list[str]:
    constructs = sorted({q.construct for q in questions if q.scale == Scale.AGREE5})
    has_enps = any(q.scale == Scale.NPS11 for q in questions)
    return [*constructs, "enps"] if has_enps and constructs else []


def apply_answer_sets(
    rnd: Round, questions: dict[int, Question], sets: list[dict[str, Any]], *, clear_rows: bool = True
) -> None:
    """Write answer sets (already shuffled) and fold them into the round's sealed tally in one pass.

    Response, Answer and Comment rows carry the cell only sealed. With `clear_rows` False (a closing
    remainder of fewer than k, see mix_pool) only the tally learns of the sets."""
    org_id = rnd.org_id
    responses, answers, comments = [], [], []
    stat_delta: tally.StatDelta = {}
    count_delta: tally.CountDelta = {}
    dvars = driver_vars(questions.values())
    for payload in sets:
        team_id, band, reg = payload["cell"]
        cell: Cell = (team_id, band, reg)
        counts = count_delta.setdefault(
            cell, [0, 0, 0, [0.0] * len(dvars), [[0.0] * len(dvars) for _ in dvars]]
        )
        values = {int(q): v for q, v in payload["answers"].items()}
        if values:
            response = Response(org_id=org_id, round=rnd, sealed_cell=seal_cell(rnd.pk, cell))
            responses.append(response)
            counts[0] += 1
            by_construct: dict[str, list[int]] = {}
            for qid, raw in values.items():
                question = questions[qid]
                answers.append(
                    Answer(org_id=org_id, round=rnd, response=response, question=question, value=raw)
                )
                scored = _scored(question, raw)
                s = stat_delta.setdefault(
                    (qid, cell), [0, 0.0, 0.0, [0] * (11 if question.scale == Scale.NPS11 else 6)]
                )
                s[0] += 1
                s[1] += scored
                s[2] += scored * scored
                s[3][raw] += 1
                key = "enps" if question.scale == Scale.NPS11 else question.construct
                by_construct.setdefault(key, []).append(scored)
            if dvars and all(v in by_construct for v in dvars):
                x = [sum(by_construct[v]) / len(by_construct[v]) for v in dvars]
                counts[2] += 1
                for i, xi in enumerate(x):
                    counts[3][i] += xi
                    for j, xj in enumerate(x):
                        counts[4][i][j] += xi * xj
        if payload.get("comment"):
            comments.append(
                Comment(
                    org_id=org_id,
                    round=rnd,
                    sealed_cell=seal_cell(rnd.pk, cell),
                    text=payload["comment"],
                    thread_key=payload["thread"],
                )
            )
            counts[1] += 1
    if clear_rows:
        Response.objects.bulk_create(responses, batch_size=1000)
        Answer.objects.bulk_create(answers, batch_size=2000)
        Comment.objects.bulk_create(comments, batch_size=1000)
    tally.fold(rnd, stat_delta, count_delta, dvars)
    # Published results no longer match these aggregates (only possible if answers reach a round after
    # it was published): the next report publishes again.
    PublishedRound.objects.filter(round=rnd).exclude(stamp="").update(stamp="")


def close_round(rnd: Round) -> None:
    """Mix whatever is still pooled (even fewer than k: the gate hides small groups), then publish."""
    mix_pool(rnd, force=True)
    Participation.objects.filter(round=rnd).update(next_send_at=None)
    publish_round(rnd)


def publish_round(rnd: Round) -> None:
    """Close the round and store the gate's decisions and results for it, so reports never recompute
    them: the protection (for one group's results, trends and slices) and the published heatmap rows."""
    Round.objects.filter(pk=rnd.pk).update(closed=True)
    rnd.closed = True
    rnd.protection = None
    _publish(rnd, force=True)


def ensure_published(rnd: Round) -> dict[str, Any]:
    """The header of the round's published results (gate.Published reads it), publishing them again
    first if they are missing or stale: published before results were stored, under other protection
    rules, or with answers mixed in afterwards. One small query when they are current."""
    from . import gate
    from .queries import published_header

    found = published_header(rnd)
    if found is not None and found[0] == gate.results_stamp(rnd.min_group_size):
        return dict(found[1])
    return _publish(rnd, force=False)


def _publish(rnd: Round, *, force: bool) -> dict[str, Any]:
    from . import gate
    from .queries import earlier_rounds, round_data

    # Rule 7 (across rounds) compares this round with what earlier rounds show: their published
    # protection must be current first (oldest first, so each finds its own predecessors done).
    for other in earlier_rounds(rnd):
        ensure_published(other)
    with transaction.atomic():
        # One publisher per round at a time; a second one finds the work done.
        Round.objects.select_for_update().filter(pk=rnd.pk).values_list("pk").first()
        current = PublishedRound.objects.filter(round=rnd).values_list("stamp", "header").first()
        if not force and current is not None and current[0] == gate.results_stamp(rnd.min_group_size):
            return current[1]
        data = round_data(rnd)  # reuses the stored protection if it still matches the aggregates
        state = gate.protection_state(data)
        header, rows = gate.publish(data)
        PublishedRow.objects.filter(round=rnd).delete()
        PublishedRow.objects.bulk_create(
            (
                PublishedRow(
                    org_id=rnd.org_id,
                    round=rnd,
                    team_id_snapshot=r.team,
                    pos=r.pos,
                    subtree_end=r.end,
                    depth=r.depth,
                    label=r.label,
                    first_visible=r.first_visible,
                    heat=r.heat,
                    slices=r.slices,
                )
                for r in rows
            ),
            batch_size=2000,
        )
        PublishedRound.objects.update_or_create(
            round=rnd, defaults={"org_id": rnd.org_id, "stamp": str(header["stamp"]), "header": header}
        )
        Round.objects.filter(pk=rnd.pk).update(protection=state)
    rnd.protection = state
    return header


# --- comment threads --------------------------------------------------------------------------


def reply_as_manager(comment: Comment, manager: Person, text: str) -> Reply:
    text = text.strip()
    if not text:
        raise ValidationError({"text": ["Write a reply."]})
    if len(text) > COMMENT_MAX:
        raise ValidationError({"text": [f"Keep it under {COMMENT_MAX} characters."]})
    return Reply.objects.create(org_id=comment.org_id, comment=comment, manager=manager, text=text)


def reply_as_author(comment: Comment, person: Person, text: str) -> Reply:
    if not hmac.compare_digest(comment.thread_key, thread_key(person.id, comment.round_id)):
        raise PulseError("You can answer only in threads about your own comments.")
    text = text.strip()
    if not text:
        raise ValidationError({"text": ["Write a reply."]})
    if len(text) > COMMENT_MAX:
        raise ValidationError({"text": [f"Keep it under {COMMENT_MAX} characters."]})
    return Reply.objects.create(org_id=comment.org_id, comment=comment, from_author=True, text=text)


def now() -> dt.datetime:
    return timezone.now()
