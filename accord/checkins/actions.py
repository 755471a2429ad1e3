"""Writes and rules for async check-ins: schedule, templates and settings, submitting, blockers.

When members are asked, and the bulk planner, live in planning.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accord.lib.refusals import Conflict, Gone, Refused
from accord.orgs.chart import manages_team
from accord.orgs.models import Organisation, Person, Team

from .models import (
    ANSWER_MAX,
    MAX_QUESTIONS,
    QUESTION_MAX,
    Blocker,
    Cadence,
    Checkin,
    CheckinSchedule,
    CheckinSettings,
    CheckinTemplate,
    Digest,
    default_questions,
)
from .planning import MIN_OPEN, next_digest_time, plan_checkins


class CheckinClosed(Refused):
    """The check-in can no longer be submitted; the message says why, in the person's own time."""


class CheckinSent(CheckinClosed, Conflict):
    """It was already sent."""


class CheckinPastClose(CheckinClosed, Gone):
    """The end of the person's working day has passed."""


# --- schedule, templates and settings ---------------------------------------------------------


def ensure_schedule(org: Organisation, now: dt.datetime | None = None) -> CheckinSchedule:
    """The organisation's planner row; the scheduler plans check-ins only for organisations that have one."""
    found, _ = CheckinSchedule.objects.get_or_create(
        org=org, defaults={"next_plan_at": now or timezone.now()}
    )
    return found


def schedule_new_organisation(sender: object, organisation: Organisation, **kwargs: object) -> None:
    """Receiver of `organisation_created`: the planner row, so the scheduler serves it from day one."""
    ensure_schedule(organisation)


def template_for(team: Team) -> CheckinTemplate:
    """The team's template, made with the defaults the first time anyone needs it."""
    found, _ = CheckinTemplate.objects.get_or_create(team=team, defaults={"org_id": team.org_id})
    return found


def settings_for(person: Person) -> CheckinSettings:
    found = CheckinSettings.objects.filter(person=person).first()
    return found or CheckinSettings(org_id=person.org_id, person=person)


