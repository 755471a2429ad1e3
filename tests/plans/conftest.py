from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from accord.orgs.models import Role
from accord.plans.actions import create_plan
from tests.factories import PersonFactory, TeamFactory

# Monday 2 March 2026, 10:00 UTC. New York moves to summer time on Sunday 8 March, London on 29 March.
START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def cast(org, team):
    """A manager with a report and a peer, an HR contact (admin), an HR lead (admin), a skip-level
    manager, a manager of another team and an admin named on nothing."""
    boss = PersonFactory(org=org, team=team, name="Sam Skip", email="sam@acme.test", timezone="Europe/Berlin")
    lead = PersonFactory(
        org=org,
        team=team,
        name="Maya Manager",
        email="maya@acme.test",
        manager=boss,
        timezone="America/New_York",
    )
    person = PersonFactory(
        org=org, team=team, name="Pat Person", email="pat@acme.test", manager=lead, timezone="Asia/Kolkata"
    )
    peer = PersonFactory(org=org, team=team, name="Pia Peer", email="pia@acme.test", manager=lead)
    hr = PersonFactory(
        org=org,
        team=team,
        name="Hana HR",
        email="hana@acme.test",
        role=Role.ADMIN,
        timezone="Australia/Sydney",
    )
    hr_lead = PersonFactory(org=org, team=team, name="Hugo Lead", email="hugo@acme.test", role=Role.OWNER)
    admin = PersonFactory(org=org, team=team, name="Ada Admin", email="ada@acme.test", role=Role.ADMIN)
    sales = TeamFactory(org=org, name="Sales")
    other_lead = PersonFactory(org=org, team=sales, name="Olga Other", email="olga@acme.test")
    PersonFactory(org=org, team=sales, manager=other_lead)
    return {
        "boss": boss,
        "manager": lead,
        "person": person,
        "peer": peer,
        "hr": hr,
        "hr_lead": hr_lead,
        "admin": admin,
        "other_lead": other_lead,
    }


@pytest.fixture
def hr_lead_named(cast):
    from accord.plans.actions import save_settings

    save_settings(cast["admin"], hr_lead=cast["hr_lead"], blocker_days=5)
    return cast["hr_lead"]


def open_plan(cast, *, end=dt.date(2026, 3, 30), milestones=None, now=START):
    with time_machine.travel(now, tick=False):
        return create_plan(
            cast["manager"],
            person=cast["person"],
            hr_contact=cast["hr"],
            title="Reliable delivery",
            reason="Three releases slipped this quarter.",
            end_date=end,
            milestones=milestones
            or [
                ("Ship the billing fix with tests", dt.date(2026, 3, 13)),
                ("Own the March release end to end", dt.date(2026, 3, 27)),
            ],
            now=now,
        )


@pytest.fixture
def plan(cast, hr_lead_named):
    return open_plan(cast)
