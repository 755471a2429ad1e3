"""Writes on improvement plans. Each action checks who may do it, changes the plan and appends what
changed to its history in one transaction.

A change to the terms (title, reason, end date, obligations, a milestone's criterion or due date) makes a
new version that the person has to acknowledge again; until they do, the end date they agreed to is the
one that counts for lingering. Outcomes, feedback, evidence and comments are judgements on the terms, not
changes to them: they are recorded in the history but ask for no new acknowledgement.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accord.lib.refusals import Conflict, Forbidden, Invalid, NotFound
from accord.lib.text import line_problem, paragraph_problem
from accord.lib.tz import to_utc
from accord.orgs.models import Person, Role

from . import queries
from .models import (
    CRITERION_MAX,
    NOTICE_DAYS,
    NOTICE_HOUR,
    TEXT_MAX,
    TITLE_MAX,
    EntryKind,
    Milestone,
    Outcome,
    Plan,
    PlanEntry,
    PlanEvent,
    PlanNotice,
    PlanSettings,
)
from .queries import PlanRights

MAX_PLAN_DAYS = 366
MAX_EXTENSION_DAYS = 180
MAX_MILESTONES = 20
NOT_NAMED = "Not a plan you are named on."


def _rights(actor: Person, plan: Plan) -> PlanRights:
    rights = queries.rights_for(actor, plan, queries.hr_lead_id(plan.org_id))
    if rights is None:
        raise NotFound(NOT_NAMED)
    return rights


def _may_change(actor: Person, plan: Plan) -> PlanRights:
    rights = _rights(actor, plan)
    if not rights.change:
        raise Forbidden("Only the manager and HR change a plan.")
    if plan.closed_at is not None:
        raise Conflict("This plan is closed.")
    return rights


def _log(plan: Plan, actor: Person | None, kind: str, summary: str, now: dt.datetime) -> None:
    PlanEvent.objects.create(
        org_id=plan.org_id, plan=plan, actor=actor, kind=kind, version=plan.version, summary=summary, at=now
    )


def _text(value: str, field: str, limit: int, empty: str, *, paragraphs: bool = False) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(empty, field)
    if len(value) > limit:
        raise Invalid(f"At most {limit} characters.", field)
    problem = paragraph_problem(value) if paragraphs else line_problem(value)
    if problem:
        raise Invalid(problem, field)
    return value


def _optional_text(value: str, field: str) -> str:
    value = (value or "").strip()
    if len(value) > TEXT_MAX:
        raise Invalid(f"At most {TEXT_MAX} characters.", field)
    problem = paragraph_problem(value) if value else None
    if problem:
        raise Invalid(problem, field)
    return value


def _check_end(starts_on: dt.date, end_date: dt.date) -> None:
    if end_date <= starts_on:
        raise Invalid("The end date must be after the plan starts.", "end_date")
    if (end_date - starts_on).days > MAX_PLAN_DAYS:
        raise Invalid(
            f"A plan runs at most {MAX_PLAN_DAYS} days; nothing should linger for a year.", "end_date"
        )


def _check_due(plan: Plan, due_date: dt.date) -> None:
    if due_date < plan.starts_on:
        raise Invalid("A milestone cannot fall due before the plan starts.", "due_date")
    if due_date > plan.end_date:
        raise Invalid("A milestone must fall due on or before the plan's end date.", "due_date")


def _check_hr(plan_person: Person, manager: Person, hr_contact: Person) -> None:
    if hr_contact.org_id != manager.org_id or not hr_contact.is_active:
        raise Invalid("Choose an HR contact from your organisation.", "hr_contact")
    if hr_contact.role not in (Role.ADMIN, Role.OWNER):
        raise Invalid("The HR contact must be an admin of the organisation.", "hr_contact")
    if hr_contact.pk in (plan_person.pk, manager.pk):
        raise Invalid("The HR contact must be someone other than the person and their manager.", "hr_contact")


def create_plan(
    actor: Person,
    *,
    person: Person,
    hr_contact: Person,
    title: str,
    reason: str,
    end_date: dt.date,
    milestones: list[tuple[str, dt.date]],
    weekly_one_on_one: bool = True,
    feedback_per_milestone: bool = True,
    now: dt.datetime | None = None,
) -> Plan:
    """Only the person's own manager opens a plan for them."""
    now = now or timezone.now()
    if person.org_id != actor.org_id or person.manager_id != actor.pk or not person.is_active:
        raise NotFound("You can open a plan only for someone who reports to you.", "person")
    starts_on = queries.local_today(actor, now)
    plan = Plan(
        org_id=actor.org_id,
        person=person,
        manager=actor,
        hr_contact=hr_contact,
        title=_text(title, "title", TITLE_MAX, "Give the plan a title."),
        reason=_optional_text(reason, "reason"),
        starts_on=starts_on,
        end_date=end_date,
        agreed_end_date=end_date,
        weekly_one_on_one=weekly_one_on_one,
        feedback_per_milestone=feedback_per_milestone,
        created_at=now,
    )
    _check_hr(person, actor, hr_contact)
    _check_end(starts_on, end_date)
    if not milestones:
        raise Invalid("A plan needs at least one measurable milestone.", "milestones")
    if len(milestones) > MAX_MILESTONES:
        raise Invalid(f"At most {MAX_MILESTONES} milestones.", "milestones")
    rows = []
    for i, (criterion, due) in enumerate(milestones):
        try:
            text = _text(criterion, "criterion", CRITERION_MAX, "Say how the milestone will be measured.")
            _check_due(plan, due)
        except Invalid as exc:
            raise Invalid(exc.reason, f"milestones.{i}.{exc.field}") from exc
        rows.append((text, due))
    with transaction.atomic():
        plan.save()
        Milestone.objects.bulk_create(
            Milestone(org_id=plan.org_id, plan=plan, criterion=c, due_date=d) for c, d in rows
        )
        listed = "; ".join(f"{c} (due {d:%-d %b %Y})" for c, d in rows)
        _log(plan, actor, "created", f"Plan opened, ending {end_date:%-d %b %Y}. Milestones: {listed}.", now)
        schedule_notices(plan)
    return plan


