"""Check-ins over JSON: the same rules as the pages, tenant-scoped, with messages on 4xx."""

import datetime as dt

import pytest
import time_machine

from accord.checkins.actions import submit_checkin
from accord.checkins.models import Blocker, Checkin, CheckinSettings, CheckinTemplate
from accord.checkins.planning import plan_checkins
from accord.goals.models import Commitment
from accord.lib.tz import UTC
from tests.api_client import Api
from tests.factories import PersonFactory, TeamFactory

pytestmark = pytest.mark.django_db
MONDAY = dt.datetime(2026, 6, 1, 10, 0, tzinfo=UTC)  # 11:00 in London


@pytest.fixture(autouse=True)
def at_monday():
    with time_machine.travel(MONDAY, tick=False):
        yield


def today_of(person):
    plan_checkins(person.org_id, MONDAY - dt.timedelta(hours=4), person_ids=[person.pk])
    return Checkin.objects.get(person=person, day=dt.date(2026, 6, 1))


def test_today_lists_the_questions_and_my_open_commitments(member):
    checkin = today_of(member)
    Commitment.objects.create(
        org=member.org, owner=member, title="Ship it", definition_of_done="Live", due_on=dt.date(2026, 6, 3)
    )
    body = Api(member).get("/api/checkins/mine/today").json()
    assert body["checkin"]["id"] == checkin.pk
    assert body["checkin"]["status"] == "open"
    assert body["checkin"]["closes_at"] == "2026-06-01T16:00:00Z"
    assert [(q["key"], q["text"], q["blocker"]) for q in body["questions"]] == [
        ("q1", "What I got done", False),
        ("q2", "What's next", False),
        ("q3", "Anything blocking me", True),
    ]
    assert [c["title"] for c in body["open_commitments"]] == ["Ship it"]


def test_submit_with_mood_blocker_and_commitment(member):
    checkin = today_of(member)
    commitment = Commitment.objects.create(
        org=member.org, owner=member, title="Ship it", definition_of_done="Live", due_on=dt.date(2026, 6, 3)
    )
    response = Api(member).post(
        f"/api/checkins/{checkin.pk}/submit",
        {
            "answers": {"q1": "Done the thing", "q3": "Need a reviewer"},
            "mood": 5,
            "share_mood": True,
            "commitments": {str(commitment.pk): "done"},
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["mood"], body["mood_shared"]) == ("sent", 5, True)
    assert body["blocker"]["text"] == "Need a reviewer"
    assert body["commitment_updates"] == [{"id": commitment.pk, "title": "Ship it", "status": "done"}]
    commitment.refresh_from_db()
    assert (commitment.status, commitment.done_on) == ("done", dt.date(2026, 6, 1))
    again = Api(member).post(f"/api/checkins/{checkin.pk}/submit", {"answers": {"q1": "x"}})
    assert (again.status_code, again.json()) == (
        409,
        {"detail": "You have already sent this check-in. Thank you!"},
    )


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"answers": {}}, "Answer at least one question."),
        ({"answers": {"q9": "x"}}, "These are not questions of this check-in: q9."),
    ],
)
def test_bad_submissions_are_400_and_save_nothing(member, payload, message):
    checkin = today_of(member)
    response = Api(member).post(f"/api/checkins/{checkin.pk}/submit", payload)
    assert response.status_code == 400
    assert response.json()["detail"] == message
    checkin.refresh_from_db()
    assert checkin.submitted_at is None


def test_a_mood_out_of_range_or_someone_elses_commitment_is_refused(member, manager):
    checkin = today_of(member)
    api = Api(member)
    assert (
        api.post(f"/api/checkins/{checkin.pk}/submit", {"answers": {"q1": "x"}, "mood": 6}).status_code == 422
    )
    theirs = Commitment.objects.create(
        org=member.org, owner=manager, title="Theirs", definition_of_done="-", due_on=dt.date(2026, 6, 3)
    )
    response = api.post(
        f"/api/checkins/{checkin.pk}/submit",
        {"answers": {"q1": "x"}, "commitments": {str(theirs.pk): "dropped"}},
    )
    assert (response.status_code, response.json()["detail"]) == (
        400,
        "Only your own commitments can be updated from your check-in.",
    )
    theirs.refresh_from_db()
    assert theirs.status == "open"
    assert Checkin.objects.get(pk=checkin.pk).submitted_at is None


