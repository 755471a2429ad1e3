"""Coffee and profile pages: joining, pausing and leaving with clear errors, introductions in everyone's
own time, the admin's table, email through a real SMTP server, and query counts that do not grow."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from accord.connect import icebreakers
from accord.connect.actions import NO_HOURS_MESSAGE, answer_met, pair_coffee_round, save_profile
from accord.connect.models import CoffeeGroupMember, CoffeeMember, CoffeeSettings
from accord.connect.queries import PROFILES_PAGE, overview
from accord.lib import jobs
from accord.orgs.models import Role
from tests.conftest import login
from tests.factories import PersonFactory
from tests.orgs.test_panels import rows_per_query

from .conftest import US_ONLY_DST, coffee_person

pytestmark = pytest.mark.django_db


def test_joining_without_working_hours_is_refused_with_the_reason(client, org, team):
    me = PersonFactory(org=org, team=team, work_start=dt.time(9), work_end=dt.time(9))
    login(client, me)
    page = client.get(reverse("coffee")).content.decode()
    assert NO_HOURS_MESSAGE in page  # warned before trying
    response = client.post(reverse("coffee_optin"), {"action": "join"})
    assert response.status_code == 400
    assert NO_HOURS_MESSAGE in response.content.decode()
    assert CoffeeMember.objects.count() == 0


def test_join_pause_resume_leave(client, org, team):
    me = PersonFactory(org=org, team=team)
    login(client, me)
    with time_machine.travel(US_ONLY_DST, tick=False):
        assert client.post(reverse("coffee_optin"), {"action": "join"}).status_code == 302
        assert "You're in" in client.get(reverse("coffee")).content.decode()
        bad = client.post(reverse("coffee_optin"), {"action": "pause", "paused_until": "2026-03-01"})
        assert bad.status_code == 400
        assert (
            '<p class="field-error" id="id_paused_until_error">Pick a date after today.</p>'
            in bad.content.decode()
        )
        missing = client.post(reverse("coffee_optin"), {"action": "pause", "paused_until": ""})
        assert "Give the date you want to be paired again." in missing.content.decode()
        client.post(reverse("coffee_optin"), {"action": "pause", "paused_until": "2026-04-01"})
        assert CoffeeMember.objects.get().paused_until == dt.date(2026, 4, 1)
        assert "until 1 April 2026" in client.get(reverse("coffee")).content.decode()
        client.post(reverse("coffee_optin"), {"action": "resume"})
        assert CoffeeMember.objects.get().paused_until is None
        client.post(reverse("coffee_optin"), {"action": "leave"})
        assert CoffeeMember.objects.get().active is False
        assert "Join coffee chats" in client.get(reverse("coffee")).content.decode()


def test_the_introduction_shows_each_persons_own_time(client, org, team):
    ana = coffee_person(org, team, name="Ana Avila", zone="America/New_York")
    ben = coffee_person(org, team, name="Ben Braun", zone="Europe/Berlin", end=dt.time(14, 30))
    rnd = pair_coffee_round(org, US_ONLY_DST)
    group = rnd.groups.get()
    login(client, ana)
    with time_machine.travel(US_ONLY_DST, tick=False):
        page = client.get(reverse("coffee_intro", args=[group.pk])).content.decode()
        # 13:00 UTC on Monday 9 March: 09:00 in New York (already on summer time), 14:00 in Berlin.
        assert '<td data-label="Ana Avila"><span class="localtime">Mon 9 Mar, 09:00</span></td>' in page
        assert '<td data-label="Ben Braun"><span class="localtime">Mon 9 Mar, 14:00</span></td>' in page
        assert icebreakers.text(group.icebreaker) in page
        assert "You can answer once the week of 9 March begins." in page
        # Now (Thursday 12:00 UTC): 07:00 in New York (winter time that day), 13:00 in Berlin.
        assert "07:00" in page and "UTC−5" in page and "13:00" in page and "UTC+1" in page
    with time_machine.travel(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC), tick=False):
        response = client.post(reverse("coffee_met", args=[group.pk]), {"met": "yes"})
        assert response.status_code == 302
        assert CoffeeGroupMember.objects.get(person=ana).met == "yes"
        assert (
            "You said: Yes, we met." in client.get(reverse("coffee_intro", args=[group.pk])).content.decode()
        )
    assert ben.pk in {s.person_id for s in group.members.all()}


def test_the_introduction_email_goes_out_in_each_persons_morning(org, team, smtp, registry):
    ana = coffee_person(org, team, name="Ana Avila", zone="America/New_York")
    ben = coffee_person(org, team, name="Ben Braun", zone="Europe/Berlin", end=dt.time(14, 30))
    rnd = pair_coffee_round(org, US_ONLY_DST)
    due = dict(CoffeeGroupMember.objects.values_list("person__name", "next_email_at"))
    # Berlin is at work at 13:00 when the round runs; New York's day starts at 09:00 EST = 14:00 UTC.
    assert due == {
        "Ben Braun": US_ONLY_DST,
        "Ana Avila": dt.datetime(2026, 3, 5, 14, 30, tzinfo=dt.UTC),
    }
    with time_machine.travel(US_ONLY_DST, tick=False):
        jobs.tick()
    assert [m["To"] for m in smtp.messages] == [ben.email]
    with time_machine.travel(dt.datetime(2026, 3, 5, 14, 30, tzinfo=dt.UTC), tick=False):
        jobs.tick()
        jobs.tick()  # claimed once: never sent twice
    assert [m["To"] for m in smtp.messages] == [ben.email, ana.email]
    to_ana = smtp.messages[1]
    assert to_ana["Subject"] == "Coffee chat with Ben Braun"
    body = to_ana.get_content()
    assert "  - Monday 9 March, 09:00 your time (Ben Braun Mon 14:00)" in body
    assert "Europe/Berlin, UTC+1" in body
    assert icebreakers.text(rnd.groups.get().icebreaker) in body
    assert f"http://testserver/coffee/chats/{rnd.groups.get().pk}/" in body


def test_members_cannot_reach_the_admin_pages_admins_can_run_a_round(client, org, team):
    for name in "AB":
        coffee_person(org, team, name=name)
    member = PersonFactory(org=org, team=team)
    login(client, member)
    assert client.get(reverse("coffee_admin")).status_code == 404
    assert client.post(reverse("coffee_run_now")).status_code == 404
    assert org.coffeeround_set.count() == 0
    admin = PersonFactory(org=org, team=team, role=Role.ADMIN)
    login(client, admin)
    response = client.post(reverse("coffee_run_now"))
    rnd = org.coffeeround_set.get()
    assert response["Location"] == reverse("coffee_round", args=[rnd.pk])
    bad = client.post(
        reverse("coffee_admin"), {"every_weeks": "3", "cross_department_weight": "11", "avoid_rounds": "-1"}
    )
    assert bad.status_code == 200
    assert CoffeeSettings.objects.get().every_weeks == 2
    text = bad.content.decode()
    assert "Select a valid choice. 3 is not one of the available choices." in text
    assert "Ensure this value is less than or equal to 10." in text
    ok = client.post(
        reverse("coffee_admin"), {"every_weeks": "1", "cross_department_weight": "9", "avoid_rounds": "4"}
    )
    assert ok.status_code == 302
    assert list(
        CoffeeSettings.objects.values_list("every_weeks", "cross_department_weight", "avoid_rounds")
    ) == [(1, 9, 4)]


def test_the_admin_table_counts_new_cross_department_connections(client, org, departments):
    eng1 = coffee_person(org, departments["platform"], name="E1")
    eng2 = coffee_person(org, departments["product"], name="E2")
    sales1 = coffee_person(org, departments["americas"], name="S1")
    sales2 = coffee_person(org, departments["emea"], name="S2")
    settings = CoffeeSettings.objects.get(org=org)
    settings.avoid_rounds = 1
    settings.save()
    rounds = [pair_coffee_round(org, US_ONLY_DST + dt.timedelta(weeks=w)) for w in range(3)]
    # Round 1: two Engineering-Sales pairs (cross-department preferred), both new. Round 2: the other
    # two Engineering-Sales pairs (round 1's are excluded): new again. Round 3: round 1's pairs come back
    # (only the last round is excluded): cross-department, but not new.
    with time_machine.travel(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC), tick=False):
        g = rounds[0].groups.first()
        answer_met(g, g.members.first().person, "yes")
    figures, pairs = overview(org)
    assert pairs == [("Engineering", "Sales")]
    assert [
        (f.round.number, f.groups, f.new_cross_total, f.met_groups, f.answered_groups) for f in figures
    ] == [
        (1, 2, 2, 1, 1),
        (2, 2, 2, 0, 0),
        (3, 2, 0, 0, 0),
    ]
    admin = PersonFactory(org=org, team=departments["emea"], role=Role.ADMIN)
    login(client, admin)
    page = client.get(reverse("coffee_admin")).content.decode()
    assert '<th scope="row">Engineering · Sales</th>' in page
    assert len({eng1.pk, eng2.pk, sales1.pk, sales2.pk}) == 4


def test_round_page_query_count_does_not_grow(client, org, team, django_assert_num_queries):
    viewer = PersonFactory(org=org, team=team)
    for name in "AB":
        coffee_person(org, team, name=name)
    small = pair_coffee_round(org, US_ONLY_DST)
    for i in range(20):
        coffee_person(org, team, name=f"P{i:02d}")
    big = pair_coffee_round(org, US_ONLY_DST + dt.timedelta(weeks=1))
    assert big.groups.count() == 11
    login(client, viewer)
    client.get(reverse("coffee_round", args=[small.pk]))  # warm the session and the panels' imports
    with django_assert_num_queries(6):
        assert client.get(reverse("coffee_round", args=[small.pk])).status_code == 200
    with django_assert_num_queries(6):
        assert client.get(reverse("coffee_round", args=[big.pk])).status_code == 200


def test_a_large_round_is_listed_page_by_page(client, org, team, monkeypatch, django_assert_num_queries):
    from accord.connect import queries

    for i in range(22):
        coffee_person(org, team, name=f"P{i:02d}")
    rnd = pair_coffee_round(org, US_ONLY_DST)
    monkeypatch.setattr(queries, "GROUPS_PAGE", 4)  # 11 groups: pages of 4, 4 and 3
    login(client, PersonFactory(org=org, team=team))
    client.get(reverse("coffee_round", args=[rnd.pk]))
    with django_assert_num_queries(8):  # and the round's totals, counted
        first = client.get(reverse("coffee_round", args=[rnd.pk])).content.decode()
    assert "11 groups · 22 people" in first and first.count('<td data-label="People">') == 4
    last = client.get(reverse("coffee_round", args=[rnd.pk]), {"page": "3"}).content.decode()
    assert "11 groups · 22 people" in last and last.count('<td data-label="People">') == 3
    assert "More groups" in first and "More groups" not in last and "Previous groups" in last


def test_profile_directory_query_count_does_not_grow(client, org, team, django_assert_num_queries):
    me = PersonFactory(org=org, team=team)
    save_profile(me, how_i_work="Mornings.")
    login(client, me)
    client.get(reverse("profiles"))
    with django_assert_num_queries(6):
        page = client.get(reverse("profiles"))
    assert "1 of 1 have written theirs" in page.content.decode()
    for i in range(25):
        save_profile(PersonFactory(org=org, team=team), reach_me=f"Ping me {i}")
    with django_assert_num_queries(6):
        page = client.get(reverse("profiles"))
    assert "26 of 26 have written theirs" in page.content.decode()


def test_profile_directory_is_paged_on_the_server(client, org, team, django_assert_num_queries):
    me = PersonFactory(org=org, team=team, name="Aaron First")
    for i in range(PROFILES_PAGE + 5):
        PersonFactory(org=org, team=team, name=f"Person {i:03}")
    login(client, me)
    client.get(reverse("profiles"))
    with django_assert_num_queries(7):  # and how many match, for the page links
        first = client.get(reverse("profiles")).content.decode()
    assert first.count('<li class="card">') == PROFILES_PAGE
    mine = f'<h2><a href="{reverse("profile", args=[me.pk])}">'
    assert mine in first and f"Next {PROFILES_PAGE} of {PROFILES_PAGE + 6}" in first
    last = client.get(reverse("profiles"), {"page": "2"}).content.decode()
    assert last.count('<li class="card">') == 6 and mine not in last and "Person 054" in last
    # A page number that is not one falls back to the first page.
    assert mine in client.get(reverse("profiles"), {"page": "x"}).content.decode()


def test_profile_shows_hours_in_the_viewers_zone_and_theirs(client, org, team):
    kolkata = PersonFactory(org=org, team=team, name="Kavya", timezone="Asia/Kolkata")
    london = PersonFactory(org=org, team=team, name="Lou", timezone="Europe/London")
    save_profile(kolkata, how_i_work="Deep work before lunch.", feedback="In writing, then a call.")
    login(client, london)
    with time_machine.travel(dt.datetime(2026, 3, 10, 6, tzinfo=dt.UTC), tick=False):  # Tuesday
        page = client.get(reverse("profile", args=[kolkata.pk])).content.decode()
    assert "Deep work before lunch." in page and "In writing, then a call." in page
    # 09:00-17:00 in Kolkata (UTC+5:30) is 03:30-11:30 in London in March (UTC+0).
    assert '<span class="localtime">Tue 09:00–17:00</span>' in page
    assert '<span class="localtime">Tue 03:30–11:30</span>' in page
    assert '<li class="localtime">Tue 10 Mar, 09:00–11:30</li>' in page
    # From Los Angeles (UTC-7 since 8 March) the same day starts the evening before.
    login(client, PersonFactory(org=org, team=team, timezone="America/Los_Angeles"))
    with time_machine.travel(dt.datetime(2026, 3, 10, 6, tzinfo=dt.UTC), tick=False):
        page = client.get(reverse("profile", args=[kolkata.pk])).content.decode()
    assert '<span class="localtime">Mon 20:30–Tue 04:30</span>' in page
    login(client, london)
    # After the clocks change in London (29 March), the same hours are 04:30-12:30.
    with time_machine.travel(dt.datetime(2026, 3, 31, 6, tzinfo=dt.UTC), tick=False):
        login(client, london)  # the session saved on 10 March has expired by the 31st
        page = client.get(reverse("profile", args=[kolkata.pk])).content.decode()
    assert '<span class="localtime">Tue 04:30–12:30</span>' in page


def test_profiles_are_linked_from_the_directory_person_page_and_1on1(client, org, team):
    from tests.factories.meetings import make_series

    boss = PersonFactory(org=org, team=team)
    report = PersonFactory(org=org, team=team, manager=boss)
    save_profile(report, how_i_work="Async first.")
    login(client, boss)
    profile_url = reverse("profile", args=[report.pk])
    assert reverse("profiles") in client.get(reverse("directory")).content.decode()
    person_page = client.get(reverse("person", args=[report.pk])).content.decode()
    assert profile_url in person_page and "Async first." in person_page
    series = make_series(org, boss, report)
    assert profile_url in client.get(reverse("one_on_one", args=[series.pk])).content.decode()
    assert reverse("coffee") in client.get(reverse("home")).content.decode()


def test_editing_my_profile_keeps_what_i_wrote_on_error(client, org, team):
    me = PersonFactory(org=org, team=team)
    login(client, me)
    response = client.post(reverse("profile_edit"), {"how_i_work": "Kept", "reach_me": "x" * 2001})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Ensure this value has at most 2000 characters (it has 2001)." in text
    assert ">\nKept</textarea>" in text
    assert not me.profiles.exists()
    assert client.post(reverse("profile_edit"), {"how_i_work": "Kept"}).status_code == 302
    assert me.profiles.get().how_i_work == "Kept"


def test_a_nul_byte_in_the_directory_search_is_dropped(as_member, member):
    response = as_member.get(reverse("profiles"), {"q": "Mi\x00lo"})
    assert response.status_code == 200
    assert response.context["q"] == "Milo"
    assert [r["person"] for r in response.context["rows"]] == [member]


def test_the_admin_overview_costs_the_same_for_one_round_and_many(
    client, org, team, django_assert_num_queries
):
    admin = PersonFactory(org=org, team=team, role=Role.ADMIN)
    for name in "AB":
        coffee_person(org, team, name=name)
    pair_coffee_round(org, US_ONLY_DST)
    login(client, admin)
    client.get(reverse("coffee_admin"))  # the first request also saves the session
    with django_assert_num_queries(8):
        assert client.get(reverse("coffee_admin")).status_code == 200
    for i in range(12):
        coffee_person(org, team, name=f"P{i:02d}")
    for week in range(1, 6):
        pair_coffee_round(org, US_ONLY_DST + dt.timedelta(weeks=week))
    with django_assert_num_queries(8):
        assert client.get(reverse("coffee_admin")).status_code == 200


def test_own_working_with_me_page_says_your_time(client, org, team):
    kolkata = PersonFactory(org=org, team=team, name="Kavya", timezone="Asia/Kolkata")
    london = PersonFactory(org=org, team=team, name="Lou", timezone="Europe/London")
    login(client, kolkata)
    own = client.get(reverse("profile", args=[kolkata.pk])).content.decode()
    assert "<dt>Your time</dt>" in own and "(your days)" in own
    assert "Their time" not in own and "their days" not in own
    other = client.get(reverse("profile", args=[london.pk])).content.decode()
    assert "<dt>Their time</dt>" in other and "(their days)" in other


def test_the_admin_overview_reads_a_few_rows_however_long_the_history(client, org, departments):
    """Its figures are counted in the database: no query returns the organisation's seats."""
    admin = PersonFactory(org=org, team=departments["emea"], role=Role.ADMIN)
    for i, team in enumerate(["platform", "americas", "product", "emea"] * 2):
        coffee_person(org, departments[team], name=f"P{i}")
    pair_coffee_round(org, US_ONLY_DST)
    login(client, admin)
    client.get(reverse("coffee_admin"))  # the first request also saves the session
    before = rows_per_query(client, reverse("coffee_admin"))
    for week in range(1, 4):
        pair_coffee_round(org, US_ONLY_DST + dt.timedelta(weeks=week))
    after = rows_per_query(client, reverse("coffee_admin"))
    assert len(after) == len(before)
    # Rows follow the shown rounds (4 now; at most a row per round and department pair each way), never
    # the seats (8 a round, 32 in all).
    assert max(rows for rows, _ in after) <= 4 * 2
