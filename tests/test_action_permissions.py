"""Permission to act is checked in the action, in every app (see the access comment at the top of each
app's queries.py): an action called with someone who may not act refuses, whichever page, API call or
script calls it. These actions used to trust their callers (only the pages and the API checked)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from accord.checkins.actions import acknowledge_blocker, resolve_blocker, save_template, template_for
from accord.kudos.actions import give_kudos, toggle_reaction
from accord.orgs.models import Role
from accord.rhythm.actions import MeetingSpec, create_meeting, update_meeting
from tests.factories import PersonFactory
from tests.factories.checkins import blocker_of

pytestmark = pytest.mark.django_db


def test_a_teammate_neither_acknowledges_nor_resolves_a_blocker(org, team, manager, member):
    blocker = blocker_of(member)
    teammate = PersonFactory(org=org, team=team)
    with pytest.raises(PermissionDenied):
        acknowledge_blocker(blocker, by=teammate)
    with pytest.raises(PermissionDenied):
        resolve_blocker(blocker, by=teammate)
    blocker.refresh_from_db()
    assert (blocker.acknowledged_at, blocker.resolved_at) == (None, None)
    assert acknowledge_blocker(blocker, by=manager).acknowledged_by == manager
    assert resolve_blocker(blocker, by=member).resolved_by == member  # the author resolves their own


def test_only_the_teams_managers_change_its_template(org, team, manager, member):
    template = template_for(team)
    before = list(template.questions)
    change = {"questions": [{"text": "What now?"}], "cadence": "daily", "weekday": None, "enabled": True}
    with pytest.raises(PermissionDenied):
        save_template(template, actor=member, **change)
    template.refresh_from_db()
    assert template.questions == before
    save_template(template, actor=manager, **change)
    assert [q["text"] for q in template.questions] == ["What now?"]


def test_only_the_organiser_and_admins_change_a_recurring_meeting(org, team):
    organiser, other = PersonFactory(org=org, team=team), PersonFactory(org=org, team=team)
    admin = PersonFactory(org=org, role=Role.ADMIN)
    meeting = create_meeting(
        org, organiser=organiser, spec=MeetingSpec("Sync", [organiser, other], 3, 60, "UTC")
    )
    with pytest.raises(PermissionDenied):
        update_meeting(meeting, MeetingSpec("Mine now", [organiser, other], 3, 60, "UTC"), actor=other)
    meeting.refresh_from_db()
    assert meeting.name == "Sync"
    update_meeting(meeting, MeetingSpec("Renamed", [organiser, other], 3, 60, "UTC"), actor=admin)
    assert meeting.name == "Renamed"


def test_nobody_reacts_to_kudos_they_cannot_read(org, team):
    giver, receiver, bystander = (PersonFactory(org=org, team=team) for _ in range(3))
    private = give_kudos(giver, recipients=[receiver], message="Thanks for the fix", public=False)
    with pytest.raises(PermissionDenied):
        toggle_reaction(private, bystander, "heart")
    assert private.reactions.count() == 0
    assert toggle_reaction(private, receiver, "heart") is True
