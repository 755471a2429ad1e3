"""When people are asked: their own time, working days and zone, DST, one reminder, closing, digests,
and the scheduler's promises (never twice, nothing lost), driven through time with a real SMTP server."""

import datetime as dt
from dataclasses import replace

import pytest
from django.core import mail

from accord.checkins import actions
from accord.checkins.actions import CheckinClosed, set_prompt_time, submit_checkin
from accord.checkins.jobs import send_prompt
from accord.checkins.models import (
    Blocker,
    Cadence,
    Checkin,
    CheckinSchedule,
    CheckinSettings,
    CheckinTemplate,
)
from accord.checkins.planning import Rhythm, plan_checkins
from accord.lib import jobs
from accord.lib.tz import UTC
from tests.concurrency import at_once
from tests.factories import PersonFactory, TeamFactory

from .conftest import body, drive, member_in, subject, to

pytestmark = pytest.mark.django_db


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


def local_times(person):
    """Each planned check-in's prompt as the person's wall clock reads it: (local date, "HH:MM")."""
    return [
        (c.prompt_at.astimezone(person.zone).date(), f"{c.prompt_at.astimezone(person.zone):%H:%M}")
        for c in Checkin.objects.filter(person=person).order_by("prompt_at")
    ]


# --- 09:00 stays 09:00 local: DST and odd offsets -------------------------------------------------

# (zone, a span around a 2026 clock change, the working days in it with their prompt in UTC)
DST_CASES = [
    pytest.param(
        "America/New_York",
        utc(2026, 3, 5, 12),
        utc(2026, 3, 10, 15),
        [utc(2026, 3, 5, 14), utc(2026, 3, 6, 14), utc(2026, 3, 9, 13), utc(2026, 3, 10, 13)],
        id="new-york-spring-forward-8-march",
    ),
    pytest.param(
        "America/New_York",
        utc(2026, 10, 29, 12),
        utc(2026, 11, 3, 15),
        [utc(2026, 10, 29, 13), utc(2026, 10, 30, 13), utc(2026, 11, 2, 14), utc(2026, 11, 3, 14)],
        id="new-york-fall-back-1-november",
    ),
    pytest.param(
        "Europe/London",
        utc(2026, 3, 26, 7),
        utc(2026, 3, 31, 10),
        [utc(2026, 3, 26, 9), utc(2026, 3, 27, 9), utc(2026, 3, 30, 8), utc(2026, 3, 31, 8)],
        id="london-spring-forward-29-march",
    ),
    pytest.param(
        "Europe/London",
        utc(2026, 10, 22, 7),
        utc(2026, 10, 27, 10),
        [utc(2026, 10, 22, 8), utc(2026, 10, 23, 8), utc(2026, 10, 26, 9), utc(2026, 10, 27, 9)],
        id="london-fall-back-25-october",
    ),
    pytest.param(
        # Sydney leaves summer time on Sunday 5 April: +11 before, +10 after.
        "Australia/Sydney",
        utc(2026, 4, 1, 20),
        utc(2026, 4, 7, 0),
        [utc(2026, 4, 1, 22), utc(2026, 4, 2, 22), utc(2026, 4, 5, 23), utc(2026, 4, 6, 23)],
        id="sydney-fall-back-5-april",
    ),
    pytest.param(
        # ... and starts it again on Sunday 4 October: +10 before, +11 after.
        "Australia/Sydney",
        utc(2026, 9, 30, 20),
        utc(2026, 10, 6, 0),
        [utc(2026, 9, 30, 23), utc(2026, 10, 1, 23), utc(2026, 10, 4, 22), utc(2026, 10, 5, 22)],
        id="sydney-spring-forward-4-october",
    ),
    pytest.param(
        "Asia/Kolkata",  # +05:30 all year
        utc(2026, 3, 5, 0),
        utc(2026, 3, 10, 4),
        [utc(2026, 3, 5, 3, 30), utc(2026, 3, 6, 3, 30), utc(2026, 3, 9, 3, 30), utc(2026, 3, 10, 3, 30)],
        id="kolkata-plus-0530",
    ),
    pytest.param(
        "Asia/Kathmandu",  # +05:45 all year
        utc(2026, 3, 5, 0),
        utc(2026, 3, 10, 4),
        [utc(2026, 3, 5, 3, 15), utc(2026, 3, 6, 3, 15), utc(2026, 3, 9, 3, 15), utc(2026, 3, 10, 3, 15)],
        id="kathmandu-plus-0545",
    ),
]


