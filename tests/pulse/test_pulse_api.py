from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.lib.tz import UTC
from accord.pulse import actions, tally
from accord.pulse.models import (
    Comment,
    MixingPool,
    Participation,
    Program,
    ProgramQuestion,
    PulseSettings,
    Question,
    Reply,
    Response,
    Round,
)
from tests.api_client import Api
from tests.factories import PersonFactory, TeamFactory

from .test_pages import answer_without_comment, make_round, new_people, round_questions

pytestmark = pytest.mark.django_db


def answers_for(rnd, values):
    return {str(q.pk): v for q, v in zip(round_questions(rnd), values, strict=False)}


# --- answering --------------------------------------------------------------------------------


def test_open_rounds_list_my_rounds_with_their_questions(member_api, org, member, other_org, outsider):
    rnd = make_round(org, per_round=2)
    make_round(other_org)
    body = member_api.get("/api/pulse/rounds/open").json()
    questions = round_questions(rnd)
    assert [r["round_id"] for r in body] == [rnd.pk]
    assert (body[0]["program"], body[0]["number"], body[0]["min_group_size"]) == ("Fortnightly pulse", 1, 5)
    assert [q["id"] for q in body[0]["questions"]] == [q.pk for q in questions]
    assert body[0]["questions"][0]["labels"] == [
        "Strongly disagree",
        "Disagree",
        "Neither agree nor disagree",
        "Agree",
        "Strongly agree",
    ]
    assert body[0]["questions"][-1] == {
        "id": questions[-1].pk,
        "text": "How likely are you to recommend Acme as a place to work?",
        "scale": "nps11",
        "min": 0,
        "max": 10,
        "labels": ["Not at all likely", "Extremely likely"],
    }
    # Once answered, the round is no longer listed.
    assert (
        member_api.post(f"/api/pulse/rounds/{rnd.pk}/answers", {"answers": answers_for(rnd, [4])}).status_code
        == 201
    )
    assert member_api.get("/api/pulse/rounds/open").json() == []


def test_answering_through_the_api_mixes_at_2k(org, team, django_capture_on_commit_callbacks):
    people = [PersonFactory(org=org, team=team) for _ in range(10)]
    rnd = make_round(org)
    for i, person in enumerate(people):
        api = Api(person)
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(
                f"/api/pulse/rounds/{rnd.pk}/answers",
                {"answers": answers_for(rnd, [5, None, 3, 10]), "comment": ""},
            )
        assert response.status_code == 201
        assert response.json() == {"detail": "Thank you. Your answers are in, without your name."}
        expected = (5, 5) if i == 9 else (i + 1, 0)  # k of the 2k stay pooled for the last batch
        assert (MixingPool.objects.count(), Response.objects.count()) == expected
    assert Participation.objects.filter(round=rnd, took_part=True).count() == 10
    first, second = round_questions(rnd)[:2]
    stats = tally.read(rnd).stats
    assert sum(row[0] for (qid, _), row in stats.items() if qid == first.pk) == 5
    assert [key for key in stats if key[0] == second.pk] == []


def test_answering_twice_is_409(member_api, org, member):
    rnd = make_round(org)
    url = f"/api/pulse/rounds/{rnd.pk}/answers"
    assert member_api.post(url, {"answers": answers_for(rnd, [4, 4])}).status_code == 201
    again = member_api.post(url, {"answers": answers_for(rnd, [1, 1])})
    assert again.status_code == 409
    assert again.json() == {"detail": "You have already answered this round. Thank you!"}
    assert MixingPool.objects.count() == 1


def test_a_closed_round_is_410(member_api, org, member):
    rnd = make_round(org)
    Round.objects.filter(pk=rnd.pk).update(closed=True)
    response = member_api.post(f"/api/pulse/rounds/{rnd.pk}/answers", {"answers": answers_for(rnd, [4])})
    assert response.status_code == 410
    assert response.json()["detail"].startswith("This round has closed.")
    assert (MixingPool.objects.count(), Participation.objects.get(round=rnd, person=member).took_part) == (
        0,
        False,
    )


