"""The notice at the receiving shift's start and the two escalations, driven through time, with the
emails going through a real SMTP server; and two schedulers never escalate twice."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from accord.handoffs.actions import acknowledge, write_handoff
from accord.handoffs.models import Escalation, Handoff
from accord.handoffs.queries import next_on_hours
from accord.lib import jobs
from tests.concurrency import at_once

from .conftest import utc

# Wednesday 14 Jan 2026: Bogotá (13:00–21:00 UTC) hands to Manila's Thursday (21:00 UTC Wed onwards).
WRITTEN = utc(2026, 1, 14, 20, 50)


def drive(inbox, start, end, minutes=5):
    arrived, at = [], start
    while at <= end:
        seen = len(inbox.messages)
        with time_machine.travel(at, tick=False):
            jobs.tick()
        arrived += [(at, m) for m in inbox.messages[seen:]]
        at += dt.timedelta(minutes=minutes)
    return arrived


@pytest.mark.django_db
def test_notice_then_next_on_hours_then_manager_by_email(chain, shifts, crew, manager, smtp, registry):
    jobs.load_jobs()
    handoff = write_handoff(
        chain,
        crew["Bogotá"][0],
        from_shift=shifts["Bogotá"],
        items=[],
        now=WRITTEN,
        urgent="Checkout down for one shop",
    )
    arrived = drive(smtp, WRITTEN, utc(2026, 1, 14, 23, 0))
    got = [(at.strftime("%H:%M"), m["To"], " ".join(m["Subject"].split())) for at, m in arrived]
    assert got == [
        ("21:00", "maria@acme.test", "Handoff from Bogotá: Support"),
        ("21:00", "paolo@acme.test", "Handoff from Bogotá: Support"),
        # 30 min after Manila's start: Maria's declared hours (05–13 Manila) have begun, Paolo's not.
        ("21:30", "maria@acme.test", "Escalated: unacknowledged handoff Bogotá → Manila"),
        ("22:00", "maya@acme.test", "Escalated to you as manager: unacknowledged handoff Bogotá → Manila"),
    ]
    notice = arrived[0][1].get_content()
    assert "starts at 05:00 on Thursday 15 January your time" in notice
    assert "Checkout down for one shop" in notice
    manager_mail = arrived[3][1].get_content()
    assert "It was due by 06:30 on Thursday 15 January your time" not in manager_mail  # Maya is in London
    assert "It was due by 21:30 on Wednesday 14 January your time" in manager_mail
    handoff.refresh_from_db()
    assert (handoff.escalation_stage, handoff.next_step_at) == (2, None)
    assert list(Escalation.objects.values_list("stage", "person__name")) == [
        (1, "Maria Santos"),
        (2, "Maya Manager"),
    ]


@pytest.mark.django_db
def test_an_acknowledged_handoff_is_never_escalated(chain, shifts, crew, smtp, registry):
    jobs.load_jobs()
    handoff = write_handoff(chain, crew["Bogotá"][0], from_shift=shifts["Bogotá"], items=[], now=WRITTEN)
    drive(smtp, WRITTEN, utc(2026, 1, 14, 21, 10))
    acknowledge(handoff, crew["Manila"][1], now=utc(2026, 1, 14, 21, 12))
    assert drive(smtp, utc(2026, 1, 14, 21, 15), utc(2026, 1, 14, 23)) == []
    assert Escalation.objects.count() == 0


@pytest.mark.django_db
def test_next_on_hours_uses_declared_hours_only(shifts, crew):
    manila = shifts["Manila"]
    assert next_on_hours(manila, utc(2026, 1, 14, 21, 30)) == crew["Manila"][0]  # only Maria is on
    assert next_on_hours(manila, utc(2026, 1, 15, 9, 30)) == crew["Manila"][0]  # nobody: Maria starts first
    assert next_on_hours(manila, utc(2026, 1, 15, 6, 0)) == crew["Manila"][1]  # Maria's day is over


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_never_escalate_twice(chain, shifts, crew):
    jobs.load_jobs()
    handoffs = [
        write_handoff(chain, crew["Bogotá"][0], from_shift=shifts["Bogotá"], items=[], now=WRITTEN),
        write_handoff(
            chain, crew["Kraków"][0], from_shift=shifts["Kraków"], items=[], now=utc(2026, 1, 14, 13, 50)
        ),
    ]
    # Both notices already sent: the next step of each is the first escalation.
    Handoff.objects.update(notified_at=WRITTEN, next_step_at=utc(2026, 1, 14, 21, 30))
    at = utc(2026, 1, 14, 21, 30)
    at_once(lambda: jobs.tick(at), 3)
    assert Escalation.objects.filter(stage=1).count() == 2
    assert sorted(m.subject for m in mail.outbox) == [
        "Escalated: unacknowledged handoff Bogotá → Manila",
        "Escalated: unacknowledged handoff Kraków → Bogotá",
    ]
    assert {h.escalation_stage for h in Handoff.objects.filter(pk__in=[h.pk for h in handoffs])} == {1}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("written", "starts"),
    [
        # Manila's Friday ends 05:00 UTC; Kraków's Friday starts at 06:00 CET, 05:00 UTC ...
        (utc(2026, 3, 27, 4, 50), utc(2026, 3, 27, 5)),
        # ... and after the EU's change on Sunday 29 March, at 06:00 CEST, 04:00 UTC: the notice and the
        # escalation move with Kraków's wall clock, not with UTC.
        (utc(2026, 3, 30, 4, 50), utc(2026, 3, 30, 4)),
        # Back on winter time on 26 October 2026 (the US still on summer time until 1 November).
        (utc(2026, 10, 26, 4, 50), utc(2026, 10, 26, 5)),
    ],
)
def test_the_notice_follows_the_receiving_shifts_wall_clock_across_dst(
    chain, shifts, crew, smtp, registry, written, starts
):
    jobs.load_jobs()
    handoff = write_handoff(chain, crew["Manila"][0], from_shift=shifts["Manila"], items=[], now=written)
    assert handoff.receiving_starts_at == starts
    readable = max(starts, written)
    arrived = drive(smtp, written, readable + dt.timedelta(minutes=35))
    got = [(at, m["To"]) for at, m in arrived]
    assert sorted(got[:2]) == [(readable, "piotr@acme.test"), (readable, "zofia@acme.test")]
    assert got[2] == (readable + dt.timedelta(minutes=30), "zofia@acme.test")  # on hours 06:00–15:00 Kraków
    assert "starts at 06:00 on" in arrived[0][1].get_content()


@pytest.mark.django_db
def test_fridays_last_shift_hands_to_monday(chain, shifts, crew):
    # Bogotá's Friday (13:00–21:00 UTC) hands to Manila's Monday, which starts Sunday 21:00 UTC.
    handoff = write_handoff(
        chain, crew["Bogotá"][0], from_shift=shifts["Bogotá"], items=[], now=utc(2026, 1, 16, 20, 55)
    )
    assert (handoff.to_shift.name, handoff.receiving_starts_at, handoff.next_step_at) == (
        "Manila",
        utc(2026, 1, 18, 21),
        utc(2026, 1, 18, 21),
    )
    assert handoff.ack_due_at == utc(2026, 1, 18, 21, 30)


@pytest.mark.django_db
def test_a_scheduler_killed_mid_escalation_loses_nothing(chain, shifts, crew, registry, settings):
    from django_tasks_db.models import DBTaskResult

    from accord.handoffs.jobs import run_handoff_step

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    handoff = write_handoff(chain, crew["Bogotá"][0], from_shift=shifts["Bogotá"], items=[], now=WRITTEN)
    Handoff.objects.filter(pk=handoff.pk).update(notified_at=WRITTEN, next_step_at=handoff.ack_due_at)
    due = handoff.ack_due_at

    def killed(row, now):
        run_handoff_step(row, now)  # the email task is enqueued and the escalation recorded ...
        raise RuntimeError("the machine lost power")  # ... then the scheduler dies before committing

    registry[:] = [jobs.Periodic("handoff steps", Handoff, "next_step_at", killed)]
    with pytest.raises(RuntimeError):
        jobs.tick(due)
    handoff.refresh_from_db()
    assert (
        handoff.next_step_at,
        handoff.escalation_stage,
        Escalation.objects.count(),
        DBTaskResult.objects.count(),
    ) == (due, 0, 0, 0)
    registry[:] = [jobs.Periodic("handoff steps", Handoff, "next_step_at", run_handoff_step)]
    assert jobs.tick(due) == {"handoff steps": 1}
    handoff.refresh_from_db()
    assert (
        handoff.next_step_at,
        handoff.escalation_stage,
        Escalation.objects.count(),
        DBTaskResult.objects.count(),
    ) == (due + dt.timedelta(minutes=30), 1, 1, 1)
