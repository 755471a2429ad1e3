from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.orgs.models import Person, Role, Team

from ..conftest import login
from ..factories import PersonFactory, TeamFactory

pytestmark = pytest.mark.django_db


# --- reading ----------------------------------------------------------------------------------


def test_people_list_is_scoped_to_the_org(admin_api, admin, manager, member, outsider):
    response = admin_api.get("/api/people")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [p["name"] for p in body["items"]] == ["Ada Admin", "Maya Manager", "Milo Member"]


def test_person_output(member_api, manager, member, team):
    platform = TeamFactory(org=team.org, parent=team, name="Platform")
    member.team = platform
    member.save()

    body = member_api.get(f"/api/people/{member.pk}").json()
    boss = member_api.get(f"/api/people/{manager.pk}").json()

    assert body["team_id"] == platform.pk
    assert body["team_path"] == "Engineering/Platform"
    assert body["manager_id"] == manager.pk
    assert (body["is_manager"], boss["is_manager"]) == (False, True)
    assert (body["work_start"], body["work_end"], body["work_days"]) == ("09:00:00", "17:00:00", "12345")


@pytest.mark.parametrize(
    ("now", "local", "working", "next_start"),
    [
        # Monday 10:30 in Kolkata (UTC+5:30): inside working hours.
        (dt.datetime(2025, 3, 10, 5, 0, tzinfo=dt.UTC), "2025-03-10T10:30:00+05:30", True, None),
        # Saturday: a day off; hours next begin on Monday 09:00 local.
        (
            dt.datetime(2025, 3, 15, 5, 0, tzinfo=dt.UTC),
            "2025-03-15T10:30:00+05:30",
            False,
            "2025-03-17T09:00:00+05:30",
        ),
    ],
)
def test_person_local_time_and_working_hours(admin_api, org, now, local, working, next_start):
    person = PersonFactory(org=org, name="Kiran", timezone="Asia/Kolkata")

    with time_machine.travel(now, tick=False):
        body = admin_api.get(f"/api/people/{person.pk}").json()

    assert body["local_time"] == local
    assert body["utc_offset"] == "UTC+5:30"
    assert body["is_working_now"] is working
    assert body["next_working_start"] == next_start


def test_people_search_filter_and_pagination(admin_api, org, team, admin, manager, member):
    support = TeamFactory(org=org, name="Support")
    level1 = TeamFactory(org=org, parent=support, name="Level 1")
    PersonFactory(org=org, team=support, name="Sam Support")
    PersonFactory(org=org, team=level1, name="Lee Level")

    assert [p["name"] for p in admin_api.get("/api/people", q="mil").json()["items"]] == ["Milo Member"]
    by_team = admin_api.get("/api/people", team=support.pk).json()
    assert [p["name"] for p in by_team["items"]] == ["Lee Level", "Sam Support"]
    assert by_team["items"][0]["team_path"] == "Support/Level 1"
    page = admin_api.get("/api/people", limit=2, offset=1).json()
    assert page["count"] == 5
    assert [p["name"] for p in page["items"]] == ["Lee Level", "Maya Manager"]


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 1000}, {"offset": -1}, {"team": "x"}, {"team": 0}, {"q": "a\x00"}]
)
def test_people_list_rejects_bad_parameters(admin_api, params):
    assert admin_api.get("/api/people", **params).status_code == 422


def test_people_list_other_orgs_team_is_404(admin_api, outsider):
    assert admin_api.get("/api/people", team=outsider.team_id).status_code == 404


def test_list_people_query_count_is_independent_of_rows(client, org, admin, team):
    login(client, admin)
    client.get("/api/me")  # the first request of a session also stores which org it works in

    def count_queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/api/people", {"limit": 200})
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()["count"]

    one = count_queries()
    child = TeamFactory(org=org, parent=team, name="Platform")
    grandchild = TeamFactory(org=org, parent=child, name="Storage")
    boss = PersonFactory(org=org, team=team)
    for i in range(28):
        PersonFactory(org=org, team=[team, child, grandchild][i % 3], manager=boss)
    many = count_queries()

    assert (one[1], many[1]) == (1, 30)
    # session, user, membership (middleware); people, their report counts, count, teams.
    assert one[0] == many[0] == 7