@pytest.mark.parametrize(("zone", "start", "end", "expected"), DST_CASES)
def test_a_0900_prompt_stays_0900_local(org, team, smtp, settings, zone, start, end, expected):
    settings.SITE_URL = "http://accord.test"
    person = member_in(org, team, zone, email="kim@acme.test")
    arrived = drive(smtp, start, end)
    prompts = [(at, m) for at, m in arrived if not subject(m).startswith("Reminder")]
    # Each working day's prompt arrived at the tick of its own local 09:00, weekend days had none...
    assert [at for at, _ in prompts] == expected
    assert {f"{at.astimezone(person.zone):%H:%M}" for at in expected} == {"09:00"}
    assert all(to(m) == "kim@acme.test" for _, m in prompts)
    assert "http://accord.test/checkins/" in body(prompts[0][1])
    # ... and every check-in planned in the span (the next ones too) is at 09:00 on the wall clock.
    assert {hhmm for _, hhmm in local_times(person)} == {"09:00"}


def test_a_prompt_time_that_does_not_exist_moves_forward_by_the_gap():
    # 02:30 on 8 March 2026 never happens in New York (02:00 → 03:00): asked at 03:30 EDT, 07:30 UTC.
    from zoneinfo import ZoneInfo

    rhythm = Rhythm(ZoneInfo("America/New_York"), dt.time(2, 30), dt.time(0, 0), dt.time(23, 0), "1234567")
    prompt, _, _ = rhythm.times(dt.date(2026, 3, 8))
    assert prompt == utc(2026, 3, 8, 7, 30)
    # On the fall-back night 01:30 happens twice: the first one (EDT, 05:30 UTC), never both.
    prompt, _, _ = replace(rhythm, prompt_time=dt.time(1, 30)).times(dt.date(2026, 11, 1))
    assert prompt == utc(2026, 11, 1, 5, 30)


def test_each_person_is_asked_at_their_own_chosen_time(org, team):
    early = member_in(org, team, "Europe/Berlin", work_start=dt.time(8), work_end=dt.time(16))
    late = member_in(org, team, "Europe/Berlin")
    now = utc(2026, 6, 1, 4)  # Monday, 06:00 in Berlin
    plan_checkins(org.pk, now)
    set_prompt_time(early, dt.time(8, 15), now=now)
    set_prompt_time(late, dt.time(10, 45), now=now)
    assert local_times(early)[0] == (dt.date(2026, 6, 1), "08:15")
    assert local_times(late)[0] == (dt.date(2026, 6, 1), "10:45")
    assert Checkin.objects.filter(person__in=[early, late]).count() == 2  # moved, not doubled


def test_a_prompt_time_too_close_to_the_end_of_the_day_is_refused(org, team):
    from django.core.exceptions import ValidationError

    person = member_in(org, team, "Europe/Berlin")  # 09:00–17:00
    with pytest.raises(ValidationError) as caught:
        set_prompt_time(person, dt.time(16, 30))
    assert caught.value.message_dict == {
        "prompt_time": [
            "Pick a time at least an hour before your working day ends (17:00): 16:00 at the latest."
        ]
    }
    assert not CheckinSettings.objects.filter(person=person).exists()


# --- working days, weekly cadence ---------------------------------------------------------------


def test_weekends_and_days_off_are_skipped(org, team):
    weekdays = member_in(org, team, "Europe/London")
    four_days = member_in(org, team, "Europe/London", work_days="1234")
    sun_to_thu = member_in(org, team, "Asia/Manila", work_days="12347")
    now = utc(2026, 6, 4, 0)  # Thursday
    for day in range(7):
        plan_checkins(org.pk, now + dt.timedelta(days=day))
    names = {p.pk: p for p in (weekdays, four_days, sun_to_thu)}
    days = {pk: [f"{d:%a}" for d, _ in local_times(p)] for pk, p in names.items()}
    assert days[weekdays.pk][:5] == ["Thu", "Fri", "Mon", "Tue", "Wed"]
    assert days[four_days.pk][:4] == ["Thu", "Mon", "Tue", "Wed"]
    assert days[sun_to_thu.pk][:5] == ["Thu", "Sun", "Mon", "Tue", "Wed"]


