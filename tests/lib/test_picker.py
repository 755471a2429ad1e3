"""The person picker: a search that never lists the whole organisation, and emails typed without
JavaScript, checked by each form's own rules."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accord.kudos.models import Kudos
from accord.meetings.forms import SeriesForm
from accord.orgs.forms import PersonForm
from tests.conftest import login
from tests.factories import PersonFactory


def pick(client, q, scope="all", field="who"):
    return client.get(reverse("person_pick"), {"field": field, field: q, "scope": scope}).content.decode()


def test_finds_by_name_or_email_in_the_viewers_organisation_only(as_member, member, manager, outsider):
    assert f'data-pick="{manager.pk}"' in pick(as_member, "maya")
    assert f'data-pick="{manager.pk}"' in pick(as_member, "maya@acme")
    assert "Otto" not in pick(as_member, "otto") and "Otto" not in pick(as_member, "globex")
    assert "Nobody matches." in pick(as_member, "otto")
    assert "data-pick" not in pick(as_member, "m")  # one letter is too little to list anyone


def test_scopes_narrow_to_reports_or_leave_the_viewer_out(client, org, team, manager, member):
    PersonFactory(org=org, team=team, name="Mona Elsewhere")
    login(client, manager)
    reports = pick(client, "mo", scope="reports")
    assert "Mona" not in reports and "data-pick" not in pick(client, "maya", scope="reports")
    assert "Milo" in pick(client, "mil", scope="reports")
    assert "Maya" not in pick(client, "maya", scope="others")
    assert "Mona" in pick(client, "mo", scope="nonsense")  # an unknown scope searches everyone


@pytest.mark.parametrize("q", ["", "\x00\x00", "%%", "x" * 5000])
def test_odd_input_is_not_an_error(as_member, member, q):
    assert as_member.get(reverse("person_pick"), {"q": q}).status_code == 200


def test_signed_out_is_sent_to_sign_in(client):
    assert client.get(reverse("person_pick"), {"q": "ma"}).status_code == 302


def test_kudos_form_lists_nobody_and_accepts_emails_without_javascript(as_member, member, manager, org, team):
    for i in range(30):
        PersonFactory(org=org, team=team, name=f"Someone {i}")
    page = as_member.get(reverse("kudos_give")).content.decode()
    assert "Someone" not in page and 'hx-get="/people/pick/"' in page
    response = as_member.post(
        reverse("kudos_give"),
        {"recipients": "MAYA@acme.test, ", "message": "Thanks for the review", "visibility": "public"},
    )
    assert response.status_code == 302
    assert list(Kudos.objects.get().recipients.values_list("person_id", flat=True)) == [manager.pk]


def test_an_unknown_or_foreign_email_is_refused_next_to_the_field(as_member, member, manager, outsider):
    for typed in ("nobody@acme.test", outsider.email, f"{manager.email}, {outsider.email}"):
        response = as_member.post(
            reverse("kudos_give"), {"recipients": typed, "message": "Thanks", "visibility": "public"}
        )
        assert response.status_code == 400  # how the kudos page answers a refused form
        html = response.content.decode()
        assert 'id="id_recipients_error"' in html and "Nobody you can choose here" in html
        assert f'value="{typed}"' in html  # what was typed stays in the box
    assert not Kudos.objects.exists()


def test_one_person_fields_take_an_email_or_an_id_and_keep_their_rules(org, admin, manager, member, outsider):
    form = SeriesForm(
        {
            "manager": manager.email,
            "report": str(member.pk),
            "cadence": "weekly",
            "weekday": "1",
            "start_time": "10:00",
            "duration_minutes": "30",
        },
        actor=admin,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["report"] == member and form.cleaned_data["manager"] == manager
    form = SeriesForm({"manager": outsider.email, "report": member.email}, actor=admin)
    assert not form.is_valid() and "Nobody you can choose here" in form.errors["manager"][0]
    # A manager picks among their own few reports from a plain list.
    mine = SeriesForm(actor=manager)
    assert mine.fields["report"].widget.__class__.__name__ == "Select"
    assert f'value="{member.pk}"' in str(mine["report"])


def test_the_manager_field_shows_who_is_chosen(org, admin, manager, member):
    form = PersonForm(instance=member, as_admin=True, actor=admin)
    html = str(form["manager"])
    assert f'value="{manager.email}"' in html and manager.name in html
    assert "Ada Admin" not in html  # nobody else is listed
