"""Plan pages for the access-matrix harness (tests/access.py). A plan is seen by the people named on it
only: in `cast`, the member is the person, the manager opened it and the admin is its HR contact; the
owner, an admin named on nothing, gets the same 404 as everyone else. tests/plans/test_access.py tries the
attackers the harness has no role for (a peer, a skip-level manager, another team's manager)."""

import datetime as dt

from django.utils import timezone

from accord.plans.actions import create_plan
from tests.access import ADMINS, EVERYONE, Matrix, Page, cast, stranger
from tests.factories import PersonFactory

NAMED = frozenset({"member", "manager", "admin"})
MANAGERS = frozenset({"manager"})  # only a person's own manager opens a plan for them


def a_plan(manager, person, hr_contact):
    today = timezone.localdate()
    return create_plan(
        manager,
        person=person,
        hr_contact=hr_contact,
        title="Reliable delivery",
        reason="Releases slipped this quarter.",
        end_date=today + dt.timedelta(days=30),
        milestones=[("Ship the billing fix with tests", today + dt.timedelta(days=14))],
    )


def world(org, other_org, team, role):
    people = cast(org, team)
    own = a_plan(people["manager"], people["member"], people["admin"])
    outsider = stranger(other_org)
    boss = PersonFactory(org=other_org, team=outsider.team)
    report = PersonFactory(org=other_org, team=outsider.team, manager=boss)
    foreign = a_plan(boss, report, outsider)
    return (
        people,
        {"plan": own, "milestone": own.milestones.first()},
        {"plan": foreign, "milestone": foreign.milestones.first()},
    )


MATRIX = Matrix(
    app="plans",
    world=world,
    pages={
        "plans": Page("get", None, EVERYONE, 200),
        "plans_lingering": Page("get", None, EVERYONE, 200),
        "plan_new": Page("get", None, MANAGERS, 200),
        "plans_settings": Page("get", None, ADMINS, 200),
        "plan": Page("get", "plan", NAMED, 200),
        # The person reads the plan but does not edit its terms: they are sent back to it.
        "plan_edit": Page("get", "plan", NAMED, 200, exceptions=(("member", 302),)),
        "plan_milestone_add": Page("post", "plan", NAMED, 400),
        "plan_acknowledge": Page("post", "plan", NAMED, 302),
        "plan_entry": Page("post", "plan", NAMED, 400),
        "plan_extend": Page("post", "plan", NAMED, 400),
        "plan_close": Page("post", "plan", NAMED, 302),
        "plan_milestone": Page("get", "milestone", NAMED, 200),
        "plan_milestone_outcome": Page("post", "milestone", NAMED, 302),
        "plan_milestone_feedback": Page("post", "milestone", NAMED, 302),
    },
)
