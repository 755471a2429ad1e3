"""The demo's goals and commitments: deterministic, fast, and with a story in the numbers."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.demo import people
from accord.demo.goals import build_goals
from accord.goals import queries
from accord.goals.models import Commitment, CommitmentStatus, Goal, KeyResult, KeyResultUpdate, Level
from accord.orgs.models import Organisation

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 3, 10)


def build(slug: str) -> people.Cast:
    org = Organisation.objects.create(name=f"Demo {slug}", slug=slug)
    cast = people.build_people(org, today=TODAY, password_hash="x")
    build_goals(cast)
    return cast


def members(cast: people.Cast, top: str) -> list:
    ids = {team.pk for path, team in cast.teams.items() if path[0] == top}
    return [p for p in cast.people if p.team_id in ids]


def snapshot(org: Organisation) -> list[tuple[object, ...]]:
    goals = [
        (
            g.title,
            g.level,
            g.private,
            g.owner.email if g.owner else None,
            g.parent.title if g.parent else None,
        )
        for g in Goal.objects.filter(org=org)
        .select_related("owner", "parent")
        .order_by("title", "owner__email")
    ]
    krs = list(
        KeyResult.objects.filter(org=org)
        .order_by("goal__title", "title")
        .values_list("title", "current", "confidence")
    )
    commitments = list(
        Commitment.objects.filter(org=org)
        .order_by("owner__email", "due_on", "title")
        .values_list("owner__email", "title", "due_on", "status", "done_on")
    )
    return [goals, krs, commitments]


def test_demo_goals_counts_and_story(django_assert_max_num_queries):
    org = Organisation.objects.create(name="Demo", slug="demo")
    cast = people.build_people(org, today=TODAY, password_hash="x")
    with django_assert_max_num_queries(30):  # a handful of bulk inserts, however many rows
        build_goals(cast)

    goals = Goal.objects.filter(org=org)
    levels = [goals.filter(level=level).count() for level in (Level.COMPANY, Level.TEAM, Level.PERSON)]
    assert levels == [3, 11, 16]
    assert goals.filter(private=True).count() == 6
    assert goals.filter(parent__isnull=True).count() == 3  # every team and person goal is aligned
    assert KeyResult.objects.filter(org=org).count() == 41
    assert KeyResultUpdate.objects.filter(org=org).count() == 465
    assert Commitment.objects.filter(org=org).count() == 1506
    # Nothing was done in the future or before it was written down, and nobody promised anything
    # before they joined (a few people joined within the last 90 days).
    for c in Commitment.objects.filter(org=org).select_related("owner"):
        assert (
            c.owner.start_date <= c.created_at.date() + dt.timedelta(days=1) <= TODAY + dt.timedelta(days=1)
        )
        assert c.owner.start_date < c.due_on
        if c.status == CommitmentStatus.DONE:
            assert c.created_at.date() - dt.timedelta(days=1) <= c.done_on <= TODAY

    support_l1 = [p for p in cast.people if p.team_id == cast.teams[people.LEVEL_1].pk]
    l1 = queries.follow_through(support_l1, TODAY)
    sales = queries.follow_through(members(cast, "Sales"), TODAY)
    assert (l1.kept, l1.due, l1.percent) == (97, 108, 90)
    assert (sales.kept, sales.due, sales.percent) == (104, 153, 68)
    # One or two people have several open commitments past their due date.
    late = queries.slipping(cast.people, TODAY, limit=500)
    per_person: dict[str, int] = {}
    for c in late:
        per_person[c.owner.name] = per_person.get(c.owner.name, 0) + 1
    assert sorted(per_person.values(), reverse=True)[:3] == [4, 4, 2]
    # The member a visitor signs in as has goals of their own, one private.
    tomas = cast.by_key["l1_member"]
    assert sorted(goals.filter(owner=tomas).values_list("private", flat=True)) == [False, True]
    # The demo manager (Support Level 1's lead) has a report who keeps slipping.
    lead = cast.by_key["l1_lead"]
    assert max(per_person.get(p.name, 0) for p in cast.reports(lead)) == 4


def test_demo_goals_are_deterministic():
    first, second = build("demo-a"), build("demo-b")
    assert snapshot(first.org) == snapshot(second.org)
