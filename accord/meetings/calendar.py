"""1:1 series as iCalendar (RFC 5545), built with the icalendar library.

One VEVENT per series: DTSTART/DTEND carry the manager's zone as TZID (with its VTIMEZONE), the
cadence is an RRULE, the UID never changes and SEQUENCE grows with every update, so calendar clients
replace the event rather than add a second one. Invitations use METHOD:REQUEST, the end of a series
METHOD:CANCEL (RFC 5546); the private feed carries no METHOD, as a subscribed calendar should not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.urls import reverse
from icalendar import Calendar, Event, vCalAddress

from accord.lib.mail import absolute
from accord.lib.text import one_line

from .models import Cadence, OneOnOneSeries

PRODID = "-//Accord//1:1s//EN"
BYDAY = {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}
REQUEST, CANCEL = "REQUEST", "CANCEL"


def week_of_month(day: dt.date) -> int:
    """Which of its weekdays `day` is in its month: 1–4, or -1 for a fifth (that is, the last)."""
    n = (day.day - 1) // 7 + 1
    return -1 if n == 5 else n


def rrule(series: OneOnOneSeries) -> dict[str, object]:
    weekday = BYDAY[series.weekday]
    if series.cadence == Cadence.MONTHLY:
        return {"FREQ": "MONTHLY", "BYDAY": f"{week_of_month(series.starts_on)}{weekday}"}
    return {"FREQ": "WEEKLY", "INTERVAL": 2 if series.cadence == Cadence.FORTNIGHTLY else 1, "BYDAY": weekday}


def _address(name: str, email: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    # A parameter value cannot hold a line break (icalendar refuses to write one); rows stored before
    # names were checked may have one.
    address.params["CN"] = one_line(name)
    for key, value in params.items():
        address.params[key.upper()] = value
    return address


def series_event(series: OneOnOneSeries, *, now: dt.datetime, cancelled: bool = False) -> Event:
    zone = ZoneInfo(series.timezone)
    start = dt.datetime.combine(series.starts_on, series.start_time).replace(tzinfo=zone)
    manager, report = series.manager, series.report
    event = Event()
    event.add("uid", series.uid)
    event.add("sequence", series.sequence)
    event.add("dtstamp", now.astimezone(dt.UTC))
    event.add("dtstart", start)
    # A wall-clock end in the same zone keeps the length right on DST days too.
    event.add("dtend", start + dt.timedelta(minutes=series.duration_minutes))
    event.add("rrule", rrule(series))
    event.add("summary", one_line(f"1:1 {manager.name} / {report.name}"))
    event.add(
        "description",
        "Shared agenda, action items and your private notes: "
        + absolute(reverse("one_on_one", args=[series.pk])),
    )
    event.add("url", absolute(reverse("one_on_one", args=[series.pk])))
    event.add("organizer", _address(manager.name, manager.email))
    for person in (manager, report):
        event.add(
            "attendee",
            _address(
                person.name,
                person.email,
                role="REQ-PARTICIPANT",
                partstat="ACCEPTED" if person.pk == manager.pk else "NEEDS-ACTION",
                rsvp="FALSE" if person.pk == manager.pk else "TRUE",
            ),
        )
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def _calendar(events: Iterable[Event], method: str | None, first: dt.date | None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    for event in events:
        cal.add_component(event)
    # VTIMEZONE for every TZID used, with transitions from a year before the first meeting.
    cal.add_missing_timezones(first_date=(first or dt.date(1970, 1, 1)) - dt.timedelta(days=366))
    return cal


def invitation(series: OneOnOneSeries, method: str, *, now: dt.datetime) -> bytes:
    """METHOD:REQUEST for a new or changed series, METHOD:CANCEL when it ends."""
    event = series_event(series, now=now, cancelled=method == CANCEL)
    return _calendar([event], method, series.starts_on).to_ical()


def feed(series: list[OneOnOneSeries], *, name: str, now: dt.datetime) -> bytes:
    """A person's subscribed calendar: every active 1:1 series they are part of, as recurring events."""
    cal = _calendar(
        [series_event(s, now=now) for s in series], None, min((s.starts_on for s in series), default=None)
    )
    cal.add("x-wr-calname", one_line(name))
    return cal.to_ical()