def change_plan(
    plan: Plan,
    actor: Person,
    *,
    title: str | None = None,
    reason: str | None = None,
    end_date: dt.date | None = None,
    hr_contact: Person | None = None,
    weekly_one_on_one: bool | None = None,
    feedback_per_milestone: bool | None = None,
    now: dt.datetime | None = None,
) -> list[str]:
    """Change the terms; returns what changed (nothing changed, no new version)."""
    now = now or timezone.now()
    _may_change(actor, plan)
    changed: list[str] = []
    if title is not None:
        title = _text(title, "title", TITLE_MAX, "Give the plan a title.")
        if title != plan.title:
            changed.append(f"title “{plan.title}” → “{title}”")
            plan.title = title
    if reason is not None:
        reason = _optional_text(reason, "reason")
        if reason != plan.reason:
            changed.append("reason rewritten")
            plan.reason = reason
    if end_date is not None and end_date != plan.end_date:
        _check_end(plan.starts_on, end_date)
        late = plan.milestones.filter(due_date__gt=end_date).first()
        if late is not None:
            raise Invalid(f"“{late.criterion}” falls due after that date; move it first.", "end_date")
        changed.append(f"end date {plan.end_date:%-d %b %Y} → {end_date:%-d %b %Y}")
        plan.end_date = end_date
    if hr_contact is not None and hr_contact.pk != plan.hr_contact_id:
        _check_hr(plan.person, plan.manager, hr_contact)
        changed.append(f"HR contact {plan.hr_contact.name} → {hr_contact.name}")
        plan.hr_contact = hr_contact
    for name, value, words in (
        ("weekly_one_on_one", weekly_one_on_one, "weekly 1:1"),
        ("feedback_per_milestone", feedback_per_milestone, "written feedback on each milestone"),
    ):
        if value is not None and value != getattr(plan, name):
            changed.append(f"{words} {'added to' if value else 'removed from'} the manager's obligations")
            setattr(plan, name, value)
    if changed:
        with transaction.atomic():
            plan.version += 1
            plan.save()
            _log(plan, actor, "changed", "Changed: " + "; ".join(changed) + ".", now)
            schedule_notices(plan)
    return changed


def add_milestone(
    plan: Plan, actor: Person, *, criterion: str, due_date: dt.date, now: dt.datetime | None = None
) -> Milestone:
    now = now or timezone.now()
    _may_change(actor, plan)
    text = _text(criterion, "criterion", CRITERION_MAX, "Say how the milestone will be measured.")
    _check_due(plan, due_date)
    if plan.milestones.count() >= MAX_MILESTONES:
        raise Invalid(f"At most {MAX_MILESTONES} milestones.", "criterion")
    with transaction.atomic():
        milestone = Milestone.objects.create(org_id=plan.org_id, plan=plan, criterion=text, due_date=due_date)
        plan.version += 1
        plan.save(update_fields=["version"])
        _log(plan, actor, "milestone added", f"Milestone added: {text} (due {due_date:%-d %b %Y}).", now)
    return milestone