@pytest.mark.parametrize(
    ("values", "detail"),
    [
        ([6], "go from 1 to 5"),
        ([0], "go from 1 to 5"),
        ([3, 3, 3, 11], "go from 0 to 10"),
        ([3, 3, 3, -1], "go from 0 to 10"),
        ([None, None, None, None], "Answer at least one question, or write a comment."),
    ],
)
def test_bad_values_are_400_and_save_nothing(member_api, org, member, values, detail):
    rnd = make_round(org)
    response = member_api.post(f"/api/pulse/rounds/{rnd.pk}/answers", {"answers": answers_for(rnd, values)})
    assert response.status_code == 400
    assert detail in response.json()["detail"]
    assert (MixingPool.objects.count(), Participation.objects.get(round=rnd, person=member).took_part) == (
        0,
        False,
    )


def test_a_question_not_in_the_round_is_400(member_api, org, member):
    rnd = make_round(org)
    other = Question.objects.filter(org=org).exclude(pk__in=[q.pk for q in round_questions(rnd)]).first()
    response = member_api.post(f"/api/pulse/rounds/{rnd.pk}/answers", {"answers": {str(other.pk): 3}})
    assert response.status_code == 400
    # Like every 400 from a broken rule, the message is also under `errors` (here for the input as a whole).
    assert response.json() == {
        "detail": "That question is not part of this round.",
        "errors": {"__all__": ["That question is not part of this round."]},
    }
    assert MixingPool.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        {"answers": {"1": "3"}},
        {"answers": {"1": 3.5}},
        {"answers": {"1": True}},
        {"answers": {"abc": 3}},
        {"answers": [3, 4]},
        {"answers": {}, "comment": 5},
        {"answers": {}, "extra": 1},
        {"answers": {}, "comment": "x" * 2001},
        "[]",
        "not json",
    ],
)
def test_malformed_bodies_are_4xx(member_api, org, member, body):
    rnd = make_round(org)
    response = member_api.post(f"/api/pulse/rounds/{rnd.pk}/answers", body)
    assert response.status_code in {400, 422}
    assert MixingPool.objects.count() == 0


def test_skipping_everything_but_commenting_is_201(member_api, org, member):
    rnd = make_round(org)
    response = member_api.post(
        f"/api/pulse/rounds/{rnd.pk}/answers",
        {"answers": answers_for(rnd, [None, None]), "comment": "Fewer meetings, please."},
    )
    assert response.status_code == 201
    assert MixingPool.objects.get().opened()["comment"] == "Fewer meetings, please."


def test_a_round_i_was_not_asked_in_is_404(client, org, team, member, other_org, outsider):
    rnd = make_round(org)
    foreign = make_round(other_org)
    newcomer = PersonFactory(org=org, team=team)
    assert Api(newcomer).post(f"/api/pulse/rounds/{rnd.pk}/answers", {"answers": {}}).status_code == 404
    member_api = Api(member)
    assert member_api.post(f"/api/pulse/rounds/{foreign.pk}/answers", {"answers": {}}).status_code == 404
    assert member_api.post("/api/pulse/rounds/999999/answers", {"answers": {}}).status_code == 404
    assert MixingPool.objects.count() == 0


def test_signed_out_callers_are_401(client, org):
    rnd = make_round(org)
    assert client.get("/api/pulse/rounds/open").status_code == 401
    response = client.post(f"/api/pulse/rounds/{rnd.pk}/answers", "{}", content_type="application/json")
    assert response.status_code == 401


# --- my feedback ------------------------------------------------------------------------------


@pytest.fixture
def thread(org, member, manager):
    others = new_people(org, member.team, 4)
    rnd = make_round(org)
    part = Participation.objects.get(round=rnd, person=member)
    actions.submit_answers(part, answers={}, comment="Our releases feel rushed.", now=timezone.now())
    answer_without_comment(rnd, others)  # k answer sets in all: the round's rows are stored when it closes
    actions.close_round(rnd)
    comment = Comment.objects.get(round=rnd)
    actions.reply_as_manager(comment, manager, "Shall we move releases to Thursdays?")
    return comment


