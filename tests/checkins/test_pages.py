"""The check-in pages: answering, commitments, mood privacy, blockers, settings, panels, query counts."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accord.checkins.actions import acknowledge_blocker, submit_checkin
from accord.checkins.models import Blocker, Cadence, Checkin, CheckinSettings, CheckinTemplate
from accord.checkins.planning import plan_checkins
from accord.goals.models import Commitment
from accord.lib.tz import UTC
from accord.orgs.models import Role
from tests.conftest import login
from tests.factories import PersonFactory, TeamFactory

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 6, 1, 10, 0, tzinfo=UTC)  # 11:00 in London, where the factory puts people


@pytest.fixture(autouse=True)
def at_monday():
    with time_machine.travel(MONDAY, tick=False):
        yield


def today_of(person):
    plan_checkins(person.org_id, MONDAY - dt.timedelta(hours=4))
    return Checkin.objects.get(person=person, day=dt.date(2026, 6, 1))


def send(person, mood=None, shared=False, blocker="", done="Shipped the CSV export"):
    return submit_checkin(
        today_of(person),
        answers={"q1": done, "q2": "Invoices next", "q3": blocker},
        mood=mood,
        share_mood=shared,
        now=MONDAY,
    )


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- my check-in --------------------------------------------------------------------------------


def test_my_page_asks_the_templates_questions_and_lists_my_open_commitments(as_member, member):
    checkin = today_of(member)
    Commitment.objects.create(
        org=member.org,
        owner=member,
        title="Ship invoices",
        definition_of_done="Sent",
        due_on=dt.date(2026, 6, 5),
    )
    page = text(as_member.get(reverse("checkins")))
    assert "Your check-in for Monday 1 June" in page
    assert "Open until 17:00 your time, the end of your working day." in page
    for label in ("What I got done", "What&#x27;s next", "Anything blocking me"):
        assert label in page
    assert f'name="checkin" value="{checkin.pk}"' in page
    assert "Ship invoices" in page and "Share my mood with my manager" in page
    assert "No check-ins were due in the last 30 days." in page


def test_sending_a_check_in_with_a_blocker_and_a_commitment_done(as_member, member):
    checkin = today_of(member)
    commitment = Commitment.objects.create(
        org=member.org,
        owner=member,
        title="Ship invoices",
        definition_of_done="Sent",
        due_on=dt.date(2026, 6, 5),
    )
    response = as_member.post(
        reverse("checkins"),
        {
            "checkin": checkin.pk,
            "a_q1": "Finished the importer",
            "a_q2": "Invoices",
            "a_q3": "Need access to the billing sandbox",
            "mood": "4",
            f"c_{commitment.pk}": "done",
        },
    )
    assert response.status_code == 302
    checkin.refresh_from_db()
    assert checkin.submitted_at == MONDAY
    assert [(a["question"], a["answer"]) for a in checkin.answers] == [
        ("What I got done", "Finished the importer"),
        ("What's next", "Invoices"),
        ("Anything blocking me", "Need access to the billing sandbox"),
    ]
    assert (checkin.mood, checkin.mood_shared) == (4, False)
    commitment.refresh_from_db()
    # Done on the owner's own local date.
    assert (commitment.status, commitment.done_on) == ("done", dt.date(2026, 6, 1))
    assert checkin.commitment_updates == [{"id": commitment.pk, "title": "Ship invoices", "status": "done"}]
    blocker = Blocker.objects.get()
    assert (blocker.person, blocker.team_id, blocker.text, blocker.status) == (
        member,
        member.team_id,
        "Need access to the billing sandbox",
        "open",
    )
    page = text(as_member.get(reverse("checkins")))
    assert "Check-in sent. Thank you!" in page
    assert "Mood: 4/5 · private to you" in page


def test_no_blocker_from_an_answer_that_says_there_is_none(member):
    send(member, blocker="None.")
    assert Blocker.objects.count() == 0


def test_an_empty_check_in_is_refused_next_to_the_form(as_member, member):
    checkin = today_of(member)
    response = as_member.post(reverse("checkins"), {"checkin": checkin.pk, "a_q1": " ", "mood": "9"})
    assert response.status_code == 400
    page = text(response)
    assert "Answer at least one question." in page
    assert "Select a valid choice. 9 is not one of the available choices." in page
    checkin.refresh_from_db()
    assert checkin.submitted_at is None


def test_a_late_check_in_is_refused_with_a_clear_message(client, member):
    checkin = today_of(member)
    with time_machine.travel(dt.datetime(2026, 6, 1, 16, 30, tzinfo=UTC), tick=False):  # 17:30 in London
        login(client, member)
        response = client.post(reverse("checkins"), {"checkin": checkin.pk, "a_q1": "Too late"})
    assert response.status_code == 409
    assert "This check-in closed at 17:00 on Monday 1 June, the end of your working day" in text(response)
    checkin.refresh_from_db()
    assert checkin.submitted_at is None


def test_a_check_in_is_sent_only_once(as_member, member):
    checkin = send(member)
    response = as_member.post(reverse("checkins"), {"checkin": checkin.pk, "a_q1": "Again"})
    assert response.status_code == 409
    assert "You have already sent this check-in. Thank you!" in text(response)


def test_someone_elses_check_in_cannot_be_sent(as_member, member, manager):
    theirs = today_of(manager)
    response = as_member.post(reverse("checkins"), {"checkin": theirs.pk, "a_q1": "Hijack"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.submitted_at is None


def test_ask_me_at_moves_todays_prompt(as_member, member):
    checkin = today_of(member)  # 09:00 asked... no: still ahead? It's 11:00 now: leave it, move the next.
    Checkin.objects.filter(pk=checkin.pk).update(prompts_sent=1)
    response = as_member.post(reverse("checkins_prompt_time"), {"prompt_time": "08:30"})
    assert response.status_code == 302
    assert CheckinSettings.objects.get(person=member).prompt_time == dt.time(8, 30)
    tuesday = Checkin.objects.get(person=member, day=dt.date(2026, 6, 2))
    assert f"{tuesday.prompt_at.astimezone(member.zone):%H:%M}" == "08:30"
    assert "From now on we&#x27;ll ask you at 08:30 your time." in text(as_member.get(reverse("checkins")))


def test_ask_me_at_refuses_bad_times(as_member, member):
    as_member.post(reverse("checkins_prompt_time"), {"prompt_time": "25:00"})
    assert "Give a time like 09:00." in text(as_member.get(reverse("checkins")))
    as_member.post(reverse("checkins_prompt_time"), {"prompt_time": "16:45"})
    assert "Pick a time at least an hour before your working day ends (17:00)" in text(
        as_member.get(reverse("checkins"))
    )
    assert not CheckinSettings.objects.filter(person=member, prompt_time__gt=dt.time(9)).exists()


def test_participation_counts_sent_over_due_in_the_last_30_days(as_member, member):
    for days_ago, sent in [(1, True), (2, False), (3, True), (40, False)]:
        day = dt.date(2026, 6, 1) - dt.timedelta(days=days_ago)
        closes = dt.datetime.combine(day, dt.time(16), tzinfo=UTC)
        Checkin.objects.create(
            org=member.org,
            person=member,
            team=member.team,
            day=day,
            prompt_at=closes - dt.timedelta(hours=8),
            closes_at=closes,
            submitted_at=closes - dt.timedelta(hours=1) if sent else None,
        )
    today_of(member)  # still open: not counted against anyone
    assert "2 of 3 check-ins sent in the last 30 days (67%)." in text(as_member.get(reverse("checkins")))


# --- the transparency mirror, panels ------------------------------------------------------------


def test_participation_reads_the_same_for_the_person_and_their_manager(
    client, member, manager, admin, org, team
):
    send(member)
    Checkin.objects.create(
        org=org,
        person=member,
        team=team,
        day=dt.date(2026, 5, 29),
        prompt_at=MONDAY - dt.timedelta(days=3),
        closes_at=MONDAY - dt.timedelta(days=3, hours=-6),
    )
    words = "1 of 2 check-ins sent in the last 30 days (50%)."
    for viewer in (member, manager, admin):
        login(client, viewer)
        assert words in text(client.get(reverse("person", args=[member.pk])))
    teammate = PersonFactory(org=org, team=team)
    login(client, teammate)
    page = text(client.get(reverse("person", args=[member.pk])))
    assert "Check-in participation" not in page and words not in page


def test_home_shows_managers_the_open_blockers_of_their_reports(client, member, manager):
    send(member, blocker="Staging is down")
    login(client, manager)
    page = text(client.get(reverse("home")))
    assert "Open blockers of your reports" in page
    assert "Staging is down" in page
    login(client, member)
    assert "Open blockers of your reports" not in text(client.get(reverse("home")))


def test_home_shows_each_blocker_once_before_and_after_it_is_acknowledged(client, member, manager):
    send(member, blocker="Staging is down")
    login(client, manager)
    page = text(client.get(reverse("home")))
    # Not yet acknowledged: under "Waiting for you" only.
    assert page.count("Staging is down") == 1
    assert page.index("Waiting for you") < page.index("Staging is down") < page.index("Open blockers of your")
    acknowledge_blocker(Blocker.objects.get(text="Staging is down"), by=manager)
    page = text(client.get(reverse("home")))
    # Acknowledged and still open: in the check-ins panel only.
    assert page.count("Staging is down") == 1
    assert page.index("Open blockers of your reports") < page.index("Staging is down")


# --- team feed ----------------------------------------------------------------------------------


def test_the_feed_is_newest_first_and_blockers_stand_out(as_manager, member, manager, team):
    other = PersonFactory(org=member.org, team=team, manager=manager, name="Omar Other")
    send(member, done="Older news")
    with time_machine.travel(MONDAY + dt.timedelta(minutes=5), tick=False):
        submit_checkin(
            today_of(other),
            answers={"q1": "Newer news", "q3": "The build is red"},
            now=MONDAY + dt.timedelta(minutes=5),
        )
        page = text(as_manager.get(reverse("checkins_team", args=[team.pk])))
    assert page.index("Newer news") < page.index("Older news")
    assert 'Open blockers <span class="badge badge-bad">1</span>' in page
    assert "The build is red" in page and "Not yet acknowledged" in page
    assert "Acknowledge</button>" in page and "Resolve</button>" in page


def test_members_see_the_feed_but_no_manager_buttons(as_member, member, manager, team):
    colleague = PersonFactory(org=member.org, team=team, manager=manager)
    send(colleague, blocker="Waiting on design")
    page = text(as_member.get(reverse("checkins_team", args=[team.pk])))
    assert "Waiting on design" in page
    assert "Acknowledge</button>" not in page and "Resolve</button>" not in page


def test_the_author_may_resolve_their_own_blocker(as_member, member):
    send(member, blocker="Laptop broke")
    blocker = Blocker.objects.get()
    page = text(as_member.get(reverse("checkins_team", args=[member.team_id])))
    assert "Resolve</button>" in page and "Acknowledge</button>" not in page
    assert as_member.post(reverse("checkins_blocker_acknowledge", args=[blocker.pk])).status_code == 404
    assert as_member.post(reverse("checkins_blocker_resolve", args=[blocker.pk])).status_code == 302
    blocker.refresh_from_db()
    assert (blocker.status, blocker.resolved_by) == ("resolved", member)


def test_managers_acknowledge_then_resolve(as_manager, member, manager, team):
    send(member, blocker="Need a decision on pricing")
    blocker = Blocker.objects.get()
    feed = reverse("checkins_team", args=[team.pk])
    response = as_manager.post(reverse("checkins_blocker_acknowledge", args=[blocker.pk]), {"next": feed})
    assert response.status_code == 302 and response["Location"] == feed
    blocker.refresh_from_db()
    assert (blocker.status, blocker.acknowledged_by, blocker.acknowledged_at) == (
        "acknowledged",
        manager,
        MONDAY,
    )
    assert "Acknowledged by Maya Manager" in text(as_manager.get(feed))
    as_manager.post(reverse("checkins_blocker_resolve", args=[blocker.pk]), {"next": "https://evil.example/"})
    blocker.refresh_from_db()
    assert (blocker.status, blocker.resolved_by) == ("resolved", manager)
    assert "No open blockers." in text(as_manager.get(feed))


def test_the_feed_is_closed_to_people_outside_the_team(client, member, org):
    elsewhere = PersonFactory(org=org, team=TeamFactory(org=org, name="Sales"))
    login(client, elsewhere)
    assert client.get(reverse("checkins_team", args=[member.team_id])).status_code == 404


@pytest.mark.parametrize("shared", [False, True])
def test_a_mood_is_seen_by_the_manager_only_when_shared(client, member, manager, admin, org, team, shared):
    send(member, mood=2, shared=shared)
    feed = reverse("checkins_team", args=[team.pk])
    login(client, member)
    assert "Mood: 2/5" in text(client.get(feed))
    login(client, manager)
    assert ("Mood: 2/5 · shared with you" in text(client.get(feed))) is shared
    assert ("Mood: 2/5" in text(client.get(feed))) is shared
    # Teammates and admins never see it, shared or not.
    for viewer in (admin, PersonFactory(org=org, team=team)):
        login(client, viewer)
        assert "Mood" not in text(client.get(feed))


# --- team settings ------------------------------------------------------------------------------


def settings_post(**overrides):
    data = {
        "q1": "What did you finish?",
        "q2": "What will you do next?",
        "q3": "What is in your way?",
        "q4": "",
        "q5": "",
        "q6": "",
        "blocker": "3",
        "cadence": "weekly",
        "weekday": "5",
        "enabled": "on",
    }
    data.update(overrides)
    return data


def test_a_manager_changes_the_questions_and_cadence(as_manager, team):
    response = as_manager.post(reverse("checkins_team_settings", args=[team.pk]), settings_post())
    assert response.status_code == 302
    template = CheckinTemplate.objects.get(team=team)
    assert template.questions == [
        {"key": "q1", "text": "What did you finish?", "blocker": False},
        {"key": "q2", "text": "What will you do next?", "blocker": False},
        {"key": "q3", "text": "What is in your way?", "blocker": True},
    ]
    assert (template.cadence, template.weekday) == (Cadence.WEEKLY, 5)
    assert "Checks in weekly on Fridays." in text(as_manager.get(reverse("checkins_team", args=[team.pk])))


def test_no_questions_is_an_error_next_to_the_questions(as_manager, team):
    response = as_manager.post(
        reverse("checkins_team_settings", args=[team.pk]), settings_post(q1="", q2="", q3="", blocker="")
    )
    assert response.status_code == 400
    assert re.search(r'id="id_q1_error">Keep at least one question.<', text(response))
    assert not CheckinTemplate.objects.filter(team=team, cadence=Cadence.WEEKLY).exists()


def test_a_weekday_out_of_range_is_an_error_next_to_the_weekday(as_manager, team):
    response = as_manager.post(reverse("checkins_team_settings", args=[team.pk]), settings_post(weekday="9"))
    assert response.status_code == 400
    assert 'id="id_weekday_error">Choose a day of the week, Monday to Sunday.<' in text(response)
    assert not CheckinTemplate.objects.filter(team=team, cadence=Cadence.WEEKLY).exists()


def test_the_blockers_question_must_be_written(as_manager, team):
    response = as_manager.post(reverse("checkins_team_settings", args=[team.pk]), settings_post(blocker="5"))
    assert response.status_code == 400
    assert "Question 5 is empty: choose a written question, or None." in text(response)


def test_an_unknown_team_is_404(as_manager, team):
    assert as_manager.get(reverse("checkins_team_settings", args=[team.pk + 999])).status_code == 404
    assert as_manager.get(reverse("checkins_team", args=[team.pk + 999])).status_code == 404


def test_members_cannot_change_their_teams_template(as_member, team):
    assert as_member.get(reverse("checkins_team_settings", args=[team.pk])).status_code == 404
    assert (
        as_member.post(reverse("checkins_team_settings", args=[team.pk]), settings_post()).status_code == 404
    )
    assert not CheckinTemplate.objects.filter(team=team, cadence=Cadence.WEEKLY).exists()


# --- query counts ---------------------------------------------------------------------------------


def grow_team(org, team, manager, n):
    people = [PersonFactory(org=org, team=team, manager=manager) for _ in range(n)]
    plan_checkins(org.pk, MONDAY - dt.timedelta(hours=4))
    for i, person in enumerate(people):
        checkin = Checkin.objects.get(person=person)
        submit_checkin(
            checkin,
            answers={"q1": f"Work {i}", "q3": "Blocked" if i % 3 == 0 else ""},
            mood=3,
            share_mood=i % 2 == 0,
            now=MONDAY,
        )
    for blocker in Blocker.objects.all()[:1]:
        blocker.acknowledged_by = manager
        blocker.acknowledged_at = MONDAY
        blocker.save()


@pytest.mark.parametrize("page", ["checkins_team", "checkins_team_settings"])
def test_team_pages_cost_the_same_queries_for_1_and_for_50_members(
    client, org, team, manager, django_assert_num_queries, page
):
    grow_team(org, team, manager, 1)
    login(client, manager)
    url = reverse(page, args=[team.pk])
    client.get(url)  # the template is made on first use
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow_team(org, team, manager, 49)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    if page == "checkins_team":
        assert text(response).count("checkin-item") >= 30


def test_my_page_costs_the_same_queries_however_many_check_ins(client, member, django_assert_num_queries):
    login(client, member)
    today_of(member)
    client.get(reverse("checkins"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("checkins"))
    for days_ago in range(1, 30):
        day = dt.date(2026, 6, 1) - dt.timedelta(days=days_ago)
        closes = dt.datetime.combine(day, dt.time(16), tzinfo=UTC)
        Checkin.objects.create(
            org=member.org,
            person=member,
            team=member.team,
            day=day,
            prompt_at=closes - dt.timedelta(hours=8),
            closes_at=closes,
            submitted_at=closes,
            answers=[{"key": "q1", "question": "Q", "answer": "A", "blocker": False}],
        )
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(reverse("checkins"))


def test_admins_manage_any_team(client, org, admin):
    sales = TeamFactory(org=org, name="Sales")
    PersonFactory(org=org, team=sales)
    login(client, admin)
    assert client.get(reverse("checkins_team_settings", args=[sales.pk])).status_code == 200
    assert client.get(reverse("checkins_team", args=[sales.pk])).status_code == 200
    assert admin.role == Role.ADMIN