def change_milestone(
    milestone: Milestone,
    actor: Person,
    *,
    criterion: str | None = None,
    due_date: dt.date | None = None,
    now: dt.datetime | None = None,
) -> list[str]:
    now = now or timezone.now()
    plan = milestone.plan
    _may_change(actor, plan)
    changed = []
    if criterion is not None:
        text = _text(criterion, "criterion", CRITERION_MAX, "Say how the milestone will be measured.")
        if text != milestone.criterion:
            changed.append(f"criterion “{milestone.criterion}” → “{text}”")
            milestone.criterion = text
    if due_date is not None and due_date != milestone.due_date:
        _check_due(plan, due_date)
        changed.append(f"due {milestone.due_date:%-d %b %Y} → {due_date:%-d %b %Y}")
        milestone.due_date = due_date
    if changed:
        with transaction.atomic():
            milestone.save(update_fields=["criterion", "due_date"])
            plan.version += 1
            plan.save(update_fields=["version"])
            _log(plan, actor, "milestone changed", "Milestone changed: " + "; ".join(changed) + ".", now)
    return changed


def record_outcome(milestone: Milestone, actor: Person, outcome: str, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    plan = milestone.plan
    _may_change(actor, plan)
    if outcome not in Outcome.values:
        raise Invalid("An outcome is met, not met or not decided.", "outcome")
    if outcome == milestone.outcome:
        return
    with transaction.atomic():
        milestone.outcome = outcome
        milestone.save(update_fields=["outcome"])
        _log(plan, actor, "outcome", f"“{milestone.criterion}”: {Outcome(outcome).label.lower()}.", now)


def write_feedback(milestone: Milestone, actor: Person, text: str, now: dt.datetime | None = None) -> None:
    """The manager's written feedback on a milestone: one of their obligations on the plan."""
    now = now or timezone.now()
    plan = milestone.plan
    rights = _rights(actor, plan)
    if not rights.feedback:
        raise Forbidden("Only the manager writes the feedback on a milestone.")
    if plan.closed_at is not None:
        raise Conflict("This plan is closed.")
    text = _text(text, "feedback", TEXT_MAX, "Write the feedback.", paragraphs=True)
    with transaction.atomic():
        first = not milestone.feedback
        milestone.feedback = text
        if first:
            milestone.feedback_on = queries.local_today(actor, now)
        milestone.save(update_fields=["feedback", "feedback_on"])
        _log(plan, actor, "feedback", f"Feedback on “{milestone.criterion}”: {text}", now)


def acknowledge(plan: Plan, actor: Person, now: dt.datetime | None = None) -> None:
    """The person confirms they have read this version. It says they were told, not that they agree."""
    now = now or timezone.now()
    rights = _rights(actor, plan)
    if not rights.acknowledge:
        raise Forbidden("Only the person the plan is for acknowledges it.")
    if plan.closed_at is not None:
        raise Conflict("This plan is closed.")
    if plan.acknowledged:
        raise Conflict("You have already acknowledged this version.")
    with transaction.atomic():
        plan.acknowledged_version = plan.version
        plan.acknowledged_at = now
        moved = plan.agreed_end_date is not None and plan.agreed_end_date != plan.end_date
        plan.agreed_end_date = plan.end_date
        plan.save(update_fields=["acknowledged_version", "acknowledged_at", "agreed_end_date"])
        extra = f" The end date is now {plan.end_date:%-d %b %Y}." if moved else ""
        _log(plan, actor, "acknowledged", f"Version {plan.version} acknowledged.{extra}", now)
        schedule_notices(plan)


def add_entry(
    plan: Plan,
    actor: Person,
    *,
    kind: str,
    text: str,
    milestone: Milestone | None = None,
    commitment_id: int | None = None,
    checkin_id: int | None = None,
    now: dt.datetime | None = None,
) -> PlanEntry:
    now = now or timezone.now()
    _rights(actor, plan)
    if plan.closed_at is not None:
        raise Conflict("This plan is closed.")
    if kind not in EntryKind.values:
        raise Invalid("Evidence or a comment.", "kind")
    text = _text(text, "text", TEXT_MAX, "Write a few words.", paragraphs=True)
    if milestone is not None and milestone.plan_id != plan.pk:
        raise Invalid("That milestone is not on this plan.", "milestone")
    commitments, checkins = queries.evidence_choices(plan)
    commitment = next((c for c in commitments if c.pk == commitment_id), None)
    checkin = next((c for c in checkins if c.pk == checkin_id), None)
    if commitment_id is not None and commitment is None:
        raise Invalid("Choose one of the person's commitments since the plan began.", "commitment")
    if checkin_id is not None and checkin is None:
        raise Invalid("Choose one of the person's check-ins since the plan began.", "checkin")
    with transaction.atomic():
        entry = PlanEntry.objects.create(
            org_id=plan.org_id,
            plan=plan,
            milestone=milestone,
            author=actor,
            kind=kind,
            text=text,
            commitment=commitment,
            checkin=checkin,
            created_at=now,
        )
        _log(plan, actor, kind, f"{EntryKind(kind).label} added: {text}", now)
    return entry


def extend_plan(plan: Plan, actor: Person, days: int, now: dt.datetime | None = None) -> None:
    """Move the end date. It binds once the person acknowledges it: until then the plan is still due
    to end on the date they agreed to."""
    now = now or timezone.now()
    _may_change(actor, plan)
    if not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise Invalid(f"Extend by 1 to {MAX_EXTENSION_DAYS} days.", "days")
    with transaction.atomic():
        old = plan.end_date
        plan.end_date = old + dt.timedelta(days=days)
        plan.version += 1
        plan.save(update_fields=["end_date", "version"])
        _log(
            plan,
            actor,
            "extended",
            f"Extended by {days} day{'s' if days != 1 else ''}: {old:%-d %b %Y} → {plan.end_date:%-d %b %Y}. "
            "It takes effect when acknowledged.",
            now,
        )


def close_plan(plan: Plan, actor: Person, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    _may_change(actor, plan)
    undecided = [m for m in plan.milestones.all() if m.outcome == Outcome.OPEN]
    if undecided:
        raise Conflict(f"Record an outcome for every milestone first (“{undecided[0].criterion}” has none).")
    with transaction.atomic():
        plan.closed_at = now
        plan.save(update_fields=["closed_at"])
        met = sum(m.outcome == Outcome.MET for m in plan.milestones.all())
        _log(plan, actor, "closed", f"Plan closed: {met} of {plan.milestones.count()} milestones met.", now)
        schedule_notices(plan)


def save_settings(actor: Person, *, hr_lead: Person | None, blocker_days: int) -> PlanSettings:
    if not actor.is_admin:
        raise NotFound("Only admins change these settings.")
    if hr_lead is not None and (
        hr_lead.org_id != actor.org_id
        or not hr_lead.is_active
        or hr_lead.role not in (Role.ADMIN, Role.OWNER)
    ):
        raise Invalid("The HR lead must be an active admin of the organisation.", "hr_lead")
    if not isinstance(blocker_days, int) or not 1 <= blocker_days <= 90:
        raise Invalid("Give a number of days from 1 to 90.", "blocker_days")
    found, _ = PlanSettings.objects.update_or_create(
        org_id=actor.org_id, defaults={"hr_lead": hr_lead, "blocker_days": blocker_days}
    )
    for plan in Plan.objects.filter(org_id=actor.org_id, closed_at__isnull=True).select_related(
        "manager", "hr_contact"
    ):
        schedule_notices(plan)
    return found


# --- notices ------------------------------------------------------------------------------------


def notice_recipients(plan: Plan, stage: int) -> list[Person]:
    """Day +1: the manager and the plan's HR contact. Later: the HR lead, or the HR contact again when
    the organisation has named no HR lead."""
    if stage == NOTICE_DAYS[0]:
        return [plan.manager, plan.hr_contact]
    lead = queries.settings_of(plan.org_id).hr_lead
    return [lead if lead is not None and lead.is_active else plan.hr_contact]


def schedule_notices(plan: Plan) -> None:
    """The notices a plan past the end date it was agreed to would send, each at 09:00 in its recipient's
    zone. Already-sent notices stay; unsent ones for another end date, another recipient or a closed plan
    go."""
    unsent = PlanNotice.objects.filter(org_id=plan.org_id, plan=plan, sent_at__isnull=True)
    if plan.closed_at is not None:
        unsent.delete()
        return
    end = plan.binding_end
    wanted = {(stage, p.pk): p for stage in NOTICE_DAYS for p in notice_recipients(plan, stage)}
    # Unsent notices for another end date, or to someone no longer to be told (a new HR lead), go.
    stale = [n.pk for n in unsent if n.end_date != end or (n.stage, n.recipient_id) not in wanted]
    if stale:
        PlanNotice.objects.filter(pk__in=stale).delete()
    for (stage, _), person in wanted.items():
        at = to_utc(end + dt.timedelta(days=stage), NOTICE_HOUR, person.zone)
        PlanNotice.objects.get_or_create(
            org_id=plan.org_id,
            plan=plan,
            end_date=end,
            stage=stage,
            recipient=person,
            defaults={"send_at": at, "next_send_at": at},
        )


def notice_is_due(notice: PlanNotice) -> bool:
    """Whether the plan still lingers as the notice was planned: open, the same agreed end date, and a
    milestone without an outcome."""
    plan = notice.plan
    if plan.closed_at is not None or plan.binding_end != notice.end_date or not notice.recipient.is_active:
        return False
    return queries.is_lingering(
        plan, list(plan.milestones.all()), notice.end_date + dt.timedelta(days=notice.stage)
    )


def record_notice(notice: PlanNotice, now: dt.datetime) -> None:
    PlanNotice.objects.filter(pk=notice.pk).update(sent_at=now)
    plan = notice.plan
    _log(
        plan,
        None,
        "notice",
        f"Day +{notice.stage} after the end date: {notice.recipient.name} was told the plan is still open.",
        now,
    )
