"""Periodic pulse work for the scheduler: opening rounds, prompts and reminders, closing rounds."""

from __future__ import annotations

import datetime as dt

from accord.lib.jobs import periodic

from .models import Participation, Program, Round
from .programs import open_round
from .publishing import close_round
from .tasks import send_pulse_prompt


@periodic("pulse rounds", Program, "next_round_at")
def open_due_round(program: Program, now: dt.datetime) -> dt.datetime | None:
    if not program.active:
        return None
    open_round(program, now)
    upcoming = (program.next_round_at or now) + dt.timedelta(days=program.cadence_days)
    while upcoming <= now:  # the scheduler was down for a while: skip missed rounds, don't stack them
        upcoming += dt.timedelta(days=program.cadence_days)
    return upcoming


@periodic("pulse prompts", Participation, "next_send_at", batch=1000)
def send_prompt(participation: Participation, now: dt.datetime) -> dt.datetime | None:
    if participation.took_part:
        return None
    reminder = participation.prompts_sent > 0
    # Enqueued inside the claim's transaction: the email task and the claim commit together or not at all.
    send_pulse_prompt.enqueue(participation_id=participation.pk, reminder=reminder)
    Participation.objects.filter(pk=participation.pk).update(prompts_sent=participation.prompts_sent + 1)
    if not reminder and participation.reminder_at and participation.reminder_at > now:
        return participation.reminder_at
    return None


@periodic("pulse closing", Round, "next_close_at")
def close_due_round(rnd: Round, now: dt.datetime) -> None:
    close_round(rnd)
    return None
