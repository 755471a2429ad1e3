"""A plan past its end: day +1 to the manager and the HR contact, +7 and +14 to the HR lead, each at 09:00
in their own zone and each once, however often the scheduler runs; nothing once the plan is resolved."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from accord.lib import jobs
from accord.plans.actions import acknowledge, extend_plan, record_outcome
from accord.plans.models import PlanEvent, PlanNotice

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def drive(start, end, *, runs=3, step=dt.timedelta(hours=1)):
    """Tick every hour from `start` to `end`, `runs` times at each moment (as several schedulers would)."""
    jobs.REGISTRY[:] = [k for k in jobs.REGISTRY if k.name == "plan notices"]
    got, at = [], start
    while at <= end:
        seen = len(mail.outbox)
        with time_machine.travel(at, tick=False):
            for _ in range(runs):
                jobs.tick()
        got += [(f"{at:%m-%d %H:%M}", m.to[0], m.subject) for m in mail.outbox[seen:]]
        at += step
    return got


def subject(days):
    return f"Plan past its end date ({days} day{'s' if days != 1 else ''}): Pat Person"


def test_each_notice_once_at_nine_local_across_a_dst_change(cast, plan, registry):
    # The plan ends Monday 30 March. Hana (Sydney, UTC+11 until 5 April) and Maya (New York, summer time
    # since 8 March) hear on the 31st; Hugo (London, summer time since 29 March) on 6 and 13 April.
    got = drive(dt.datetime(2026, 3, 29, 0, tzinfo=UTC), dt.datetime(2026, 4, 15, 0, tzinfo=UTC))
    assert got == [
        ("03-30 22:00", "hana@acme.test", subject(1)),
        ("03-31 13:00", "maya@acme.test", subject(1)),
        ("04-06 08:00", "hugo@acme.test", subject(7)),
        ("04-13 08:00", "hugo@acme.test", subject(14)),
    ]
    body = mail.outbox[0].body
    assert "ended on Monday 30 March 2026 and is still open" in body
    assert "Ship the billing fix with tests (due 13 Mar)" in body
    assert f"http://testserver/plans/{plan.pk}/" in body
    # Once more over the whole span: nothing is sent again.
    assert (
        drive(dt.datetime(2026, 3, 29, 0, tzinfo=UTC), dt.datetime(2026, 4, 15, 0, tzinfo=UTC), runs=1) == []
    )
    notices = [e.summary for e in PlanEvent.objects.filter(plan=plan, kind="notice")]
    assert notices == [
        "Day +1 after the end date: Hana HR was told the plan is still open.",
        "Day +1 after the end date: Maya Manager was told the plan is still open.",
        "Day +7 after the end date: Hugo Lead was told the plan is still open.",
        "Day +14 after the end date: Hugo Lead was told the plan is still open.",
    ]


def test_before_the_winter_change_in_new_york_nine_is_fourteen_utc(cast, hr_lead_named, registry):
    from .conftest import open_plan

    # Ends Friday 30 October 2026; New York leaves summer time on Sunday 1 November, so the day +1 notice
    # (31 October) is at 13:00 UTC and the day +7 one (6 November) at 14:00 UTC.
    start = dt.datetime(2026, 10, 1, 12, tzinfo=UTC)
    plan = open_plan(
        cast, end=dt.date(2026, 10, 30), milestones=[("Close ten tickets", dt.date(2026, 10, 20))], now=start
    )
    times = {
        (n.stage, n.recipient.email): f"{n.send_at:%m-%d %H:%M}"
        for n in PlanNotice.objects.filter(plan=plan).select_related("recipient")
    }
    assert times == {
        (1, "maya@acme.test"): "10-31 13:00",
        (1, "hana@acme.test"): "10-30 22:00",  # Sydney is on summer time (UTC+11) from 4 October
        (7, "hugo@acme.test"): "11-06 09:00",  # London left summer time on 25 October
        (14, "hugo@acme.test"): "11-13 09:00",
    }
    got = drive(dt.datetime(2026, 10, 30, 0, tzinfo=UTC), dt.datetime(2026, 11, 7, 0, tzinfo=UTC), runs=2)
    assert [(at, to) for at, to, _ in got] == [
        ("10-30 22:00", "hana@acme.test"),
        ("10-31 13:00", "maya@acme.test"),
        ("11-06 09:00", "hugo@acme.test"),
    ]


def test_outcomes_recorded_after_day_one_stop_the_later_notices(cast, plan, registry):
    got = drive(dt.datetime(2026, 3, 30, 0, tzinfo=UTC), dt.datetime(2026, 4, 1, 0, tzinfo=UTC))
    assert [to for _, to, _ in got] == ["hana@acme.test", "maya@acme.test"]
    for m in plan.milestones.all():
        record_outcome(m, cast["manager"], "met")
    assert drive(dt.datetime(2026, 4, 1, 0, tzinfo=UTC), dt.datetime(2026, 4, 15, 0, tzinfo=UTC)) == []


def test_an_extension_counts_only_once_the_person_acknowledges_it(cast, plan, registry):
    extend_plan(plan, cast["manager"], 7, now=dt.datetime(2026, 3, 27, 12, tzinfo=UTC))
    # Not acknowledged: the plan still ends on the 30th for lingering, and day +1 goes out.
    got = drive(dt.datetime(2026, 3, 30, 0, tzinfo=UTC), dt.datetime(2026, 4, 1, 0, tzinfo=UTC))
    assert [to for _, to, _ in got] == ["hana@acme.test", "maya@acme.test"]
    acknowledge(plan, cast["person"], now=dt.datetime(2026, 4, 1, 6, tzinfo=UTC))
    # Now it ends 6 April: the old +7 and +14 are dropped, the new end's notices come in their turn.
    got = drive(dt.datetime(2026, 4, 1, 0, tzinfo=UTC), dt.datetime(2026, 4, 14, 12, tzinfo=UTC))
    assert got == [
        ("04-06 23:00", "hana@acme.test", subject(1)),  # Sydney left summer time on 5 April: UTC+10
        ("04-07 13:00", "maya@acme.test", subject(1)),
        ("04-13 08:00", "hugo@acme.test", subject(7)),
    ]


def test_without_an_hr_lead_the_later_notices_go_to_the_hr_contact(cast, registry):
    from .conftest import open_plan

    open_plan(cast)
    got = drive(dt.datetime(2026, 3, 30, 0, tzinfo=UTC), dt.datetime(2026, 4, 14, 0, tzinfo=UTC), runs=1)
    assert got == [
        ("03-30 22:00", "hana@acme.test", subject(1)),
        ("03-31 13:00", "maya@acme.test", subject(1)),
        ("04-05 23:00", "hana@acme.test", subject(7)),  # Sydney left summer time on 5 April
        ("04-12 23:00", "hana@acme.test", subject(14)),
    ]


def test_a_scheduler_that_was_down_sends_what_is_overdue_once(cast, plan, registry):
    got = drive(dt.datetime(2026, 4, 8, 0, tzinfo=UTC), dt.datetime(2026, 4, 8, 3, tzinfo=UTC))
    assert sorted(to for _, to, _ in got) == ["hana@acme.test", "hugo@acme.test", "maya@acme.test"]


def test_a_new_hr_lead_gets_the_later_notices_instead_of_the_old_one(cast, plan, registry):
    from accord.plans.actions import save_settings

    save_settings(cast["admin"], hr_lead=cast["admin"], blocker_days=5)
    got = drive(dt.datetime(2026, 4, 5, 0, tzinfo=UTC), dt.datetime(2026, 4, 7, 0, tzinfo=UTC), runs=1)
    # Day +1 was overdue when the scheduler first ran here: it goes late, once; day +7 goes to Ada.
    assert sorted(to for _, to, _ in got) == ["ada@acme.test", "hana@acme.test", "maya@acme.test"]
    assert PlanNotice.objects.filter(plan=plan, recipient=cast["hr_lead"]).count() == 0
