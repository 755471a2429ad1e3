"""Invitations go out over real SMTP as iCalendar; parsed back with icalendar, they say what we meant."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from accord.lib.tz import UTC
from accord.meetings.actions import Slot, end_series, new_calendar_feed, update_series
from accord.meetings.models import Cadence, CalendarFeed
from tests.factories import PersonFactory
from tests.factories.meetings import make_series

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def pair(org, team):
    boss = PersonFactory(
        org=org, team=team, name="Maya Manager", email="maya@acme.test", timezone="Europe/Berlin"
    )
    report = PersonFactory(
        org=org,
        team=team,
        manager=boss,
        name="Łucja Woźniak",
        email="milo@acme.test",
        timezone="America/New_York",
    )
    return boss, report


def calendars(inbox) -> list[tuple[str, str, Calendar, str]]:
    """(recipient, method parameter, parsed calendar, body) for every message the SMTP server got."""
    found = []
    for message in inbox.messages:
        parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
        assert len(parts) == 1
        body = message.get_body(preferencelist=("plain",)).get_content()
        found.append(
            (message["To"], parts[0].get_param("method"), Calendar.from_ical(parts[0].get_content()), body)
        )
    return sorted(found, key=lambda f: f[0])


def test_invitation_is_emailed_to_both_as_ics(smtp, org, pair, django_capture_on_commit_callbacks):
    boss, report = pair
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        series = make_series(org, boss, report, weekday=2, at=dt.time(16), minutes=45)

    sent = calendars(smtp)
    assert [(to, method) for to, method, _, _ in sent] == [
        ("maya@acme.test", "REQUEST"),
        ("milo@acme.test", "REQUEST"),
    ]
    for _, _, cal, _ in sent:
        assert cal["METHOD"] == "REQUEST"
        [event] = cal.events
        assert str(event["UID"]) == series.uid
        assert event["SEQUENCE"] == 0
        assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
        assert event.start == dt.datetime(2026, 3, 3, 16, 0, tzinfo=ZoneInfo("Europe/Berlin"))
        assert event.end - event.start == dt.timedelta(minutes=45)
        assert event["RRULE"].to_ical() == b"FREQ=WEEKLY;INTERVAL=1;BYDAY=TU"
        assert str(event["ORGANIZER"]) == "mailto:maya@acme.test"
        assert sorted(str(a) for a in event["ATTENDEE"]) == ["mailto:maya@acme.test", "mailto:milo@acme.test"]
        assert sorted(a.params["CN"] for a in event["ATTENDEE"]) == ["Maya Manager", "Łucja Woźniak"]
        assert str(event["SUMMARY"]) == "1:1 Maya Manager / Łucja Woźniak"
        assert [tz.tz_name for tz in cal.timezones] == ["Europe/Berlin"]
        assert cal.get_missing_tzids() == set()
    # Each body gives the time in its reader's own zone.
    assert "Tuesday 3 March at 16:00 Europe/Berlin time" in sent[0][3]
    assert "Tuesday 3 March at 10:00 America/New_York time" in sent[1][3]


def test_updates_raise_the_sequence_and_the_end_cancels(smtp, org, pair, django_capture_on_commit_callbacks):
    boss, report = pair
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        series = make_series(org, boss, report)
        update_series(series, actor=boss, slot=Slot(Cadence.MONTHLY, 4, dt.time(9, 30), 30))
    smtp.messages.clear()
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        update_series(series, actor=boss, slot=Slot(Cadence.FORTNIGHTLY, 4, dt.time(9, 30), 30))
    [(_, _, cal, body), _] = calendars(smtp)
    event = cal.events[0]
    assert (event["SEQUENCE"], str(event["UID"])) == (2, series.uid)
    assert event["RRULE"].to_ical() == b"FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"
    assert "has moved" in body

    smtp.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        end_series(series, actor=boss)
    sent = calendars(smtp)
    assert [(to, method) for to, method, _, _ in sent] == [
        ("maya@acme.test", "CANCEL"),
        ("milo@acme.test", "CANCEL"),
    ]
    cancel = sent[0][2]
    assert cancel["METHOD"] == "CANCEL"
    assert (cancel.events[0]["STATUS"], cancel.events[0]["SEQUENCE"]) == ("CANCELLED", 3)
    assert str(cancel.events[0]["UID"]) == series.uid


def test_monthly_rrule_names_the_nth_weekday(org, pair):
    boss, report = pair
    with time_machine.travel(NOW, tick=False):
        series = make_series(org, boss, report, cadence=Cadence.MONTHLY, weekday=2)  # Tue 3 March: the 1st
    from accord.meetings.calendar import invitation

    event = Calendar.from_ical(invitation(series, "REQUEST", now=NOW)).events[0]
    assert event["RRULE"].to_ical() == b"FREQ=MONTHLY;BYDAY=1TU"


def test_calendar_feed_with_the_right_token_lists_the_persons_series(client, org, pair, team):
    boss, report = pair
    other_report = PersonFactory(org=org, team=team, manager=boss, timezone="Asia/Kathmandu")
    with time_machine.travel(NOW, tick=False):
        one = make_series(org, boss, report, weekday=2)
        two = make_series(org, boss, other_report, cadence=Cadence.FORTNIGHTLY, weekday=3, at=dt.time(8))
    raw = new_calendar_feed(boss)
    assert CalendarFeed.objects.get().token_hash != raw  # stored hashed

    response = client.get(reverse("calendar_feed", args=[raw]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(response.content)
    assert "METHOD" not in cal
    assert {str(e["UID"]) for e in cal.events} == {one.uid, two.uid}
    assert {e["RRULE"].to_ical() for e in cal.events} == {
        b"FREQ=WEEKLY;INTERVAL=1;BYDAY=TU",
        b"FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
    }
    assert {e["DTSTART"].params["TZID"] for e in cal.events} == {"Europe/Berlin"}

    # The report's own feed has only their series.
    mine = Calendar.from_ical(client.get(reverse("calendar_feed", args=[new_calendar_feed(report)])).content)
    assert [str(e["UID"]) for e in mine.events] == [one.uid]


def test_calendar_feed_with_a_wrong_or_replaced_token_is_404(client, org, pair):
    boss, _ = pair
    old = new_calendar_feed(boss)
    new_calendar_feed(boss)  # a new link replaces the old one
    assert client.get(reverse("calendar_feed", args=[old])).status_code == 404
    assert client.get(reverse("calendar_feed", args=["cal_wrong"])).status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404
