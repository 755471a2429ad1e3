"""Writes for setting up pulse surveys: the anonymity setting, the question bank, programs, and opening
a round (who is asked, which questions, when the prompts go out)."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accord.lib.refusals import Conflict, Gone, NotFound, Refused
from accord.lib.tz import to_utc
from accord.orgs.models import Organisation, Person, Team
from accord.orgs.queries import subtree_ids

from . import bank
from .attributes import snapshot
from .models import (
    ABSOLUTE_MIN_GROUP,
    Participation,
    Program,
    ProgramQuestion,
    PulseSettings,
    Question,
    Round,
    RoundQuestion,
    Scale,
)
from .sealing import thread_key as thread_key

# Prompts go out an hour into the person's working day: after the morning's first things, before meetings.
PROMPT_DELAY = dt.timedelta(hours=1)


class PulseError(Refused):
    """A request the rules refuse; the message is shown to the person as it is. Said plainly it is a 400;
    the subclasses say when it is not the input's fault."""


class RoundClosed(PulseError, Gone):
    """The round's window has passed."""


class AlreadyAnswered(PulseError, Conflict):
    """The person took part already."""


class NotYourThread(PulseError, NotFound):
    """Only a comment's author may answer in its thread; to anyone else it does not exist."""


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


def now() -> dt.datetime:
    return timezone.now()
