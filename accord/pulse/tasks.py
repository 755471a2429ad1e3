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


MIX_PATH = f"{__name__}.mix_round"
MIX_LOCK = 0x6D6978  # namespaces the advisory lock: any constant no other lock of ours uses


def mix_round_once(round_id: int) -> None:
    """Queue a mixing of the round unless one is already waiting: it will mix every set pooled by the time
    it runs, so one queued per submission would only queue work with nothing left to do. A mixing already
    running does not count, as it may have read the pool before the newest set arrived."""
    from django.db import connection, transaction
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    if not isinstance(mix_round.get_backend(), DatabaseBackend):
        mix_round.enqueue(round_id=round_id, force=False)
        return
    with transaction.atomic():
        # Check-then-enqueue as one step among concurrent submissions. SQLite's IMMEDIATE transaction
        # already holds the write lock; on PostgreSQL a lock of our own, not the round's row, which a
        # running mixing holds for as long as it works.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [MIX_LOCK, round_id % 2**31])
        waiting = DBTaskResult.objects.filter(
            status=TaskResultStatus.READY, task_path=MIX_PATH, args_kwargs__kwargs__round_id=round_id
        )
        if not waiting.exists():
            mix_round.enqueue(round_id=round_id, force=False)


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
        f"{opening} {p.round.program.name} pulse for {p.org.name} has {count} short questions "
        f"and takes under a minute. Skip anything you like.\n\n{link}\n\n"
        f"Your answers are anonymous: nobody, including admins, can see who answered what, and results "
        f"show only for groups of at least {p.round.min_group_size} people. "
        f"It closes {closes:%A %-d %B at %H:%M} your time.\n"
    )
    subject = f"{'Reminder: ' if reminder else ''}{count} quick questions from {p.org.name}"
    send_email.enqueue(to=[p.person.email], org_id=p.person.org_id, subject=subject, body=body)
