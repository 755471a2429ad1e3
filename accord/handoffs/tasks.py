"""Thin background tasks for handoffs: plain ids in, re-fetch, write the email, hand it to send_email.

Every time in an email is in the recipient's own zone."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django_tasks import task

from accord.lib.mail import absolute, send_email


def _when(at: dt.datetime, zone: object) -> str:
    local = at.astimezone(zone)  # type: ignore[arg-type]
    return f"{local:%H:%M} on {local:%A} {local.day} {local:%B}"


def _summary(handoff) -> list[str]:  # type: ignore[no-untyped-def]
    lines = []
    if handoff.urgent:
        lines += ["URGENT", f"  {handoff.urgent}", ""]
    entries = list(handoff.entries.select_related("owner"))
    open_entries = [e for e in entries if e.status != "closed"]
    lines.append(f"Open items ({len(open_entries)}):")
    for e in open_entries:
        carried = f", carried {e.carried} shift{'s' if e.carried != 1 else ''}" if e.carried else ""
        lines.append(f"  * {e.title} — {e.owner.name}, {e.get_status_display().lower()}{carried}")
        if e.next_step:
            lines.append(f"    Next: {e.next_step}")
    if not open_entries:
        lines.append("  none")
    return lines


@task()
def send_handoff_notice(handoff_id: int, person_ids: list[int]) -> None:
    """The receiving shift's email at the start of their shift."""
    from accord.orgs.models import Person

    from .models import Handoff

    handoff = (
        Handoff.objects.select_related("chain", "from_shift", "to_shift", "author")
        .filter(pk=handoff_id)
        .first()
    )
    if handoff is None or handoff.acknowledged_at is not None:
        return
    link = absolute(reverse("handoffs_handoff", args=[handoff.pk]))
    for person in Person.objects.filter(pk__in=person_ids, is_active=True):
        body = "\n".join(
            [
                f"Hello {person.name},\n",
                f"{handoff.author.name} handed the {handoff.chain.name} queue from {handoff.from_shift.name} "
                f"to your shift, {handoff.to_shift.name}, which starts at "
                f"{_when(handoff.receiving_starts_at, person.zone)} your time.\n",
                *_summary(handoff),
                "",
                f"Please read it and acknowledge by {_when(handoff.ack_due_at, person.zone)} your time:",
                link,
                "",
            ]
        )
        subject = f"Handoff from {handoff.from_shift.name}: {handoff.chain.name}"
        send_email.enqueue(to=[person.email], org_id=person.org_id, subject=subject, body=body)


@task()
def send_handoff_escalation(handoff_id: int, stage: int, person_ids: list[int]) -> None:
    from accord.orgs.models import Person

    from .models import Handoff

    handoff = (
        Handoff.objects.select_related("chain", "from_shift", "to_shift", "author")
        .filter(pk=handoff_id)
        .first()
    )
    if handoff is None or handoff.acknowledged_at is not None:
        return
    link = absolute(reverse("handoffs_handoff", args=[handoff.pk]))
    for person in Person.objects.filter(pk__in=person_ids, is_active=True):
        who = (
            "You are the next person on hours in that shift, so it comes to you."
            if stage == 1
            else "Nobody in the shift has picked it up, so it comes to you as the team's manager."
        )
        body = "\n".join(
            [
                f"Hello {person.name},\n",
                f"The handoff from {handoff.from_shift.name} to {handoff.to_shift.name} "
                f"({handoff.chain.name}) has not been acknowledged. It was due by "
                f"{_when(handoff.ack_due_at, person.zone)} your time. {who}\n",
                *_summary(handoff),
                "",
                "Read and acknowledge it here:",
                link,
                "",
            ]
        )
        prefix = "Escalated" if stage == 1 else "Escalated to you as manager"
        subject = f"{prefix}: unacknowledged handoff {handoff.from_shift.name} → {handoff.to_shift.name}"
        send_email.enqueue(to=[person.email], org_id=person.org_id, subject=subject, body=body)