def test_a_closed_check_in_is_410(member):
    checkin = today_of(member)
    with time_machine.travel(dt.datetime(2026, 6, 1, 16, 0, tzinfo=UTC), tick=False):
        response = Api(member).post(f"/api/checkins/{checkin.pk}/submit", {"answers": {"q1": "x"}})
    assert response.status_code == 410
    assert response.json()["detail"].startswith("This check-in closed at 17:00 on Monday 1 June")


def test_mine_lists_newest_first(member):
    today_of(member)
    body = Api(member).get("/api/checkins/mine").json()
    assert body["count"] == 1 and body["items"][0]["day"] == "2026-06-01"


@pytest.mark.parametrize("shared", [False, True])
def test_moods_in_the_feed_follow_the_page_rules(member, manager, admin, org, team, shared):
    submit_checkin(today_of(member), answers={"q1": "x"}, mood=1, share_mood=shared, now=MONDAY)
    url = f"/api/checkins/teams/{team.pk}/feed"
    moods = {}
    for name, viewer in [
        ("self", member),
        ("manager", manager),
        ("admin", admin),
        ("peer", PersonFactory(org=org, team=team)),
    ]:
        item = Api(viewer).get(url).json()["items"][0]
        moods[name] = (item["mood"], item["mood_shared"])
    assert moods == {
        "self": (1, shared),
        "manager": (1 if shared else None, None),
        "admin": (None, None),
        "peer": (None, None),
    }


def test_blockers_acknowledged_and_resolved_by_managers_only(member, manager, team):
    submit_checkin(today_of(member), answers={"q3": "No staging access"}, now=MONDAY)
    blocker = Blocker.objects.get()
    feed = Api(manager).get(f"/api/checkins/teams/{team.pk}/feed").json()
    assert feed["can_manage"] is True
    assert [b["text"] for b in feed["open_blockers"]] == ["No staging access"]
    peer = PersonFactory(org=member.org, team=team)
    denied = Api(peer).post(f"/api/checkins/blockers/{blocker.pk}/acknowledge")
    assert (denied.status_code, denied.json()["detail"]) == (
        403,
        "Only the team's managers and admins acknowledge blockers.",
    )
    assert Api(peer).post(f"/api/checkins/blockers/{blocker.pk}/resolve").status_code == 403
    body = Api(manager).post(f"/api/checkins/blockers/{blocker.pk}/acknowledge").json()
    assert (body["status"], body["acknowledged_by_id"]) == ("acknowledged", manager.pk)
    body = Api(member).post(f"/api/checkins/blockers/{blocker.pk}/resolve").json()  # the author may
    assert (body["status"], body["resolved_by_id"]) == ("resolved", member.pk)


def test_template_get_and_put(manager, member, team):
    api = Api(manager)
    body = api.put(
        f"/api/checkins/teams/{team.pk}/template",
        {
            "questions": [{"text": "Wins"}, {"text": "Stuck on", "blocker": True}],
            "cadence": "weekly",
            "weekday": 2,
        },
    ).json()
    assert body == {
        "team_id": team.pk,
        "questions": [
            {"key": "q1", "text": "Wins", "blocker": False},
            {"key": "q2", "text": "Stuck on", "blocker": True},
        ],
        "cadence": "weekly",
        "weekday": 2,
        "enabled": True,
    }
    assert Api(member).get(f"/api/checkins/teams/{team.pk}/template").json() == body


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"questions": []}, "questions", "Keep at least one question."),
        ({"questions": [{"text": "  "}]}, "questions", "Keep at least one question."),
        (
            {"questions": [{"text": "A"}], "cadence": "weekly", "weekday": 8},
            "weekday",
            "Choose a day of the week, Monday (1) to Sunday (7).",
        ),
        (
            {"questions": [{"text": "A", "blocker": True}, {"text": "B", "blocker": True}]},
            "questions",
            "Only one question can be the blockers question.",
        ),
    ],
)
def test_bad_templates_are_400_with_the_field_and_save_nothing(
    manager, member, team, payload, field, message
):
    response = Api(manager).put(f"/api/checkins/teams/{team.pk}/template", payload)
    assert response.status_code == 400
    assert response.json()["errors"] == {field: [message]}
    assert (
        not CheckinTemplate.objects.filter(team=team).exclude(questions__0__text="What I got done").exists()
    )


