"""An organisation of any size with some history in every app, for the page query-count tests.

Rows are made in bulk (the point is the number of rows a page could touch, not the rules that made
them); each person has check-ins, a blocker, kudos, commitments, 1:1s with their manager and a pulse to
answer, so a page that loads a whole organisation or one row per person costs more queries as it grows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from accord.checkins.models import Blocker, Checkin
from accord.goals.models import Commitment
from accord.kudos.models import Kudos, KudosRecipient
from accord.meetings.models import Meeting, OneOnOneSeries
from accord.orgs.models import Organisation, Person, Role, Team
from accord.pulse.models import Participation, Program, Round
from tests.factories import OrgFactory, PersonFactory, TeamFactory

TEAMS = 4
HISTORY_DAYS = 10


@dataclass
class World:
    org: Organisation
    admin: Person
    manager: Person
    member: Person
    team: Team
    people: list[Person]


def _checkins(org: Organisation, people: list[Person], now: dt.datetime, days: range) -> list[Checkin]:
    """A check-in a day for each person, `days` days ago; today's (day 0) not answered yet."""
    return Checkin.objects.bulk_create(
        Checkin(
            org=org,
            person=p,
            team_id=p.team_id,
            day=(now - dt.timedelta(days=d)).date(),
            prompt_at=now - dt.timedelta(days=d, hours=2),
            closes_at=now - dt.timedelta(days=d) + dt.timedelta(hours=20),
            submitted_at=now - dt.timedelta(days=d, hours=1) if d else None,
            answers=[{"q": "What did you do?", "a": "Things."}],
        )
        for p in people
        for d in days
    )


def _one_on_ones(
    org: Organisation, reports: list[Person], now: dt.datetime, starts: list[dt.timedelta]
) -> None:
    """A 1:1 series for each report with their manager; a 30-minute meeting at each of `starts` from now."""
    series = OneOnOneSeries.objects.bulk_create(
        OneOnOneSeries(
            org=org,
            manager_id=p.manager_id,
            report=p,
            start_time=dt.time(10),
            timezone="Europe/London",
            starts_on=(now - dt.timedelta(days=60)).date(),
        )
        for p in reports
    )
    Meeting.objects.bulk_create(
        Meeting(org=org, series=s, scheduled_at=now + at, ends_at=now + at + dt.timedelta(minutes=30))
        for s in series
        for at in starts
    )


def build_world(size: int, slug: str = "world") -> World:
    now = timezone.now()
    org = OrgFactory(name=f"World {size}", slug=slug)
    teams = [TeamFactory(org=org, name=f"Team {i}") for i in range(TEAMS)]
    managers = [
        PersonFactory(org=org, team=t, name=f"Manager {i}", email=f"m{i}@{slug}.test")
        for i, t in enumerate(teams)
    ]
    admin = PersonFactory(org=org, team=teams[0], name="Admin", email=f"admin@{slug}.test", role=Role.ADMIN)
    members = [
        PersonFactory(
            org=org,
            team=teams[i % TEAMS],
            manager=managers[i % TEAMS],
            name=f"Member {i}",
            email=f"p{i}@{slug}.test",
        )
        for i in range(size - len(managers) - 1)
    ]
    everyone = [*managers, admin, *members]

    checkins = _checkins(org, everyone, now, range(HISTORY_DAYS))
    Blocker.objects.bulk_create(
        Blocker(org=org, checkin=c, person=c.person, team_id=c.team_id, text="Waiting for access.")
        for c in checkins
        if c.day == (now - dt.timedelta(days=1)).date()
    )

    kudos = Kudos.objects.bulk_create(
        Kudos(org=org, giver=p, message=f"Thanks, from {p.name}.") for p in everyone for _ in range(2)
    )
    KudosRecipient.objects.bulk_create(
        KudosRecipient(
            org=org,
            kudos=k,
            person=everyone[(i + 1) % len(everyone)],
            team_id=everyone[(i + 1) % len(everyone)].team_id,
        )
        for i, k in enumerate(kudos)
    )
    Commitment.objects.bulk_create(
        Commitment(
            org=org,
            owner=p,
            title=f"Ship part {d}",
            definition_of_done="Merged.",
            due_on=(now + dt.timedelta(days=d - 3)).date(),
        )
        for p in everyone
        for d in range(5)
    )

    _one_on_ones(org, members, now, [dt.timedelta(days=w * 7 + 1) for w in range(-4, 2)])

    program = Program.objects.create(org=org, name="Pulse")
    rnd = Round.objects.create(
        org=org, program=program, number=1, opens_on=now.date(), closes_at=now + dt.timedelta(days=3)
    )
    Participation.objects.bulk_create(
        Participation(org=org, round=rnd, person=p, tenure_band="1-2y", region="europe", prompt_at=now)
        for p in everyone
    )
    return World(org=org, admin=admin, manager=managers[0], member=members[0], team=teams[0], people=everyone)


def grow(world: World, people: int = 200, teams: int = 30) -> None:
    """More of the same organisation that none of the world's viewers is part of: `teams` teams (a chain
    and its branches under a new top team), `people` people with managers and the same history as
    build_world's. A page whose cost follows the viewer reads none of it."""
    org, now = world.org, timezone.now()
    top = TeamFactory(org=org, name="Elsewhere")
    made = [top]
    for i in range(teams - 1):
        made.append(TeamFactory(org=org, name=f"Elsewhere {i}", parent=made[i // 3]))
    leads = [
        PersonFactory(org=org, team=t, name=f"Lead {i}", email=f"lead{i}@{org.slug}.test")
        for i, t in enumerate(made)
    ]
    for i, lead in enumerate(leads[1:], start=1):
        lead.manager = leads[(i - 1) // 3]
        lead.save(update_fields=["manager"])
    others = Person.objects.bulk_create(
        Person(
            org=org,
            team=made[i % teams],
            manager=leads[i % teams],
            name=f"Other {i}",
            email=f"other{i}@{org.slug}.test",
        )
        for i in range(people - teams)
    )
    everyone = [*leads, *others]
    _checkins(org, everyone, now, range(1, HISTORY_DAYS))
    kudos = Kudos.objects.bulk_create(Kudos(org=org, giver=p, message="Thanks.") for p in everyone)
    KudosRecipient.objects.bulk_create(
        KudosRecipient(org=org, kudos=k, person=everyone[(i + 1) % len(everyone)], team_id=top.pk)
        for i, k in enumerate(kudos)
    )
    Commitment.objects.bulk_create(
        Commitment(
            org=org,
            owner=p,
            title="Ship it",
            definition_of_done="Merged.",
            due_on=(now - dt.timedelta(days=1)).date(),
        )
        for p in everyone
    )
    _one_on_ones(org, [p for p in everyone if p.manager_id], now, [dt.timedelta(hours=w) for w in (-24, 5)])
    rnd = Round.objects.filter(org=org).first()
    Participation.objects.bulk_create(
        Participation(org=org, round=rnd, person=p, tenure_band="1-2y", region="europe", prompt_at=now)
        for p in everyone
    )