def test_weekly_teams_check_in_on_their_day_or_the_first_working_day_after_it(org, team):
    CheckinTemplate.objects.create(org=org, team=team, cadence=Cadence.WEEKLY, weekday=1)
    monday_worker = member_in(org, team, "Europe/Warsaw")
    tue_to_sat = member_in(org, team, "Europe/Warsaw", work_days="23456")
    now = utc(2026, 6, 4, 0)  # Thursday
    for day in range(0, 16):
        plan_checkins(org.pk, now + dt.timedelta(days=day))
    assert [d for d, _ in local_times(monday_worker)][:2] == [dt.date(2026, 6, 8), dt.date(2026, 6, 15)]
    assert [d for d, _ in local_times(tue_to_sat)][:2] == [dt.date(2026, 6, 9), dt.date(2026, 6, 16)]


def test_changing_the_cadence_replans_the_team_at_once(org, team, manager):
    member = member_in(org, team, "Europe/Berlin")
    monday = utc(2026, 6, 1, 4)  # Monday 06:00 in Berlin
    plan_checkins(org.pk, monday, ahead=dt.timedelta(days=3))
    assert [d.day for d, _ in local_times(member)] == [1, 2, 3]
    Checkin.objects.filter(person=member, day=dt.date(2026, 6, 1)).update(
        prompts_sent=1
    )  # Monday's was asked
    template = actions.template_for(team)
    now = utc(2026, 6, 1, 8)
    actions.save_template(
        template, questions=template.questions, cadence=Cadence.WEEKLY, weekday=3, enabled=True, now=now
    )
    # Tuesday's and Wednesday's planned check-ins are gone; what was already asked stays; next: Wednesday.
    assert [d.day for d, _ in local_times(member)] == [1]
    cursor = CheckinSettings.objects.get(person=member).next_prompt_at
    assert f"{cursor.astimezone(member.zone):%a %H:%M}" == "Wed 09:00"


def test_people_who_cannot_be_asked_are_not_planned(org, team):
    from accord.orgs.models import Person

    no_team = PersonFactory(org=org, team=None)
    no_login = PersonFactory(org=org, team=team, user=None, email="pending@acme.test")
    gone = PersonFactory(org=org, team=team, is_active=False)
    paused_team = TeamFactory(org=org, name="Paused")
    CheckinTemplate.objects.create(org=org, team=paused_team, enabled=False)
    paused = PersonFactory(org=org, team=paused_team)
    plan_checkins(org.pk, utc(2026, 6, 1, 4))
    assert Checkin.objects.filter(person__in=[no_team, no_login, gone, paused]).count() == 0
    assert Person.objects.filter(checkin_settings__isnull=False).count() == 1  # only `paused` is waiting


# --- reminder, closing --------------------------------------------------------------------------


def test_one_reminder_then_nothing_and_closing_at_the_end_of_the_working_day(org, team, smtp):
    person = member_in(org, team, "America/New_York", email="ana@acme.test")
    arrived = drive(smtp, utc(2026, 6, 1, 12), utc(2026, 6, 2, 3))  # Monday, 08:00 to 23:00 in New York
    assert [(f"{at.astimezone(person.zone):%H:%M}", subject(m)) for at, m in arrived] == [
        ("09:00", "Your Acme check-in for Monday 1 June"),
        ("12:00", "Reminder: Your Acme check-in for Monday 1 June"),  # 3 hours later, once
    ]
    checkin = Checkin.objects.get(person=person, day=dt.date(2026, 6, 1))
    assert checkin.closes_at == utc(2026, 6, 1, 21)  # 17:00 in New York: the end of their working day
    assert (checkin.prompts_sent, checkin.next_send_at) == (2, None)
    with pytest.raises(CheckinClosed) as caught:
        submit_checkin(checkin, answers={"q1": "Late"}, now=utc(2026, 6, 1, 21, 1))
    assert str(caught.value) == (
        "This check-in closed at 17:00 on Monday 1 June, the end of your working day, so it can no longer "
        "be sent. The next one will come on your next check-in day."
    )
    checkin.refresh_from_db()
    assert checkin.submitted_at is None


def test_the_reminder_comes_halfway_when_less_than_six_hours_remain(org, team):
    person = member_in(org, team, "Asia/Kolkata", work_end=dt.time(13, 0))  # 09:00–13:00
    plan_checkins(org.pk, utc(2026, 6, 1, 0))
    checkin = Checkin.objects.get(person=person)
    local = checkin.reminder_at.astimezone(person.zone)
    assert f"{local:%H:%M}" == "11:00"