def test_an_unknown_team_in_a_template_is_404_and_saves_nothing(manager, member, team):
    api = Api(manager)
    for url in (f"/api/checkins/teams/{team.pk + 999}/template", f"/api/checkins/teams/{team.pk + 999}/feed"):
        response = api.get(url)
        assert (response.status_code, response.json()) == (404, {"detail": "Not found"})
    response = api.put(f"/api/checkins/teams/{team.pk + 999}/template", {"questions": [{"text": "A"}]})
    assert response.status_code == 404
    assert CheckinTemplate.objects.count() == 0


def test_members_cannot_change_their_teams_template(member, team):
    response = Api(member).put(f"/api/checkins/teams/{team.pk}/template", {"questions": [{"text": "A"}]})
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "Only the team's managers and admins change its check-ins."},
    )


def test_my_settings(member):
    api = Api(member)
    body = api.patch("/api/checkins/settings", {"prompt_time": "08:45"}).json()
    assert body["prompt_time"] == "08:45:00"
    assert body["next_prompt_at"] == "2026-06-02T07:45:00Z"  # Tuesday 08:45 in London
    bad = api.patch("/api/checkins/settings", {"prompt_time": "16:30"})
    assert bad.status_code == 400
    assert bad.json()["errors"]["prompt_time"][0].startswith("Pick a time at least an hour before")
    assert CheckinSettings.objects.get(person=member).prompt_time == dt.time(8, 45)


def test_participation_for_the_person_their_managers_and_admins_only(member, manager, admin, org, team):
    submit_checkin(today_of(member), answers={"q1": "x"}, now=MONDAY)
    url = f"/api/checkins/people/{member.pk}/participation"
    expected = {
        "person_id": member.pk,
        "sent": 1,
        "due": 1,
        "percent": 100,
        "days": 30,
        "words": "1 of 1 check-ins sent in the last 30 days (100%).",
    }
    for viewer in (member, manager, admin):
        assert Api(viewer).get(url).json() == expected
    assert Api(PersonFactory(org=org, team=team)).get(url).status_code == 404


def test_another_organisations_objects_are_404_on_every_endpoint(admin, outsider, other_org):
    stranger_team = outsider.team
    plan_checkins(other_org.pk, MONDAY - dt.timedelta(hours=4))
    theirs = Checkin.objects.get(person=outsider)
    submit_checkin(theirs, answers={"q3": "Blocked"}, now=MONDAY)
    blocker = Blocker.objects.get()
    api = Api(admin)
    for method, url, body in [
        ("get", f"/api/checkins/teams/{stranger_team.pk}/feed", None),
        ("get", f"/api/checkins/teams/{stranger_team.pk}/template", None),
        ("put", f"/api/checkins/teams/{stranger_team.pk}/template", {"questions": [{"text": "Mine now"}]}),
        ("post", f"/api/checkins/{theirs.pk}/submit", {"answers": {"q1": "x"}}),
        ("post", f"/api/checkins/blockers/{blocker.pk}/acknowledge", None),
        ("post", f"/api/checkins/blockers/{blocker.pk}/resolve", None),
        ("get", f"/api/checkins/people/{outsider.pk}/participation", None),
    ]:
        response = getattr(api, method)(url, body) if body is not None else getattr(api, method)(url)
        assert (response.status_code, response.json()) == (404, {"detail": "Not found"}), url
    blocker.refresh_from_db()
    assert blocker.status == "open"
    assert (
        not CheckinTemplate.objects.filter(team=stranger_team)
        .exclude(questions__0__text="What I got done")
        .exists()
    )
    # And their check-ins never show in mine.
    assert Api(admin).get("/api/checkins/mine").json()["count"] == 0


def test_the_openapi_schema_lists_the_checkin_paths(client, db):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {
        "/api/checkins/mine",
        "/api/checkins/mine/today",
        "/api/checkins/{checkin_id}/submit",
        "/api/checkins/teams/{team_id}/feed",
        "/api/checkins/teams/{team_id}/template",
        "/api/checkins/blockers/{blocker_id}/acknowledge",
        "/api/checkins/blockers/{blocker_id}/resolve",
        "/api/checkins/settings",
        "/api/checkins/people/{person_id}/participation",
    } <= set(paths)


def test_a_team_in_another_team_is_not_visible_to_members(member, org):
    sales = TeamFactory(org=org, name="Sales")
    assert Api(member).get(f"/api/checkins/teams/{sales.pk}/feed").status_code == 404
