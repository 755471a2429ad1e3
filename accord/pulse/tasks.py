from __future__ import annotations

from django.urls import reverse
from django_tasks import task

from accord.lib.mail import absolute, send_email


@task()
def mix_round(round_id: int, force: bool) -> int:
    from .actions import mix_pool
    from .models import Round

    rnd = Round.objects.filter(pk=round_id).first()
    return mix_pool(rnd, force=force) if rnd is not None else 0


def pulse_title(program_name: str) -> str:
    """ "Engagement" reads "Engagement pulse"; one already called "Fortnightly pulse" keeps its name."""
    name = program_name.strip()
    return name if name.lower().endswith("pulse") else f"{name} pulse"


@task()
def send_pulse_prompt(participation_id: int, reminder: bool) -> None:
    from .models import Participation

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
        f"It closes {closes:%A %-d %B at %H:%M} your time.\n"
    )
    subject = f"{'Reminder: ' if reminder else ''}{count} quick questions from {p.org.name}"
    send_email.enqueue(to=[p.person.email], org_id=p.person.org_id, subject=subject, body=body)
