"""The demo's two plans: one that ended fairly, one past its end and escalating."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.demo import DEMO_ACCOUNTS, generate_demo
from accord.orgs.models import Person
from accord.plans import queries
from accord.plans.models import Plan, PlanNotice

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 3, 12, tzinfo=dt.UTC)


def test_one_plan_ended_fairly_and_one_is_escalating():
    generate_demo(now=NOW)
    fair, late = Plan.objects.order_by("id")
    assert fair.closed_at is not None
    assert [m.outcome for m in fair.milestones.all()] == ["met", "met", "not_met"]
    assert all(m.feedback for m in fair.milestones.all())
    owed = queries.obligations(fair, list(fair.milestones.all()), NOW)
    assert (owed.feedback_due, owed.feedback_given) == (3, 3)

    assert late.closed_at is None
    assert queries.is_lingering(late, list(late.milestones.all()), NOW.date())
    sent = PlanNotice.objects.filter(plan=late, sent_at__isnull=False).order_by("stage", "recipient__name")
    assert [(n.stage, n.recipient.name) for n in sent] == [
        (1, "Grace Mensah"),
        (1, "Lena Fischer"),
        (7, "Grace Mensah"),
    ]
    pending = PlanNotice.objects.filter(plan=late, next_send_at__isnull=False)
    assert [(n.stage, n.next_send_at > NOW) for n in pending] == [(14, True)]

    lead = Person.objects.get(email=DEMO_ACCOUNTS["manager"])
    assert [p.title for p in queries.lingering(lead, NOW).plans] == [late.title]
    member = Person.objects.get(email=DEMO_ACCOUNTS["member"])
    assert list(queries.visible_plans(member)) == []