def test_no_reminder_after_the_check_in_is_sent(org, team, smtp):
    person = member_in(org, team, "Europe/London")
    drive(smtp, utc(2026, 6, 1, 7), utc(2026, 6, 1, 8))  # Monday: the 09:00 BST prompt
    checkin = Checkin.objects.get(person=person, day=dt.date(2026, 6, 1))
    submit_checkin(checkin, answers={"q1": "Shipped the export"}, now=utc(2026, 6, 1, 9))
    arrived = drive(smtp, utc(2026, 6, 1, 9), utc(2026, 6, 1, 16))
    assert arrived == []
    assert Checkin.objects.get(pk=checkin.pk).next_send_at is None


def test_a_late_scheduler_does_not_send_a_prompt_and_its_reminder_together(org, team):
    person = member_in(org, team, "Europe/London")
    plan_checkins(org.pk, utc(2026, 6, 1, 0))
    checkin = Checkin.objects.get(person=person)
    late = checkin.reminder_at + dt.timedelta(minutes=5)  # down all morning
    jobs.load_jobs()
    jobs.tick(late)
    checkin.refresh_from_db()
    assert (checkin.prompts_sent, checkin.next_send_at, len(mail.outbox)) == (1, None, 1)


# --- the scheduler's promises -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_never_send_a_prompt_twice(org, team):
    people = [member_in(org, team, "Europe/London", email=f"p{i}@acme.test") for i in range(25)]
    at = utc(2026, 6, 1, 8)  # Monday 09:00 BST
    plan_checkins(org.pk, at - dt.timedelta(hours=3))
    jobs.load_jobs()
    at_once(lambda: jobs.tick(at), 3)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert set(Checkin.objects.values_list("prompts_sent", flat=True)) == {1}


