"""Two improvement plans in Support Level 1, both held by Lena Fischer with Grace Mensah as HR contact
and HR lead: one that ended fairly (every milestone decided, feedback written in time, closed) and one
past its end date with a milestone undecided, whose day +1 and day +7 notices have gone out and whose
day +14 notice is still to come. Neither is for the member persona, who sees no plan at all.

Both are built through the plan actions with the clock of the moment each step happened, so their
histories read as they would have been written.
"""

from __future__ import annotations

import datetime as dt

from accord.plans.actions import (
    acknowledge,
    add_entry,
    close_plan,
    create_plan,
    record_notice,
    record_outcome,
    save_settings,
    write_feedback,
)
from accord.plans.models import PlanNotice

from .people import Cast


def _at(cast: Cast, days_ago: int, hour: int = 10) -> dt.datetime:
    return cast.moment.replace(hour=hour, minute=0, second=0, microsecond=0) - dt.timedelta(days=days_ago)


def build_plans(cast: Cast) -> None:
    lead, hr = cast.by_key["l1_lead"], cast.by_key["people_admin"]
    member = cast.by_key["l1_member"]
    reports = [p for p in cast.reports(lead) if p.pk != member.pk and p.is_active]
    if len(reports) < 2:
        return
    save_settings(hr, hr_lead=hr, blocker_days=5)
    fair, late = reports[0], reports[1]

    start = _at(cast, 110)
    day = start.date()
    plan = create_plan(
        lead,
        person=fair,
        hr_contact=hr,
        title="First-reply times back within the team's promise",
        reason="Over the last quarter half of first replies took more than a working day.",
        end_date=day + dt.timedelta(days=56),
        milestones=[
            ("Median first reply under 4 working hours for two weeks running", day + dt.timedelta(days=21)),
            ("No ticket older than 3 days in the queue at a shift's end", day + dt.timedelta(days=42)),
            ("Write the macro guide for the five most common questions", day + dt.timedelta(days=52)),
        ],
        now=start,
    )
    acknowledge(plan, fair, now=start + dt.timedelta(hours=5))
    add_entry(
        plan,
        fair,
        kind="comment",
        text="Agreed; the billing backlog is most of it.",
        now=start + dt.timedelta(hours=6),
    )
    outcomes = ["met", "met", "not_met"]
    for m, outcome in zip(plan.milestones.all(), outcomes, strict=True):
        noon = dt.datetime.combine(m.due_date, dt.time(12), tzinfo=dt.UTC) + dt.timedelta(days=2)
        add_entry(
            plan, fair, kind="evidence", milestone=m, text="Numbers from the queue report attached.", now=noon
        )
        write_feedback(
            m,
            lead,
            "Thank you; we went through it in our 1:1."
            if outcome == "met"
            else "The guide is half done; it moves to your development goals.",
            now=noon,
        )
        record_outcome(m, lead, outcome, now=noon)
    close_plan(plan, lead, now=dt.datetime.combine(plan.end_date, dt.time(15), tzinfo=dt.UTC))

    start = _at(cast, 70)
    day = start.date()
    end = (cast.moment - dt.timedelta(days=9)).date()
    plan = create_plan(
        lead,
        person=late,
        hr_contact=hr,
        title="Escalations written so Level 2 can act on them",
        reason="Level 2 sent back one in three escalations last month for missing steps to reproduce.",
        end_date=end,
        milestones=[
            ("Every escalation has steps to reproduce and the customer's plan", day + dt.timedelta(days=28)),
            ("Fewer than one in ten escalations sent back over four weeks", end - dt.timedelta(days=3)),
        ],
        now=start,
    )
    acknowledge(plan, late, now=start + dt.timedelta(days=1))
    first = plan.milestones.first()
    assert first is not None
    noon = dt.datetime.combine(first.due_date, dt.time(12), tzinfo=dt.UTC)
    write_feedback(first, lead, "Much clearer escalations; keep the template.", now=noon)
    record_outcome(first, lead, "met", now=noon)
    # The second milestone never got an outcome: the plan lingers, and the scheduler has told people.
    for notice in (
        PlanNotice.objects.filter(plan=plan, send_at__lte=cast.moment)
        .select_related("recipient", "plan")
        .order_by("send_at", "id")
    ):
        PlanNotice.objects.filter(pk=notice.pk).update(next_send_at=None)
        record_notice(notice, notice.send_at)
