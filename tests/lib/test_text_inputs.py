"""Single-line text with a line break or an invisible character is refused on pages (next to the field)
and in the API (a 400 naming the field), across apps; multi-line text keeps its line breaks."""

import pytest

from accord.goals.models import Goal
from accord.kudos.models import CompanyValue
from accord.orgs.models import Person, Team
from tests.api_client import Api
from tests.conftest import login

BREAK = "Keep this to one line: remove the line break."
RLO = "Remove the invisible character U+202E (right-to-left override)."
ZWSP = "Remove the invisible character U+200B (zero width space)."


def refused(response, field, message):
    assert response.status_code == 400
    assert response.json() == {"detail": message, "errors": {field: [message]}}


# --- API ------------------------------------------------------------------------------------------


def test_api_person_name_with_crlf_is_400_naming_the_field(admin):
    api = Api(admin)
    refused(
        api.post("/api/people", {"name": "Ann\r\nBcc: all@acme.test", "email": "ann@acme.test"}),
        "name",
        BREAK,
    )
    refused(api.patch(f"/api/people/{admin.pk}", {"title": "Lead\u202e"}), "title", RLO)
    refused(api.get("/api/people", q="a\nb"), "q", BREAK)
    assert Person.objects.filter(email="ann@acme.test").count() == 0


def test_api_team_description_keeps_lines_but_not_bidi_overrides(admin):
    api = Api(admin)
    created = api.post("/api/teams", {"name": "Ops", "description": "Runs things.\nAlso on call."})
    assert created.status_code == 201
    assert Team.objects.get(pk=created.json()["id"]).description == "Runs things.\nAlso on call."
    refused(api.post("/api/teams", {"name": "Ops 2", "description": "ok\u202e"}), "description", RLO)
    refused(api.post("/api/teams", {"name": "Ops\u200b"}), "name", ZWSP)


def test_api_goal_title_is_one_line(member):
    refused(Api(member).post("/api/goals", {"title": "Ship\nit", "level": "person"}), "title", BREAK)
    assert Goal.objects.count() == 0


def test_api_kudos_value_and_pulse_program_names_are_one_line(admin):
    api = Api(admin)
    refused(api.post("/api/values", {"name": "Care\u200b"}), "name", ZWSP)
    refused(api.post("/api/pulse/programs", {"name": "Pulse\rX"}), "name", BREAK)
    assert CompanyValue.objects.count() == 0


def test_api_handoff_links_are_one_line_each(member):
    body = {"from_shift_id": 1, "items": [{"title": "Outage", "links": ["https://a.test/\nX-Evil: 1"]}]}
    refused(Api(member).post("/api/handoffs/chains/1/handoffs", body), "items", BREAK)


def test_api_type_errors_stay_422_alongside_text_errors(admin):
    response = Api(admin).post("/api/teams", {"name": "Ops\n", "parent_id": "x"})
    # A stripped trailing newline is fine; the wrong type is what is reported.
    assert response.status_code == 422
    response = Api(admin).post("/api/teams", {"name": "O\nps", "parent_id": "x"})
    assert response.status_code == 422


# --- pages ----------------------------------------------------------------------------------------


def test_team_form_shows_the_error_next_to_the_name(client, admin):
    login(client, admin)
    response = client.post("/teams/new/", {"name": "Ops\r\nX", "description": "Line one\r\nLine two"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": [BREAK]}
    assert BREAK in response.content.decode()
    assert Team.objects.filter(name__startswith="Ops").count() == 0

    response = client.post("/teams/new/", {"name": "Ops", "description": "Line one\r\nLine two"})
    assert response.status_code == 302
    assert Team.objects.get(name="Ops").description == "Line one\r\nLine two"


def test_kudos_value_form_refuses_a_bidi_override(client, admin):
    login(client, admin)
    response = client.post("/kudos/values/", {"name": "Care\u202e", "description": "", "active": "on"})
    assert response.status_code == 400
    assert response.context["form"].errors == {"name": [RLO]}


def test_token_form_refuses_a_line_break(client, member):
    login(client, member)
    response = client.post("/settings/tokens/", {"name": "Cron\njob", "scope": "read_write"})
    assert response.context["form"].errors == {"name": [BREAK]}
    assert member.api_tokens.count() == 0


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"title": "Ship\u200bit", "description": "fine"}, {"title": [ZWSP]}),
        ({"title": "Ship it", "description": "bad\u202e"}, {"description": [RLO]}),
    ],
)
def test_goal_form_checks_title_and_description(client, member, data, errors):
    login(client, member)
    response = client.post("/goals/new/", {"level": "person", "owner": member.pk, **data})
    form_errors = response.context["form"].errors
    assert {k: v for k, v in form_errors.items() if k in ("title", "description")} == errors
    assert Goal.objects.count() == 0
