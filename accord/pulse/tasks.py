"""Background tasks of pulse surveys (run by `accord worker`)."""

from __future__ import annotations

from django.urls import reverse
from django_tasks import task

from accord.lib.mail import absolute, send_email

# Tasks that belong with their writes live beside them (answering.mix_round, publishing.republish_round);
# named here too, so that tasks queued under these paths by an earlier version still run.
from .answering import MIX_PATH as MIX_PATH
from .answering import mix_round as mix_round
from .answering import mix_round_once as mix_round_once
from .models import Participation
from .publishing import republish_round as republish_round


def pulse_title(program_name: str) -> str:
    """ "Engagement" reads "Engagement pulse"; one already called "Fortnightly pulse" keeps its name."""
    name = program_name.strip()
    return name if name.lower().endswith("pulse") else f"{name} pulse"


@task()
def send_pulse_prompt(participation_id: int, reminder: bool) -> None:
    p = (
        Participation.objects.select_related("round__program", "person", "org")
        .filter(pk=participation_id)
        .first()
    )
    if p is None or p.took_part or p.round.closed:
        return
    count = p.round.questions.count()
    link = absolute(reverse("pulse_answer", args=[p.round_id]))
    closes = p.round.closes_at.astimezone(p.person.zone)
    opening = "A gentle reminder: the" if reminder else "The"
    body = (
        f"Hello {p.person.name},\n\n"
        f"{opening} {pulse_title(p.round.program.name)} for {p.org.name} has {count} short questions "
        f"and takes under a minute. Skip anything you like.\n\n{link}\n\n"
        f"Your answers are anonymous: nobody, including admins, can see who answered what, and results "
        f"show only for groups of at least {p.round.min_group_size} people. "
        f"It closes {closes:%A %-d %B at %H:%M} your time ({p.person.timezone}).\n"
    )
    subject = f"{'Reminder: ' if reminder else ''}{count} quick questions from {p.org.name}"
    send_email.enqueue(to=[p.person.email], org_id=p.person.org_id, subject=subject, body=body)
