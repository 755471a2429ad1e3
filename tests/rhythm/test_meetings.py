"""Recurring meetings: set up from the page, bad input, the burden log written by the scheduler, .ics."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from accord.lib import jobs
from accord.rhythm.actions import MeetingSpec, create_meeting
from accord.rhythm.models import Burden, Occurrence, RecurringMeeting
from tests.conftest import login
from tests.factories import PersonFactory

from .helpers import at

pytestmark = pytest.mark.django_db

MONDAY = at(2026, 1, 12, 12)


@pytest.fixture
def pair(org, team):
    london = PersonFactory(org=org, team=team, name="Lon Don", timezone="Europe/London")
    sydney = PersonFactory(org=org, team=team, name="Syd Ney", timezone="Australia/Sydney")
    return london, sydney


def make(org, pair, now=MONDAY):
    london, _ = pair
    return create_meeting(org, organiser=london, spec=MeetingSpec("Sync", list(pair), 3, 60, "UTC"), now=now)


def log_job():
    jobs.load_jobs()
    return next(k for k in jobs.REGISTRY if k.name == "meeting burden log")


def test_a_meeting_gets_the_fair_rotation_from_the_next_such_weekday(org, pair):
    meeting = make(org, pair)
    # The case of test_fairness: twice 09:00 (evening in Sydney), once 00:00 (night in London).
    assert meeting.rotation == ["00:00", "09:00", "09:00"]
    assert meeting.starts_on == dt.date(2026, 1, 14)
    assert meeting.next_log_at == at(2026, 1, 14, 0)
    assert meeting.attendees.count() == 2


def test_the_scheduler_writes_each_occurrence_once_with_each_persons_cost(org, pair):
    london, sydney = pair
    meeting = make(org, pair)
    kind = log_job()
    assert jobs.run_due(kind, at(2026, 1, 14, 0, 1)) == 1
    assert jobs.run_due(kind, at(2026, 1, 14, 0, 1)) == 0  # a second scheduler finds nothing due
    # Down for a while: every occurrence that started meanwhile is logged, none twice.
    assert jobs.run_due(kind, at(2026, 2, 3, 12)) == 1
    meeting.refresh_from_db()
    assert meeting.next_log_at == at(2026, 2, 4, 0)  # the cycle starts again with 00:00
    occurrences = list(Occurrence.objects.filter(meeting=meeting))
    assert [(o.starts_at, o.local_start) for o in occurrences] == [
        (at(2026, 1, 14, 0), "00:00"),
        (at(2026, 1, 21, 9), "09:00"),
        (at(2026, 1, 28, 9), "09:00"),
    ]
    burdens = {
        (b.occurrence.starts_at.day, b.person_id): (b.outside_minutes, b.night_minutes)
        for b in Burden.objects.select_related("occurrence")
    }
    assert burdens == {
        (14, london.pk): (60, 60),  # 00:00–01:00 in London: night
        (14, sydney.pk): (0, 0),  # 11:00 in Sydney
        (21, london.pk): (0, 0),
        (21, sydney.pk): (60, 0),  # 20:00 in Sydney: evening, not night
        (28, london.pk): (0, 0),
        (28, sydney.pk): (60, 0),
    }


def test_the_meeting_page_shows_rotation_suggestions_and_burden_log(client, org, pair):
    london, _ = pair
    meeting = make(org, pair)
    jobs.run_due(log_job(), at(2026, 2, 3, 12))
    login(client, london)
    with time_machine.travel(at(2026, 2, 3, 12), tick=False):
        response = client.get(reverse("rhythm_meeting", args=[meeting.pk]))
    body = response.content.decode()
    assert "Week 1: 00:00" in body and "Week 3: 09:00" in body
    assert "3 occurrences so far" in body
    rows = {r["name"]: (r["outside"], r["night"], r["hit"], r["n"]) for r in response.context["log"]["rows"]}
    assert rows == {"Lon Don": (60, 60, 1, 3), "Syd Ney": (120, 0, 2, 3)}
    assert [v["slot"].label for v in response.context["ranked"]][:3] == ["09:00", "09:30", "10:00"]


def test_meeting_page_queries_do_not_grow_with_attendees(client, org, team, pair, django_assert_num_queries):
    london, _ = pair
    meeting = make(org, pair)
    jobs.run_due(log_job(), at(2026, 2, 3, 12))
    login(client, london)
    url = reverse("rhythm_meeting", args=[meeting.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    many = list(pair) + [PersonFactory(org=org, team=team, timezone="Asia/Manila") for _ in range(20)]
    with time_machine.travel(MONDAY, tick=False):
        from accord.rhythm.actions import update_meeting

        update_meeting(meeting, MeetingSpec("Sync", many, 3, 60, "UTC"))
    jobs.run_due(log_job(), at(2026, 2, 3, 12))
    with django_assert_num_queries(len(ctx.captured_queries)):
        client.get(url)


def post_data(attendees, **changes):
    data = {
        "name": "Design review",
        "people": [p.pk for p in attendees],
        "weekday": "2",
        "duration_minutes": "45",
        "timezone": "Europe/London",
    }
    data.update(changes)
    return data


def test_set_up_from_the_page(client, org, pair):
    login(client, pair[0])
    response = client.post(reverse("rhythm_meeting_new"), post_data(pair))
    meeting = RecurringMeeting.objects.get()
    assert response["Location"] == reverse("rhythm_meeting", args=[meeting.pk])
    assert (meeting.name, meeting.weekday, meeting.duration_minutes, meeting.timezone) == (
        "Design review",
        2,
        45,
        "Europe/London",
    )
    assert meeting.organiser == pair[0]


def test_whole_teams_or_the_whole_organisation(client, org, team, pair):
    other = PersonFactory(org=org, team=None)
    login(client, pair[0])
    client.post(reverse("rhythm_meeting_new"), post_data([], teams=[team.pk]))
    client.post(reverse("rhythm_meeting_new"), post_data([], everyone="on", name="All hands"))
    by_name = {
        m.name: set(m.attendees.values_list("person_id", flat=True)) for m in RecurringMeeting.objects.all()
    }
    assert by_name["Design review"] == {pair[0].pk, pair[1].pk}
    assert by_name["All hands"] == {pair[0].pk, pair[1].pk, other.pk}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"people": []}, "people", "Choose at least one person for the meeting."),
        (
            {"duration_minutes": "0"},
            "duration_minutes",
            "A meeting lasts from 1 minute to 8 hours (480 minutes).",
        ),
        (
            {"duration_minutes": "481"},
            "duration_minutes",
            "A meeting lasts from 1 minute to 8 hours (480 minutes).",
        ),
        (
            {"timezone": "Mars/Olympus"},
            "timezone",
            "“Mars/Olympus” is not a known IANA time zone, for example Europe/Berlin.",
        ),
        ({"name": "  "}, "name", "Give the meeting a name."),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(
    client, org, pair, changes, field, message
):
    login(client, pair[0])
    response = client.post(reverse("rhythm_meeting_new"), post_data(pair, **changes))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert f'id="id_{field}_error"' in response.content.decode()
    assert RecurringMeeting.objects.count() == 0


def test_another_organisations_people_cannot_be_invited(client, org, pair, outsider):
    login(client, pair[0])
    response = client.post(reverse("rhythm_meeting_new"), post_data([outsider]))
    assert "people" in response.context["form"].errors
    assert RecurringMeeting.objects.count() == 0


def test_editing_works_out_the_rotation_again_and_keeps_the_log(client, org, pair):
    meeting = make(org, pair)
    jobs.run_due(log_job(), at(2026, 1, 22))
    login(client, pair[0])
    london_only = post_data([pair[0]], weekday="3", timezone="UTC", duration_minutes="60", name="Sync")
    with time_machine.travel(at(2026, 1, 22), tick=False):
        response = client.post(reverse("rhythm_meeting_edit", args=[meeting.pk]), london_only)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.rotation == ["09:00"]  # one person: one slot inside their hours
    assert meeting.starts_on == dt.date(2026, 1, 28)
    assert Occurrence.objects.filter(meeting=meeting).count() == 2


def test_the_calendar_file_has_one_weekly_series_per_rotation_slot(client, org, pair):
    meeting = make(org, pair)
    login(client, pair[1])
    response = client.get(reverse("rhythm_meeting_ics", args=[meeting.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    events = [c for c in cal.walk("VEVENT")]
    assert [e.decoded("dtstart").astimezone(dt.UTC) for e in events] == [
        at(2026, 1, 14, 0),
        at(2026, 1, 21, 9),
        at(2026, 1, 28, 9),
    ]
    assert all(e["rrule"]["INTERVAL"] == [3] and e["rrule"]["BYDAY"] == ["WE"] for e in events)
    assert len(events[0].get("attendee")) == 2


@pytest.mark.parametrize("field", ["people", "teams"])
def test_an_id_too_big_for_the_database_is_an_error_next_to_the_field(client, org, pair, field):
    login(client, pair[0])
    data = post_data(pair)
    data[field] = ["99999999999999999999"]
    response = client.post(reverse("rhythm_meeting_new"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert RecurringMeeting.objects.count() == 0


def test_the_meetings_list_costs_the_same_for_one_meeting_and_many(
    client, org, pair, django_assert_num_queries
):
    make(org, pair)
    login(client, pair[0])
    client.get(reverse("rhythm_meetings"))  # the first request also saves the session
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("rhythm_meetings"))
    for i in range(10):
        organiser = PersonFactory(org=org, name=f"Organiser {i}")
        create_meeting(org, organiser=organiser, spec=MeetingSpec(f"M{i}", [*pair, organiser], 2, 30, "UTC"))
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(reverse("rhythm_meetings")).content.decode()
    assert "Organiser 9" in page


def test_the_meetings_list_is_paged_on_the_server(client, org, pair, monkeypatch):
    from accord.rhythm import views

    for i in range(5):
        create_meeting(org, organiser=pair[0], spec=MeetingSpec(f"Sync {i}", list(pair), 2, 30, "UTC"))
    monkeypatch.setattr(views, "MEETINGS_PAGE", 2)
    login(client, pair[1])
    first = client.get(reverse("rhythm_meetings")).content.decode()
    assert "Sync 0" in first and "Sync 1" in first and "Sync 2" not in first and "More meetings" in first
    last = client.get(reverse("rhythm_meetings"), {"page": "3"}).content.decode()
    assert "Sync 4" in last and "Sync 3" not in last and "More meetings" not in last


def test_the_meetings_list_shows_each_reader_their_own_time(client, org, pair):
    london, sydney = pair
    make(org, pair)  # organised in UTC: 00:00 / 09:00 / 09:00 on Wednesdays from 14 January
    login(client, sydney)
    with time_machine.travel(MONDAY, tick=False):
        page = client.get(reverse("rhythm_meetings")).content.decode()
    # Sydney is UTC+11 in January: the reader's own times lead, the organiser's follow in brackets.
    assert (
        '<span class="localtime">Wed 11:00</span> / <span class="localtime">Wed 20:00</span> / '
        '<span class="localtime">Wed 20:00</span> your time'
    ) in page
    assert "(Wednesdays, 00:00 / 09:00 / 09:00 UTC)" in page
    login(client, PersonFactory(org=org, name="Lou Angeles", timezone="America/Los_Angeles"))
    with time_machine.travel(MONDAY, tick=False):
        page = client.get(reverse("rhythm_meetings")).content.decode()
    # UTC-8: midnight on Wednesday is still Tuesday afternoon in Los Angeles.
    assert '<span class="localtime">Tue 16:00</span> / <span class="localtime">Wed 01:00</span>' in page


def test_saving_a_meeting_warns_of_a_clash_with_an_attendees_1on1(client, org, pair):
    from accord.meetings.models import OneOnOneSeries
    from accord.rhythm.actions import occurrence_start
    from tests.factories.meetings import make_series

    london, sydney = pair
    sydney.manager = london
    sydney.save()
    login(client, london)
    with time_machine.travel(MONDAY, tick=False):
        created = client.post(reverse("rhythm_meeting_new"), post_data(pair), follow=True)
    assert "overlaps" not in created.content.decode()
    meeting = RecurringMeeting.objects.get()
    first = occurrence_start(meeting, 0)[0].astimezone(london.zone)
    # Their 1:1, set in London's zone, starts a quarter of an hour into the meeting's first occurrence.
    with time_machine.travel(MONDAY, tick=False):
        make_series(
            org, london, sydney, weekday=first.isoweekday(), at=(first + dt.timedelta(minutes=15)).time()
        )
        saved = client.post(reverse("rhythm_meeting_edit", args=[meeting.pk]), post_data(pair), follow=True)
    series = OneOnOneSeries.objects.get()
    assert series.timezone == "Europe/London"
    assert (
        f"This meeting overlaps the 1:1 of Lon Don and Syd Ney (Lon Don is in both) on "
        f"{first:%a %-d %b at %H:%M} your time."
    ) in saved.content.decode()
