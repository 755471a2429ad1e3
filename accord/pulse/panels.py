"""What pulse puts on the home page's "waiting for you" list: rounds to answer, replies to read."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from accord.orgs.models import Person
from accord.orgs.panels import Waiting

from . import queries


def waiting(me: Person) -> list[Waiting]:
    found = []
    for p in queries.open_participations(me):
        closes = timezone.localtime(p.round.closes_at, me.zone)
        found.append(
            Waiting(
                key="pulse",
                text=f"A pulse to answer: {p.round.program.name}",
                url=reverse("pulse_answer", args=[p.round_id]),
                action="Answer the pulse",
                details=(f"Open until {closes:%A %-d %B, %H:%M} your time ({me.timezone}).",),
            )
        )
    threads = queries.threads_awaiting_author(me)
    if threads:
        n = len(threads)
        found.append(
            Waiting(
                key="pulse_replies",
                text=f"{n} {'reply' if n == 1 else 'replies'} to your anonymous comments",
                url=reverse("pulse_feedback"),
                action="Read and answer",
                details=tuple(f"On “{c.text[:80]}”" for c, _ in threads[:3]),
            )
        )
    return found
