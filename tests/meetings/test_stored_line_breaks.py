"""Rows written before text was checked may hold CR/LF or invisible characters in a name: calendar files and
invitation emails still go out, with those characters taken out of headers and calendar lines."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from accord.lib.tz import UTC
from accord.meetings.actions import new_calendar_feed
from accord.orgs.models import Person
from accord.rhythm.actions import MeetingSpec, create_meeting
from accord.rhythm.models import RecurringMeeting
from tests.conftest import login
from tests.factories import PersonFactory
from tests.factories.meetings import make_series

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday
EVIL = "Maya\r\nBcc: everyone@acme.test\r\n\u202eX"


@pytest.fixture
def pair(org, team):
    boss = PersonFactory(org=org, team=team, name="Maya", email="maya@acme.test", timezone="Europe/Berlin")
    report = PersonFactory(org=org, team=team, manager=boss, name="Milo", email="milo@acme.test")
    # Written directly, as an old row or a bulk import from before the rule would be.
    Person.objects.filter(pk=boss.pk).update(name=EVIL)
    boss.refresh_from_db()
    return boss, report


def test_the_invitation_still_goes_out_with_a_clean_subject_and_calendar(
    smtp, org, pair, django_capture_on_commit_callbacks
):
    boss, report = pair
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        make_series(org, boss, report)

    got = sorted(smtp.messages, key=lambda m: m["To"])
    assert [(m["To"], m["Subject"], m["Bcc"]) for m in got] == [
        ("maya@acme.test", "New 1:1 with Milo, every week", None),
        ("milo@acme.test", "New 1:1 with Maya Bcc: everyone@acme.test X, every week", None),
    ]
    [part] = [p for p in got[1].iter_attachments() if p.get_content_type() == "text/calendar"]
    [event] = Calendar.from_ical(part.get_content()).events
    assert str(event["SUMMARY"]) == "1:1 Maya Bcc: everyone@acme.test X / Milo"
    assert sorted(a.params["CN"] for a in event["ATTENDEE"]) == ["Maya Bcc: everyone@acme.test X", "Milo"]
    assert event["ORGANIZER"].params["CN"] == "Maya Bcc: everyone@acme.test X"


def test_the_private_feed_still_answers(client, org, pair):
    boss, report = pair
    with time_machine.travel(NOW, tick=False):
        make_series(org, boss, report)
        token = new_calendar_feed(report)
    response = client.get(reverse("calendar_feed", args=[token]))
    assert response.status_code == 200
    [event] = Calendar.from_ical(response.content).events
    assert str(event["SUMMARY"]) == "1:1 Maya Bcc: everyone@acme.test X / Milo"


def test_the_recurring_meeting_calendar_file_still_answers(client, org, team, pair):
    boss, report = pair
    meeting = create_meeting(
        org, organiser=report, spec=MeetingSpec("Sync", [boss, report], 1, 30, "UTC"), now=NOW
    )
    RecurringMeeting.objects.filter(pk=meeting.pk).update(name="Sync\r\nX-Injected: yes")
    login(client, report)
    response = client.get(reverse("rhythm_meeting_ics", args=[meeting.pk]))
    assert response.status_code == 200
    cal = Calendar.from_ical(response.content)
    assert str(cal["X-WR-CALNAME"]) == "Sync X-Injected: yes"
    assert {str(e["SUMMARY"]) for e in cal.events} == {"Sync X-Injected: yes"}
    assert sorted(a.params["CN"] for a in cal.events[0]["ATTENDEE"]) == [
        "Maya Bcc: everyone@acme.test X",
        "Milo",
    ]
    assert [line for line in response.content.decode().splitlines() if line.startswith("X-Injected")] == []
