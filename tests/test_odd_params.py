"""Ids typed into query strings and plain form fields of the older pages: digits that `isdigit()` accepts
but `int()` refuses ("²", "①"), ids no 64-bit column can hold, zero and negatives. Each answers the page
(ignoring the value), a 404 or a form error — never a 500, on SQLite or PostgreSQL."""

import pytest
from django.urls import reverse

from accord.lib.forms import id_param
from tests.conftest import login

ODD = ["²", "①", "9" * 25, "0", "-3", " 7", "7a", ""]


def test_id_param_takes_only_plain_positive_ids():
    assert [id_param(v) for v in ["12", "²", "①", "٣", "9" * 25, "0", "-3", " 7", None]] == [12] + [None] * 8
    assert id_param(str(2**63 - 1)) == 2**63 - 1
    assert id_param(str(2**63)) is None


@pytest.mark.django_db
@pytest.mark.parametrize("value", ODD)
@pytest.mark.parametrize(
    ("name", "args", "param"),
    [
        ("directory", [], "team"),
        ("goal_new", [], "parent"),
        ("commitments", [], "who"),
        ("commitment_new", [], "goal"),
        ("commitment_new", [], "owner"),
        ("checkins_team", ["team"], "page"),
        ("rhythm_reach", [], "team"),
        ("kudos_give", [], "to"),
        ("kudos", [], "page"),
    ],
)
def test_odd_ids_in_query_strings_never_fail(client, member, team, name, args, param, value):
    login(client, member)
    url = reverse(name, args=[team.pk if a == "team" else a for a in args])
    assert client.get(url, {param: value}).status_code in {200, 404}


@pytest.mark.django_db
@pytest.mark.parametrize("value", ODD)
def test_odd_ids_in_plain_post_fields_never_fail(client, member, value):
    login(client, member)
    assert client.post(reverse("switch_org"), {"org": value}).status_code == 404
    assert client.post(reverse("checkins"), {"checkin": value}).status_code in {200, 404}


@pytest.mark.django_db
def test_a_pulse_program_with_an_id_too_big_is_a_field_error(client, admin):
    login(client, admin)
    response = client.post(
        reverse("pulse_program_new"), {"name": "Pulse", "teams": ["9" * 25], "questions": ["9" * 25]}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "teams" in errors and "questions" in errors
