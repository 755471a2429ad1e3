"""Every time-zone page against every role, and against another organisation's objects.

MATRIX is read by tests/test_access_matrix.py; the role, tenant and signed-out tests over it are here,
with a world of their own: a team with a manager and a charter, and a meeting organised by `organiser`.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accord.orgs.models import Role
from accord.rhythm.actions import ChannelRow, CharterText, MeetingSpec, create_meeting, save_charter
from accord.rhythm.models import Acknowledgement, Charter, RecurringMeeting
from tests.conftest import login
from tests.factories import PersonFactory, TeamFactory

EVERYONE = "everyone"
TEAM_EDITORS = "the team's managers and admins"
MEETING_EDITORS = "the organiser and admins"

# name -> (method, which object the URL points at, who may open it)
MATRIX = {
    "rhythm_reach": ("get", None, EVERYONE),
    "rhythm_map": ("get", None, EVERYONE),
    "rhythm_meetings": ("get", None, EVERYONE),
    "rhythm_meeting_new": ("get", None, EVERYONE),
    "rhythm_meeting": ("get", "meeting", EVERYONE),
    "rhythm_meeting_edit": ("get", "meeting", MEETING_EDITORS),
    "rhythm_meeting_ics": ("get", "meeting", EVERYONE),
    "rhythm_charter": ("get", "team", EVERYONE),
    "rhythm_charter_edit": ("get", "team", TEAM_EDITORS),
    "rhythm_charter_ack": ("post", "team", EVERYONE),
}

ROLES = ["member", "manager", "admin", "owner", "organiser", "outsider_manager"]
ALLOWED = {
    EVERYONE: set(ROLES),
    TEAM_EDITORS: {"manager", "admin", "owner"},
    MEETING_EDITORS: {"organiser", "admin", "owner"},
}

TEXT = CharterText("Roadmap", "Specs", "Page on-call", "Agenda first", [ChannelRow("Help", "#help", "1 day")])


def objects_for(org, team, organiser, people, charter_author):
    save_charter(team, TEXT, actor=charter_author, material=False)
    meeting = create_meeting(
        org, organiser=organiser, spec=MeetingSpec("Weekly sync", people, 3, 45, "Europe/London")
    )
    return {"team": team, "meeting": meeting}


@pytest.fixture
def world(org, other_org, team):
    people = {
        "admin": PersonFactory(org=org, team=team, role=Role.ADMIN),
        "owner": PersonFactory(org=org, team=team, role=Role.OWNER),
        "manager": PersonFactory(org=org, team=team),
        "organiser": PersonFactory(org=org, team=team),
    }
    people["member"] = PersonFactory(org=org, team=team, manager=people["manager"])
    # Manages someone, but in another team: no rights over this team's charter.
    elsewhere = TeamFactory(org=org, name="Elsewhere")
    people["outsider_manager"] = PersonFactory(org=org, team=elsewhere)
    PersonFactory(org=org, team=elsewhere, manager=people["outsider_manager"])
    attendees = [people["member"], people["manager"]]
    own = objects_for(org, team, people["organiser"], attendees, people["manager"])
    stranger_team = TeamFactory(org=other_org)
    boss = PersonFactory(org=other_org, team=stranger_team, role=Role.ADMIN)
    foreign = objects_for(other_org, stranger_team, boss, [boss], boss)
    return people, own, foreign


def call(client, name, obj):
    method, _, _ = MATRIX[name]
    url = reverse(name, args=[obj.pk]) if obj is not None else reverse(name)
    return client.post(url) if method == "post" else client.get(url)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_role_matrix(client, world, role, name):
    people, own, _ = world
    _, kind, who = MATRIX[name]
    login(client, people[role])
    response = call(client, name, own[kind] if kind else None)
    if role in ALLOWED[who]:
        assert response.status_code in {200, 302}, response.status_code
    else:
        assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(n for n, (_, kind, _) in MATRIX.items() if kind))
def test_another_organisations_object_is_404(client, world, role, name):
    people, _, foreign = world
    login(client, people[role])
    assert call(client, name, foreign[MATRIX[name][1]]).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_signed_out_visitors_are_sent_to_sign_in(client, world, name):
    _, own, _ = world
    kind = MATRIX[name][1]
    response = call(client, name, own[kind] if kind else None)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_refused_writes_change_nothing(client, world):
    people, own, foreign = world
    login(client, people["member"])
    charter = Charter.objects.get(team=own["team"])
    response = client.post(
        reverse("rhythm_charter_edit", args=[own["team"].pk]),
        {"sync_decisions": "Hijacked", "channels-TOTAL_FORMS": "0", "channels-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 404
    response = client.post(
        reverse("rhythm_meeting_edit", args=[own["meeting"].pk]),
        {"name": "Hijacked", "everyone": "on", "weekday": "1", "duration_minutes": "30", "timezone": "UTC"},
    )
    assert response.status_code == 404
    client.post(reverse("rhythm_charter_ack", args=[foreign["team"].pk]))
    charter.refresh_from_db()
    assert charter.sync_decisions == "Roadmap"
    assert RecurringMeeting.objects.get(pk=own["meeting"].pk).name == "Weekly sync"
    assert not Acknowledgement.objects.filter(charter__team=foreign["team"], person=people["member"]).exists()