def test_my_feedback_and_answering_back(member_api, thread):
    body = member_api.get("/api/pulse/feedback").json()
    assert len(body) == 1
    assert (body[0]["comment_id"], body[0]["text"], body[0]["program"]) == (
        str(thread.pk),
        "Our releases feel rushed.",
        "Fortnightly pulse",
    )
    assert [(r["by"], r["from_author"], r["text"]) for r in body[0]["replies"]] == [
        ("Maya Manager", False, "Shall we move releases to Thursdays?")
    ]
    response = member_api.post(f"/api/pulse/feedback/{thread.pk}/replies", {"text": " Yes please. "})
    assert response.status_code == 201
    assert (response.json()["by"], response.json()["text"]) == ("You", "Yes please.")
    replies = member_api.get("/api/pulse/feedback").json()[0]["replies"]
    assert [r["by"] for r in replies] == ["Maya Manager", "You"]


def test_an_empty_answer_back_is_400(member_api, thread):
    response = member_api.post(f"/api/pulse/feedback/{thread.pk}/replies", {"text": "  "})
    assert response.status_code == 400
    assert response.json()["errors"] == {"text": ["Write a reply."]}


def test_nobody_else_can_read_or_answer_the_thread(org, team, manager, admin, outsider, thread):
    for person in (PersonFactory(org=org, team=team), manager, admin, outsider):
        api = Api(person)
        assert api.get("/api/pulse/feedback").json() == []
        assert api.post(f"/api/pulse/feedback/{thread.pk}/replies", {"text": "Me?"}).status_code == 404
    assert Reply.objects.filter(from_author=True).count() == 0
    assert Api(manager).post("/api/pulse/feedback/not-a-uuid/replies", {"text": "x"}).status_code == 422


# --- programs ---------------------------------------------------------------------------------


def test_admins_create_list_and_change_programs(admin_api, org, team):
    sub = TeamFactory(org=org, parent=team, name="Platform")
    actions.ensure_bank(org)
    picked = list(Question.objects.filter(org=org, construct="growth").order_by("key")[:2])
    response = admin_api.post(
        "/api/pulse/programs",
        {
            "name": "Platform pulse",
            "whole_org": False,
            "team_ids": [sub.pk],
            "cadence_days": 7,
            "questions_per_round": 2,
            "window_days": 3,
            "starts_at": "2030-01-07T09:00:00+05:30",
            "question_ids": [q.pk for q in picked],
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("name", "whole_org", "team_ids", "cadence_days", "round_count")} == {
        "name": "Platform pulse",
        "whole_org": False,
        "team_ids": [sub.pk],
        "cadence_days": 7,
        "round_count": 0,
    }
    assert body["next_round_at"] == "2030-01-07T03:30:00Z"
    assert body["question_ids"] == [q.pk for q in picked]

    # Defaults: the whole organisation, every active built-in question (eNPS included).
    default = admin_api.post("/api/pulse/programs", {"name": "Everyone"}).json()
    builtin = set(Question.objects.filter(org=org, builtin=True, active=True).values_list("pk", flat=True))
    assert (default["whole_org"], set(default["question_ids"])) == (True, builtin)

    listed = admin_api.get("/api/pulse/programs").json()
    assert [p["name"] for p in listed] == ["Platform pulse", "Everyone"]

    changed = admin_api.patch(
        f"/api/pulse/programs/{body['id']}",
        {"name": "Renamed", "whole_org": True, "active": False, "starts_at": "2030-02-04T10:00:00Z"},
    )
    assert changed.status_code == 200
    program = Program.objects.get(pk=body["id"])
    assert (program.name, program.whole_org, program.active) == ("Renamed", True, False)
    assert program.next_round_at == dt.datetime(2030, 2, 4, 10, 0, tzinfo=UTC)
    assert list(program.teams.all()) == []
    # Questions not named in a PATCH stay as they were.
    assert list(ProgramQuestion.objects.filter(program=program).values_list("question_id", flat=True)) == [
        q.pk for q in picked
    ]


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"name": "P", "question_ids": []}, {"question_ids": ["Choose at least one question to ask."]}),
        (
            {"name": "P", "whole_org": False},
            {"team_ids": ["Choose the teams this program asks, or the whole organisation."]},
        ),
        ({"name": "  "}, {"name": ["Give the program a name."]}),
        ({"name": "P", "team_ids": [999999]}, {"team_ids": ["No such item in this organisation: 999999."]}),
        (
            {"name": "P", "question_ids": [999999]},
            {"question_ids": ["No such item in this organisation: 999999."]},
        ),
    ],
)
def test_bad_programs_are_400_and_save_nothing(admin_api, org, body, errors):
    response = admin_api.post("/api/pulse/programs", body)
    assert response.status_code == 400
    assert response.json()["errors"] == errors
    assert Program.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        {"name": "P", "cadence_days": 10},
        {"name": "P", "questions_per_round": 0},
        {"name": "P", "questions_per_round": "6"},
        {"name": "P", "window_days": 28},
        {"name": "P", "enps_every_days": 3},
        {"name": "P", "whole_org": "yes"},
        {"name": "P", "starts_at": "2030-01-07T09:00:00"},
        {"name": "P", "starts_at": 1893974400},
        {"name": "P", "team_ids": [True]},
        {"name": "P", "colour": "red"},
    ],
)
def test_malformed_programs_are_422(admin_api, org, body):
    assert admin_api.post("/api/pulse/programs", body).status_code == 422
    assert Program.objects.count() == 0


