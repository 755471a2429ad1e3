"""The time-zone API: overlap, meeting suggestions, reach now, charters; 4xx with a message, never 500."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.rhythm.actions import ChannelRow, CharterText, save_charter
from tests.api_client import Api
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

TEXT = CharterText("Roadmap", "Specs", "Page on-call", "Agenda", [ChannelRow("Help", "#help", "1 day")])


@pytest.fixture
def pair(org, team):
    london = PersonFactory(org=org, team=team, name="Lon Don", timezone="Europe/London")
    new_york = PersonFactory(org=org, team=team, name="Ny Ork", timezone="America/New_York")
    return london, new_york


def test_overlap_for_a_team_and_a_date_in_utc(pair, team):
    london, _ = pair
    body = Api(london).get("/api/time/overlap", team=team.pk, date="2026-03-11", timezone="UTC").json()
    assert body["start"] == "2026-03-11T00:00:00Z" and body["end"] == "2026-03-12T00:00:00Z"
    people = {p["name"]: p for p in body["people"]}
    assert people["Ny Ork"]["intervals"] == [{"start": "2026-03-11T13:00:00Z", "end": "2026-03-11T21:00:00Z"}]
    assert people["Ny Ork"]["utc_offset"] == "UTC−4"
    assert body["overlap"] == [{"start": "2026-03-11T13:00:00Z", "end": "2026-03-11T17:00:00Z"}]
    assert body["overlap_minutes"] == 240
    assert [h["working"] for h in body["coverage"]][12:18] == [1, 2, 2, 2, 2, 1]


def test_overlap_defaults_to_my_zone_and_takes_chosen_people(pair):
    london, new_york = pair
    body = Api(new_york).get("/api/time/overlap", people=[london.pk], date="2026-03-08").json()
    assert body["timezone"] == "America/New_York"
    assert len(body["coverage"]) == 23  # New York springs forward that day
    assert [p["id"] for p in body["people"]] == [london.pk]


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"team": 0}, 422, None),
        ({}, 400, "team"),
        ({"team": "{team}", "timezone": "Mars/Olympus"}, 400, "timezone"),
        ({"team": "{team}", "date": "31/12/2026"}, 422, None),
        ({"team": "{team}", "date": "9999-12-31"}, 400, "date"),
        ({"people": [999999]}, 400, "people"),
    ],
)
def test_bad_overlap_input_is_4xx_with_a_message(pair, team, params, status, field):
    params = {k: (team.pk if v == "{team}" else v) for k, v in params.items()}
    response = Api(pair[0]).get("/api/time/overlap", **params)
    assert response.status_code == status
    body = response.json()
    assert body["detail"]
    if field:
        assert field in body["errors"]


def test_overlap_of_another_organisations_team_is_404(pair, outsider):
    response = Api(pair[0]).get("/api/time/overlap", team=outsider.team_id)
    assert response.status_code == 404
    response = Api(pair[0]).get("/api/time/overlap", people=[outsider.pk])
    assert response.status_code == 400


@time_machine.travel(dt.datetime(2026, 1, 12, 12, tzinfo=dt.UTC), tick=False)
def test_meeting_suggestions_ranked_with_per_person_cost(org, team):
    london = PersonFactory(org=org, team=team, timezone="Europe/London")
    sydney = PersonFactory(org=org, team=team, timezone="Australia/Sydney")
    body = (
        Api(london)
        .post(
            "/api/time/meeting-suggestions",
            {
                "people": [london.pk, sydney.pk],
                "duration_minutes": 60,
                "weekday": 3,
                "timezone": "UTC",
                "limit": 4,
            },
        )
        .json()
    )
    assert body["date"] == "2026-01-14"
    assert [(s["local_start"], s["worst"], s["total"]) for s in body["slots"]] == [
        ("09:00", 60, 60),
        ("09:30", 60, 60),
        ("10:00", 60, 60),
        ("08:30", 60, 90),
    ]
    costs = {c["person_id"]: c for c in body["slots"][0]["costs"]}
    assert (costs[sydney.pk]["outside_minutes"], costs[sydney.pk]["night_minutes"]) == (60, 0)
    assert costs[sydney.pk]["local_start"] == "2026-01-14T20:00:00+11:00"
    assert body["rotation"] == ["00:00", "09:00", "09:00"]


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"people": []}, 400, "Choose at least one person for the meeting."),
        ({"duration_minutes": 0}, 400, "A meeting lasts from 1 minute to 8 hours (480 minutes)."),
        ({"duration_minutes": 481}, 400, "A meeting lasts from 1 minute to 8 hours (480 minutes)."),
        ({"weekday": 8}, 400, "Pick a weekday, 1 (Monday) to 7 (Sunday)."),
        (
            {"timezone": "Nowhere/Land"},
            400,
            "“Nowhere/Land” is not a known IANA time zone, for example Europe/Berlin.",
        ),
        ({"people": [999999]}, 400, "No such person in this organisation."),
        ({"duration_minutes": "60"}, 422, None),
        ({"surprise": 1}, 422, None),
    ],
)
def test_bad_suggestion_input_is_4xx_with_a_message(pair, change, status, message):
    body = {"people": [p.pk for p in pair], "duration_minutes": 60, "weekday": 3, **change}
    response = Api(pair[0]).post("/api/time/meeting-suggestions", body)
    assert response.status_code == status
    if message:
        assert response.json()["detail"] == message


def test_suggestions_for_another_organisations_people_are_refused(pair, outsider):
    body = {"people": [pair[0].pk, outsider.pk], "duration_minutes": 60, "weekday": 3}
    response = Api(pair[0]).post("/api/time/meeting-suggestions", body)
    assert response.status_code == 400


@time_machine.travel(dt.datetime(2026, 3, 11, 14, 30, tzinfo=dt.UTC), tick=False)
def test_reach_now_and_next(pair, team, org):
    sydney = PersonFactory(org=org, team=team, name="Syd Ney", timezone="Australia/Sydney")
    body = Api(pair[0]).get("/api/time/reach", team=team.pk).json()
    assert [(p["name"], p["until_text"]) for p in body["working"]] == [
        ("Lon Don", "in 2 h 30 min"),
        ("Ny Ork", "in 6 h 30 min"),
    ]
    assert [(p["name"], p["until"], p["until_text"]) for p in body["next"]] == [
        ("Syd Ney", "2026-03-12T09:00:00+11:00", "in 7 h 30 min")
    ]
    assert sydney.pk == body["next"][0]["id"]
    everyone = Api(pair[0]).get("/api/time/reach").json()
    assert len(everyone["working"]) + len(everyone["next"]) == 3


def test_reach_for_another_organisations_team_is_404(pair, outsider):
    assert Api(pair[0]).get("/api/time/reach", team=outsider.team_id).status_code == 404


def test_charter_get_put_acknowledge(org, team, manager, member):
    member_api, manager_api = Api(member), Api(manager)
    assert member_api.get(f"/api/teams/{team.pk}/charter").status_code == 404
    body = {
        "sync_decisions": "Roadmap",
        "escalation": "Page on-call",
        "channels": [{"purpose": "Incidents", "channel": "#incident", "response_time": "15 minutes"}],
    }
    response = member_api.put(f"/api/teams/{team.pk}/charter", body)
    assert response.status_code == 403
    assert response.json()["detail"] == "Only the team's managers and admins can change its charter."
    saved = manager_api.put(f"/api/teams/{team.pk}/charter", body).json()
    assert (saved["version"], saved["sync_decisions"], saved["can_edit"]) == (1, "Roadmap", True)
    # Not yet read comes first; the author has read what they wrote.
    assert [(a["name"], a["current"]) for a in saved["acknowledgements"]] == [
        ("Milo Member", False),
        ("Maya Manager", True),
    ]

    seen = member_api.get(f"/api/teams/{team.pk}/charter").json()
    assert (seen["acknowledgements"], seen["my_acknowledged_version"], seen["can_edit"]) == (
        None,
        None,
        False,
    )
    acked = member_api.post(f"/api/teams/{team.pk}/charter/acknowledge", {}).json()
    assert acked["my_acknowledged_version"] == 1

    again = manager_api.put(f"/api/teams/{team.pk}/charter", {**body, "material": True}).json()
    assert again["version"] == 2
    status = {a["name"]: (a["acknowledged_version"], a["current"]) for a in again["acknowledgements"]}
    assert status == {"Maya Manager": (2, True), "Milo Member": (1, False)}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 400),  # nothing written
        ({"channels": [{"purpose": "Help", "channel": "", "response_time": "1 day"}]}, 400),
        ({"sync_decisions": "x" * 5000}, 422),
        ({"material": "yes"}, 422),
        ({"sync_decisions": "ok\x00"}, 400),  # refused by the JSON parser before any field
    ],
)
def test_bad_charter_input_is_4xx(team, manager, member, body, status):
    response = Api(manager).put(f"/api/teams/{team.pk}/charter", body)
    assert response.status_code == status
    assert response.json()["detail"]


def test_another_organisations_charter_is_404(team, manager, member, outsider):
    foreign = outsider.team
    boss = PersonFactory(org=outsider.org, team=foreign)
    PersonFactory(org=outsider.org, team=foreign, manager=boss)
    save_charter(foreign, TEXT, actor=boss, material=False)
    api = Api(manager)
    assert api.get(f"/api/teams/{foreign.pk}/charter").status_code == 404
    assert api.put(f"/api/teams/{foreign.pk}/charter", {"sync_decisions": "Mine now"}).status_code == 404
    assert api.post(f"/api/teams/{foreign.pk}/charter/acknowledge", {}).status_code == 404


def test_the_openapi_schema_lists_the_time_zone_paths(client, db):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/time/overlap",
        "/api/time/meeting-suggestions",
        "/api/time/reach",
        "/api/teams/{team_id}/charter",
        "/api/teams/{team_id}/charter/acknowledge",
    ):
        assert path in paths


numbers = st.integers(-(2**70), 2**70) | st.sampled_from([0, 1, 7, 8, 480, 481, 2**63 - 1, 2**63])
texts = st.text(max_size=20) | st.sampled_from(
    ["", "UTC", "Mars/Olympus", "2026-02-30", "a\x00b", "x" * 5000]
)
odd = texts | numbers | st.none() | st.booleans()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    suggest=st.fixed_dictionaries(
        {},
        optional={
            "people": st.lists(numbers, max_size=3) | odd,
            "duration_minutes": numbers | odd,
            "weekday": numbers | odd,
            "timezone": odd,
            "limit": numbers | odd,
        },
    ),
    charter=st.fixed_dictionaries(
        {},
        optional={
            "sync_decisions": odd,
            "escalation": odd,
            "channels": st.lists(
                st.fixed_dictionaries({"purpose": odd, "channel": odd, "response_time": odd}), max_size=22
            )
            | odd,
            "material": odd,
        },
    ),
    overlap=st.fixed_dictionaries(
        {}, optional={"team": texts | numbers, "people": texts | numbers, "date": texts, "timezone": texts}
    ),
)
def test_random_input_never_500(pair, team, manager, member, suggest, charter, overlap):
    if suggest.get("people") == [1]:
        suggest["people"] = [p.pk for p in pair]  # now and then valid people, so the rest gets checked
    responses = [
        Api(pair[0]).post("/api/time/meeting-suggestions", suggest),
        Api(manager).put(f"/api/teams/{team.pk}/charter", charter),
        Api(pair[0]).get("/api/time/overlap", **overlap),
    ]
    for response in responses:
        assert response.status_code < 500, (suggest, charter, overlap, response.content)
        if response.status_code >= 400:
            assert response.json()["detail"]