def test_a_scheduler_killed_mid_run_loses_nothing(org, team, registry, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    person = member_in(org, team, "Europe/London")
    plan_checkins(org.pk, utc(2026, 6, 1, 0))
    checkin = Checkin.objects.get(person=person)

    def killed(row, now):
        send_prompt(row, now)  # the email task is enqueued and prompts_sent counted ...
        raise RuntimeError("the machine lost power")  # ... then the scheduler dies before committing

    registry[:] = [jobs.Periodic("checkin prompts", Checkin, "next_send_at", killed)]
    with pytest.raises(RuntimeError):
        jobs.tick(checkin.prompt_at)
    checkin.refresh_from_db()
    assert (checkin.next_send_at, checkin.prompts_sent, DBTaskResult.objects.count()) == (
        checkin.prompt_at,
        0,
        0,
    )

    registry[:] = [jobs.Periodic("checkin prompts", Checkin, "next_send_at", send_prompt)]
    assert jobs.tick(checkin.prompt_at) == {"checkin prompts": 1}
    checkin.refresh_from_db()
    assert (checkin.next_send_at, checkin.prompts_sent, DBTaskResult.objects.count()) == (
        checkin.reminder_at,
        1,
        1,
    )


def test_a_planner_killed_mid_run_loses_nothing(org, team, registry):
    from accord.checkins.jobs import plan_day_ahead

    member_in(org, team, "Europe/London")
    schedule = actions.ensure_schedule(org, now=utc(2026, 6, 1, 0))

    def killed(row, now):
        plan_day_ahead(row, now)
        raise RuntimeError("killed")

    registry[:] = [jobs.Periodic("checkin planning", CheckinSchedule, "next_plan_at", killed)]
    with pytest.raises(RuntimeError):
        jobs.tick(utc(2026, 6, 1, 0))
    assert (Checkin.objects.count(), CheckinSettings.objects.count()) == (0, 0)
    schedule.refresh_from_db()
    assert schedule.next_plan_at == utc(2026, 6, 1, 0)
    registry[:] = [jobs.Periodic("checkin planning", CheckinSchedule, "next_plan_at", plan_day_ahead)]
    jobs.tick(utc(2026, 6, 1, 0))
    assert Checkin.objects.count() == 1
    schedule.refresh_from_db()
    assert schedule.next_plan_at == utc(2026, 6, 1, 1)


def test_planning_twice_never_doubles_a_day(org, team):
    member_in(org, team, "Europe/London")
    now = utc(2026, 6, 1, 0)
    assert plan_checkins(org.pk, now) == 1
    CheckinSettings.objects.update(next_prompt_at=None)  # as if the cursor were lost
    plan_checkins(org.pk, now)
    assert Checkin.objects.count() == 1


ZONES = ["Europe/London", "Asia/Kolkata", "America/New_York", "Australia/Sydney"]


@pytest.mark.parametrize("per_zone", [1, 10])
def test_planning_costs_a_few_statements_however_many_people(org, team, django_assert_num_queries, per_zone):
    for zone in ZONES:
        for i in range(per_zone):
            member_in(org, team, zone, email=f"{zone.split('/')[1].lower()}{i}@acme.test")
    now = utc(2026, 6, 1, 0)
    # First planning: templates, members without settings, due settings, new managers; an INSERT of
    # check-ins and one of settings, each one statement executed for all rows.
    with django_assert_num_queries(6):
        plan_checkins(org.pk, now)
    # A day later: the same reads, one INSERT of check-ins and one UPDATE moving every cursor on.
    with django_assert_num_queries(6):
        plan_checkins(org.pk, now + dt.timedelta(days=1))
    # Monday and Tuesday everywhere, and Sydney's Wednesday too (Tuesday 23:00 UTC).
    assert Checkin.objects.count() == 9 * per_zone


# --- digests --------------------------------------------------------------------------------------


def test_the_digest_comes_at_the_managers_own_time_with_the_blockers(org, team, smtp):
    boss = member_in(org, team, "Europe/Berlin", name="Bea Boss", email="bea@acme.test")
    report = member_in(org, team, "America/New_York", name="Rui Report", email="rui@acme.test", manager=boss)
    drive(smtp, utc(2026, 6, 2, 0), utc(2026, 6, 2, 13))  # Tuesday until 09:00 in New York
    checkin = Checkin.objects.get(person=report, day=dt.date(2026, 6, 2))
    submit_checkin(
        checkin,
        answers={"q1": "Migrated billing", "q3": "Waiting on a Stripe key from finance"},
        mood=2,
        now=utc(2026, 6, 2, 13, 5),
    )
    arrived = drive(smtp, utc(2026, 6, 2, 13, 15), utc(2026, 6, 2, 16, 30))
    digests = [(at, m) for at, m in arrived if to(m) == "bea@acme.test" and "digest" in subject(m)]
    assert [at for at, _ in digests] == [utc(2026, 6, 2, 15, 30)]  # 17:30 in Berlin (CEST)
    at, message = digests[0]
    assert subject(message) == "Check-in digest: 1 of 1, 1 open blocker"
    text = body(message)
    assert "Rui Report (Tue 2 Jun, not yet acknowledged): Waiting on a Stripe key from finance" in text
    assert "Migrated billing" in text
    assert "Mood" not in text  # not shared
    assert Blocker.objects.get().text == "Waiting on a Stripe key from finance"


def test_the_planner_finds_new_people_within_the_hour_and_everyone_else_daily(org, team, registry):
    from accord.checkins.jobs import plan_day_ahead

    registry[:] = [jobs.Periodic("checkin planning", CheckinSchedule, "next_plan_at", plan_day_ahead)]
    first = member_in(org, team, "Europe/London")
    waiting = PersonFactory(org=org, team=None)  # not in a team yet
    actions.ensure_schedule(org, now=utc(2026, 6, 1, 0))
    jobs.tick(utc(2026, 6, 1, 0))  # the first run looks at everyone
    assert set(Checkin.objects.values_list("person", flat=True)) == {first.pk}
    newcomer = member_in(org, team, "Europe/London", email="new@acme.test")
    waiting.team = team
    waiting.save()
    jobs.tick(utc(2026, 6, 1, 1))  # an hourly run: the newcomer (a higher id) is found at once ...
    assert set(Checkin.objects.values_list("person", flat=True)) == {first.pk, newcomer.pk}
    for hour in range(2, 25):
        jobs.tick(utc(2026, 6, 1) + dt.timedelta(hours=hour))
    # ... and someone who joined a team is found by the daily look at everyone.
    assert Checkin.objects.filter(person=waiting).exists()
    schedule = CheckinSchedule.objects.get(org=org)
    assert schedule.full_scan_at == utc(2026, 6, 2, 0)
