"""Six months of demo 1:1s: every manager with each report, varied skipping, open and closed actions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count, Q

from accord.demo import people
from accord.demo.meetings import build_meetings
from accord.meetings.models import ActionItem, AgendaItem, Meeting, MeetingStatus, OneOnOneSeries
from accord.meetings.queries import health
from accord.orgs.models import Organisation

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 10)


@pytest.fixture
def cast():
    org = Organisation.objects.create(name="Wonderful Websites", slug="wonderful")
    return people.build_people(org, today=TODAY, password_hash="!")


def snapshot(org):
    return [
        (
            s.manager.email,
            s.report.email,
            s.cadence,
            s.weekday,
            s.start_time,
            s.duration_minutes,
            s.starts_on,
            [
                (m.scheduled_at, m.status, m.agenda_items.count(), m.action_items.count())
                for m in s.meetings.order_by("scheduled_at")
            ],
        )
        for s in OneOnOneSeries.objects.filter(org=org)
        .select_related("manager", "report")
        .order_by("manager__email", "report__email")
    ]


def test_every_manager_has_a_series_with_each_report(cast, django_assert_max_num_queries):
    with django_assert_max_num_queries(100):  # bulk writes in batches, not a query per row (~8,000 rows)
        build_meetings(cast)
    pairs = set(OneOnOneSeries.objects.values_list("manager_id", "report_id"))
    assert pairs == {(p.manager_id, p.pk) for p in cast.people if p.manager_id}
    now = dt.datetime.combine(TODAY, dt.time(0), tzinfo=dt.UTC)
    # Six months of history, and every series has exactly one meeting still to come, which is due next.
    first = Meeting.objects.order_by("scheduled_at").first().scheduled_at
    assert now - first >= dt.timedelta(days=175)
    upcoming = Meeting.objects.filter(scheduled_at__gt=now).values("series_id").annotate(n=Count("id"))
    assert {row["n"] for row in upcoming} == {1} and len(upcoming) == len(pairs)
    for s in OneOnOneSeries.objects.all()[:20]:
        assert s.next_meeting_at == s.meetings.order_by("-scheduled_at").first().ends_at


def test_skipping_varies_by_manager_and_actions_are_open_and_closed(cast):
    build_meetings(cast)
    now = dt.datetime.combine(TODAY, dt.time(0), tzinfo=dt.UTC)
    series = list(OneOnOneSeries.objects.all())
    found = health(cast.org, [s.pk for s in series], now)
    by_manager: dict[int, list[float]] = {}
    for s in series:
        if found[s.pk].held_share is not None:
            by_manager.setdefault(s.manager_id, []).append(found[s.pk].held_share)
    averages = sorted(sum(v) / len(v) for v in by_manager.values())
    assert averages[0] < 0.8 and averages[-1] > 0.9
    assert Meeting.objects.filter(status=MeetingStatus.SKIPPED).exists()
    assert ActionItem.objects.filter(done_at__isnull=True).exists()
    assert ActionItem.objects.filter(done_at__isnull=False).exists()
    # Open actions sit on their series' newest meeting, as the scheduler would have carried them.
    for item in ActionItem.objects.filter(done_at__isnull=True).select_related("meeting")[:50]:
        assert (
            item.meeting == Meeting.objects.filter(series_id=item.series_id).order_by("-scheduled_at").first()
        )
    assert AgendaItem.objects.filter(Q(meeting__scheduled_at__gt=now), done=False).exists()


def test_the_demo_is_deterministic(cast):
    build_meetings(cast)
    first = snapshot(cast.org)
    OneOnOneSeries.objects.all().delete()
    build_meetings(cast)
    assert snapshot(cast.org) == first
