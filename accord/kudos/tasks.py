"""Thin background tasks for celebrations: plain ids in, re-fetch, write the email, hand it to send_email."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django_tasks import task

from accord.lib.mail import absolute, send_email


@task()
def send_celebration_digest(person_id: int, since: str, until: str) -> None:
    from accord.orgs.models import Person

    from .queries import began_between, celebration_circle

    person = Person.objects.select_related("org").filter(pk=person_id, is_active=True).first()
    if person is None:
        return
    found = began_between(
        celebration_circle(person), dt.datetime.fromisoformat(since), dt.datetime.fromisoformat(until)
    )
    if not found:
        return
    lines = [f"Hello {person.name},", "", "Something to celebrate with the people you work with:", ""]
    for c in found:
        day = f"{c.day:%A} {c.day.day} {c.day:%B}"
        if c.kind == "birthday":
            lines.append(f"  * {c.person.name}: birthday, {day} (their time)")
        else:
            years = f"{c.years} year{'s' if c.years != 1 else ''}"
            lines.append(f"  * {c.person.name}: {years} at {person.org.name}, {day} (their time)")
    lines += [
        "",
        "A short note goes a long way. Give kudos or say hello:",
        absolute(reverse("kudos")),
        "",
        f"You get this because you asked for celebration emails. Turn them off: "
        f"{absolute(reverse('kudos_settings'))}",
    ]
    names = sorted({c.person.name for c in found})
    subject = "Celebrating today: " + (", ".join(names[:3]) + (" and others" if len(names) > 3 else ""))
    send_email.enqueue(to=[person.email], org_id=person.org_id, subject=subject, body="\n".join(lines) + "\n")
