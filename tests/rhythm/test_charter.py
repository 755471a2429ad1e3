"""Team charters: who edits, the acknowledgement prompt for new members and after material changes,
and the manager's view of who has read it (which the member sees about themselves too)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accord.orgs.models import Role
from accord.rhythm.actions import ChannelRow, CharterText, acknowledge_charter, save_charter
from accord.rhythm.models import Acknowledgement, Channel, Charter
from tests.conftest import login
from tests.factories import PersonFactory, TeamFactory

pytestmark = pytest.mark.django_db

TEXT = CharterText(
    "Roadmap and hiring",
    "Specs and code review",
    "Page the on-call; if nobody answers in 15 minutes, call the lead.",
    "Agenda a day ahead",
    [ChannelRow("Incidents", "#incident", "15 minutes"), ChannelRow("Questions", "#team", "1 working day")],
)


def form_data(**changes):
    data = {
        "sync_decisions": "Roadmap and hiring",
        "async_decisions": "Specs",
        "escalation": "Page on-call",
        "meeting_norms": "Agenda first",
        "channels-TOTAL_FORMS": "3",
        "channels-INITIAL_FORMS": "0",
        "channels-0-purpose": "Incidents",
        "channels-0-channel": "#incident",
        "channels-0-response_time": "15 minutes",
        "channels-1-purpose": "Questions",
        "channels-1-channel": "#team",
        "channels-1-response_time": "1 working day",
    }
    data.update(changes)
    return data


def test_the_manager_writes_the_charter_from_the_team_page(client, team, manager, member):
    login(client, manager)
    page = client.get(reverse("team", args=[team.pk])).content.decode()
    assert reverse("rhythm_charter_edit", args=[team.pk]) in page
    response = client.post(reverse("rhythm_charter_edit", args=[team.pk]), form_data())
    assert response["Location"] == reverse("rhythm_charter", args=[team.pk])
    charter = Charter.objects.get(team=team)
    assert (charter.version, charter.sync_decisions, charter.updated_by) == (1, "Roadmap and hiring", manager)
    assert list(Channel.objects.values_list("purpose", "channel", "response_time")) == [
        ("Incidents", "#incident", "15 minutes"),
        ("Questions", "#team", "1 working day"),
    ]


def test_a_half_filled_channel_row_is_an_error_and_nothing_is_saved(client, team, manager, member):
    login(client, manager)
    response = client.post(
        reverse("rhythm_charter_edit", args=[team.pk]), form_data(**{"channels-2-purpose": "Billing"})
    )
    assert response.status_code == 200
    assert response.context["rows"].forms[2].errors == {
        "channel": ["Fill in all three, or leave the row empty."],
        "response_time": ["Fill in all three, or leave the row empty."],
    }
    assert Charter.objects.count() == 0


def test_an_empty_charter_is_refused(client, team, manager, member):
    login(client, manager)
    empty = {k: "" for k in ("sync_decisions", "async_decisions", "escalation", "meeting_norms")}
    response = client.post(
        reverse("rhythm_charter_edit", args=[team.pk]),
        {**empty, "channels-TOTAL_FORMS": "1", "channels-INITIAL_FORMS": "0"},
    )
    assert response.context["form"].non_field_errors() == ["Write at least one part of the charter."]
    assert Charter.objects.count() == 0


def test_members_read_but_do_not_edit(client, team, manager, member):
    save_charter(team, TEXT, actor=manager, material=False)
    login(client, member)
    page = client.get(reverse("rhythm_charter", args=[team.pk])).content.decode()
    assert "Page the on-call" in page
    assert reverse("rhythm_charter_edit", args=[team.pk]) not in page
    assert client.get(reverse("rhythm_charter_edit", args=[team.pk])).status_code == 404
    assert client.post(reverse("rhythm_charter_edit", args=[team.pk]), form_data()).status_code == 404


def test_a_new_member_is_asked_to_acknowledge_and_the_manager_sees_it(client, team, manager, member):
    save_charter(team, TEXT, actor=manager, material=False)
    login(client, manager)
    rows = {
        r.person.name: r.current
        for r in client.get(reverse("rhythm_charter", args=[team.pk])).context["acks"]
    }
    assert rows == {"Maya Manager": True, "Milo Member": False}
    assert "1 of 2 members acknowledged" in client.get(reverse("team", args=[team.pk])).content.decode()
    login(client, member)
    home = client.get(reverse("home")).content.decode()
    assert "Please read your team charter" in home
    client.post(reverse("rhythm_charter_ack", args=[team.pk]))
    assert "Please read your team charter" not in client.get(reverse("home")).content.decode()
    page = client.get(reverse("rhythm_charter", args=[team.pk])).content.decode()
    assert "You acknowledged this version" in page
    assert "Who has read version 1" not in page  # the list is the manager's

    login(client, manager)
    rows = {
        r.person.name: r.current
        for r in client.get(reverse("rhythm_charter", args=[team.pk])).context["acks"]
    }
    assert rows == {"Maya Manager": True, "Milo Member": True}  # who writes a version has read it
    team_page = client.get(reverse("team", args=[team.pk])).content.decode()
    assert "2 of 2 members acknowledged the current version" in team_page


def test_a_material_change_asks_everyone_again_a_small_one_does_not(client, team, manager, member):
    charter = save_charter(team, TEXT, actor=manager, material=False)
    acknowledge_charter(charter, member)
    login(client, manager)
    client.post(reverse("rhythm_charter_edit", args=[team.pk]), form_data(meeting_norms="Agenda first!"))
    assert Charter.objects.get().version == 1
    client.post(reverse("rhythm_charter_edit", args=[team.pk]), form_data(material="on"))
    assert Charter.objects.get().version == 2
    login(client, member)
    home = client.get(reverse("home")).content.decode()
    assert "changed since you last read it (now version 2)" in home
    page = client.get(reverse("rhythm_charter", args=[team.pk])).content.decode()
    assert "The charter changed since you read version 1." in page
    client.post(reverse("rhythm_charter_ack", args=[team.pk]))
    assert Acknowledgement.objects.get(person=member).version == 2


def test_a_manager_of_another_team_cannot_edit_this_one(client, org, team, manager, member):
    from tests.factories import TeamFactory

    elsewhere = TeamFactory(org=org, name="Sales")
    boss = PersonFactory(org=org, team=elsewhere)
    PersonFactory(org=org, team=elsewhere, manager=boss)
    login(client, boss)
    assert client.get(reverse("rhythm_charter_edit", args=[team.pk])).status_code == 404
    login(client, PersonFactory(org=org, team=elsewhere, role="admin"))
    assert client.get(reverse("rhythm_charter_edit", args=[team.pk])).status_code == 200


def test_acknowledging_a_team_without_a_charter_is_404(client, team, member):
    login(client, member)
    assert client.post(reverse("rhythm_charter_ack", args=[team.pk])).status_code == 404


def test_team_page_queries(client, org, team, manager, member, django_assert_num_queries):
    save_charter(team, TEXT, actor=manager, material=False)
    login(client, manager)
    url = reverse("team", args=[team.pk])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    for _ in range(15):
        PersonFactory(org=org, team=team, manager=manager)
    with django_assert_num_queries(len(ctx.captured_queries)):
        client.get(url)


def test_more_channel_rows_than_the_api_allows_are_refused_and_nothing_is_saved(
    client, team, manager, member
):
    login(client, manager)
    rows = {"channels-TOTAL_FORMS": "21"}
    for i in range(21):
        rows.update(
            {
                f"channels-{i}-purpose": f"P{i}",
                f"channels-{i}-channel": "#c",
                f"channels-{i}-response_time": "1h",
            }
        )
    response = client.post(reverse("rhythm_charter_edit", args=[team.pk]), form_data(**rows))
    assert response.status_code == 200
    assert response.context["rows"].non_form_errors() == ["At most 20 channel rows."]
    assert "At most 20 channel rows." in response.content.decode()
    assert Charter.objects.count() == 0 and Channel.objects.count() == 0


# --- the action checks its actor itself ---------------------------------------------------------


def test_save_charter_refuses_a_member_of_the_team(team, manager, member):
    with pytest.raises(PermissionDenied):
        save_charter(team, TEXT, actor=member, material=False)
    assert Charter.objects.count() == 0


def test_save_charter_refuses_a_manager_of_another_team(org, team, manager, member):
    elsewhere = TeamFactory(org=org, name="Elsewhere")
    boss = PersonFactory(org=org, team=elsewhere)
    PersonFactory(org=org, team=elsewhere, manager=boss)
    save_charter(team, TEXT, actor=manager, material=False)
    hostile = CharterText("Mine now", "", "", "", [])
    with pytest.raises(PermissionDenied):
        save_charter(team, hostile, actor=boss, material=True)
    charter = Charter.objects.get(team=team)
    assert (charter.version, charter.sync_decisions) == (1, TEXT.sync_decisions)


def test_save_charter_refuses_an_admin_of_another_organisation(team, manager, member, other_org):
    stranger = PersonFactory(org=other_org, team=TeamFactory(org=other_org), role=Role.ADMIN)
    with pytest.raises(PermissionDenied):
        save_charter(team, TEXT, actor=stranger, material=False)
    assert Charter.objects.count() == 0


def test_save_charter_lets_the_teams_manager_and_an_admin(team, manager, member, admin):
    save_charter(team, TEXT, actor=manager, material=False)
    save_charter(team, TEXT, actor=admin, material=True)
    assert Charter.objects.get(team=team).version == 2
