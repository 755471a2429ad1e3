"""1:1 rules, occurrences across DST, carry-over of action items and health, through the actions."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from accord.lib import jobs
from accord.lib.tz import UTC
from accord.meetings import queries
from accord.meetings.actions import (
    Slot,
    add_action_item,
    end_series,
    mark_meeting,
    next_occurrence,
    nth_weekday,
    set_action_done,
    update_series,
)
from accord.meetings.models import ActionItem, Cadence, Meeting, MeetingStatus, OneOnOneSeries
from accord.orgs.models import Role
from tests.factories import PersonFactory
from tests.factories.meetings import make_series

pytestmark = pytest.mark.django_db


def occurrences_job():
    jobs.load_jobs()
    return next(k for k in jobs.REGISTRY if k.name == "1:1 occurrences")


def run_scheduler(series: OneOnOneSeries, times: int) -> list[Meeting]:
    """Let the real claim loop create `times` more occurrences, each just after the latest one ends."""
    kind = occurrences_job()
    for _ in range(times):
        series.refresh_from_db()
        assert jobs.run_due(kind, series.next_meeting_at + dt.timedelta(minutes=1)) == 1
    return list(Meeting.objects.filter(series=series).order_by("scheduled_at"))


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


# --- 09:00 local stays 09:00 local ------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "created", "expected"),
    [
        # New York: EST (-5) until Sunday 8 March 2026, EDT (-4) until Sunday 1 November.
        (
            "America/New_York",
            at(2026, 2, 25, 12),
            [at(2026, 3, 2, 14), at(2026, 3, 9, 13), at(2026, 3, 16, 13)],
        ),
        (
            "America/New_York",
            at(2026, 10, 21, 12),
            [at(2026, 10, 26, 13), at(2026, 11, 2, 14), at(2026, 11, 9, 14)],
        ),
        # London: GMT until 29 March 2026, BST (+1) until 25 October.
        ("Europe/London", at(2026, 3, 18, 12), [at(2026, 3, 23, 9), at(2026, 3, 30, 8), at(2026, 4, 6, 8)]),
        (
            "Europe/London",
            at(2026, 10, 14, 12),
            [at(2026, 10, 19, 8), at(2026, 10, 26, 9), at(2026, 11, 2, 9)],
        ),
        # Sydney: AEDT (+11) until Sunday 5 April 2026, AEST (+10) until Sunday 4 October.
        (
            "Australia/Sydney",
            at(2026, 3, 25, 0),
            [at(2026, 3, 29, 22), at(2026, 4, 5, 23), at(2026, 4, 12, 23)],
        ),
        (
            "Australia/Sydney",
            at(2026, 9, 23, 0),
            [at(2026, 9, 27, 23), at(2026, 10, 4, 22), at(2026, 10, 11, 22)],
        ),
        # Kathmandu: +05:45 all year, so 09:00 is 03:15 UTC.
        (
            "Asia/Kathmandu",
            at(2026, 3, 25, 0),
            [at(2026, 3, 30, 3, 15), at(2026, 4, 6, 3, 15), at(2026, 4, 13, 3, 15)],
        ),
    ],
)
def test_a_weekly_0900_stays_0900_local_across_dst(org, zone, created, expected):
    manager = PersonFactory(org=org, timezone=zone)
    report = PersonFactory(org=org, manager=manager, timezone="UTC")
    with time_machine.travel(created, tick=False):
        series = make_series(org, manager, report, weekday=1, at=dt.time(9))  # Mondays, 09:00 manager's time
    meetings = run_scheduler(series, 2)
    assert [m.scheduled_at for m in meetings] == expected
    local = [m.scheduled_at.astimezone(ZoneInfo(zone)) for m in meetings]
    assert {(t.hour, t.minute, t.isoweekday()) for t in local} == {(9, 0, 1)}
    assert [m.ends_at - m.scheduled_at for m in meetings] == [dt.timedelta(minutes=30)] * 3


def test_fortnightly_and_monthly_rules_match_their_rrule(org, manager, member):
    with time_machine.travel(at(2026, 1, 1, 12), tick=False):
        fortnightly = make_series(org, manager, member, cadence=Cadence.FORTNIGHTLY, weekday=3)
    days = [m.scheduled_at.date() for m in run_scheduler(fortnightly, 2)]
    assert days == [dt.date(2026, 1, 7), dt.date(2026, 1, 21), dt.date(2026, 2, 4)]

    end_series(fortnightly, actor=manager)
    with time_machine.travel(at(2026, 1, 10, 12), tick=False):  # the 2nd Tuesday of January is the 13th
        monthly = make_series(org, manager, member, cadence=Cadence.MONTHLY, weekday=2)
    days = [m.scheduled_at.date() for m in run_scheduler(monthly, 3)]
    assert days == [dt.date(2026, 1, 13), dt.date(2026, 2, 10), dt.date(2026, 3, 10), dt.date(2026, 4, 14)]


def test_a_fifth_weekday_means_the_last_one_every_month(org, manager, member):
    series = OneOnOneSeries(cadence=Cadence.MONTHLY, weekday=5, starts_on=dt.date(2026, 1, 30))  # 5th Friday
    assert next_occurrence(series, dt.date(2026, 1, 30)) == dt.date(2026, 2, 27)  # February has four
    assert nth_weekday(2026, 5, 5, -1) == dt.date(2026, 5, 29)
    assert nth_weekday(2026, 5, 5, 1) == dt.date(2026, 5, 1)


def test_the_scheduler_creates_each_occurrence_once_and_skips_ones_missed_while_down(org, manager, member):
    with time_machine.travel(at(2026, 5, 1, 12), tick=False):
        series = make_series(org, manager, member)  # Tuesdays 10:00 London (09:00 UTC in summer)
    kind = occurrences_job()
    first_end = series.next_meeting_at
    assert jobs.run_due(kind, first_end) == 1
    assert jobs.run_due(kind, first_end) == 0  # a second scheduler at the same moment finds nothing due
    assert Meeting.objects.filter(series=series).count() == 2
    # Down for three weeks: the next meeting is the first one that has not ended, not three stale ones.
    series.refresh_from_db()
    late = series.next_meeting_at + dt.timedelta(days=21, hours=-1)  # 08:30 UTC on Tuesday 2 June
    assert jobs.run_due(kind, late) == 1
    newest = Meeting.objects.filter(series=series).order_by("-scheduled_at").first()
    assert newest.scheduled_at == at(2026, 6, 2, 9)
    assert Meeting.objects.filter(series=series).count() == 3


def test_an_ended_series_is_not_scheduled_again(org, manager, member):
    with time_machine.travel(at(2026, 5, 1, 12), tick=False):
        series = make_series(org, manager, member)
        end_series(series, actor=manager)
    series.refresh_from_db()
    assert (series.active, series.next_meeting_at, series.sequence) == (False, None, 1)
    assert Meeting.objects.filter(series=series).count() == 0  # the meeting still to come is removed


# --- rules ------------------------------------------------------------------------------------


def test_a_1on1_only_within_one_organisation(org, manager, member, outsider):
    with pytest.raises(ValidationError) as refused:
        make_series(org, manager, outsider)
    assert refused.value.message_dict == {"report": ["No such person in this organisation."]}
    assert not OneOnOneSeries.objects.exists()


def test_not_with_yourself(org, admin):
    with pytest.raises(ValidationError) as refused:
        make_series(org, admin, admin)
    assert "two different people" in refused.value.message_dict["report"][0]


def test_managers_arrange_only_with_their_own_reports_and_admins_with_anyone(
    org, team, manager, member, admin
):
    colleague = PersonFactory(org=org, team=team)
    with pytest.raises(PermissionDenied):
        make_series(org, manager, colleague)
    with pytest.raises(PermissionDenied):
        make_series(org, manager, member, actor=member)
    series = make_series(org, colleague, member, actor=admin)
    assert (series.manager, series.report) == (colleague, member)


def test_one_active_series_per_pair(org, manager, member):
    make_series(org, manager, member)
    with pytest.raises(ValidationError) as refused:
        make_series(org, manager, member)
    assert refused.value.message_dict == {
        "report": ["Maya Manager already has a 1:1 series with Milo Member."]
    }


def test_cadence_weekday_and_length_are_checked(org, manager, member):
    with pytest.raises(ValidationError) as refused:
        make_series(org, manager, member, cadence="daily", weekday=8, minutes=5)
    assert set(refused.value.message_dict) == {"cadence", "weekday", "duration_minutes"}
    assert not OneOnOneSeries.objects.exists()


def test_held_only_once_started_and_only_by_the_two_people(org, series, manager, admin):
    meeting = series.meetings.get()
    with pytest.raises(ValidationError):
        mark_meeting(
            meeting, actor=manager, status=MeetingStatus.HELD, now=meeting.scheduled_at - dt.timedelta(1)
        )
    with pytest.raises(PermissionDenied):
        mark_meeting(meeting, actor=admin, status=MeetingStatus.SKIPPED)
    mark_meeting(meeting, actor=manager, status=MeetingStatus.HELD, now=meeting.scheduled_at)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD


def test_an_action_item_due_in_the_past_is_refused(org, series, manager, member):
    meeting = series.meetings.get()
    with pytest.raises(ValidationError) as refused:
        add_action_item(meeting, actor=manager, owner=member, text="Write it", due_on=dt.date(2020, 1, 1))
    assert list(refused.value.message_dict) == ["due_on"]
    with pytest.raises(ValidationError) as refused:
        add_action_item(meeting, actor=manager, owner=PersonFactory(org=org), text="Write it")
    assert list(refused.value.message_dict) == ["owner"]
    assert not ActionItem.objects.exists()


# --- the slot picker's warning ----------------------------------------------------------------


def test_a_slot_outside_either_persons_hours_warns_but_does_not_block(org):
    boss = PersonFactory(org=org, name="Berta Berlin", timezone="Europe/Berlin")
    report = PersonFactory(org=org, name="Lou Angeles", manager=boss, timezone="America/Los_Angeles")
    now = at(2026, 6, 1, 12)  # a Monday
    slots, warnings = queries.slot_preview(
        boss, report, weekday=2, start_time=dt.time(9), duration_minutes=30, now=now
    )
    assert [(s.person.name, s.start.strftime("%a %H:%M"), s.working) for s in slots] == [
        ("Berta Berlin", "Tue 09:00", True),
        ("Lou Angeles", "Tue 00:00", False),
    ]
    assert warnings == [
        "Tuesday 00:00–00:30 is outside Lou Angeles's working hours "
        "(09:00–17:00 Mon–Fri, America/Los_Angeles)."
    ]
    with time_machine.travel(now, tick=False):
        series = make_series(org, boss, report, weekday=2, at=dt.time(9))
    assert series.pk is not None  # a warning, not a refusal


def test_a_slot_inside_both_days_has_no_warning(org):
    boss = PersonFactory(org=org, timezone="Europe/London")
    report = PersonFactory(org=org, manager=boss, timezone="America/New_York")
    _, warnings = queries.slot_preview(
        boss, report, weekday=3, start_time=dt.time(15), duration_minutes=45, now=at(2026, 6, 1, 12)
    )
    assert warnings == []
    # The manager's day off counts as outside too.
    boss.work_days = "1234"
    _, warnings = queries.slot_preview(
        boss, report, weekday=5, start_time=dt.time(15), duration_minutes=45, now=at(2026, 6, 1, 12)
    )
    assert len(warnings) == 1 and boss.name in warnings[0]


# --- action items carry over ------------------------------------------------------------------


def test_action_items_carry_over_until_done(org, manager, member):
    with time_machine.travel(at(2026, 5, 1, 12), tick=False):
        series = make_series(org, manager, member)
    first = series.meetings.get()
    during = first.scheduled_at + dt.timedelta(minutes=5)
    item = add_action_item(first, actor=manager, owner=member, text="Draft the runbook", now=during)
    other = add_action_item(first, actor=member, owner=manager, text="Ask finance", now=during)
    assert (item.raised_in, item.meeting, item.carried) == (first, first, 0)

    second = run_scheduler(series, 1)[-1]
    item.refresh_from_db()
    assert (item.meeting, item.carried) == (second, 1)

    set_action_done(other, actor=manager, done=True, now=second.scheduled_at)
    third = run_scheduler(series, 1)[-1]
    item.refresh_from_db()
    other.refresh_from_db()
    assert (item.meeting, item.carried) == (third, 2)
    assert (other.meeting, other.carried) == (second, 1)  # done: it stays where it was closed

    set_action_done(item, actor=member, done=True, now=third.scheduled_at)
    run_scheduler(series, 1)
    item.refresh_from_db()
    assert (item.meeting, item.carried, item.raised_in) == (third, 2, first)


def test_an_action_raised_after_the_next_meeting_exists_goes_straight_onto_it(org, manager, member):
    with time_machine.travel(at(2026, 5, 1, 12), tick=False):
        series = make_series(org, manager, member)
    first, second = run_scheduler(series, 1)
    late = add_action_item(
        first, actor=manager, owner=member, text="Send notes", now=first.ends_at + dt.timedelta(1)
    )
    assert (late.raised_in, late.meeting) == (first, second)


# --- health -----------------------------------------------------------------------------------


NOW = at(2026, 6, 30, 12)


def meeting(series, days_ago, status, minutes=30):
    start = NOW - dt.timedelta(days=days_ago)
    return Meeting.objects.create(
        org=series.org,
        series=series,
        scheduled_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
        status=status,
    )


def worked_example(org, manager, member):
    series = make_series(org, manager, member, now=NOW - dt.timedelta(days=120))
    Meeting.objects.filter(series=series).delete()
    held, skipped, scheduled = MeetingStatus.HELD, MeetingStatus.SKIPPED, MeetingStatus.SCHEDULED
    meeting(series, 100, held)  # before the window: not counted
    for days in (84, 70, 56, 42, 28):
        meeting(series, days, held)
    meeting(series, 77, skipped)
    meeting(series, 14, skipped)
    meeting(series, 7, scheduled)  # ended, nobody marked it: counts as not held
    meeting(series, 0.004, scheduled)  # started 6 minutes ago and still going: not counted yet
    meeting(series, -7, scheduled)  # still to come: not counted
    meeting(series, -14, skipped)  # skipped ahead of time: not counted until its day
    raised = Meeting.objects.filter(series=series).order_by("scheduled_at").first()
    for days, done in ((120, True), (60, True), (50, True), (40, False), (10, True)):
        ActionItem.objects.create(
            org=org,
            series=series,
            raised_in=raised,
            meeting=raised,
            owner=member,
            text="x",
            created_at=NOW - dt.timedelta(days=days),
            done_at=NOW if done else None,
        )
    return series


def test_health_on_a_worked_example(org, manager, member):
    series = worked_example(org, manager, member)
    health = queries.health(org, [series.pk], NOW)[series.pk]
    assert health == queries.Health(held=5, skipped=2, unmarked=1, actions_created=4, actions_closed=3)
    assert (health.due, health.held_share, health.closed_share) == (8, 0.625, 0.75)
    assert (health.held_percent, health.closed_percent, health.level) == (62, 75, "warn")


def test_health_of_many_series_costs_two_queries(org, manager, member, django_assert_num_queries):
    ids = [worked_example(org, manager, member).pk]
    end_series(OneOnOneSeries.objects.get(pk=ids[0]), actor=manager)
    ids.append(make_series(org, manager, member).pk)
    with django_assert_num_queries(2):
        found = queries.health(org, ids, NOW)
    assert found[ids[1]] == queries.Health()
    assert found[ids[1]].held_share is None


def test_update_moves_the_next_meeting_and_bumps_the_sequence(org, manager, member):
    with time_machine.travel(at(2026, 5, 1, 12), tick=False):
        series = make_series(org, manager, member)
        update_series(series, actor=manager, slot=Slot(Cadence.FORTNIGHTLY, 4, dt.time(14, 30), 45))
    series.refresh_from_db()
    upcoming = series.meetings.get()
    assert series.sequence == 1
    assert series.starts_on == dt.date(2026, 5, 7)
    assert (upcoming.scheduled_at, upcoming.ends_at) == (at(2026, 5, 7, 13, 30), at(2026, 5, 7, 14, 15))
    assert series.next_meeting_at == upcoming.ends_at
    with pytest.raises(PermissionDenied):
        update_series(series, actor=member, slot=Slot(Cadence.WEEKLY, 1, dt.time(9), 30))


def test_admins_are_not_a_party(org, series, admin):
    admin.role = Role.OWNER
    assert not queries.may_open(PersonFactory(org=org), series)
    assert queries.may_open(admin, series)