def test_list_teams_query_count_is_independent_of_rows(client, org, admin, team):
    login(client, admin)
    client.get("/api/me")

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/teams").status_code == 200
        return len(ctx.captured_queries)

    one = count_queries()
    parent = team
    for i in range(20):
        parent = TeamFactory(org=org, parent=parent, name=f"Level {i}")
    assert count_queries() == one


@pytest.mark.parametrize("method", ["get", "patch"])
def test_another_orgs_person_is_404(admin_api, outsider, method):
    url = f"/api/people/{outsider.pk}"
    response = admin_api.get(url) if method == "get" else admin_api.patch(url, {"name": "Hacked"})

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found"}
    outsider.refresh_from_db()
    assert outsider.name == "Otto Outsider"


@pytest.mark.parametrize("method", ["get", "patch"])
def test_another_orgs_team_is_404(admin_api, outsider, method):
    url = f"/api/teams/{outsider.team_id}"
    response = admin_api.get(url) if method == "get" else admin_api.patch(url, {"name": "Hacked"})

    assert response.status_code == 404
    assert Team.objects.get(pk=outsider.team_id).name == "Sales"


def test_teams_list_is_scoped_to_the_org(member_api, org, team, outsider):
    TeamFactory(org=org, parent=team, name="Platform")

    body = member_api.get("/api/teams").json()

    assert body["count"] == 2
    assert [(t["name"], t["path"], t["member_count"]) for t in body["items"]] == [
        ("Engineering", "Engineering", 2),
        ("Platform", "Engineering/Platform", 0),
    ]


# --- permissions ------------------------------------------------------------------------------


def test_member_cannot_create_people_or_teams(member_api):
    people = member_api.post("/api/people", {"name": "New", "email": "new@acme.test"})
    teams = member_api.post("/api/teams", {"name": "Shadow IT"})

    assert (people.status_code, teams.status_code) == (403, 403)
    assert people.json() == {"detail": "Only admins and owners can do this."}
    assert not Person.objects.filter(email="new@acme.test").exists()
    assert not Team.objects.filter(name="Shadow IT").exists()


def test_member_cannot_change_a_team(member_api, team):
    assert member_api.patch(f"/api/teams/{team.pk}", {"name": "Renamed"}).status_code == 403
    team.refresh_from_db()
    assert team.name == "Engineering"


def test_member_cannot_change_someone_else(member_api, manager):
    response = member_api.patch(f"/api/people/{manager.pk}", {"title": "Intern"})

    assert response.status_code == 403
    assert response.json() == {"detail": "You can change only your own profile."}
    manager.refresh_from_db()
    assert manager.title == "Engineer"


@pytest.mark.parametrize(
    "change",
    [
        {"role": "owner"},
        {"manager_id": None},
        {"team_id": None},
        {"email": "me@else.test"},
        {"start_date": None},
    ],
)
def test_member_cannot_change_own_admin_fields(member_api, member, manager, change):
    response = member_api.patch(f"/api/people/{member.pk}", {"name": "Milo M.", **change})

    assert response.status_code == 403
    assert response.json()["detail"] == f"Only admins and owners can change: {next(iter(change))}."
    member.refresh_from_db()
    assert (member.name, member.role, member.manager_id) == ("Milo Member", Role.MEMBER, manager.pk)


