"""Thin background tasks for check-ins: plain ids in, re-fetch, write the email, hand it to send_email."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django_tasks import task

from accord.lib.mail import absolute, send_email


def _when(at: dt.datetime, zone: object) -> str:
    local = at.astimezone(zone)  # type: ignore[arg-type]
    return f"{local:%H:%M} on {local:%A} {local.day} {local:%B}"


@task()
def send_checkin_prompt(checkin_id: int, reminder: bool) -> None:
    from .actions import template_for
    from .models import Checkin, default_questions

    checkin = Checkin.objects.select_related("person", "team", "org").filter(pk=checkin_id).first()
    if checkin is None or checkin.submitted_at is not None or not checkin.person.is_active:
        return
    person = checkin.person
    questions = template_for(checkin.team).questions if checkin.team else default_questions()
    link = absolute(reverse("checkins"))
    day = f"{checkin.day:%A} {checkin.day.day} {checkin.day:%B}"
    lines = "\n".join(f"  - {q['text']}" for q in questions)
    opening = "A gentle reminder: your" if reminder else "Your"
    body = (
        f"Hello {person.name},\n\n"
        f"{opening} check-in for {day} is open. A few lines are plenty:\n\n{lines}\n\n"
        f"{link}\n\n"
        f"It closes at the end of your working day, {_when(checkin.closes_at, person.zone)} your time. "
        f"Only what you write is shared; your mood, if you give one, stays private unless you choose "
        f"to share it with your manager.\n"
    )
    subject = f"{'Reminder: ' if reminder else ''}Your {checkin.org.name} check-in for {day}"
    send_email.enqueue(to=[person.email], org_id=person.org_id, subject=subject, body=body)


@task()
def send_checkin_digest(person_id: int, since: str, until: str) -> None:
    from accord.orgs.models import Person

    from . import queries

    manager = Person.objects.select_related("org").filter(pk=person_id, is_active=True).first()
    if manager is None:
        return
    data = queries.digest(manager, dt.datetime.fromisoformat(since), dt.datetime.fromisoformat(until))
    if not data.reports:
        return
    zone = manager.zone
    parts = [
        f"Hello {manager.name},\n",
        f"Check-ins from your team since {_when(data.since, zone)} your time: "
        f"{len(data.sent_by)} of {len(data.reports)} people checked in.\n",
    ]
    if data.blockers:
        parts.append(f"OPEN BLOCKERS ({len(data.blockers)})")
        for b in data.blockers:
            state = (
                f"acknowledged by {b.acknowledged_by.name}" if b.acknowledged_by else "not yet acknowledged"
            )
            parts.append(f"  * {b.person.name} ({b.checkin.day:%a %-d %b}, {state}): {b.text}")
        parts.append("")
    else:
        parts.append("No open blockers.\n")
    for c in data.checkins:
        parts.append(f"{c.person.name} · {c.day:%A %-d %B}")
        for row in c.answers:
            if row["answer"]:
                parts.append(f"  {row['question']}: {row['answer']}")
        for update in c.commitment_updates:
            parts.append(f"  Commitment “{update['title']}” marked {update['status']}.")
        mood = queries.visible_mood(manager, c)
        if mood is not None:
            parts.append(f"  Mood (shared with you): {mood}/5")
        parts.append("")
    teams = sorted({r.team_id for r in data.reports if r.team_id})
    parts.append("The team feeds, to acknowledge or resolve blockers:")
    parts.extend(absolute(reverse("checkins_team", args=[t])) for t in teams)
    subject = f"Check-in digest: {len(data.sent_by)} of {len(data.reports)}" + (
        f", {len(data.blockers)} open blocker{'s' if len(data.blockers) != 1 else ''}"
        if data.blockers
        else ""
    )
    send_email.enqueue(
        to=[manager.email], org_id=manager.org_id, subject=subject, body="\n".join(parts) + "\n"
    )