def test_another_organisations_teams_questions_and_programs(admin_api, org, other_org):
    foreign_team = TeamFactory(org=other_org)
    foreign_question = actions.ensure_bank(other_org)[0]
    bad = admin_api.post(
        "/api/pulse/programs",
        {
            "name": "P",
            "whole_org": False,
            "team_ids": [foreign_team.pk],
            "question_ids": [foreign_question.pk],
        },
    )
    assert bad.status_code == 400
    assert sorted(bad.json()["errors"]) == ["question_ids", "team_ids"]
    foreign = make_round(other_org).program
    assert admin_api.patch(f"/api/pulse/programs/{foreign.pk}", {"name": "Mine"}).status_code == 404
    assert admin_api.get("/api/pulse/programs").json() == []
    foreign.refresh_from_db()
    assert foreign.name == "Fortnightly pulse"


def test_patching_a_program_checks_the_rules(admin_api, org):
    program = make_round(org).program
    url = f"/api/pulse/programs/{program.pk}"
    assert admin_api.patch(url, {"name": None}).status_code == 422
    response = admin_api.patch(url, {"question_ids": []})
    assert response.status_code == 400
    assert response.json()["errors"] == {"question_ids": ["Choose at least one question to ask."]}
    assert ProgramQuestion.objects.filter(program=program).count() == 4


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("get", "/api/pulse/programs", None),
        ("post", "/api/pulse/programs", {"name": "P"}),
        ("patch", "/api/pulse/programs/{program}", {"name": "P"}),
        ("get", "/api/pulse/questions", None),
        ("post", "/api/pulse/questions", {"text": "I grow.", "theme": "growth"}),
        ("get", "/api/pulse/settings", None),
        ("put", "/api/pulse/settings", {"min_group_size": 9}),
    ],
)
def test_admin_endpoints_are_403_for_members_and_managers(org, member, manager, method, url, body):
    program = make_round(org).program
    for person in (member, manager):
        api = Api(person)
        target = url.format(program=program.pk)
        response = api.get(target) if body is None else getattr(api, method)(target, body)
        assert response.status_code == 403
    assert (Program.objects.count(), PulseSettings.objects.get(org=org).min_group_size) == (1, 5)
    assert Question.objects.filter(org=org, builtin=False).count() == 0


# --- questions and settings -------------------------------------------------------------------