def test_member_changes_own_profile(member_api, member):
    response = member_api.patch(
        f"/api/people/{member.pk}",
        {
            "name": "Milo M.",
            "title": "Staff engineer",
            "timezone": "America/New_York",
            "work_start": "08:30",
            "work_end": "16:30",
            "work_days": "1234",
            "location": "Boston",
            "birthday_month": 2,
            "birthday_day": 29,
        },
    )

    assert response.status_code == 200
    member.refresh_from_db()
    assert (member.name, member.timezone, member.work_start, member.work_days, member.birthday) == (
        "Milo M.",
        "America/New_York",
        dt.time(8, 30),
        "1234",
        dt.date(2000, 2, 29),
    )
    assert response.json()["location"] == "Boston"


# --- admin writes -----------------------------------------------------------------------------


def test_admin_creates_a_person(
    admin_api, org, team, manager, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post(
            "/api/people",
            {
                "name": "Nia New",
                "email": " Nia@Acme.test ",
                "team_id": team.pk,
                "manager_id": manager.pk,
                "timezone": "Australia/Sydney",
                "work_start": "08:00",
                "work_end": "16:00",
                "invite": True,
            },
        )

    assert response.status_code == 201
    body = response.json()
    person = Person.objects.get(pk=body["id"])
    assert (person.org, person.email, person.team, person.manager, person.role) == (
        org,
        "nia@acme.test",
        team,
        manager,
        Role.MEMBER,
    )
    assert (body["team_path"], body["timezone"], body["work_start"]) == (
        "Engineering",
        "Australia/Sydney",
        "08:00:00",
    )
    assert [m.to for m in mailoutbox] == [["nia@acme.test"]]


def test_admin_updates_a_person(admin_api, member, admin, org):
    support = TeamFactory(org=org, name="Support")

    response = admin_api.patch(
        f"/api/people/{member.pk}",
        {"role": "admin", "manager_id": admin.pk, "team_id": support.pk, "title": "Lead"},
    )

    assert response.status_code == 200
    member.refresh_from_db()
    assert (member.role, member.manager, member.team, member.title) == (Role.ADMIN, admin, support, "Lead")
    assert admin_api.get(f"/api/people/{admin.pk}").json()["is_manager"] is True


def test_patch_leaves_unsent_fields_alone_and_null_clears_optional_ones(admin_api, member):
    member.birthday_month, member.birthday_day = 5, 1
    member.save()

    response = admin_api.patch(f"/api/people/{member.pk}", {"birthday_month": None, "birthday_day": None})

    assert response.status_code == 200
    member.refresh_from_db()
    assert (member.birthday, member.name, member.manager_id) == (None, "Milo Member", member.manager_id)


def test_admin_creates_and_updates_teams(admin_api, team):
    created = admin_api.post("/api/teams", {"name": "Platform", "parent_id": team.pk, "description": "Infra"})

    assert created.status_code == 201
    body = created.json()
    assert (body["path"], body["parent_id"], body["member_count"]) == ("Engineering/Platform", team.pk, 0)
    renamed = admin_api.patch(f"/api/teams/{body['id']}", {"name": "Infrastructure", "parent_id": None})
    assert renamed.status_code == 200
    assert (renamed.json()["path"], renamed.json()["description"]) == ("Infrastructure", "Infra")


# --- bad input: always 4xx with a message -----------------------------------------------------


def _field_errors(response) -> dict[str, list[str]]:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["detail"]
    return body["errors"]


def test_unknown_time_zone_is_400(admin_api, member):
    errors = _field_errors(admin_api.patch(f"/api/people/{member.pk}", {"timezone": "Mars/Olympus_Mons"}))
    assert errors == {
        "timezone": ["“Mars/Olympus_Mons” is not a known IANA time zone (for example Europe/Berlin)."]
    }


def test_manager_cycle_is_400(admin_api, manager, member):
    errors = _field_errors(admin_api.patch(f"/api/people/{manager.pk}", {"manager_id": member.pk}))
    assert errors == {
        "manager_id": ["That would make a reporting loop: Maya Manager → Milo Member → Maya Manager."]
    }
    manager.refresh_from_db()
    assert manager.manager_id is None


def test_deactivated_manager_is_400(admin_api, org, member):
    gone = PersonFactory(org=org, name="Gone", is_active=False)
    errors = _field_errors(admin_api.patch(f"/api/people/{member.pk}", {"manager_id": gone.pk}))
    assert errors == {"manager_id": ["No such person in this organisation."]}


def test_self_as_manager_is_400(admin_api, member):
    assert "manager_id" in _field_errors(
        admin_api.patch(f"/api/people/{member.pk}", {"manager_id": member.pk})
    )


def test_hours_ending_before_they_start_is_400(member_api, member):
    errors = _field_errors(
        member_api.patch(f"/api/people/{member.pk}", {"work_start": "17:00", "work_end": "09:00"})
    )
    assert errors == {
        "work_end": ["Working hours end before they start — tick “Overnight” if this is a night shift."]
    }


def test_duplicate_email_is_400(admin_api, member):
    response = admin_api.post("/api/people", {"name": "Copy", "email": "MILO@acme.test"})
    assert _field_errors(response) == {"email": ["Someone in this organisation already has that email."]}


def test_same_email_in_another_org_is_fine(admin_api, outsider):
    assert admin_api.post("/api/people", {"name": "Otto Here", "email": outsider.email}).status_code == 201


@pytest.mark.parametrize("field", ["manager_id", "team_id"])
def test_ids_from_another_org_are_400(admin_api, member, outsider, field):
    value = outsider.pk if field == "manager_id" else outsider.team_id
    errors = _field_errors(admin_api.patch(f"/api/people/{member.pk}", {field: value}))
    assert list(errors) == [field]
    assert _field_errors(admin_api.post("/api/people", {"name": "X", "email": "x@acme.test", field: value}))


def test_team_rules_are_400(admin_api, org, team, outsider):
    child = TeamFactory(org=org, parent=team, name="Platform")

    assert list(_field_errors(admin_api.patch(f"/api/teams/{team.pk}", {"parent_id": child.pk}))) == [
        "parent_id"
    ]
    assert list(_field_errors(admin_api.post("/api/teams", {"name": "engineering"}))) == ["name"]
    assert list(_field_errors(admin_api.post("/api/teams", {"name": "A/B"}))) == ["name"]
    assert list(_field_errors(admin_api.post("/api/teams", {"name": "  "}))) == ["name"]
    assert list(
        _field_errors(admin_api.post("/api/teams", {"name": "X", "parent_id": outsider.team_id}))
    ) == ["parent_id"]


def test_malformed_json_is_400(admin_api, member):
    for response in (
        admin_api.post("/api/people", '{"name": "X", '),
        admin_api.patch(f"/api/people/{member.pk}", "{not json"),
        admin_api.post("/api/teams", "\x00"),
    ):
        assert response.status_code == 400
        assert response.json() == {"detail": "Cannot parse request body"}


@pytest.mark.parametrize(
    "body",
    [
        [],
        "a string",
        42,
        None,
        {"name": None},
        {"name": ["Milo"]},
        {"team_id": True},
        {"team_id": "1"},
        {"manager_id": 1.5},
        {"manager_id": 2**70},
        {"birthday_month": 13},
        {"birthday_month": "5"},
        {"work_start": 900},
        {"work_start": "25:00"},
        {"work_start": "09:00+02:00"},
        {"start_date": "yesterday"},
        {"role": "emperor"},
        {"role": None},
        {"email": None},
        {"name": "x" * 201},
        {"no_such_field": 1},
        {"name": "bad\u0000byte"},
    ],
)
def test_wrong_types_are_4xx_with_a_message(admin_api, member, body):
    response = admin_api.patch(f"/api/people/{member.pk}", body)

    assert response.status_code in (400, 422)
    assert response.json()["detail"]
    member.refresh_from_db()
    assert member.name == "Milo Member"


def test_lone_surrogate_is_400(admin_api, member):
    response = admin_api.patch(f"/api/people/{member.pk}", '{"name": "\\ud800"}')

    assert response.status_code == 400


@pytest.mark.parametrize("person_id", ["0", "-5", "abc", "1.5", "99999999999999999999999"])
def test_bad_ids_in_the_path_are_4xx(admin_api, person_id):
    assert admin_api.get(f"/api/people/{person_id}").status_code in (404, 422)
    assert admin_api.patch(f"/api/people/{person_id}", {"name": "X"}).status_code in (404, 422)


# --- fuzz: random JSON never makes a 500 ------------------------------------------------------

FIELDS = [
    "name",
    "email",
    "title",
    "role",
    "team_id",
    "manager_id",
    "timezone",
    "work_start",
    "work_end",
    "work_days",
    "location",
    "start_date",
    "birthday_month",
    "birthday_day",
    "invite",
]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=5,
)
plausible = st.one_of(
    st.sampled_from(
        [
            "UTC",
            "Asia/Kathmandu",
            "Nowhere/City",
            "09:00",
            "17:30",
            "23:59:59",
            "2025-02-29",
            "12345",
            "67",
            "member",
            "admin",
            "owner",
            "a@b.test",
            "",
            " ",
        ]
    ),
    st.integers(min_value=-2, max_value=40),
)
bodies = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), json_values | plausible, max_size=8)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_random_person_bodies_never_500(admin_api, member_api, member, body):
    for response in (
        admin_api.post("/api/people", body),
        admin_api.patch(f"/api/people/{member.pk}", body),
        member_api.patch(f"/api/people/{member.pk}", body),
    ):
        assert response.status_code < 500, (body, response.content)
        if response.status_code >= 400:
            assert response.json()["detail"]


