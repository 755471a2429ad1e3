"""Celebrations: on the day in the celebrated person's own zone, opt-outs, leap days, and a digest
sent by the scheduler at 09:00 in each recipient's zone, through a real SMTP server."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from accord.kudos.actions import ensure_schedule, next_digest_time, set_preferences
from accord.kudos.models import KudosPreferences
from accord.kudos.queries import began_between, celebrating, coming_up
from accord.lib import jobs
from accord.lib.tz import UTC
from tests.conftest import login
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


def person(org, team, name, zone, **kw):
    return PersonFactory(
        org=org, team=team, name=name, timezone=zone, email=f"{name.split()[0].lower()}@acme.test", **kw
    )


def names(found):
    return [(c.person.name, c.kind) for c in found]


# --- on the day, in their own zone ----------------------------------------------------------------


def test_the_day_is_the_celebrated_persons_own(client, org, team, member):
    sydney = person(org, team, "Sid Sydney", "Australia/Sydney", birthday_month=6, birthday_day=14)
    bogota_13 = person(org, team, "Bea Bogota", "America/Bogota", birthday_month=6, birthday_day=13)
    bogota_14 = person(org, team, "Bo Bogota", "America/Bogota", birthday_month=6, birthday_day=14)
    people = [sydney, bogota_13, bogota_14]
    # 20:00 UTC on the 13th: already 06:00 on the 14th in Sydney, still 15:00 on the 13th in Bogotá.
    evening = utc(2026, 6, 13, 20)
    assert names(celebrating(people, evening)) == [("Bea Bogota", "birthday"), ("Sid Sydney", "birthday")]
    # 06:00 UTC on the 14th: 16:00 on the 14th in Sydney, 01:00 on the 14th in Bogotá.
    morning = utc(2026, 6, 14, 6)
    assert names(celebrating(people, morning)) == [("Bo Bogota", "birthday"), ("Sid Sydney", "birthday")]
    # The same on the team's page, read at those instants.
    login(client, member)
    for at, shown, hidden in [(evening, "Bea Bogota", "Bo Bogota"), (morning, "Bo Bogota", "Bea Bogota")]:
        with time_machine.travel(at, tick=False):
            page = client.get(reverse("kudos_team", args=[team.pk])).content.decode()
        today = page.split("Celebrating today")[1].split("Coming up")[0]
        assert shown in today and "Sid Sydney" in today and hidden not in today


def test_work_anniversaries_count_whole_years_and_not_the_first_day(org, team):
    veteran = person(org, team, "Vera Veteran", "Asia/Kolkata", start_date=dt.date(2023, 6, 14))
    newcomer = person(org, team, "Ned Newcomer", "Asia/Kolkata", start_date=dt.date(2026, 6, 14))
    found = celebrating([veteran, newcomer], utc(2026, 6, 14, 12))
    assert [(c.person.name, c.words) for c in found] == [("Vera Veteran", "3 years with us")]
    one = person(org, team, "Ola One", "Asia/Kathmandu", start_date=dt.date(2025, 6, 15))
    assert [c.words for c in coming_up([one], utc(2026, 6, 14, 12))] == ["1 year with us"]


def test_a_29_february_birthday_is_on_28_february_in_common_years(org, team):
    leap = person(org, team, "Lea Leap", "Europe/London", birthday_month=2, birthday_day=29)
    assert names(celebrating([leap], utc(2027, 2, 28, 12))) == [("Lea Leap", "birthday")]
    assert names(celebrating([leap], utc(2027, 3, 1, 12))) == []
    assert names(celebrating([leap], utc(2028, 2, 28, 12))) == []
    assert names(celebrating([leap], utc(2028, 2, 29, 12))) == [("Lea Leap", "birthday")]


def test_people_can_opt_out_of_either(org, team):
    both = person(
        org,
        team,
        "Opal Optout",
        "Europe/Berlin",
        birthday_month=6,
        birthday_day=14,
        start_date=dt.date(2020, 6, 14),
    )
    at = utc(2026, 6, 14, 12)
    assert names(celebrating([both], at)) == [("Opal Optout", "anniversary"), ("Opal Optout", "birthday")]
    set_preferences(both, celebrate_anniversary=False, celebrate_birthday=True, digest=True)
    assert names(celebrating([both], at)) == [("Opal Optout", "birthday")]
    set_preferences(both, celebrate_anniversary=True, celebrate_birthday=False, digest=True)
    assert names(celebrating([both], at)) == [("Opal Optout", "anniversary")]


def test_a_day_begins_once_in_back_to_back_windows_across_a_dst_change(org, team):
    # London springs forward on 29 March 2026: that day has 23 hours. Windows of exactly 24 hours still
    # name the celebration once.
    spring = person(org, team, "Sam Spring", "Europe/London", birthday_month=3, birthday_day=29)
    edges = [utc(2026, 3, 27, 8) + dt.timedelta(days=i) for i in range(5)]
    found = [names(began_between([spring], a, b)) for a, b in zip(edges, edges[1:], strict=False)]
    assert found == [[], [("Sam Spring", "birthday")], [], []]


def test_the_digest_is_at_0900_on_the_next_working_day_in_the_persons_zone(org, team):
    kolkata = person(org, team, "Kiran Kolkata", "Asia/Kolkata", work_days="12345")
    friday_evening = utc(2026, 6, 19, 12)  # 17:30 on Friday in Kolkata
    assert next_digest_time(kolkata, friday_evening) == utc(2026, 6, 22, 3, 30)  # Monday 09:00 IST
    new_york = person(org, team, "Nia York", "America/New_York")
    # DST: 09:00 EST before 8 March 2026 is 14:00 UTC, 09:00 EDT after it 13:00 UTC.
    assert next_digest_time(new_york, utc(2026, 3, 6, 15)) == utc(2026, 3, 9, 13)


# --- the digest, through the scheduler and a real SMTP server -------------------------------------


def drive(inbox, start, end, step=dt.timedelta(minutes=15)):
    jobs.load_jobs()
    seen, arrived, at = len(inbox.messages), [], start
    while at <= end:
        with time_machine.travel(at, tick=False):
            jobs.tick()
            jobs.tick()  # a second scheduler at the same instant finds nothing left to claim
        arrived += [(at, m) for m in inbox.messages[seen:]]
        seen = len(inbox.messages)
        at += step
    return arrived


def test_the_digest_reaches_each_teammate_at_their_own_0900_once(org, team, smtp, registry, settings):
    settings.SITE_URL = "http://accord.test"
    london = person(org, team, "Lou London", "Europe/London")
    sydney = person(org, team, "Sid Sydney", "Australia/Sydney", birthday_month=6, birthday_day=16)
    bogota = person(org, team, "Bea Bogota", "America/Bogota", start_date=dt.date(2022, 6, 16))
    shy = person(org, team, "Sol Shy", "Europe/London", birthday_month=6, birthday_day=16)
    quiet = person(org, team, "Quinn Quiet", "Europe/London")
    set_preferences(shy, celebrate_anniversary=True, celebrate_birthday=False, digest=True)
    set_preferences(quiet, celebrate_anniversary=True, celebrate_birthday=True, digest=False)
    KudosPreferences.objects.update(next_digest_at=None, last_digest_at=None)  # the planner starts everyone
    ensure_schedule(org, now=utc(2000, 1, 1))

    arrived = drive(smtp, utc(2026, 6, 15, 0), utc(2026, 6, 17, 12))

    got = [(at, m["To"], m["Subject"]) for at, m in arrived]
    assert sorted(got) == [
        # Sydney's 16th begins at 14:00 UTC on the 15th, which is 09:00 in Bogotá: Bea hears of it then.
        (utc(2026, 6, 15, 14), "bea@acme.test", "Celebrating today: Sid Sydney"),
        # London's 09:00 on the 16th: both began since Lou's last digest (Bogotá's 16th at 05:00 UTC).
        (utc(2026, 6, 16, 8), "lou@acme.test", "Celebrating today: Bea Bogota, Sid Sydney"),
        (utc(2026, 6, 16, 8), "sol@acme.test", "Celebrating today: Bea Bogota, Sid Sydney"),
        # Sydney's 09:00 on the 17th; the 16th's digest had nothing yet (and never Sid's own birthday).
        (utc(2026, 6, 16, 23), "sid@acme.test", "Celebrating today: Bea Bogota"),
    ]
    by_person = {}
    for at, to, subject in got:
        local = at.astimezone(
            {"lou": london, "sid": sydney, "bea": bogota, "sol": shy}[to.split("@")[0]].zone
        )
        assert f"{local:%H:%M}" == "09:00", (to, at)
        by_person.setdefault(to, []).append(subject)
    assert by_person == {
        "bea@acme.test": ["Celebrating today: Sid Sydney"],
        "lou@acme.test": ["Celebrating today: Bea Bogota, Sid Sydney"],
        "sol@acme.test": ["Celebrating today: Bea Bogota, Sid Sydney"],
        "sid@acme.test": ["Celebrating today: Bea Bogota"],
    }
    body = next(m for _, m in arrived if m["To"] == "lou@acme.test").get_content()
    assert "  * Bea Bogota: 4 years at Acme, Tuesday 16 June (their time)" in body
    assert "  * Sid Sydney: birthday, Tuesday 16 June (their time)" in body
    assert "Sol Shy" not in body  # opted out of birthday celebrations
    assert "http://accord.test/kudos/settings/" in body
    assert not any(m["To"] == "quinn@acme.test" for _, m in arrived)  # turned the digest off