def test_the_question_bank_and_adding_to_it(admin_api, org):
    bank = admin_api.get("/api/pulse/questions").json()
    assert len(bank) == Question.objects.filter(org=org).count() >= 48
    enps = next(q for q in bank if q["scale"] == "nps11")
    assert (enps["text"], enps["theme"], enps["theme_label"]) == (
        "How likely are you to recommend Acme as a place to work?",
        "enps",
        "eNPS",
    )
    response = admin_api.post(
        "/api/pulse/questions",
        {"text": "I can say no to a meeting.", "theme": "psych_safety", "reverse": True},
    )
    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("text", "theme", "scale", "reverse", "builtin")} == {
        "text": "I can say no to a meeting.",
        "theme": "psych_safety",
        "scale": "agree5",
        "reverse": True,
        "builtin": False,
    }
    again = admin_api.post("/api/pulse/questions", {"text": "I can say no to a meeting.", "theme": "growth"})
    assert again.status_code == 400
    assert again.json()["errors"] == {"text": ["That question is already in the bank."]}


@pytest.mark.parametrize(
    ("body", "status", "errors"),
    [
        ({"text": " ", "theme": "growth"}, 400, {"text": ["Write the question."]}),
        ({"text": "I grow.", "theme": "astrology"}, 400, {"theme": ["Choose one of the listed themes."]}),
        ({"text": "I grow.", "theme": "enps"}, 400, {"theme": ["Choose one of the listed themes."]}),
        ({"text": "x" * 201, "theme": "growth"}, 422, None),
        ({"text": "I grow.", "theme": "growth", "reverse": "yes"}, 422, None),
        ({"text": "I grow."}, 422, None),
    ],
)
def test_bad_questions_are_refused(admin_api, org, body, status, errors):
    response = admin_api.post("/api/pulse/questions", body)
    assert response.status_code == status
    if errors is not None:
        assert response.json()["errors"] == errors
    assert Question.objects.filter(org=org, builtin=False).count() == 0


def test_settings(admin_api, org):
    assert admin_api.get("/api/pulse/settings").json() == {"min_group_size": 5}
    too_low = admin_api.put("/api/pulse/settings", {"min_group_size": 2})
    assert too_low.status_code == 400
    assert too_low.json()["errors"] == {"min_group_size": ["The minimum group size can't go below 3."]}
    assert admin_api.put("/api/pulse/settings", {"min_group_size": 10**30}).status_code == 400
    assert admin_api.put("/api/pulse/settings", {"min_group_size": "4"}).status_code == 422
    assert PulseSettings.objects.get(org=org).min_group_size == 5
    ok = admin_api.put("/api/pulse/settings", {"min_group_size": 3})
    assert (ok.status_code, ok.json()) == (200, {"min_group_size": 3})
    assert PulseSettings.objects.get(org=org).min_group_size == 3


def test_the_openapi_schema_lists_the_pulse_paths(client, db):
    schema = client.get("/api/openapi.json").json()
    pulse = {path: sorted(ops) for path, ops in schema["paths"].items() if path.startswith("/api/pulse/")}
    assert pulse == {
        "/api/pulse/rounds/open": ["get"],
        "/api/pulse/rounds": ["get"],
        "/api/pulse/rounds/{round_id}/groups": ["get"],
        "/api/pulse/rounds/{round_id}/results": ["get"],
        "/api/pulse/rounds/{round_id}/heatmap": ["get"],
        "/api/pulse/trends": ["get"],
        "/api/pulse/rounds/{round_id}/answers": ["post"],
        "/api/pulse/feedback": ["get"],
        "/api/pulse/feedback/{comment_id}/replies": ["post"],
        "/api/pulse/programs": ["get", "post"],
        "/api/pulse/programs/{program_id}": ["patch"],
        "/api/pulse/questions": ["get", "post"],
        "/api/pulse/settings": ["get", "put"],
    }
    answer = schema["paths"]["/api/pulse/rounds/{round_id}/answers"]["post"]
    assert sorted(answer["responses"]) == ["201", "400", "401", "403", "404", "409", "410", "422"]
    assert answer["tags"] == ["pulse"]
