"""The 1:1 API: the same rules as the pages, tenant-scoped, private notes only ever their author's."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from accord.lib.tz import UTC
from accord.meetings.actions import add_action_item, add_agenda_item, save_private_note
from accord.meetings.models import ActionItem, AgendaItem, OneOnOneSeries, PrivateNote
from tests.api_client import Api
from tests.factories import PersonFactory, TeamFactory
from tests.factories.meetings import make_series

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def new_series_body(report, **extra):
    return {"report_id": report.pk, "cadence": "weekly", "weekday": 2, "start_time": "09:00"} | extra


def test_a_manager_sets_up_a_series_and_sees_the_warning(org, team):
    boss = PersonFactory(org=org, team=team, name="Berta Berlin", timezone="Europe/Berlin")
    report = PersonFactory(
        org=org, team=team, manager=boss, name="Lou Angeles", timezone="America/Los_Angeles"
    )
    with time_machine.travel(MONDAY, tick=False):
        response = Api(boss).post("/api/one-on-ones/series", new_series_body(report, duration_minutes=45))
    assert response.status_code == 201, response.content
    body = response.json()
    series = OneOnOneSeries.objects.get()
    assert body["id"] == series.pk
    assert (body["manager_id"], body["report_id"], body["timezone"]) == (boss.pk, report.pk, "Europe/Berlin")
    assert (body["rrule"], body["starts_on"], body["sequence"]) == (
        "FREQ=WEEKLY;INTERVAL=1;BYDAY=TU",
        "2026-06-02",
        0,
    )
    assert body["next_meeting_at"] == "2026-06-02T07:00:00Z"
    assert body["warnings"] == [
        "Tuesday 00:00–00:45 is outside Lou Angeles's working hours "
        "(09:00–17:00 Mon–Fri, America/Los_Angeles)."
    ]
    assert body["health"] == {
        "held": 0,
        "skipped": 0,
        "unmarked": 0,
        "held_share": None,
        "actions_created": 0,
        "actions_closed": 0,
        "closed_share": None,
    }


def test_another_organisations_person_is_404_and_nothing_is_saved(org, manager, member, outsider):
    api = Api(manager)
    assert api.post("/api/one-on-ones/series", new_series_body(outsider)).status_code == 404
    assert (
        api.post("/api/one-on-ones/series", new_series_body(member, manager_id=outsider.pk)).status_code
        == 404
    )
    assert not OneOnOneSeries.objects.exists()


def test_bad_input_is_4xx_with_a_message(org, team, manager, member, admin):
    api = Api(manager)
    cases = [
        (new_series_body(member, weekday=8), 422),
        (new_series_body(member, cadence="daily"), 422),
        (new_series_body(member, duration_minutes=5), 422),
        (new_series_body(member, weekday="2"), 422),  # numbers are numbers
        (new_series_body(member, start_time="09:00+02:00"), 422),
        (new_series_body(member, start_time=900), 422),
        (new_series_body(member, extra=True), 422),
        ({"report_id": True, "weekday": 2, "start_time": "09:00"}, 422),
        ("[]", 422),
        ("{", 400),
        (new_series_body(manager), 400),  # with yourself
        (new_series_body(PersonFactory(org=org, team=team)), 403),  # not my report
        (new_series_body(member, manager_id=admin.pk), 403),  # only admins name another manager
        ({"report_id": 2**63, "weekday": 2, "start_time": "09:00"}, 422),
    ]
    for body, status in cases:
        response = api.post("/api/one-on-ones/series", body)
        assert response.status_code == status, (body, response.content)
        assert response.json()["detail"]
    assert not OneOnOneSeries.objects.exists()
    assert api.post("/api/one-on-ones/series", new_series_body(member)).status_code == 201
    duplicate = api.post("/api/one-on-ones/series", new_series_body(member))
    assert duplicate.status_code == 400
    assert duplicate.json()["errors"] == {
        "report": ["Maya Manager already has a 1:1 series with Milo Member."]
    }


def test_lists_are_scoped_to_own_series_and_admins_see_the_org(org, team, manager, member, admin, outsider):
    mine = make_series(org, manager, member)
    other_boss = PersonFactory(org=org, team=team)
    theirs = make_series(org, other_boss, PersonFactory(org=org, team=team, manager=other_boss))
    foreign_boss = PersonFactory(org=outsider.org, manager=None)
    foreign_series = make_series(
        outsider.org, foreign_boss, PersonFactory(org=outsider.org, manager=foreign_boss)
    )
    ids = lambda person: [s["id"] for s in Api(person).get("/api/one-on-ones/series").json()]  # noqa: E731
    assert ids(member) == [mine.pk]
    assert ids(manager) == [mine.pk]
    assert ids(admin) == [mine.pk, theirs.pk]
    assert ids(outsider) == []
    assert ids(foreign_boss) == [foreign_series.pk]


@pytest.fixture
def foreign(other_org):
    team = TeamFactory(org=other_org)
    boss = PersonFactory(org=other_org, team=team)
    report = PersonFactory(org=other_org, team=team, manager=boss)
    series = make_series(other_org, boss, report)
    meeting = series.meetings.get()
    return {
        "series": series,
        "meeting": meeting,
        "agenda": add_agenda_item(meeting, author=report, text="x"),
        "action": add_action_item(meeting, actor=boss, owner=report, text="y"),
    }


ENDPOINTS = [
    ("get", "/api/one-on-ones/series/{series}", None),
    ("patch", "/api/one-on-ones/series/{series}", {"active": False}),
    ("get", "/api/one-on-ones/series/{series}/meetings", None),
    ("get", "/api/one-on-ones/series/{series}/action-items", None),
    ("get", "/api/one-on-ones/meetings/{meeting}", None),
    ("patch", "/api/one-on-ones/meetings/{meeting}", {"status": "skipped"}),
    ("post", "/api/one-on-ones/meetings/{meeting}/agenda", {"text": "Hello"}),
    ("post", "/api/one-on-ones/meetings/{meeting}/action-items", {"text": "Do", "owner_id": 1}),
    ("patch", "/api/one-on-ones/agenda/{agenda}", {"done": True}),
    ("patch", "/api/one-on-ones/action-items/{action}", {"done": True}),
    ("get", "/api/one-on-ones/meetings/{meeting}/private-note", None),
    ("put", "/api/one-on-ones/meetings/{meeting}/private-note", {"text": "Mine"}),
]


def send(api, method, url, body):
    if method == "get":
        return api.get(url)
    if method == "put":
        return api.client.put(url, body, content_type="application/json", **api.headers)
    return getattr(api, method)(url, body)


def fill(url, objects):
    return url.format(**{k: v.pk for k, v in objects.items()})


@pytest.mark.parametrize(("method", "url", "body"), ENDPOINTS)
@pytest.mark.parametrize("role", ["member", "admin"])
def test_another_organisations_objects_are_404_on_every_endpoint(
    foreign, admin, member, method, url, body, role
):
    api = Api(admin if role == "admin" else member)
    response = send(api, method, fill(url, foreign), body)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found"}
    assert OneOnOneSeries.objects.filter(active=True).count() == 1


@pytest.mark.parametrize(("method", "url", "body"), ENDPOINTS)
def test_a_member_outside_the_series_gets_404_on_every_endpoint(org, team, series, method, url, body):
    meeting = series.meetings.get()
    objects = {
        "series": series,
        "meeting": meeting,
        "agenda": add_agenda_item(meeting, author=series.report, text="x"),
        "action": add_action_item(meeting, actor=series.manager, owner=series.report, text="y"),
    }
    response = send(Api(PersonFactory(org=org, team=team)), method, fill(url, objects), body)
    assert response.status_code == 404


def test_agenda_actions_and_marking_through_the_api(org, manager, member, series):
    meeting = series.meetings.get()
    api = Api(member)
    added = api.post(f"/api/one-on-ones/meetings/{meeting.pk}/agenda", {"text": "  Career path  "})
    assert added.status_code == 201
    assert added.json() | {"id": 0} == {
        "id": 0,
        "meeting_id": meeting.pk,
        "author_id": member.pk,
        "text": "Career path",
        "done": False,
    }
    item = AgendaItem.objects.get()
    assert api.patch(f"/api/one-on-ones/agenda/{item.pk}", {"done": True}).json()["done"] is True
    assert api.patch(f"/api/one-on-ones/agenda/{item.pk}", {"done": "yes"}).status_code == 422
    # Blank once stripped: the schema refuses it (pattern) and so does the action, with its message.
    assert api.post(f"/api/one-on-ones/meetings/{meeting.pk}/agenda", {"text": "   "}).status_code == 400

    action = api.post(
        f"/api/one-on-ones/meetings/{meeting.pk}/action-items",
        {"text": "Book the course", "owner_id": member.pk, "due_on": "2099-01-31"},
    )
    assert action.status_code == 201
    assert (action.json()["due_on"], action.json()["carried"], action.json()["done_at"]) == (
        "2099-01-31",
        0,
        None,
    )
    past = api.post(
        f"/api/one-on-ones/meetings/{meeting.pk}/action-items",
        {"text": "Late", "owner_id": member.pk, "due_on": "2020-01-01"},
    )
    assert past.status_code == 400 and past.json()["errors"] == {
        "due_on": ["The due date is in the past; choose today or later."]
    }
    stranger = api.post(
        f"/api/one-on-ones/meetings/{meeting.pk}/action-items",
        {"text": "x", "owner_id": PersonFactory(org=org).pk},
    )
    assert stranger.status_code == 400
    done = api.patch(f"/api/one-on-ones/action-items/{ActionItem.objects.get().pk}", {"done": True})
    assert done.json()["done_at"] is not None

    early = api.patch(f"/api/one-on-ones/meetings/{meeting.pk}", {"status": "held"})
    assert early.status_code == 400 and "once it has started" in early.json()["detail"]
    skipped = api.patch(
        f"/api/one-on-ones/meetings/{meeting.pk}", {"status": "skipped", "notes": "Travelling"}
    )
    assert (skipped.json()["status"], skipped.json()["notes"]) == ("skipped", "Travelling")
    detail = api.get(f"/api/one-on-ones/meetings/{meeting.pk}").json()
    assert [a["text"] for a in detail["agenda"]] == ["Career path"]
    assert [a["text"] for a in detail["action_items"]] == ["Book the course"]
    assert [m["id"] for m in api.get(f"/api/one-on-ones/series/{series.pk}/meetings").json()] == [meeting.pk]
    assert (
        api.get(f"/api/one-on-ones/series/{series.pk}/action-items", open="false").json()[0]["text"]
        == "Book the course"
    )


def test_private_notes_are_only_ever_their_authors(org, manager, member, admin, series):
    meeting = series.meetings.get()
    url = f"/api/one-on-ones/meetings/{meeting.pk}/private-note"
    put = Api(manager).client.put(
        url, {"text": "Worried about burnout"}, content_type="application/json", **Api(manager).headers
    )
    assert put.status_code == 200 and put.json()["text"] == "Worried about burnout"
    save_private_note(meeting, author=member, text="Ask for the promotion")
    assert Api(manager).get(url).json()["text"] == "Worried about burnout"
    assert Api(member).get(url).json()["text"] == "Ask for the promotion"
    denied = Api(admin).get(url)
    assert denied.status_code == 403
    for person in (member, admin):
        api = Api(person)
        for path in (
            f"/api/one-on-ones/meetings/{meeting.pk}",
            f"/api/one-on-ones/series/{series.pk}",
            f"/api/one-on-ones/series/{series.pk}/meetings",
            "/api/one-on-ones/series",
        ):
            assert "burnout" not in api.get(path).content.decode()
    # An empty note deletes it.
    api = Api(member)
    cleared = api.client.put(url, {"text": ""}, content_type="application/json", **api.headers)
    assert cleared.json() == {"meeting_id": meeting.pk, "text": "", "updated_at": None}
    assert PrivateNote.objects.get().author == manager


def test_changing_and_ending_a_series_through_the_api(org, manager, member, admin, series):
    url = f"/api/one-on-ones/series/{series.pk}"
    assert Api(member).patch(url, {"weekday": 4}).status_code == 403
    changed = Api(manager).patch(url, {"weekday": 4, "cadence": "monthly"})
    assert changed.status_code == 200
    assert (changed.json()["sequence"], changed.json()["rrule"][:19]) == (1, "FREQ=MONTHLY;BYDAY=")
    assert Api(manager).patch(url, {"weekday": None}).status_code == 422
    assert Api(manager).patch(url, {"active": True}).status_code == 422
    ended = Api(admin).patch(url, {"active": False})
    assert (ended.json()["active"], ended.json()["sequence"], ended.json()["next_meeting_at"]) == (
        False,
        2,
        None,
    )
    assert Api(manager).patch(url, {"weekday": 3}).status_code == 400


def test_the_openapi_schema_lists_the_1on1_paths(client, db):
    paths = client.get("/api/openapi.json").json()["paths"]
    for _, url, _ in ENDPOINTS:
        assert (
            url.replace("{series}", "{series_id}")
            .replace("{meeting}", "{meeting_id}")
            .replace("{agenda}", "{item_id}")
            .replace("{action}", "{item_id}")
            in paths
        )
    assert "/api/one-on-ones/series" in paths
