"""Plans' rules: milestones inside the plan, acknowledgement of every change, the manager's obligations
and the extension they propose, and a history that only grows."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.lib.refusals import Conflict, Forbidden, Invalid, NotFound
from accord.meetings.models import Meeting, MeetingStatus, OneOnOneSeries
from accord.plans import queries
from accord.plans.actions import (
    acknowledge,
    add_entry,
    add_milestone,
    change_milestone,
    change_plan,
    close_plan,
    extend_plan,
    record_outcome,
    write_feedback,
)
from accord.plans.models import Plan, PlanEvent

from .conftest import START, open_plan

pytestmark = pytest.mark.django_db
LATER = START + dt.timedelta(days=3)


@pytest.mark.parametrize(
    ("kwargs", "field", "reason"),
    [
        (
            {"milestones": [("Ship it", dt.date(2026, 4, 2))]},
            "milestones.0.due_date",
            "A milestone must fall due on or before the plan's end date.",
        ),
        (
            {"milestones": [("   ", dt.date(2026, 3, 20))]},
            "milestones.0.criterion",
            "Say how the milestone will be measured.",
        ),
        (
            {"milestones": [("Fine", dt.date(2026, 3, 20)), ("Early", dt.date(2026, 2, 1))]},
            "milestones.1.due_date",
            "A milestone cannot fall due before the plan starts.",
        ),
        ({"end": dt.date(2026, 3, 1)}, "end_date", "The end date must be after the plan starts."),
        (
            {"end": dt.date(2027, 6, 1)},
            "end_date",
            "A plan runs at most 366 days; nothing should linger for a year.",
        ),
    ],
)
def test_bad_plans_are_refused_naming_the_field(cast, kwargs, field, reason):
    with pytest.raises(Invalid) as refused:
        open_plan(cast, **kwargs)
    assert (refused.value.field, refused.value.reason) == (field, reason)
    assert Plan.objects.count() == 0


def test_only_the_persons_own_manager_opens_a_plan_and_hr_must_be_an_admin(cast):
    from accord.plans.actions import create_plan

    for actor in ["boss", "peer", "hr", "other_lead"]:
        with pytest.raises(NotFound):
            create_plan(
                cast[actor],
                person=cast["person"],
                hr_contact=cast["hr"],
                title="T",
                reason="",
                end_date=dt.date(2026, 3, 30),
                milestones=[("M", dt.date(2026, 3, 20))],
                now=START,
            )
    with pytest.raises(Invalid) as refused:
        create_plan(
            cast["manager"],
            person=cast["person"],
            hr_contact=cast["peer"],
            title="T",
            reason="",
            end_date=dt.date(2026, 3, 30),
            milestones=[("M", dt.date(2026, 3, 20))],
            now=START,
        )
    assert refused.value.field == "hr_contact"


def test_a_change_after_acknowledgement_needs_acknowledging_again(cast, plan):
    assert (plan.version, plan.acknowledged) == (1, False)
    acknowledge(plan, cast["person"], now=LATER)
    assert (plan.acknowledged, plan.agreed_end_date) == (True, dt.date(2026, 3, 30))
    with pytest.raises(Conflict):
        acknowledge(plan, cast["person"], now=LATER)

    extend_plan(plan, cast["manager"], 14, now=LATER)
    plan.refresh_from_db()
    # The longer plan binds only once acknowledged: until then the agreed end still counts.
    assert (plan.version, plan.acknowledged, plan.end_date, plan.binding_end) == (
        2,
        False,
        dt.date(2026, 4, 13),
        dt.date(2026, 3, 30),
    )
    acknowledge(plan, cast["person"], now=LATER)
    assert (plan.acknowledged, plan.binding_end) == (True, dt.date(2026, 4, 13))

    milestone = plan.milestones.first()
    change_milestone(
        milestone, cast["manager"], criterion="Ship the billing fix with tests and a runbook", now=LATER
    )
    plan.refresh_from_db()
    assert (plan.version, plan.acknowledged) == (3, False)
    add_milestone(
        plan, cast["manager"], criterion="Pair on two incidents", due_date=dt.date(2026, 4, 10), now=LATER
    )
    plan.refresh_from_db()
    assert plan.version == 4
    # Judgements on the terms are not changes to them.
    record_outcome(milestone, cast["manager"], "met", now=LATER)
    write_feedback(milestone, cast["manager"], "Good, and the runbook helped.", now=LATER)
    plan.refresh_from_db()
    assert plan.version == 4


def test_the_person_reads_and_comments_but_does_not_change_the_plan(cast, plan):
    milestone = plan.milestones.first()
    with pytest.raises(Forbidden):
        change_plan(plan, cast["person"], title="Nothing to see")
    with pytest.raises(Forbidden):
        record_outcome(milestone, cast["person"], "met")
    with pytest.raises(Forbidden):
        write_feedback(milestone, cast["hr"], "HR writes no milestone feedback")
    with pytest.raises(Forbidden):
        acknowledge(plan, cast["manager"])
    for who in ["person", "manager", "hr"]:
        add_entry(plan, cast[who], kind="comment", text=f"From {who}", now=LATER)
    for outsider in ["peer", "boss", "admin"]:
        with pytest.raises(NotFound):
            add_entry(plan, cast[outsider], kind="comment", text="Let me in")
    assert [e.text for e in queries.entries(plan)] == ["From person", "From manager", "From hr"]


def test_evidence_links_only_to_the_persons_own_recent_commitments(cast, plan):
    from accord.goals.models import Commitment

    theirs = Commitment.objects.create(
        org=plan.org,
        owner=cast["person"],
        title="Billing fix",
        definition_of_done="Merged",
        due_on=dt.date(2026, 3, 12),
    )
    peers = Commitment.objects.create(
        org=plan.org, owner=cast["peer"], title="Other", definition_of_done="x", due_on=dt.date(2026, 3, 12)
    )
    entry = add_entry(
        plan,
        cast["person"],
        kind="evidence",
        text="Merged on time",
        commitment_id=theirs.pk,
        milestone=plan.milestones.first(),
    )
    assert entry.commitment_id == theirs.pk
    with pytest.raises(Invalid) as refused:
        add_entry(plan, cast["person"], kind="evidence", text="Not mine", commitment_id=peers.pk)
    assert refused.value.field == "commitment"
    with pytest.raises(Invalid) as refused:
        add_entry(plan, cast["person"], kind="evidence", text="  ")
    assert refused.value.field == "text"


def held(plan, at, status=MeetingStatus.HELD):
    series = OneOnOneSeries.objects.filter(manager=plan.manager, report=plan.person).first()
    if series is None:
        series = OneOnOneSeries.objects.create(
            org=plan.org,
            manager=plan.manager,
            report=plan.person,
            start_time=dt.time(10),
            timezone=plan.manager.timezone,
            starts_on=START.date(),
        )
    Meeting.objects.create(
        org=plan.org, series=series, scheduled_at=at, ends_at=at + dt.timedelta(minutes=30), status=status
    )


def test_missed_one_on_ones_and_late_feedback_propose_an_extension_as_long_as_they_cover(cast, plan):
    # Weeks from Monday 2 March: held in weeks 1 and 3, skipped in week 2, nothing in week 4.
    held(plan, dt.datetime(2026, 3, 4, 15, tzinfo=dt.UTC))
    held(plan, dt.datetime(2026, 3, 11, 15, tzinfo=dt.UTC), status=MeetingStatus.SKIPPED)
    held(plan, dt.datetime(2026, 3, 18, 14, tzinfo=dt.UTC))
    now = dt.datetime(2026, 3, 31, 12, tzinfo=dt.UTC)
    milestones = list(plan.milestones.all())
    owed = queries.obligations(plan, milestones, now)
    assert (owed.weeks_due, owed.weeks_held) == (4, 2)
    # The first milestone (due 13 March) had no feedback by 20 March: owed from then until today (31st).
    assert [(m.start, m.end) for m in owed.missed] == [
        (dt.date(2026, 3, 9), dt.date(2026, 3, 16)),
        (dt.date(2026, 3, 23), dt.date(2026, 3, 30)),
        (dt.date(2026, 3, 20), dt.date(2026, 3, 31)),
    ]
    # 9–15 March (7 days) and 20–30 March (11 days, the week of the 23rd inside it): 18 days.
    assert owed.extension_days == 18


def test_feedback_on_time_is_an_obligation_met(cast, plan):
    milestone = plan.milestones.first()
    write_feedback(milestone, cast["manager"], "Solid work.", now=dt.datetime(2026, 3, 16, 15, tzinfo=dt.UTC))
    plan.weekly_one_on_one = False
    owed = queries.obligations(plan, list(plan.milestones.all()), dt.datetime(2026, 3, 31, 12, tzinfo=dt.UTC))
    assert (owed.feedback_due, owed.feedback_given, owed.extension_days) == (1, 1, 0)


def test_closing_needs_an_outcome_for_every_milestone(cast, plan):
    first, second = plan.milestones.all()
    record_outcome(first, cast["manager"], "met")
    with pytest.raises(Conflict):
        close_plan(plan, cast["manager"])
    record_outcome(second, cast["manager"], "not_met")
    close_plan(plan, cast["hr"])
    plan.refresh_from_db()
    assert plan.closed_at is not None
    with pytest.raises(Conflict):
        add_entry(plan, cast["person"], kind="comment", text="Too late")


def test_history_only_grows_and_refuses_updates_and_deletes(cast, plan):
    before = list(PlanEvent.objects.filter(plan=plan).values_list("id", "kind", "version", "summary", "at"))
    assert [row[1] for row in before] == ["created"]
    acknowledge(plan, cast["person"], now=LATER)
    change_plan(plan, cast["manager"], title="Reliable delivery, together", now=LATER)
    record_outcome(plan.milestones.first(), cast["manager"], "met", now=LATER)
    add_entry(plan, cast["person"], kind="comment", text="I disagree with the first date.", now=LATER)
    after = list(PlanEvent.objects.filter(plan=plan).values_list("id", "kind", "version", "summary", "at"))
    assert after[: len(before)] == before
    assert [row[1] for row in after] == ["created", "acknowledged", "changed", "outcome", "comment"]
    assert after[2][3] == "Changed: title “Reliable delivery” → “Reliable delivery, together”."
    event = PlanEvent.objects.filter(plan=plan).first()
    event.summary = "Rewritten"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        PlanEvent.objects.filter(plan=plan).update(summary="Rewritten")
    with pytest.raises(TypeError):
        PlanEvent.objects.filter(plan=plan).delete()
    assert (
        list(PlanEvent.objects.filter(plan=plan).values_list("id", "kind", "version", "summary", "at"))
        == after
    )


def test_deleting_the_organisation_takes_its_plans_and_their_history(cast, plan, org):
    acknowledge(plan, cast["person"], now=LATER)
    org.delete()
    assert (Plan.objects.count(), PlanEvent.objects.count()) == (0, 0)
