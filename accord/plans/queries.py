"""Who may see a plan, what the manager owes on it, and what lingers.

The one rule for seeing a plan: the person, the manager who holds it, the HR contact named on it and the
organisation's HR lead. Nobody else, not an admin, not a manager further up: they get the same 404 as for
an id that does not exist. Lists and the API go through `visible_plans`, detail pages through `access_plan`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from accord.checkins.models import Blocker, Checkin
from accord.goals.models import Commitment
from accord.goals.queries import slipping
from accord.meetings.models import Meeting, MeetingStatus
from accord.orgs.access import first_or_404
from accord.orgs.chart import reports_below
from accord.orgs.models import Person

from .models import DEFAULT_BLOCKER_DAYS, Milestone, Outcome, Plan, PlanEvent, PlanSettings

# Feedback on a milestone is owed within this many days of its due date.
FEEDBACK_GRACE_DAYS = 7
# A commitment open past its due date slips again each week it stays open; more than twice means it is
# at least this many days late.
SLIPPED_DAYS = 14


@dataclass(frozen=True)
class PlanRights:
    role: str  # "person", "manager" or "hr"
    change: bool  # the terms, milestones, outcomes, extension and closing
    acknowledge: bool
    feedback: bool


def settings_of(org_id: int) -> PlanSettings:
    found = PlanSettings.objects.filter(org_id=org_id).first()
    return found or PlanSettings(org_id=org_id, blocker_days=DEFAULT_BLOCKER_DAYS)


def hr_lead_id(org_id: int) -> int | None:
    return PlanSettings.objects.filter(org_id=org_id).values_list("hr_lead_id", flat=True).first()


def visible_plans(person: Person) -> QuerySet[Plan]:
    rows = Plan.objects.filter(org_id=person.org_id).select_related("person", "manager", "hr_contact")
    if hr_lead_id(person.org_id) == person.pk:
        return rows
    return rows.filter(Q(person=person) | Q(manager=person) | Q(hr_contact=person))


def rights_for(person: Person, plan: Plan, lead_id: int | None) -> PlanRights | None:
    if person.org_id != plan.org_id:
        return None
    if plan.person_id == person.pk:
        return PlanRights("person", change=False, acknowledge=True, feedback=False)
    if plan.manager_id == person.pk:
        return PlanRights("manager", change=True, acknowledge=False, feedback=True)
    if plan.hr_contact_id == person.pk or lead_id == person.pk:
        return PlanRights("hr", change=True, acknowledge=False, feedback=False)
    return None


def access_plan(person: Person, plan_id: int) -> tuple[Plan, PlanRights]:
    plan = first_or_404(
        Plan.objects.filter(org_id=person.org_id, pk=plan_id).select_related(
            "person", "manager", "hr_contact"
        ),
        "No such plan.",
    )
    rights = rights_for(person, plan, hr_lead_id(person.org_id))
    if rights is None:
        first_or_404(Plan.objects.none(), "Not a plan you are named on.")
    assert rights is not None
    return plan, rights


def access_milestone_by_id(person: Person, milestone_id: int) -> Milestone:
    """A milestone of a plan the person is named on (the plan comes with it, checked)."""
    milestone = first_or_404(
        Milestone.objects.filter(org_id=person.org_id, pk=milestone_id), "No such milestone."
    )
    milestone.plan, _ = access_plan(person, milestone.plan_id)
    return milestone


def local_today(person: Person, now: dt.datetime) -> dt.date:
    return now.astimezone(person.zone).date()


# --- the manager's obligations -------------------------------------------------------------------


@dataclass(frozen=True)
class Missed:
    what: str
    start: dt.date
    end: dt.date  # exclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days


@dataclass
class Obligations:
    weeks_due: int = 0
    weeks_held: int = 0
    feedback_due: int = 0
    feedback_given: int = 0
    missed: list[Missed] = field(default_factory=list)

    @property
    def extension_days(self) -> int:
        """How long the manager's missed obligations cover, counting a day once however many missed
        obligations fall on it: the length of the extension the plan proposes."""
        days: set[dt.date] = set()
        for m in self.missed:
            days.update(m.start + dt.timedelta(days=i) for i in range(m.days))
        return len(days)


def held_one_on_ones(plan: Plan) -> list[dt.datetime]:
    return list(
        Meeting.objects.filter(
            org_id=plan.org_id,
            series__manager_id=plan.manager_id,
            series__report_id=plan.person_id,
            status=MeetingStatus.HELD,
        ).values_list("scheduled_at", flat=True)
    )


def obligations(plan: Plan, milestones: list[Milestone], now: dt.datetime) -> Obligations:
    """What the manager owed so far and what they missed, on the manager's own calendar."""
    found = Obligations()
    today = local_today(plan.manager, now)
    last = min(today, plan.end_date + dt.timedelta(days=1))
    if plan.weekly_one_on_one:
        zone = plan.manager.zone
        held = {at.astimezone(zone).date() for at in held_one_on_ones(plan)}
        start = plan.starts_on
        while start + dt.timedelta(days=7) <= last:
            end = start + dt.timedelta(days=7)
            found.weeks_due += 1
            if any(start <= day < end for day in held):
                found.weeks_held += 1
            else:
                found.missed.append(Missed(f"No 1:1 held in the week from {start:%-d %b}", start, end))
            start = end
    if plan.feedback_per_milestone:
        for m in milestones:
            owed = m.due_date + dt.timedelta(days=FEEDBACK_GRACE_DAYS)
            if m.feedback_on is not None and m.feedback_on <= owed:
                found.feedback_due += 1
                found.feedback_given += 1
                continue
            if owed >= today:
                continue  # not owed yet
            found.feedback_due += 1
            end = m.feedback_on or today
            if m.feedback_on is not None:
                found.feedback_given += 1
            found.missed.append(Missed(f"Written feedback late on “{m.criterion}”", owed, end))
    return found


