from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from accord.accounts.models import User
from accord.demo import DEMO_ACCOUNTS, DEMO_ORG_SLUG, DEMO_PASSWORD, generate_demo
from accord.orgs.models import Organisation, Person, Role, Team

TODAY = dt.date(2025, 3, 10)

pytestmark = pytest.mark.django_db


def people_of(org: Organisation) -> list[Person]:
    return list(org.people.select_related("team__parent__parent", "manager", "user").order_by("email"))


def team_path(team: Team | None) -> str:
    parts = []
    while team is not None:
        parts.append(team.name)
        team = team.parent
    return " / ".join(reversed(parts))


def snapshot(org: Organisation) -> list[tuple[object, ...]]:
    return [
        (
            p.name,
            p.email,
            p.title,
            team_path(p.team),
            p.manager.email if p.manager else None,
            p.role,
            p.timezone,
            p.location,
            p.work_start,
            p.work_end,
            p.work_days,
            p.start_date,
            p.birthday_month,
            p.birthday_day,
        )
        for p in people_of(org)
    ]


def delete_demo(org: Organisation) -> None:
    # Team.parent is PROTECT, so sub-teams must lose their parent before the organisation can go.
    Team.objects.filter(org=org).update(parent=None)
    org.delete()
    User.objects.filter(email__endswith="@wonderful.example").delete()


@pytest.fixture
def demo() -> Organisation:
    return generate_demo(today=TODAY)


def test_creates_the_organisation_with_a_login_for_everyone(demo):
    people = people_of(demo)
    assert (demo.name, demo.slug) == ("Wonderful Websites Inc.", DEMO_ORG_SLUG)
    assert len(people) >= 80
    assert len({p.email for p in people}) == len(people)
    assert all(p.email.endswith("@wonderful.example") and p.email.isascii() for p in people)
    assert all(p.user is not None and p.user.email == p.email for p in people)
    assert User.objects.get(email=DEMO_ACCOUNTS["member"]).check_password(DEMO_PASSWORD)
    assert [p.name for p in people if p.role == Role.OWNER] == ["Naomi Adeyemi"]


def test_departments_and_sub_teams(demo):
    paths = {team_path(t) for t in Team.objects.filter(org=demo).select_related("parent__parent")}
    assert {"Leadership", "Sales", "Support", "Engineering"} <= paths
    assert {
        "Support / Level 1",
        "Support / Level 2",
        "Engineering / Platform",
        "Engineering / Product",
    } <= paths
    assert "Leadership / People Ops" in paths
    assert all(p.team_id for p in people_of(demo))


def test_three_levels_of_managers_and_no_cycles(demo):
    people = people_of(demo)
    by_pk = {p.pk: p for p in people}
    ceo = next(p for p in people if p.role == Role.OWNER)
    assert ceo.manager_id is None
    assert [p for p in people if p.manager_id is None] == [ceo]

    depths = []
    for person in people:
        seen, current = set(), person
        while current.manager_id is not None:
            assert current.pk not in seen, f"reporting loop through {person.name}"
            seen.add(current.pk)
            current = by_pk[current.manager_id]
        assert current == ceo
        depths.append(len(seen))
    # CEO -> department heads -> team leads -> members.
    assert max(depths) == 3

    reports: dict[int, list[Person]] = {}
    for p in people:
        reports.setdefault(p.manager_id, []).append(p)
    assert any(
        reports.get(head.pk) and any(reports.get(lead.pk) for lead in reports[head.pk])
        for head in reports[ceo.pk]
    )


def test_time_zones_are_valid_and_span_the_world(demo):
    people = people_of(demo)
    zones = {p.timezone for p in people}
    assert zones <= zoneinfo.available_timezones()
    assert len(zones) >= 8
    assert {"America/Los_Angeles", "Asia/Kathmandu", "Asia/Kolkata", "Australia/Sydney"} <= zones
    instant = dt.datetime(2025, 1, 15, 12, 0, tzinfo=dt.UTC)
    offsets = [instant.astimezone(zoneinfo.ZoneInfo(z)).utcoffset() for z in zones]
    assert max(offsets) - min(offsets) >= dt.timedelta(hours=14)
    # Support can hand off around the world: Manila, Europe and Bogotá all have people.
    support_zones = {p.timezone for p in people if team_path(p.team).startswith("Support")}
    assert {"Asia/Manila", "America/Bogota"} <= support_zones
    assert support_zones & {"Europe/Berlin", "Europe/Warsaw", "Europe/London"}


def test_working_hours_and_days(demo):
    people = people_of(demo)
    assert all(p.work_start < p.work_end for p in people)
    assert all(p.work_days and set(p.work_days) <= set("1234567") for p in people)
    week_patterns = {p.work_days for p in people}
    assert {"12345", "1234", "12347"} <= week_patterns
    assert sum(p.work_days == "12345" for p in people) > len(people) / 2


def test_dates(demo):
    people = people_of(demo)
    starts = [p.start_date for p in people]
    assert all(TODAY - dt.timedelta(days=6 * 366) <= s <= TODAY for s in starts)
    assert sum((TODAY - s).days < 90 for s in starts) >= 6
    assert len({s.year for s in starts}) >= 6

    with_birthday = [p for p in people if p.birthday_month is not None]
    assert all(p.birthday_day is not None for p in with_birthday)
    assert all(p.birthday_day is None for p in people if p.birthday_month is None)
    for p in with_birthday:
        dt.date(2000, p.birthday_month, p.birthday_day)  # raises if the date does not exist
    assert 0.45 <= len(with_birthday) / len(people) <= 0.75


def test_demo_accounts(demo):
    assert set(DEMO_ACCOUNTS) == {"member", "manager", "admin"}
    by_email = {p.email: p for p in people_of(demo)}
    member, manager, admin = (by_email[DEMO_ACCOUNTS[k]] for k in ("member", "manager", "admin"))

    assert member.role == Role.MEMBER
    assert member.manager == manager
    assert manager.role == Role.MEMBER
    reports = [p for p in by_email.values() if p.manager_id == manager.pk]
    assert len(reports) >= 3
    assert len({p.timezone for p in reports}) >= 3
    assert admin.role == Role.ADMIN
    assert team_path(admin.team) == "Leadership / People Ops"


def test_second_call_returns_the_same_organisation_and_creates_nothing(demo, django_assert_num_queries):
    counts = (
        Organisation.objects.count(),
        Person.objects.count(),
        User.objects.count(),
        Team.objects.count(),
    )
    with django_assert_num_queries(1):
        again = generate_demo(today=TODAY + dt.timedelta(days=30))
    assert again == demo
    assert counts == (
        Organisation.objects.count(),
        Person.objects.count(),
        User.objects.count(),
        Team.objects.count(),
    )


def test_same_day_same_company(demo):
    first = snapshot(demo)
    delete_demo(demo)
    assert not Person.objects.exists()

    second = snapshot(generate_demo(today=TODAY))
    assert second == first


def test_reuses_users_left_behind(demo):
    # Users are global, so deleting only the organisation leaves its logins; a new demo adopts them.
    users = dict(User.objects.filter(email__endswith="@wonderful.example").values_list("email", "pk"))
    Team.objects.filter(org=demo).update(parent=None)
    demo.delete()

    again = generate_demo(today=TODAY)
    assert {p.email: p.user_id for p in again.people.all()} == users
