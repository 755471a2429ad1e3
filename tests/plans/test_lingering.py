"""The lingering list: plans past their end, commitments slipped more than twice, blockers nobody
acknowledged for more than the organisation's N days; a manager's subtree, an admin's organisation."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from accord.checkins.models import Blocker, Checkin
from accord.goals.models import Commitment
from accord.plans.actions import save_settings
from accord.plans.queries import lingering
from tests.api_client import Api
from tests.conftest import login

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 4, 10, 12, tzinfo=dt.UTC)


def commitment(person, title, due):
    return Commitment.objects.create(
        org=person.org, owner=person, title=title, definition_of_done="Done", due_on=due
    )


def blocker(person, text, raised):
    checkin = Checkin.objects.create(
        org=person.org,
        person=person,
        day=raised.date(),
        prompt_at=raised,
        closes_at=raised,
        submitted_at=raised,
    )
    return Blocker.objects.create(
        org=person.org, checkin=checkin, person=person, text=text, created_at=raised
    )


@pytest.fixture
def items(cast, plan):
    commitment(cast["person"], "Three weeks late", dt.date(2026, 3, 20))
    commitment(cast["person"], "One week late", dt.date(2026, 4, 2))
    commitment(cast["other_lead"], "Other team, long late", dt.date(2026, 3, 1))
    blocker(cast["peer"], "Waiting on access for a week", NOW - dt.timedelta(days=7))
    blocker(cast["peer"], "Raised two days ago", NOW - dt.timedelta(days=2))
    blocker(cast["other_lead"], "Other team blocker", NOW - dt.timedelta(days=20))


def names(found):
    return (
        [p.title for p in found.plans],
        [c.title for c in found.commitments],
        [b.text for b in found.blockers],
    )


def test_a_manager_sees_their_subtree_and_the_plans_they_hold(cast, items):
    assert names(lingering(cast["manager"], NOW)) == (
        ["Reliable delivery"],
        ["Three weeks late"],
        ["Waiting on access for a week"],
    )
    found = lingering(cast["manager"], NOW)
    assert (found.plans[0].days_over, found.commitments[0].slips) == (11, 4)


def test_the_skip_level_sees_the_subtree_but_not_the_plan(cast, items):
    assert names(lingering(cast["boss"], NOW)) == ([], ["Three weeks late"], ["Waiting on access for a week"])


def test_an_admin_sees_the_organisation_but_only_plans_they_are_named_on(cast, items):
    assert names(lingering(cast["admin"], NOW)) == (
        [],
        ["Other team, long late", "Three weeks late"],
        ["Other team blocker", "Waiting on access for a week"],
    )
    assert names(lingering(cast["hr"], NOW))[0] == ["Reliable delivery"]


def test_the_person_sees_what_their_managers_list_says_about_them(cast, items):
    assert names(lingering(cast["person"], NOW)) == (["Reliable delivery"], ["Three weeks late"], [])


def test_the_blocker_threshold_is_the_organisations(cast, items):
    save_settings(cast["admin"], hr_lead=None, blocker_days=1)
    assert names(lingering(cast["manager"], NOW))[2] == [
        "Waiting on access for a week",
        "Raised two days ago",
    ]
    with pytest.raises(Exception) as refused:
        save_settings(cast["admin"], hr_lead=None, blocker_days=0)
    assert refused.value.field == "blocker_days"


def test_a_plan_with_every_outcome_recorded_does_not_linger(cast, plan, items):
    from accord.plans.actions import record_outcome

    for m in plan.milestones.all():
        record_outcome(m, cast["manager"], "not_met")
    assert names(lingering(cast["manager"], NOW))[0] == []


def test_the_page_and_the_api_say_the_same(client, cast, items):
    login(client, cast["manager"])
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("plans_lingering")).content.decode()
        body = Api(cast["manager"]).get("/api/plans/lingering").json()
    assert "Reliable delivery" in page and "Three weeks late" in page and "Waiting on access" in page
    assert "Other team" not in page
    assert [p["title"] for p in body["plans"]] == ["Reliable delivery"]
    assert [(c["title"], c["slips"]) for c in body["commitments"]] == [("Three weeks late", 4)]
    assert body["blocker_days"] == 5
