"""The home page's "waiting for you" list: each kind of thing appears while it waits and goes once
done, for a member, a manager and an admin; with nothing waiting, one friendly line says so."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accord.checkins.actions import acknowledge_blocker, submit_checkin, template_for
from accord.checkins.models import Blocker, Checkin
from accord.goals.actions import set_commitment_status
from accord.goals.models import Commitment
from accord.meetings.actions import add_agenda_item, mark_meeting
from accord.meetings.models import Meeting, OneOnOneSeries
from accord.orgs.models import Role
from accord.pulse.actions import reply_as_author, reply_as_manager, submit_answers
from accord.pulse.models import Comment, Participation, Program, Round
from accord.pulse.sealing import thread_key

from ..conftest import login
from ..factories import PersonFactory

pytestmark = pytest.mark.django_db
ROLES = ("member", "manager", "admin")
NOTHING = "Nothing is waiting for you right now."


@pytest.fixture(params=ROLES)
def me(request, org, team):
    """The person whose home page is read, in each role (a manager is someone with a report)."""
    boss = PersonFactory(org=org, team=team, name="Bo Boss", email="bo@acme.test")
    person = PersonFactory(org=org, team=team, manager=boss, name="Kim Reader", email="kim@acme.test")
    if request.param == "admin":
        person.role = Role.ADMIN
        person.save()
    if request.param == "manager":
        PersonFactory(org=org, team=team, manager=person, name="Rui Report", email="rui@acme.test")
    return person


def waiting(client, person) -> tuple[list[str], str]:
    login(client, person)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return [w.key for w in response.context["waiting"]], response.content.decode()


def test_nothing_waiting_says_so_in_one_line(client, me):
    keys, page = waiting(client, me)
    assert keys == [] and NOTHING in page


def open_round(org, person, *, took_part=False):
    now = timezone.now()
    program = Program.objects.create(org=org, name="Team pulse")
    rnd = Round.objects.create(
        org=org, program=program, number=1, opens_on=now.date(), closes_at=now + dt.timedelta(days=3)
    )
    participation = Participation.objects.create(
        org=org,
        round=rnd,
        person=person,
        tenure_band="1-2y",
        region="europe",
        prompt_at=now,
        took_part=took_part,
    )
    return rnd, participation


def test_a_pulse_to_answer_until_answered(client, org, me):
    rnd, participation = open_round(org, me)
    keys, page = waiting(client, me)
    assert keys == ["pulse"] and "A pulse to answer: Team pulse" in page and NOTHING not in page
    assert reverse("pulse_answer", args=[rnd.pk]) in page
    submit_answers(participation, answers={}, comment="A good fortnight.", now=timezone.now())
    assert waiting(client, me)[0] == []


def test_a_reply_to_my_anonymous_comment_until_i_answer_it(client, org, me):
    rnd, _ = open_round(org, me, took_part=True)
    comment = Comment.objects.create(
        org=org,
        round=rnd,
        sealed_cell=b"sealed",
        text="More focus time",
        thread_key=thread_key(me.pk, rnd.pk),
    )
    assert "pulse_replies" not in waiting(client, me)[0]  # a comment nobody answered waits for no one
    manager = PersonFactory(org=org, name="Ana Lead", email="ana@acme.test")
    reply_as_manager(comment, manager, "Shall we try no-meeting Wednesdays?")
    keys, page = waiting(client, me)
    assert "pulse_replies" in keys and "1 reply to your anonymous comments" in page
    reply_as_author(comment, me, "Yes please.")
    assert "pulse_replies" not in waiting(client, me)[0]


def test_todays_checkin_until_sent(client, org, me):
    now = timezone.now()
    checkin = Checkin.objects.create(
        org=org,
        person=me,
        team=me.team,
        day=now.astimezone(me.zone).date(),
        prompt_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(hours=12),
    )
    keys, page = waiting(client, me)
    assert keys == ["checkin"] and "Today&#x27;s check-in" in page
    first = template_for(me.team).questions[0]["key"]
    submit_checkin(checkin, answers={first: "Shipped the importer."}, now=now)
    assert waiting(client, me)[0] == []


def test_a_checkin_not_yet_asked_does_not_wait(client, org, me):
    now = timezone.now()
    Checkin.objects.create(
        org=org,
        person=me,
        team=me.team,
        day=now.astimezone(me.zone).date() + dt.timedelta(days=1),
        prompt_at=now + dt.timedelta(hours=20),
        closes_at=now + dt.timedelta(hours=30),
    )
    assert waiting(client, me)[0] == []


def test_a_blocker_of_my_report_until_acknowledged(client, org, team, me):
    report = PersonFactory(org=org, team=team, manager=me, name="Ola Blocked", email="ola@acme.test")
    now = timezone.now()
    checkin = Checkin.objects.create(
        org=org,
        person=report,
        team=team,
        day=now.date(),
        prompt_at=now,
        closes_at=now + dt.timedelta(hours=9),
        submitted_at=now,
    )
    blocker = Blocker.objects.create(org=org, checkin=checkin, person=report, team=team, text="No VPN access")
    keys, page = waiting(client, me)
    assert keys == ["blocker"] and "Ola Blocked is blocked" in page and "No VPN access" in page
    # The blocked person's own page does not ask them to acknowledge it.
    client.logout()
    assert waiting(client, report)[0] == []
    client.logout()
    acknowledge_blocker(blocker, by=me)
    assert waiting(client, me)[0] == []


def test_a_one_on_one_coming_up_with_its_agenda_until_held_or_skipped(client, org, me):
    now = timezone.now()
    series = OneOnOneSeries.objects.create(
        org=org, manager=me.manager, report=me, start_time=dt.time(10), timezone="UTC", starts_on=now.date()
    )
    later = Meeting.objects.create(
        org=org,
        series=series,
        scheduled_at=now + dt.timedelta(days=9),
        ends_at=now + dt.timedelta(days=9, minutes=30),
    )
    meeting = Meeting.objects.create(
        org=org,
        series=series,
        scheduled_at=now + dt.timedelta(hours=20),
        ends_at=now + dt.timedelta(hours=20, minutes=30),
    )
    keys, page = waiting(client, me)
    assert keys == ["one_on_one"] and "1:1 with Bo Boss" in page and "Nothing on the agenda yet" in page
    add_agenda_item(meeting, author=me, text="Conference budget")
    page = waiting(client, me)[1]
    assert "Conference budget" in page and reverse("one_on_one_meeting", args=[meeting.pk]) in page
    assert reverse("one_on_one_meeting", args=[later.pk]) not in page  # too far ahead to wait on me
    mark_meeting(meeting, actor=me, status="skipped", now=now)
    assert waiting(client, me)[0] == []


def test_a_commitment_due_until_done(client, org, me):
    today = timezone.now().astimezone(me.zone).date()
    commitment = Commitment.objects.create(
        org=org, owner=me, title="Write the runbook", definition_of_done="Merged", due_on=today
    )
    Commitment.objects.create(
        org=org, owner=me, title="Far away", definition_of_done="x", due_on=today + dt.timedelta(days=30)
    )
    keys, page = waiting(client, me)
    assert keys == ["commitment"] and "Commitment due today: Write the runbook" in page
    set_commitment_status(commitment, actor=me, status="done")
    assert waiting(client, me)[0] == []
