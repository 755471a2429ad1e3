"""The team picker: the person form and the recurring-meeting form never list every team of the
organisation; a team is chosen among the nearby ones, with the search, or by its name typed in full."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accord.orgs.models import Person
from accord.rhythm.models import RecurringMeeting
from tests.factories import TeamFactory
from tests.orgs.test_pages import admin_data


def pick(client, q, field="team"):
    return client.get(reverse("team_pick"), {"field": field, field: q}).content.decode()


@pytest.fixture
def many(org, team):
    """Forty far-away teams, plus a sub-team and a sibling of Engineering."""
    far = TeamFactory(org=org, name="Far away")
    for i in range(40):
        TeamFactory(org=org, parent=far, name=f"Remote {i:02}")
    return {"child": TeamFactory(org=org, parent=team, name="Platform"), "sibling": far}


def test_finds_teams_by_name_in_the_viewers_organisation_only(as_member, team, outsider):
    assert f'data-pick="{team.pk}"' in pick(as_member, "engin")
    assert "Sales" not in pick(as_member, "sales") and "No team matches." in pick(as_member, "sales")
    assert "data-pick" not in pick(as_member, "e")  # one letter is too little to list anything


@pytest.mark.parametrize("q", ["", "\x00\x00", "%%", "x" * 5000])
def test_odd_input_is_not_an_error(as_member, q):
    assert as_member.get(reverse("team_pick"), {"q": q}).status_code == 200


def test_signed_out_is_sent_to_sign_in(client):
    assert client.get(reverse("team_pick"), {"q": "en"}).status_code == 302


def test_the_person_form_lists_the_teams_near_the_current_one_only(as_admin, member, team, many):
    page = as_admin.get(reverse("person_edit", args=[member.pk])).content.decode()
    assert f'value="{team.pk}" checked' in page
    assert "Platform" in page and "Far away" in page  # a sub-team and a sibling
    assert "Remote 07" not in page and 'hx-get="/teams/pick/"' in page


def test_the_person_form_takes_a_team_by_id_or_by_name(as_admin, member, many):
    url = reverse("person_edit", args=[member.pk])
    assert as_admin.post(url, admin_data(member, team=many["child"].pk)).status_code == 302
    assert Person.objects.get(pk=member.pk).team == many["child"]
    # Without JavaScript the box posts the typed name next to the ticked radio; the name wins.
    response = as_admin.post(url, admin_data(member, team=[str(many["child"].pk), "remote 07"]))
    assert response.status_code == 302
    assert Person.objects.get(pk=member.pk).team.name == "Remote 07"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Nowhere", "No team you can choose here is called Nowhere."),
        ("Twin", "Several teams are called Twin: search for it and choose one from the list."),
        ("Sales", "No team you can choose here is called Sales."),  # another organisation's
    ],
)
def test_a_name_that_finds_no_team_or_several_is_refused_next_to_the_field(
    as_admin, org, member, many, outsider, typed, message
):
    TeamFactory(org=org, parent=many["sibling"], name="Twin")
    TeamFactory(org=org, parent=many["child"], name="Twin")
    response = as_admin.post(reverse("person_edit", args=[member.pk]), admin_data(member, team=typed))
    assert response.status_code == 200
    assert response.context["form"].errors["team"] == [message]
    assert 'id="id_team_error"' in response.content.decode()


def test_another_organisations_team_id_is_refused(as_admin, member, outsider):
    response = as_admin.post(
        reverse("person_edit", args=[member.pk]), admin_data(member, team=outsider.team_id)
    )
    assert response.status_code == 200 and "team" in response.context["form"].errors


def test_the_meeting_form_lists_no_team_up_front_and_takes_them_by_id_or_name(as_member, member, team, many):
    page = as_member.get(reverse("rhythm_meeting_new")).content.decode()
    assert "Remote 07" not in page and "Platform" not in page and 'hx-get="/teams/pick/"' in page
    data = {"name": "Sync", "weekday": "2", "duration_minutes": "30", "timezone": "Europe/London"}
    response = as_member.post(reverse("rhythm_meeting_new"), {**data, "teams": [str(team.pk), "Far away, "]})
    assert response.status_code == 302, response.context["form"].errors
    assert set(RecurringMeeting.objects.get().attendees.values_list("person_id", flat=True)) >= {member.pk}
    response = as_member.post(reverse("rhythm_meeting_new"), {**data, "teams": ["Nowhere"]})
    assert response.context["form"].errors["teams"] == ["No team you can choose here is called Nowhere."]