def check_questions(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Clean a question list ({text, blocker}) into stored form, or raise field errors."""
    errors: dict[str, list[str]] = {}
    clean = []
    for q in questions:
        text = str(q.get("text", "")).strip()
        if not text:
            continue
        if len(text) > QUESTION_MAX:
            errors.setdefault("questions", []).append(f"Keep each question under {QUESTION_MAX} characters.")
            break
        clean.append({"text": text, "blocker": bool(q.get("blocker"))})
    if not clean and "questions" not in errors:
        errors["questions"] = ["Keep at least one question."]
    elif len(clean) > MAX_QUESTIONS:
        errors["questions"] = [f"Ask at most {MAX_QUESTIONS} questions: check-ins should take a minute."]
    elif sum(1 for q in clean if q["blocker"]) > 1:
        errors["questions"] = ["Only one question can be the blockers question."]
    if errors:
        raise ValidationError(errors)
    return [{"key": f"q{i}", **q} for i, q in enumerate(clean, start=1)]


def save_template(
    template: CheckinTemplate,
    *,
    questions: list[dict[str, Any]],
    cadence: str,
    weekday: int | None,
    enabled: bool,
    actor: Person | None = None,
    now: dt.datetime | None = None,
) -> CheckinTemplate:
    """Change a team's questions and cadence; a new cadence replans the team's members at once.
    `actor` is None for the demo and the command line, which act with the machine owner's authority."""
    now = now or timezone.now()
    if actor is not None and not manages_team(actor, template.team):
        raise PermissionDenied("Only the team's managers and admins change its check-ins.")
    errors: dict[str, list[str]] = {}
    try:
        clean = check_questions(questions)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if cadence not in Cadence.values:
        errors["cadence"] = ["Choose daily or weekly."]
    out_of_range = weekday is not None and not 1 <= weekday <= 7
    if out_of_range or (cadence == Cadence.WEEKLY and weekday is None):
        errors["weekday"] = ["Choose a day of the week, Monday (1) to Sunday (7)."]
    if errors:
        raise ValidationError(errors)
    replan = (
        template.pk is None
        or template.cadence != cadence
        or (weekday is not None and template.weekday != weekday)
        or template.enabled != enabled
    )
    template.questions = clean
    template.cadence = cadence
    if weekday is not None:
        template.weekday = weekday
    template.enabled = enabled
    template.updated_at = now
    with transaction.atomic():
        template.save()
        if replan:
            members = Person.objects.filter(org_id=template.org_id, team_id=template.team_id, is_active=True)
            replan_people(template.org_id, list(members.values_list("id", flat=True)), now)
    return template


def check_prompt_time(person: Person, at: dt.time) -> None:
    if at.tzinfo is not None:
        raise ValidationError({"prompt_time": ["Give a local time without an offset, e.g. 09:00."]})
    latest = (dt.datetime.combine(dt.date(2000, 1, 1), person.work_end) - MIN_OPEN).time()
    if person.work_end > person.work_start and at > latest:
        raise ValidationError(
            {
                "prompt_time": [
                    f"Pick a time at least an hour before your working day ends "
                    f"({person.work_end:%H:%M}): {latest:%H:%M} at the latest."
                ]
            }
        )


def set_prompt_time(person: Person, at: dt.time, now: dt.datetime | None = None) -> CheckinSettings:
    """Ask `person` at `at` their time from now on; today's check-in moves too if not yet asked."""
    now = now or timezone.now()
    check_prompt_time(person, at)
    with transaction.atomic():
        found = settings_for(person)
        found.prompt_time = at
        found.save()
        replan_people(person.org_id, [person.pk], now)
    found.refresh_from_db()
    return found


def set_digest(
    person: Person, *, digest: str, at: dt.time, now: dt.datetime | None = None
) -> CheckinSettings:
    now = now or timezone.now()
    if digest not in Digest.values:
        raise ValidationError({"digest": ["Choose every working day, once a week or never."]})
    found = settings_for(person)
    found.digest = digest
    found.digest_time = at
    found.next_digest_at = None if digest == Digest.OFF else next_digest_time(person, found, now)
    found.save()
    return found


def replan_people(org_id: int, person_ids: list[int], now: dt.datetime) -> int:
    """Forget planned check-ins not yet asked nor answered, restart each cursor from `now`, plan again."""
    if not person_ids:
        return 0
    Checkin.objects.filter(
        org_id=org_id,
        person_id__in=person_ids,
        prompt_at__gt=now,
        prompts_sent=0,
        submitted_at__isnull=True,
    ).delete()
    CheckinSettings.objects.filter(org_id=org_id, person_id__in=person_ids).update(next_prompt_at=None)
    return plan_checkins(org_id, now, person_ids=person_ids)


# --- submitting ---------------------------------------------------------------------------------


def _local(at: dt.datetime, person: Person) -> str:
    local = at.astimezone(person.zone)
    return f"{local:%H:%M} on {local:%A} {local.day} {local:%B}"


def submit_checkin(
    checkin: Checkin,
    *,
    answers: dict[str, str],
    mood: int | None = None,
    share_mood: bool = False,
    commitments: dict[int, str] | None = None,
    now: dt.datetime | None = None,
) -> Checkin:
    """Send a check-in: the answers to the team's questions, an optional mood, and commitment updates.

    A non-empty answer to the blockers question becomes a Blocker for the team's managers. Refused
    (CheckinClosed) once sent or after closing; bad input is a ValidationError naming the field.
    """
    from accord.goals.actions import set_commitment_status
    from accord.goals.models import Commitment, CommitmentStatus

    now = now or timezone.now()
    person = checkin.person
    if checkin.submitted_at is not None:
        raise CheckinSent("You have already sent this check-in. Thank you!")
    if now >= checkin.closes_at:
        raise CheckinPastClose(
            f"This check-in closed at {_local(checkin.closes_at, person)}, the end of your working day, "
            "so it can no longer be sent. The next one will come on your next check-in day."
        )
    questions = template_for(checkin.team).questions if checkin.team else default_questions()
    errors: dict[str, list[str]] = {}
    known = {q["key"] for q in questions}
    unknown = sorted(set(answers) - known)
    if unknown:
        errors["answers"] = [f"These are not questions of this check-in: {', '.join(unknown)}."]
    written = [
        {
            "key": q["key"],
            "question": q["text"],
            "answer": str(answers.get(q["key"], "")).strip(),
            "blocker": bool(q.get("blocker")),
        }
        for q in questions
    ]
    for row in written:
        if len(row["answer"]) > ANSWER_MAX:
            errors[f"answers.{row['key']}"] = [f"Keep each answer under {ANSWER_MAX} characters."]
    if not any(row["answer"] for row in written) and "answers" not in errors:
        errors["answers"] = ["Answer at least one question."]
    if mood is not None and (isinstance(mood, bool) or not 1 <= mood <= 5):
        errors["mood"] = ["A mood goes from 1 (rough) to 5 (great), or leave it out."]
    wanted = commitments or {}
    mine = {
        c.pk: c for c in Commitment.objects.filter(org_id=checkin.org_id, owner=person, pk__in=list(wanted))
    }
    missing = sorted(set(wanted) - set(mine))
    if missing:
        errors["commitments"] = ["Only your own commitments can be updated from your check-in."]
    elif any(s not in CommitmentStatus.values for s in wanted.values()):
        errors["commitments"] = ["A commitment's status is open, done or dropped."]
    if errors:
        raise ValidationError(errors)

    updates = []
    with transaction.atomic():
        sent = Checkin.objects.filter(pk=checkin.pk, submitted_at__isnull=True).update(
            submitted_at=now, next_send_at=None
        )
        if sent != 1:
            raise CheckinSent("You have already sent this check-in. Thank you!")
        for pk, status in wanted.items():
            commitment = mine[pk]
            if commitment.status == status:
                continue
            commitment.owner = person
            set_commitment_status(commitment, actor=person, status=status, now=now)
            updates.append({"id": pk, "title": commitment.title, "status": status})
        checkin.submitted_at = now
        checkin.next_send_at = None
        checkin.answers = written
        checkin.commitment_updates = updates
        checkin.mood = mood
        checkin.mood_shared = bool(share_mood and mood is not None)
        checkin.save(update_fields=["answers", "commitment_updates", "mood", "mood_shared"])
        blocker_text = next((row["answer"] for row in written if row["blocker"] and row["answer"]), "")
        if blocker_text and not _nothing(blocker_text):
            Blocker.objects.create(
                org_id=checkin.org_id,
                checkin=checkin,
                person=person,
                team_id=checkin.team_id,
                text=blocker_text,
                created_at=now,
            )
    return checkin


NOTHING = {
    "no",
    "none",
    "nope",
    "nothing",
    "n/a",
    "na",
    "-",
    "—",
    "nothing blocking",
    "no blockers",
    "all good",
}


def _nothing(text: str) -> bool:
    """“None”, “n/a”, “no blockers”: an answer that says there is no blocker."""
    return text.strip().strip(".!").lower() in NOTHING


# --- blockers -----------------------------------------------------------------------------------


def _blocker_rights(person: Person, blocker: Blocker) -> tuple[bool, bool, bool]:
    from .queries import blocker_rights  # queries reads settings_for from this module

    return blocker_rights(person, blocker)


def acknowledge_blocker(blocker: Blocker, *, by: Person, now: dt.datetime | None = None) -> Blocker:
    now = now or timezone.now()
    if not _blocker_rights(by, blocker)[1]:
        raise PermissionDenied("Only the team's managers and admins acknowledge blockers.")
    if blocker.resolved_at is None and blocker.acknowledged_at is None:
        Blocker.objects.filter(pk=blocker.pk, acknowledged_at__isnull=True).update(
            acknowledged_by=by, acknowledged_at=now
        )
        blocker.refresh_from_db()
    return blocker


def resolve_blocker(blocker: Blocker, *, by: Person, now: dt.datetime | None = None) -> Blocker:
    now = now or timezone.now()
    if not _blocker_rights(by, blocker)[2]:
        raise PermissionDenied("Only the team's managers, admins and the person themselves resolve blockers.")
    if blocker.resolved_at is None:
        changes: dict[str, Any] = {"resolved_by": by, "resolved_at": now}
        if blocker.acknowledged_at is None:
            changes.update(acknowledged_by=by, acknowledged_at=now)
        Blocker.objects.filter(pk=blocker.pk, resolved_at__isnull=True).update(**changes)
        blocker.refresh_from_db()
    return blocker
