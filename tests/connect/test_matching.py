"""The matching rules, on small cases worked out by hand, through the round action and the real database."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.connect import matching
from accord.connect.actions import REASONS, pair_coffee_round, pause_coffee
from accord.connect.models import CoffeeGroupMember, CoffeeMember, CoffeeSettings
from accord.connect.queries import departments as departments_of
from tests.factories import OrgFactory, TeamFactory

from .conftest import SPRING, US_ONLY_DST, WINTER, coffee_person

pytestmark = pytest.mark.django_db


def groups_of(rnd):
    return sorted(
        sorted(s.person.name for s in g.members.all()) for g in rnd.groups.prefetch_related("members__person")
    )


def test_the_odd_one_out_joins_a_pair_as_a_trio(org, team):
    for name in "ABCDE":
        coffee_person(org, team, name=name)
    rnd = pair_coffee_round(org, US_ONLY_DST)
    sizes = sorted(len(g) for g in groups_of(rnd))
    assert sizes == [2, 3]
    assert sorted(n for g in groups_of(rnd) for n in g) == list("ABCDE")
    assert rnd.unmatched == []


def test_a_pair_needs_thirty_minutes_which_dst_gives_only_in_the_week_the_us_has_changed(org, team):
    # New York 09:00-17:00 and Berlin 09:00-14:30. In the week of 9 March 2026 New York is UTC-4 and
    # Berlin still UTC+1: 13:00-21:00 and 08:00-13:30 UTC share exactly 30 minutes. A week earlier New
    # York is UTC-5 (14:00 start), and in April Berlin is UTC+2 (12:30 end): no overlap either time.
    coffee_person(org, team, name="Nia", zone="America/New_York")
    coffee_person(org, team, name="Ben", zone="Europe/Berlin", end=dt.time(14, 30))
    settings = CoffeeSettings.objects.get(org=org)
    settings.avoid_rounds = 0
    settings.save()

    assert groups_of(pair_coffee_round(org, WINTER)) == []
    rnd = pair_coffee_round(org, US_ONLY_DST)
    assert groups_of(rnd) == [["Ben", "Nia"]]
    group = rnd.groups.get()
    assert group.overlap_minutes == 30
    assert group.slots == [
        [f"2026-03-{d:02d}T13:00:00+00:00", f"2026-03-{d:02d}T13:30:00+00:00"] for d in (9, 11, 13)
    ]
    later = pair_coffee_round(org, SPRING)
    assert groups_of(later) == []
    reason = "shares no 30 minutes of working hours with anyone else taking part this week"
    assert later.unmatched == [
        {"person_id": p.pk, "name": p.name, "reason": reason} for p in org.people.order_by("name")
    ]


def test_twenty_nine_minutes_is_not_enough(org, team):
    coffee_person(org, team, name="Nia", zone="America/New_York")
    coffee_person(org, team, name="Ben", zone="Europe/Berlin", end=dt.time(14, 29))
    assert groups_of(pair_coffee_round(org, US_ONLY_DST)) == []


def test_overlap_is_computed_per_date_in_each_zone():
    week = dt.date(2026, 3, 9)
    ny = ("America/New_York", dt.time(9), dt.time(17), "12345")
    london = ("Europe/London", dt.time(9), dt.time(17), "12345")
    assert matching.longest(matching.shared_windows([ny, london], week)) == 4 * 60
    assert matching.longest(matching.shared_windows([ny, london], dt.date(2026, 3, 2))) == 3 * 60
    # Kathmandu (UTC+5:45) and Berlin (UTC+1): 09:00-17:00 Kathmandu is 03:15-11:15 UTC.
    ktm = ("Asia/Kathmandu", dt.time(9), dt.time(17), "12345")
    berlin = ("Europe/Berlin", dt.time(9), dt.time(17), "12345")
    assert matching.longest(matching.shared_windows([ktm, berlin], week)) == 3 * 60 + 15


def test_no_one_meets_the_same_person_again_within_n_rounds(org, team):
    people = [coffee_person(org, team, name=n) for n in "ABCD"]
    settings = CoffeeSettings.objects.get(org=org)
    settings.avoid_rounds = 2
    settings.save()
    seen = []
    for week in range(4):
        seen.append(groups_of(pair_coffee_round(org, US_ONLY_DST + dt.timedelta(weeks=week))))
    # Four people have exactly three ways to pair up: three rounds use all three, the fourth (only the
    # last two rounds excluded) has to repeat the first.
    assert len({str(s) for s in seen[:3]}) == 3
    assert seen[3] == seen[0]
    assert len(people) == 4


def test_someone_who_met_everyone_recently_is_told_so(org, team):
    coffee_person(org, team, name="A")
    coffee_person(org, team, name="B")
    assert groups_of(pair_coffee_round(org, US_ONLY_DST)) == [["A", "B"]]
    again = pair_coffee_round(org, US_ONLY_DST + dt.timedelta(weeks=1))
    assert groups_of(again) == []
    assert [row["reason"] for row in again.unmatched] == [
        "has met everyone whose hours overlap theirs within the last 6 rounds"
    ] * 2


def test_cross_department_pairs_win_when_the_weight_says_so(org, departments):
    # Two in London (Engineering), two in New York (Sales), every team different. Same-zone pairs share
    # 8 hours (4 points), London-New York 3 hours in winter (3 points): with weight 0 the same-zone
    # pairs win (16 + 16 > 15 + 15); with weight 6 the mixed pairs do (21 + 21 > 16 + 16).
    coffee_person(org, departments["platform"], name="Eng London 1")
    coffee_person(org, departments["product"], name="Eng London 2")
    coffee_person(org, departments["americas"], name="Sales NY 1", zone="America/New_York")
    coffee_person(org, departments["emea"], name="Sales NY 2", zone="America/New_York")
    settings = CoffeeSettings.objects.get(org=org)
    settings.avoid_rounds = 0
    settings.cross_department_weight = 0
    settings.save()
    assert groups_of(pair_coffee_round(org, WINTER)) == [
        ["Eng London 1", "Eng London 2"],
        ["Sales NY 1", "Sales NY 2"],
    ]
    settings.cross_department_weight = 6
    settings.save()
    mixed = pair_coffee_round(org, WINTER)
    for group in groups_of(mixed):
        assert [n.split()[0] for n in group] == ["Eng", "Sales"]
    seats = CoffeeGroupMember.objects.filter(group__round=mixed)
    assert sorted(seats.values_list("department", flat=True)) == ["Engineering"] * 2 + ["Sales"] * 2
    assert sorted(mixed.groups.values_list("weight", flat=True)) == [21, 21]


def test_paused_people_and_people_without_hours_are_listed_with_the_reason(org, team):
    a = coffee_person(org, team, name="A")
    coffee_person(org, team, name="B")
    coffee_person(org, team, name="C")
    pause_coffee(a, dt.date(2026, 3, 20), today=dt.date(2026, 3, 5))
    # Hours emptied after joining: excluded, with the reason.
    c = org.people.get(name="C")
    c.work_end = c.work_start
    c.save()
    rnd = pair_coffee_round(org, US_ONLY_DST)
    assert groups_of(rnd) == []
    assert rnd.unmatched == [
        {"person_id": a.pk, "name": "A", "reason": "paused until 20 March 2026", "paused": True},
        {"person_id": org.people.get(name="B").pk, "name": "B", "reason": REASONS[matching.NO_OVERLAP]},
        {"person_id": c.pk, "name": "C", "reason": "has no working hours set"},
    ]
    # The pause ends on its date: the round for the week of 23 March pairs A again.
    later = pair_coffee_round(org, dt.datetime(2026, 3, 19, 12, tzinfo=dt.UTC))
    assert groups_of(later) == [["A", "B"]]


def test_rounds_never_pair_across_organisations(org, team):
    other = OrgFactory()
    other_team = TeamFactory(org=other)
    for name in "AB":
        coffee_person(org, team, name=name)
    stranger = coffee_person(other, other_team, name="Stranger")
    rnd = pair_coffee_round(org, US_ONLY_DST)
    assert groups_of(rnd) == [["A", "B"]]
    assert CoffeeGroupMember.objects.filter(person=stranger).count() == 0
    assert all(s.org_id == org.pk for s in CoffeeGroupMember.objects.all())
    # The stranger's own round has nobody to meet: one person, no overlap partner, never someone from org.
    theirs = pair_coffee_round(other, US_ONLY_DST)
    assert groups_of(theirs) == []
    assert CoffeeMember.objects.filter(org=other).count() == 1


def test_departments_are_top_level_teams_or_the_children_of_a_single_root(org):
    eng = TeamFactory(org=org, name="Engineering")
    mobile = TeamFactory(org=org, name="Mobile", parent=eng)
    ios = TeamFactory(org=org, name="iOS", parent=mobile)
    sales = TeamFactory(org=org, name="Sales")
    assert departments_of(org) == {
        eng.pk: "Engineering",
        mobile.pk: "Engineering",
        ios.pk: "Engineering",
        sales.pk: "Sales",
    }
    single = OrgFactory()
    root = TeamFactory(org=single, name="Acme")
    support = TeamFactory(org=single, name="Support", parent=root)
    level1 = TeamFactory(org=single, name="Level 1", parent=support)
    assert departments_of(single) == {root.pk: "Acme", support.pk: "Support", level1.pk: "Support"}


def test_the_scheduler_runs_rounds_on_the_claimed_row(org, team, registry):
    from accord.lib import jobs

    for name in "AB":
        coffee_person(org, team, name=name)
    settings = CoffeeSettings.objects.get(org=org)
    assert settings.next_round_at == dt.datetime(2026, 3, 12, 12, tzinfo=dt.UTC)  # the Thursday after joining
    with time_machine.travel(settings.next_round_at, tick=False):
        counts = jobs.tick()
    assert counts["coffee rounds"] == 1
    settings.refresh_from_db()
    assert settings.next_round_at == dt.datetime(2026, 3, 26, 12, tzinfo=dt.UTC)  # every 2 weeks by default
    assert org.coffeeround_set.get().week_start == dt.date(2026, 3, 16)


def test_a_round_run_by_hand_is_not_repeated_by_the_schedule(org, team, registry):
    from accord.connect.actions import run_round_now
    from accord.lib import jobs

    for name in "AB":
        coffee_person(org, team, name=name)
    admin = coffee_person(org, team, name="Admin", role="admin")
    run_round_now(org, admin, now=dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC))  # Tuesday: plans 16 March
    with time_machine.travel(dt.datetime(2026, 3, 12, 12, tzinfo=dt.UTC), tick=False):
        assert jobs.tick()["coffee rounds"] == 1  # claimed, and the row moves on...
    assert list(org.coffeeround_set.values_list("week_start", flat=True)) == [
        dt.date(2026, 3, 16)
    ]  # ...no repeat


intervals = st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 600)), max_size=7).map(
    lambda xs: [(s, s + n) for s, n in sorted(xs)]
)


def _disjoint(xs):
    out = []
    for s, e in xs:
        if not out or s >= out[-1][1]:
            out.append((s, e))
    return out


@settings(deadline=None, database=None)  # a busy shared machine must not fail it on time
@given(intervals.map(_disjoint), intervals.map(_disjoint))
def test_the_merge_pass_agrees_with_the_plain_intersection(a, b):
    assert matching.longest_shared(a, b) == matching.longest(matching.intersect(a, b))


def test_the_odd_one_joins_the_pair_they_share_most_with(org, team):
    # Winter week of 2 March (UTC): New York 14:00-22:00, London 09:00-17:00, Kolkata 03:30-11:30.
    # The pairs New York-New York and Kolkata-Kolkata (8 hours, 4 points each: 14 + 14) beat any pair
    # with the Londoner. She then joins the New York pair (3 hours with each: 13 + 13 = 26) rather
    # than the Kolkata pair (2.5 hours: 12 + 12 = 24); all three share 14:00-17:00.
    for name, zone in (("NY1", "America/New_York"), ("NY2", "America/New_York"), ("IN1", "Asia/Kolkata")):
        coffee_person(org, team, name=name, zone=zone)
    coffee_person(org, team, name="IN2", zone="Asia/Kolkata")
    coffee_person(org, team, name="LON", zone="Europe/London")
    rnd = pair_coffee_round(org, WINTER)
    assert groups_of(rnd) == [["IN1", "IN2"], ["LON", "NY1", "NY2"]]
    trio = next(g for g in rnd.groups.all() if g.members.count() == 3)
    assert (trio.overlap_minutes, trio.weight) == (180, 14 + 26)


def test_no_trio_without_half_an_hour_all_three_share(org, team):
    # New York and Kolkata share nothing, so the Londoner's pair cannot take the third person.
    coffee_person(org, team, name="NY", zone="America/New_York")
    coffee_person(org, team, name="LON", zone="Europe/London")
    coffee_person(org, team, name="IN", zone="Asia/Kolkata")
    rnd = pair_coffee_round(org, WINTER)
    assert groups_of(rnd) == [["LON", "NY"]]  # 3 hours (13) beats 2.5 hours (12)
    assert [(row["name"], row["reason"]) for row in rnd.unmatched] == [("IN", REASONS[matching.ODD_ONE_OUT])]


def test_who_paused_is_read_only_by_that_person_and_admins(client, org, team):
    from django.urls import reverse

    from accord.orgs.models import Role
    from tests.conftest import login
    from tests.factories import PersonFactory

    a = coffee_person(org, team, name="Ada Paused")
    coffee_person(org, team, name="Ben")
    coffee_person(org, team, name="Cy")
    pause_coffee(a, dt.date(2026, 3, 20), today=dt.date(2026, 3, 5))
    rnd = pair_coffee_round(org, US_ONLY_DST)
    url = reverse("coffee_round", args=[rnd.pk])
    login(client, org.people.get(name="Ben"))
    page = client.get(url).content.decode()
    assert "Ada Paused" not in page and "20 March 2026" not in page
    assert "1 person paused their chats this round." in page
    for reader in (a, PersonFactory(org=org, team=team, role=Role.ADMIN)):
        login(client, reader)
        assert "<strong>Ada Paused</strong> paused until 20 March 2026." in client.get(url).content.decode()