# --- lingering --------------------------------------------------------------------------------


def is_lingering(plan: Plan, milestones: list[Milestone], today: dt.date) -> bool:
    """Open past the end date the person agreed to, with a milestone still without an outcome."""
    if plan.closed_at is not None or today <= plan.binding_end:
        return False
    return not milestones or any(m.outcome == Outcome.OPEN for m in milestones)


def lingering_plans(viewer: Person, now: dt.datetime) -> list[Plan]:
    plans = list(
        visible_plans(viewer)
        .filter(closed_at__isnull=True)
        .prefetch_related("milestones")
        .order_by("end_date")
    )
    found = []
    for plan in plans:
        if is_lingering(plan, list(plan.milestones.all()), local_today(plan.person, now)):
            plan.days_over = (local_today(plan.person, now) - plan.binding_end).days  # type: ignore[attr-defined]
            found.append(plan)
    return found


@dataclass
class Lingering:
    scope: str
    plans: list[Plan]
    commitments: list[Commitment]
    blockers: list[Blocker]
    blocker_days: int


def lingering(viewer: Person, now: dt.datetime | None = None) -> Lingering:
    """Everything that has waited too long: plans past their end, commitments slipped more than twice,
    blockers nobody acknowledged. An admin sees the whole organisation; anyone else their own items and
    everyone below them, so a person sees what their manager's list says about them."""
    now = now or timezone.now()
    blocker_days = settings_of(viewer.org_id).blocker_days
    people = Person.objects.filter(org_id=viewer.org_id, is_active=True)
    if not viewer.is_admin:
        people = people.filter(pk__in=[viewer.pk, *reports_below(viewer)])
    scope = list(people)
    late = [c for c in slipping(scope, now, limit=200) if c.days_late >= SLIPPED_DAYS]  # type: ignore[attr-defined]
    for c in late:
        c.slips = 1 + c.days_late // 7  # type: ignore[attr-defined]
    blockers = Blocker.objects.filter(
        org_id=viewer.org_id,
        acknowledged_at__isnull=True,
        resolved_at__isnull=True,
        created_at__lt=now - dt.timedelta(days=blocker_days),
    ).select_related("person", "checkin")
    if not viewer.is_admin:
        blockers = blockers.filter(person__in=[p.pk for p in scope])
    found = list(blockers.order_by("created_at")[:200])
    for b in found:
        b.days_waiting = (now - b.created_at).days  # type: ignore[attr-defined]
    return Lingering(
        scope="the whole organisation" if viewer.is_admin else "you and everyone who reports to you",
        plans=lingering_plans(viewer, now),
        commitments=late,
        blockers=found,
        blocker_days=blocker_days,
    )


# --- a plan's page ----------------------------------------------------------------------------------


def history(plan: Plan) -> list[PlanEvent]:
    return list(PlanEvent.objects.filter(org_id=plan.org_id, plan=plan).select_related("actor"))


def evidence_choices(plan: Plan) -> tuple[list[Commitment], list[Checkin]]:
    """The person's own commitments and submitted check-ins since the plan began, to point evidence at."""
    commitments = list(
        Commitment.objects.filter(
            org_id=plan.org_id, owner_id=plan.person_id, due_on__gte=plan.starts_on
        ).order_by("due_on", "id")[:100]
    )
    checkins = list(
        Checkin.objects.filter(
            org_id=plan.org_id, person_id=plan.person_id, day__gte=plan.starts_on, submitted_at__isnull=False
        ).order_by("-day")[:100]
    )
    return commitments, checkins


def entries(plan: Plan) -> list:  # type: ignore[type-arg]
    return list(plan.entries.select_related("author", "milestone", "commitment", "checkin"))


def people_to_plan_for(manager: Person) -> list[Person]:
    return list(
        Person.objects.filter(org_id=manager.org_id, manager=manager, is_active=True).order_by("name")
    )


def hr_people(org_id: int) -> QuerySet[Person]:
    return Person.objects.filter(org_id=org_id, is_active=True, role__in=["admin", "owner"]).order_by("name")


def has_plans(person: Person) -> bool:
    return visible_plans(person).exists()


def person_in_org(org_id: int, person_id: int) -> Person | None:
    return Person.objects.filter(org_id=org_id, pk=person_id).first()
