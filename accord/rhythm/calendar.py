"""A recurring meeting as iCalendar (RFC 5545), with the icalendar library.

A rotation of n slots is n weekly series, each every n weeks and offset by a week from the previous,
with the meeting's zone as TZID, so every calendar shows each occurrence at the right local time
across DST changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.urls import reverse
from icalendar import Calendar, Event, vCalAddress

from accord.lib.mail import absolute
from accord.lib.text import one_line
from accord.orgs.models import Person

from .models import RecurringMeeting

PRODID = "-//Accord//Meetings//EN"
BYDAY = {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}


def meeting_calendar(meeting: RecurringMeeting, attendees: Sequence[Person], *, now: dt.datetime) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", one_line(meeting.name))
    url = absolute(reverse("rhythm_meeting", args=[meeting.pk]))
    weeks = len(meeting.rotation)
    for index, slot in enumerate(meeting.rotation):
        day = meeting.starts_on + dt.timedelta(weeks=index)
        start = dt.datetime.combine(day, dt.time.fromisoformat(slot)).replace(tzinfo=meeting.zone)
        event = Event()
        event.add("uid", f"rhythm-{meeting.pk}-{index}-{meeting.starts_on:%Y%m%d}@accord")
        event.add("dtstamp", now.astimezone(dt.UTC))
        event.add("dtstart", start)
        event.add("dtend", start + dt.timedelta(minutes=meeting.duration_minutes))
        event.add("rrule", {"FREQ": "WEEKLY", "INTERVAL": weeks, "BYDAY": BYDAY[meeting.weekday]})
        event.add("summary", one_line(meeting.name))
        event.add(
            "description", f"Rotating slot {index + 1} of {weeks}, chosen to share late hours fairly: {url}"
        )
        event.add("url", url)
        for person in attendees:
            address = vCalAddress(f"mailto:{person.email}")
            address.params["CN"] = one_line(person.name)
            event.add("attendee", address)
        cal.add_component(event)
    cal.add_missing_timezones(first_date=meeting.starts_on - dt.timedelta(days=366))
    return cal.to_ical()
