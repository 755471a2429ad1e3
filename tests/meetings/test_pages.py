"""The 1:1 pages: my series, setting one up with both local times, the series and meeting pages."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accord.lib.tz import UTC
from accord.meetings.actions import add_action_item, save_private_note
from accord.meetings.bank import QUESTIONS
from accord.meetings.models import ActionItem, AgendaItem, Meeting, MeetingStatus, OneOnOneSeries, PrivateNote
from accord.orgs.models import Role
from tests.conftest import login
from tests.factories import PersonFactory
from tests.factories.meetings import make_series

from .test_actions import NOW, worked_example

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def text_of(response) -> str:
    return response.content.decode()


# --- my 1:1s ----------------------------------------------------------------------------------


def test_list_shows_my_series_both_ways_with_the_next_meeting_in_my_time(client, org, team, manager, member):
    manager.timezone = "Asia/Kathmandu"
    manager.save()
    boss = PersonFactory(org=org, team=team, name="Bea Boss", timezone="America/New_York")
    manager.manager = boss
    manager.save()
    with time_machine.travel(MONDAY, tick=False):
        make_series(org, manager, member, weekday=2, at=dt.time(9))  # Tue 09:00 Kathmandu = 03:15 UTC
        make_series(org, boss, manager, weekday=3, at=dt.time(8))  # Wed 08:00 New York = 12:00 UTC
        login(client, manager)
        page = text_of(client.get(reverse("one_on_ones")))
    assert "Milo Member" in page and "Their manager" in page
    assert "Bea Boss" in page and "Their report" in page
    assert "Tue 2 Jun, 09:00" in page  # in my own zone, Kathmandu
    assert "Wed 3 Jun, 17:45" in page  # 12:00 UTC is 17:45 in Kathmandu
    assert "Set up a 1:1" in page  # I have a report


def test_someone_without_reports_cannot_set_one_up(client, member, series):
    login(client, member)
    assert "Set up a 1:1" not in text_of(client.get(reverse("one_on_ones")))
    assert client.get(reverse("one_on_one_new")).status_code == 404


def test_the_list_costs_the_same_for_1_and_20_series(client, org, team, manager):
    login(client, manager)
    make_series(org, manager, PersonFactory(org=org, team=team, manager=manager))
    url = reverse("one_on_ones")
    client.get(url)  # the first request of a session also stores the chosen organisation in it
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for _ in range(19):
        series = make_series(org, manager, PersonFactory(org=org, team=team, manager=manager))
        Meeting.objects.filter(series=series).update(status=MeetingStatus.HELD)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert text_of(response).count('data-label="With"') == 20
    assert len(many.captured_queries) == len(one.captured_queries)


# --- setting one up ---------------------------------------------------------------------------


def slot_data(report, **extra):
    return {
        "report": report.pk,
        "cadence": "weekly",
        "weekday": "2",
        "start_time": "09:00",
        "duration_minutes": "30",
    } | extra


def test_the_picker_shows_both_local_times_and_warns_outside_hours(client, org, team):
    boss = PersonFactory(org=org, team=team, name="Berta Berlin", timezone="Europe/Berlin")
    report = PersonFactory(
        org=org, team=team, manager=boss, name="Lou Angeles", timezone="America/Los_Angeles"
    )
    login(client, boss)
    with time_machine.travel(MONDAY, tick=False):
        partial = client.get(reverse("one_on_one_new"), slot_data(report), headers={"HX-Request": "true"})
    body = text_of(partial)
    assert body.lstrip().startswith('<section id="slot-preview"')
    assert "Tue 2 Jun, 09:00–09:30" in body  # Berlin
    assert "Tue 2 Jun, 00:00–00:30" in body  # Los Angeles
    assert "outside Lou Angeles&#x27;s working hours" in body
    assert "Berta Berlin&#x27;s" not in body

    # The warning does not block: the series is created, and the warning follows to the next page.
    with time_machine.travel(MONDAY, tick=False):
        response = client.post(reverse("one_on_one_new"), slot_data(report), follow=True)
    series = OneOnOneSeries.objects.get()
    assert response.redirect_chain[-1][0] == reverse("one_on_one", args=[series.pk])
    assert "outside Lou Angeles&#x27;s working hours" in text_of(response)
    assert (series.manager, series.report, series.timezone) == (boss, report, "Europe/Berlin")


def test_the_first_visit_previews_the_default_slot(client, manager, member):
    login(client, manager)
    page = text_of(client.get(reverse("one_on_one_new")))
    assert "Milo Member" in page and 'id="slot-preview"' in page
    assert page.count("In working hours") == 2  # 10:00 London for both


def test_a_person_of_another_organisation_is_a_field_error(client, org, manager, member, outsider):
    login(client, manager)
    response = client.post(reverse("one_on_one_new"), slot_data(outsider))
    assert response.status_code == 200
    assert "No such person in this organisation." in text_of(response)
    assert not OneOnOneSeries.objects.exists()


def test_a_manager_cannot_pick_someone_elses_report_but_an_admin_can(
    client, org, team, manager, member, admin
):
    colleague = PersonFactory(org=org, team=team)
    login(client, manager)
    response = client.post(reverse("one_on_one_new"), slot_data(colleague))
    assert "No such person in this organisation." in text_of(response)  # not among the choices at all
    login(client, admin)
    bad = client.post(reverse("one_on_one_new"), slot_data(colleague, manager=colleague.pk))
    assert "two different people" in text_of(bad)
    client.post(reverse("one_on_one_new"), slot_data(member, manager=colleague.pk))
    assert OneOnOneSeries.objects.get().manager == colleague


def test_bad_slot_values_are_errors_next_to_their_fields(client, manager, member):
    login(client, manager)
    response = client.post(
        reverse("one_on_one_new"), slot_data(member, cadence="daily", weekday="9", start_time="25:00")
    )
    page = text_of(response)
    assert page.count('class="field-error"') == 3
    assert not OneOnOneSeries.objects.exists()


def test_the_manager_changes_the_slot_and_ends_the_series(client, org, manager, member, series):
    login(client, manager)
    response = client.post(
        reverse("one_on_one_edit", args=[series.pk]),
        {"cadence": "fortnightly", "weekday": "4", "start_time": "15:00", "duration_minutes": "45"},
    )
    assert response.status_code == 302
    series.refresh_from_db()
    assert (series.cadence, series.weekday, series.start_time, series.sequence) == (
        "fortnightly",
        4,
        dt.time(15),
        1,
    )
    client.post(reverse("one_on_one_end", args=[series.pk]))
    series.refresh_from_db()
    assert not series.active
    assert client.get(reverse("one_on_one_edit", args=[series.pk])).status_code == 404


# --- the series page --------------------------------------------------------------------------


def test_agenda_actions_and_ticks_from_the_series_page(client, org, manager, member, series):
    meeting = series.meetings.get()
    login(client, member)
    client.post(reverse("one_on_one_agenda_add", args=[meeting.pk]), {"text": "Talk about the runbook"})
    item = AgendaItem.objects.get()
    assert (item.author, item.meeting, item.done) == (member, meeting, False)
    client.post(reverse("one_on_one_agenda_tick", args=[item.pk]), {"done": "1"})
    item.refresh_from_db()
    assert item.done

    login(client, manager)
    client.post(
        reverse("one_on_one_action_add", args=[meeting.pk]),
        {"text": "Book the course", "owner": member.pk, "due_on": "2099-01-01"},
    )
    action = ActionItem.objects.get()
    assert (action.owner, action.due_on, action.done_at) == (member, dt.date(2099, 1, 1), None)
    client.post(reverse("one_on_one_action_tick", args=[action.pk]), {"done": "1"})
    action.refresh_from_db()
    assert action.done_at is not None
    page = text_of(client.get(reverse("one_on_one", args=[series.pk])))
    assert "Talk about the runbook" in page and "Recently closed" in page and "Book the course" in page


def test_an_action_due_in_the_past_is_an_error_next_to_the_field(client, manager, member, series):
    meeting = series.meetings.get()
    login(client, manager)
    response = client.post(
        reverse("one_on_one_action_add", args=[meeting.pk]),
        {"text": "Book the course", "owner": member.pk, "due_on": "2020-01-01"},
    )
    assert response.status_code == 200
    assert '<p class="field-error" id="id_due_on_error">The due date is in the past' in text_of(response)
    assert not ActionItem.objects.exists()


def test_suggested_questions_rotate_and_go_onto_the_agenda(client, manager, member, series):
    login(client, manager)
    url = reverse("one_on_one", args=[series.pk])
    first = text_of(client.get(url))
    shown = [q for q in QUESTIONS if q.text.replace("'", "&#x27;") in first]
    assert len(shown) == 3 and len({q.category for q in shown}) == 3
    more = text_of(client.get(url, {"more": "1"}))
    assert not any(q.text.replace("'", "&#x27;") in more for q in shown)
    client.post(reverse("one_on_one_agenda_add", args=[series.meetings.get().pk]), {"text": shown[0].text})
    assert AgendaItem.objects.get().text == shown[0].text


def test_private_notes_are_seen_only_by_their_author(client, org, manager, member, admin, series):
    meeting = series.meetings.get()
    login(client, manager)
    client.post(reverse("one_on_one_note", args=[meeting.pk]), {"text": "Seems stretched thin; ask gently."})
    save_private_note(meeting, author=member, text="Ask about the promotion timeline.")
    assert PrivateNote.objects.count() == 2
    pages = [reverse("one_on_one", args=[series.pk]), reverse("one_on_one_meeting", args=[meeting.pk])]
    for viewer, mine, theirs in (
        (manager, "Seems stretched thin", "promotion timeline"),
        (member, "promotion timeline", "Seems stretched thin"),
    ):
        login(client, viewer)
        for url in pages:
            page = text_of(client.get(url))
            assert mine in page and theirs not in page
    login(client, admin)
    for url in pages:
        page = text_of(client.get(url))
        assert client.get(url).status_code == 200
        assert "Seems stretched thin" not in page and "promotion timeline" not in page
        assert "My private note" not in page


def test_marking_a_meeting_held_or_skipped(client, manager, member, series):
    meeting = series.meetings.get()
    login(client, member)
    with time_machine.travel(meeting.scheduled_at - dt.timedelta(hours=1), tick=False):
        early = client.post(reverse("one_on_one_meeting", args=[meeting.pk]), {"status": "held", "notes": ""})
    assert "marked held once it has started" in text_of(early)
    with time_machine.travel(meeting.scheduled_at + dt.timedelta(minutes=20), tick=False):
        client.post(
            reverse("one_on_one_meeting", args=[meeting.pk]), {"status": "held", "notes": "Good chat"}
        )
    meeting.refresh_from_db()
    assert (meeting.status, meeting.notes) == ("held", "Good chat")
    client.post(reverse("one_on_one_meeting", args=[meeting.pk]), {"status": "skipped", "notes": "Good chat"})
    meeting.refresh_from_db()
    assert meeting.status == "skipped"


def test_history_and_health_on_the_series_page(client, org, manager, member):
    series = worked_example(org, manager, member)
    login(client, member)
    with time_machine.travel(NOW, tick=False):
        page = text_of(client.get(reverse("one_on_one", args=[series.pk])))
    assert "<strong>62%</strong> — 5 of 8 due in the last 90 days (2 skipped, 1 not marked)" in page
    assert "<strong>75%</strong> — 3 of 4 agreed in the last 90 days" in page
    assert page.count('badge badge-ok">Held') == 6  # five in the window and one before it
    assert page.count('badge badge-bad">Skipped') == 2


def test_carried_action_items_show_on_the_series_page(client, org, manager, member, series):
    meeting = series.meetings.get()
    add_action_item(meeting, actor=manager, owner=member, text="Draft the plan")
    ActionItem.objects.update(carried=2)
    login(client, member)
    assert "carried over 2×" in text_of(client.get(reverse("one_on_one", args=[series.pk])))


# --- person page mirror -----------------------------------------------------------------------


def test_the_person_page_shows_the_same_health_to_the_person_and_their_manager_only(
    client, org, team, manager, member, admin
):
    worked_example(org, manager, member)
    colleague = PersonFactory(org=org, team=team)
    url = reverse("person", args=[member.pk])
    seen = {}
    with time_machine.travel(NOW, tick=False):
        for viewer in (member, manager, admin, colleague):
            login(client, viewer)
            page = text_of(client.get(url))
            seen[viewer.name] = (
                page[page.find('id="oo-panel-h"') :].split("</section>")[0] if "oo-panel-h" in page else None
            )
    assert seen["Milo Member"] is not None
    assert seen["Milo Member"] == seen["Maya Manager"]
    assert "5 of 8 due in the last 90 days" in seen["Milo Member"]
    assert seen[admin.name] is None and seen[colleague.name] is None


def test_the_home_page_lists_my_next_1on1s(client, manager, member, series):
    login(client, member)
    page = text_of(client.get(reverse("home")))
    assert "Your next 1:1s" in page and reverse("one_on_one", args=[series.pk]) in page


def test_a_new_calendar_link_is_shown_once(client, member):
    login(client, member)
    response = client.post(reverse("one_on_one_feed_new"))
    page = text_of(response)
    assert "/calendar/cal_" in page
    assert response["Cache-Control"] == "private, no-store"  # as every signed-in answer
    assert "Replace my calendar link" in text_of(client.get(reverse("one_on_ones")))


def test_admins_read_but_do_not_write(client, admin, series):
    login(client, admin)
    page = text_of(client.get(reverse("one_on_one", args=[series.pk])))
    assert "reading this 1:1 as an admin" in page
    assert "Add to agenda" not in page
    admin.role = Role.OWNER


def test_a_slot_that_overlaps_another_meeting_of_either_person_is_warned_after_saving(client, org, team):
    from accord.rhythm.actions import MeetingSpec, create_meeting
    from accord.rhythm.models import RecurringMeeting

    boss = PersonFactory(org=org, team=team, name="Bea Boss", timezone="America/New_York")
    lead = PersonFactory(org=org, team=team, manager=boss, name="Lee Lead", timezone="Europe/London")
    report = PersonFactory(org=org, team=team, manager=lead, name="Ray Report", timezone="Europe/London")
    with time_machine.travel(MONDAY, tick=False):
        make_series(org, boss, lead, weekday=2, at=dt.time(9))  # Tue 09:00 New York = 14:00 in London (June)
        standup = create_meeting(
            org, organiser=report, spec=MeetingSpec("Standup", [report, boss], 2, 30, "UTC")
        )
    # Tuesdays 14:00 UTC, which is 15:00 in London in June.
    RecurringMeeting.objects.filter(pk=standup.pk).update(rotation=["14:00"], starts_on=dt.date(2026, 6, 2))
    login(client, lead)
    with time_machine.travel(MONDAY, tick=False):
        fine = client.post(reverse("one_on_one_new"), slot_data(report, start_time="13:00"), follow=True)
    assert "overlaps" not in text_of(fine)
    series = OneOnOneSeries.objects.get(report=report)
    edit = reverse("one_on_one_edit", args=[series.pk])
    with time_machine.travel(MONDAY, tick=False):
        clash = client.post(edit, slot_data(report, start_time="14:15"), follow=True)
    assert (
        "This slot overlaps the 1:1 of Bea Boss and Lee Lead (Lee Lead is in both) "
        "on Tue 2 Jun at 14:15 your time." in text_of(clash)
    )
    with time_machine.travel(MONDAY, tick=False):
        clash = client.post(edit, slot_data(report, start_time="15:00"), follow=True)
    body = text_of(clash)
    assert "This slot overlaps “Standup” (Ray Report is in both) on Tue 2 Jun at 15:00 your time." in body
    assert "Bea Boss and Lee Lead" not in body
    assert OneOnOneSeries.objects.get(pk=series.pk).start_time == dt.time(15)  # a warning, not a refusal
