"""The demo's check-ins: six months, repeatable, with blockers in every state and some missed days."""

import datetime as dt
import time

import pytest
from django.contrib.auth.hashers import make_password

from accord.checkins.models import Blocker, Checkin, CheckinSettings, CheckinTemplate
from accord.demo.checkins import build_checkins
from accord.demo.people import build_people
from accord.orgs.models import Organisation

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 10)


def build(slug):
    org = Organisation.objects.create(name="Wonderful", slug=slug)
    cast = build_people(org, today=TODAY, password_hash=make_password("x"))
    started = time.perf_counter()
    build_checkins(cast)
    return org, time.perf_counter() - started


def snapshot(org):
    return list(
        Checkin.objects.filter(org=org)
        .order_by("person__email", "day")
        .values_list(
            "person__email", "day", "prompt_at", "closes_at", "submitted_at", "mood", "mood_shared", "answers"
        )
    )


def test_six_months_of_check_ins_with_blockers_and_missed_days():
    org, seconds = build("demo-a")
    print(f"build_checkins: {seconds:.2f} s")  # reported, never asserted
    checkins = Checkin.objects.filter(org=org)
    people = checkins.values("person").distinct().count()
    assert people >= 0.9 * org.people.count() - 2
    assert checkins.filter(day__lt=TODAY - dt.timedelta(days=175)).exists()
    sent, missed = (
        checkins.filter(submitted_at__isnull=False).count(),
        checkins.filter(submitted_at__isnull=True, day__lt=TODAY).count(),
    )
    assert sent > 5000 and 0.03 < missed / (sent + missed) < 0.2
    # Weekly teams: about one a week each; daily teams about five.
    sales = checkins.filter(team__name="Americas", day__lt=TODAY).values("person").distinct().count()
    assert 20 * sales <= checkins.filter(team__name="Americas", day__lt=TODAY).count() <= 27 * sales
    states = [b.status for b in Blocker.objects.filter(org=org)]
    assert {"open", "acknowledged", "resolved"} <= set(states)
    assert states.count("resolved") > states.count("open")
    # Nothing resolved in the future, and everything submitted before it closed.
    assert not Blocker.objects.filter(
        org=org, resolved_at__gt=dt.datetime(2026, 3, 10, tzinfo=dt.UTC)
    ).exists()
    assert all(
        c.prompt_at <= c.submitted_at < c.closes_at for c in checkins.filter(submitted_at__isnull=False)
    )
    assert CheckinTemplate.objects.filter(org=org, cadence="weekly").exists()
    # Everyone has settings and a cursor for the scheduler; managers a digest time.
    assert not CheckinSettings.objects.filter(org=org, next_prompt_at__isnull=True).exists()
    assert CheckinSettings.objects.filter(org=org, next_digest_at__isnull=False).count() >= 10


def test_the_demo_is_the_same_every_time():
    first, _ = build("demo-b")
    second, _ = build("demo-c")
    a, b = snapshot(first), snapshot(second)
    assert len(a) == len(b) > 0
    strip = [row[1:] for row in a], [row[1:] for row in b]
    assert strip[0] == strip[1]
