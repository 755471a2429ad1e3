"""The demo company's charters, acknowledgements and the fairly rotating all-hands."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.accounts.models import User
from accord.demo import generate_demo
from accord.orgs.models import Team
from accord.rhythm import queries
from accord.rhythm.models import Acknowledgement, Burden, Charter, Occurrence, RecurringMeeting

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 18)  # the odd week: the US has sprung forward, Europe has not


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        org = generate_demo(today=TODAY)
        yield org
        Team.objects.filter(org=org).update(parent=None)
        org.delete()
        User.objects.filter(email__endswith="@wonderful.example").delete()


def test_every_team_has_its_own_charter(demo):
    teams = Team.objects.filter(org=demo)
    charters = Charter.objects.filter(org=demo)
    assert charters.count() == teams.count() == 12
    assert len({c.escalation for c in charters}) == 12  # written per team, not one text copied around
    assert all(c.channels.count() >= 2 for c in charters)


def test_some_acknowledgements_are_missing_and_the_member_persona_is_asked(demo):
    from accord.demo.people import key_email

    missing = 0
    for charter in Charter.objects.filter(org=demo):
        rows = queries.acknowledgements(charter)
        missing += sum(1 for r in rows if not r.current)
    members = demo.people.filter(team__isnull=False).count()
    assert 0 < missing < members / 2
    tomas = demo.people.get(email=key_email("l1_member"))
    assert [c.team.name for c in queries.charters_to_acknowledge(tomas)] == ["Level 1"]
    assert Acknowledgement.objects.filter(org=demo, person=tomas).get().version == 1


def test_the_all_hands_rotates_and_has_months_of_burden_log(demo):
    meeting = RecurringMeeting.objects.get(org=demo, name="Company all-hands")
    assert meeting.attendees.count() == demo.people.filter(is_active=True).count()
    assert len(set(meeting.rotation)) > 1
    occurrences = Occurrence.objects.filter(meeting=meeting)
    assert occurrences.count() >= 16  # about four months of weekly meetings
    assert {o.local_start for o in occurrences} == set(meeting.rotation)
    burdens = Burden.objects.filter(occurrence__meeting=meeting)
    assert burdens.count() == occurrences.count() * meeting.attendees.count()
    assert burdens.filter(night_minutes__gt=0).exists()
    # The rotation moves the night hours around: nobody is at night in every occurrence.
    nights: dict[int, int] = {}
    for b in burdens.filter(night_minutes__gt=0):
        nights[b.person_id] = nights.get(b.person_id, 0) + 1
    assert max(nights.values()) < occurrences.count()
