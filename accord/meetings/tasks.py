"""Background work for 1:1s: calendar invitations, updates and cancellations by email."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from accord.lib.mail import absolute, send_email
from accord.orgs.models import Person

CADENCE_WORDS = {"weekly": "every week", "fortnightly": "every 2 weeks", "monthly": "every month"}


def _when(person: Person, start: dt.datetime) -> str:
    local = start.astimezone(person.zone)
    return f"{local:%A %-d %B at %H:%M} {person.timezone} time"


@task()
def send_series_calendar(series_id: int, method: str) -> int:
    """Email both people the series as an .ics attachment (METHOD:REQUEST or CANCEL), each with the
    time written in their own zone. Returns how many messages were handed to send_email."""
    from .actions import occurrence
    from .calendar import CANCEL, invitation
    from .models import OneOnOneSeries

    series = OneOnOneSeries.objects.select_related("manager", "report", "org").filter(pk=series_id).first()
    if series is None:
        return 0
    now = timezone.now()
    ics = invitation(series, method, now=now)
    start, _ = occurrence(series, series.starts_on)
    link = absolute(reverse("one_on_one", args=[series.pk]))
    cadence = CADENCE_WORDS.get(series.cadence, series.cadence)
    sent = 0
    for person, other in ((series.manager, series.report), (series.report, series.manager)):
        if method == CANCEL:
            subject = f"Cancelled: 1:1 with {other.name}"
            body = (
                f"Hello {person.name},\n\nYour 1:1 series with {other.name} has ended; the attached "
                f"calendar update removes its meetings from your calendar.\n\nPast meetings, notes and "
                f"action items stay on {link}\n"
            )
        else:
            update = series.sequence > 0
            subject = f"{'Updated' if update else 'New'} 1:1 with {other.name}, {cadence}"
            their = start.astimezone(ZoneInfo(other.timezone))
            opening = (
                f"Your 1:1 with {other.name} has moved" if update else f"You have a 1:1 with {other.name}"
            )
            body = (
                f"Hello {person.name},\n\n"
                f"{opening}: {cadence}, {series.duration_minutes} minutes, starting {_when(person, start)}"
                f" (for {other.name} that is {their:%A %H:%M} {other.timezone}).\n\n"
                f"Open the attachment to add it to your calendar. The shared agenda, action items and your "
                f"private notes are at {link}\n"
            )
        # Django adds the charset; `method` must match the calendar's METHOD (RFC 6047).
        send_email.enqueue(
            to=[person.email],
            org_id=series.org_id,
            subject=subject,
            body=body,
            attachments=[["invite.ics", ics.decode(), f"text/calendar; method={method}"]],
        )
        sent += 1
    return sent