# --- schema and docs --------------------------------------------------------------------------


def test_openapi_schema_documents_people_and_teams(client, db):
    schema = client.get("/api/openapi.json").json()

    for path in [
        "/api/people",
        "/api/people/{person_id}",
        "/api/teams",
        "/api/teams/{team_id}",
        "/api/me",
        "/api/tokens",
        "/api/tokens/{token_id}",
    ]:
        assert path in schema["paths"]
    assert set(schema["paths"]["/api/people/{person_id}"]) == {"get", "patch"}
    person = schema["components"]["schemas"]["PersonOut"]["properties"]
    assert (
        person["is_working_now"]["description"]
        == "Whether now falls inside the declared working hours and days."
    )
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {"type": "http", "scheme": "bearer"}


def test_docs_page_loads_only_same_origin_assets(client, db):
    response = client.get("/api/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'src="/static/ninja/swagger-ui-bundle.js"' in html
    assert 'href="/static/ninja/swagger-ui.css"' in html
    # Every asset from our own /static/, and the links back to the app are our own paths.
    found = re.findall(r"(?:src|href)=\"([^\"]+)\"", html)
    assert [u for u in found if u.endswith((".js", ".css", ".svg", ".png"))] == [
        "/static/ninja/swagger-ui.css",
        "/static/accord/api-docs.css",
        "/static/accord/favicon.svg",
        "/static/accord/favicon.svg",
        "/static/ninja/swagger-ui-bundle.js",
        "/static/ninja/swagger-ui-init.js",
    ]
    assert all(u.startswith("/") and not u.startswith("//") for u in found), found
    assert not re.search(r"(?:https?:)?//(?!testserver)[\w.-]+", html)
    assert '"validatorUrl": null' in html


def test_api_roles_match_the_model():
    from typing import get_args

    from accord.orgs.api import RoleName

    assert set(get_args(RoleName)) == set(Role.values)


def test_an_admin_cannot_make_owners_through_the_api(admin_api, member):
    response = admin_api.patch(f"/api/people/{member.pk}", {"role": "owner"})
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "role": ["Only an owner can make someone an owner or change an owner's role."]
    }
    member.refresh_from_db()
    assert member.role == Role.MEMBER
