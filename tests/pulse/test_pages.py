from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accord.lib.tz import UTC
from accord.pulse import actions, tally
from accord.pulse.bank import AGREE5_LABELS, score
from accord.pulse.models import (
    Answer,
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
from accord.pulse.tasks import send_pulse_prompt
from tests.conftest import login
from tests.factories import PersonFactory, TeamFactory

pytestmark = pytest.mark.django_db


# --- helpers (also used by test_pulse_api.py) -------------------------------------------------


def make_round(org, *, per_round=3, enps=True, teams=None, name="Fortnightly pulse"):
    """A program over the whole organisation (or `teams`) and its first round, opened now."""
    bank = actions.ensure_bank(org)
    scored = sorted((q for q in bank if q.scale == "agree5"), key=lambda q: q.key)[:per_round]
    chosen = scored + ([q for q in bank if q.scale == "nps11"] if enps else [])
    program = Program(org=org, name=name, questions_per_round=per_round, whole_org=not teams)
    actions.save_program(program, questions=chosen, teams=teams or [], start=timezone.now())
    return actions.open_round(program, timezone.now())


def round_questions(rnd):
    return [rq.question for rq in rnd.roundquestion_set.select_related("question").order_by("position")]


def answer_data(rnd, values, comment=""):
    """Form data giving the i-th question of the round the i-th value. None leaves the question out, as a
    browser does when no radio is checked; "skip" is the page's own "Skip this question" radio."""
    data = {"comment": comment}
    for question, value in zip(round_questions(rnd), values, strict=False):
        if value is not None:
            data[f"q{question.pk}"] = str(value)
    return data


def new_people(org, team, n):
    return [PersonFactory(org=org, team=team) for _ in range(n)]


def answer_without_comment(rnd, people):
    first = round_questions(rnd)[0]
    for person in people:
        part = Participation.objects.get(round=rnd, person=person)
        actions.submit_answers(part, answers={first.pk: 4}, comment="", now=timezone.now())


# --- answering --------------------------------------------------------------------------------


def test_answering_end_to_end(client, org, team, admin, django_capture_on_commit_callbacks):
    answerers = new_people(org, team, 5)
    login(client, admin)
    # The admin creates a program through the page: every active built-in question is pre-selected.
    page = client.get(reverse("pulse_program_new"))
    builtin = set(Question.objects.filter(org=org, builtin=True, active=True).values_list("pk", flat=True))
    assert set(page.context["form"].initial["questions"]) == builtin
    enps = Question.objects.get(org=org, key="enps")
    assert enps.pk in builtin
    chosen = list(Question.objects.filter(org=org, construct="engagement").order_by("key")[:3]) + [enps]
    response = client.post(
        reverse("pulse_program_new"),
        {
            "name": "Team pulse",
            "whole_org": "on",
            "cadence_days": "14",
            "questions_per_round": "3",
            "enps_every_days": "84",
            "window_days": "5",
            "active": "on",
            "start": "2030-01-07T09:00",
            "questions": [q.pk for q in chosen],
        },
    )
    assert response.status_code == 302
    program = Program.objects.get(org=org)
    assert (program.name, program.whole_org, program.cadence_days) == ("Team pulse", True, 14)
    assert program.next_round_at == dt.datetime(2030, 1, 7, 9, 0, tzinfo=UTC)  # the admin is in London
    assert ProgramQuestion.objects.filter(program=program).count() == 4

    assert client.post(reverse("pulse_program_open_now", args=[program.pk])).status_code == 302
    rnd = Round.objects.get(program=program)
    questions = round_questions(rnd)
    assert len(questions) == 4 and questions[-1] == enps
    asked = set(Participation.objects.filter(round=rnd).values_list("person_id", flat=True))
    assert asked == {admin.pk, *(p.pk for p in answerers)}

    values = [[5, 4, 3, 9], [4, 4, None, 10], [2, 5, 1, 6], [3, "skip", 2, 0], [5, 1, 4, 8]]
    for i, (person, row) in enumerate(zip(answerers, values, strict=True)):
        login(client, person)
        page = client.get(reverse("pulse_answer", args=[rnd.pk]))
        assert page.status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("pulse_answer", args=[rnd.pk]), answer_data(rnd, row))
        assert response.status_code == 302
        assert response["Location"] == reverse("pulse_thanks", args=[rnd.pk])
        # Below 2k the answer sets wait in the pool; nothing anonymous is written yet.
        assert (MixingPool.objects.filter(round=rnd).count(), Response.objects.count()) == (i + 1, 0)
        part = Participation.objects.get(round=rnd, person=person)
        assert part.took_part is True

    # Closing mixes the pool (k answer sets) into the anonymous tables.
    actions.close_round(rnd)
    assert MixingPool.objects.filter(round=rnd).count() == 0
    assert Response.objects.filter(round=rnd).count() == 5
    assert Answer.objects.filter(round=rnd).count() == 18
    stored = tally.read(rnd)
    assert [row[0] for row in stored.counts.values()] == [5]
    for model in (Response, Answer, Comment):
        names = [f.name for f in model._meta.get_fields()]
        forbidden = ("person", "user", "created", "time", "date", "participation", "author")
        assert [n for n in names if any(word in n for word in forbidden)] == []
    assert sorted(f.name for f in Response._meta.get_fields()) == [
        "answers",
        "id",
        "org",
        "round",
        "sealed_cell",
    ]
    assert sorted(f.name for f in Answer._meta.get_fields()) == [
        "id",
        "org",
        "question",
        "response",
        "round",
        "value",
    ]
    # Running totals equal what was submitted.
    for col, question in enumerate(questions):
        given = [row[col] for row in values if row[col] not in (None, "skip")]
        stats = [row for (qid, _), row in stored.stats.items() if qid == question.pk]
        assert sum(n for n, *_ in stats) == len(given)
        assert sum(t for _, t, *_ in stats) == sum(score(question.scale, question.reverse, v) for v in given)
        hist = [0] * (11 if question.scale == "nps11" else 6)
        for v in given:
            hist[v] += 1
        assert [sum(col) for col in zip(*(h for *_, h in stats), strict=True)] == hist


def test_the_answer_page_is_phone_first_and_accessible(as_member, org, member):
    rnd = make_round(org, per_round=2)
    page = as_member.get(reverse("pulse_answer", args=[rnd.pk]))
    html = page.content.decode()
    enps = Question.objects.get(org=org, key="enps")
    assert page.status_code == 200
    assert "How likely are you to recommend Acme as a place to work?" in html
    assert "{org}" not in html
    assert html.count("<fieldset") == 3 and html.count("<legend>") == 3
    for label in AGREE5_LABELS:
        assert html.count(f"<span>{label}</span>") == 2  # the full label is the radio's own label
    for value in range(11):
        assert f'name="q{enps.pk}" value="{value}"' in html
    assert "Not at all likely" in html and "Extremely likely" in html
    assert " required" not in html  # every question may be skipped
    assert " checked" not in html  # and none starts answered, not even as "skip"
    assert html.count("> Skip this question</label>") == 3
    assert "Comments are shown to your managers only when enough people in the group commented" in html
    assert 'type="submit"' in html


def test_the_pulse_page_lists_open_rounds_and_explains_anonymity(as_member, org, member):
    rnd = make_round(org, per_round=3)
    PulseSettings.objects.filter(org=org).update(min_group_size=7)
    page = as_member.get(reverse("pulse_home"))
    html = page.content.decode()
    assert [p.round_id for p in page.context["open_now"]] == [rnd.pk]
    assert "Answer now (4 questions, under a minute)" in html
    assert reverse("pulse_answer", args=[rnd.pk]) in html
    assert "What anonymity means here" in html
    assert "groups of <strong>at least 7 people</strong>" in html
    assert "Nobody — admins included — can see who answered what." in html
    assert reverse("pulse_feedback") in html
    assert reverse("pulse_programs") not in html  # admin links only for admins


def test_the_pulse_page_links_admin_pages_for_admins(as_admin):
    html = as_admin.get(reverse("pulse_home")).content.decode()
    for name in ("pulse_programs", "pulse_questions", "pulse_settings"):
        assert reverse(name) in html


def test_answering_twice_is_refused(as_member, org, member):
    rnd = make_round(org)
    url = reverse("pulse_answer", args=[rnd.pk])
    assert as_member.post(url, answer_data(rnd, [4, 4, 4, 8])).status_code == 302
    again = as_member.post(url, answer_data(rnd, [1, 1, 1, 0]))
    assert again.status_code == 409
    assert "You have already answered this round." in again.content.decode()
    assert MixingPool.objects.filter(round=rnd).count() == 1
    assert list(MixingPool.objects.get(round=rnd).opened()["answers"].values()) == [4, 4, 4, 8]


def test_a_closed_round_is_refused(as_member, org, member):
    rnd = make_round(org)
    Round.objects.filter(pk=rnd.pk).update(closed=True)
    response = as_member.post(reverse("pulse_answer", args=[rnd.pk]), answer_data(rnd, [4, 4, 4, 8]))
    assert response.status_code == 409
    assert "This round has closed." in response.content.decode()
    assert MixingPool.objects.count() == 0
    assert Participation.objects.get(round=rnd, person=member).took_part is False


def test_a_round_past_its_closing_time_is_refused(as_member, org, member):
    rnd = make_round(org)
    with time_machine.travel(rnd.closes_at + dt.timedelta(minutes=1), tick=False):
        response = as_member.post(reverse("pulse_answer", args=[rnd.pk]), answer_data(rnd, [4, 4, 4, 8]))
        home = as_member.get(reverse("pulse_home"))
    assert response.status_code == 409
    assert MixingPool.objects.count() == 0
    assert home.context["open_now"] == []


@pytest.mark.parametrize("bad", ["6", "0", "-1", "abc", "3.5"])
def test_a_value_out_of_range_is_an_error_and_saves_nothing(as_member, org, member, bad):
    rnd = make_round(org)
    data = answer_data(rnd, [4, 4, 4, 8])
    data[f"q{round_questions(rnd)[0].pk}"] = bad
    response = as_member.post(reverse("pulse_answer", args=[rnd.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        f"q{round_questions(rnd)[0].pk}": ["Choose one of the answers shown, or skip the question."]
    }
    assert MixingPool.objects.count() == 0
    assert Participation.objects.get(round=rnd, person=member).took_part is False


def test_an_nps_value_above_ten_is_an_error(as_member, org, member):
    rnd = make_round(org)
    response = as_member.post(reverse("pulse_answer", args=[rnd.pk]), answer_data(rnd, [4, 4, 4, 11]))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [f"q{round_questions(rnd)[3].pk}"]
    assert MixingPool.objects.count() == 0


def test_another_organisations_round_is_404(as_member, member, other_org, outsider):
    rnd = make_round(other_org)
    assert Participation.objects.filter(round=rnd, person=outsider).exists()
    url = reverse("pulse_answer", args=[rnd.pk])
    assert as_member.get(url).status_code == 404
    assert as_member.post(url, answer_data(rnd, [4, 4, 4, 8])).status_code == 404
    assert as_member.get(reverse("pulse_thanks", args=[rnd.pk])).status_code == 404
    assert MixingPool.objects.count() == 0


def test_a_person_not_asked_gets_404(client, org, team, member):
    rnd = make_round(org)
    newcomer = PersonFactory(org=org, team=team)  # joined after the round opened
    login(client, newcomer)
    url = reverse("pulse_answer", args=[rnd.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, answer_data(rnd, [4, 4, 4, 8])).status_code == 404
    assert MixingPool.objects.count() == 0


def test_a_team_program_does_not_ask_other_teams(client, org, team, member):
    sales = TeamFactory(org=org, name="Sales")
    seller = PersonFactory(org=org, team=sales)
    rnd = make_round(org, teams=[sales])
    login(client, member)
    assert client.get(reverse("pulse_answer", args=[rnd.pk])).status_code == 404
    login(client, seller)
    assert client.get(reverse("pulse_answer", args=[rnd.pk])).status_code == 200


def test_skipping_every_question_but_commenting_works(as_member, org, member):
    others = new_people(org, member.team, 4)
    rnd = make_round(org)
    response = as_member.post(
        reverse("pulse_answer", args=[rnd.pk]),
        answer_data(rnd, ["skip", None, "skip", None], comment="  More written docs, please.  "),
    )
    assert response.status_code == 302
    payload = MixingPool.objects.get(round=rnd).opened()
    assert (payload["answers"], payload["comment"]) == ({}, "More written docs, please.")
    answer_without_comment(rnd, others)
    actions.close_round(rnd)
    assert Response.objects.count() == 4  # the comment-only answer set is no response
    assert list(Comment.objects.values_list("text", flat=True)) == ["More written docs, please."]
    assert sum(row[1] for row in tally.read(rnd).counts.values()) == 1


def test_an_empty_submission_is_an_error(as_member, org, member):
    rnd = make_round(org)
    response = as_member.post(reverse("pulse_answer", args=[rnd.pk]), answer_data(rnd, [None] * 4))
    assert response.status_code == 200
    assert response.context["refusal"] == "Answer at least one question, or write a comment."
    assert "Answer at least one question, or write a comment." in response.content.decode()
    assert MixingPool.objects.count() == 0
    assert Participation.objects.get(round=rnd, person=member).took_part is False


def test_the_thank_you_page_says_when_results_may_appear(as_member, org, member):
    rnd = make_round(org)
    assert as_member.get(reverse("pulse_thanks", args=[rnd.pk])).status_code == 302  # not answered yet
    as_member.post(reverse("pulse_answer", args=[rnd.pk]), answer_data(rnd, [4, 4, 4, 8]))
    page = as_member.get(reverse("pulse_thanks", args=[rnd.pk]))
    closes = timezone.localtime(rnd.closes_at, member.zone)
    assert page.status_code == 200
    assert f"{closes:%A} {closes.day} {closes:%B, %H:%M}" in page.content.decode()
    assert "at least 5 people answered" in page.content.decode()
    # The answer page now says so instead of showing the form again.
    again = as_member.get(reverse("pulse_answer", args=[rnd.pk]))
    assert again.context["state"] == "answered"
    assert '<form method="post" class="stack pulse-form"' not in again.content.decode()


@time_machine.travel(dt.datetime(2026, 6, 2, 15, 0, tzinfo=UTC), tick=False)
def test_round_times_are_in_the_readers_zone_and_name_it(client, org, team, mailoutbox):
    """A round that closes at 06:00 UTC closes at 01:00 in Bogotá: each page and the email say 01:00
    and name the zone, so nobody reads a UTC time as their own. (A Tuesday morning in Bogotá, so the
    round asks her whatever day the test runs.)"""
    bogota = PersonFactory(org=org, team=team, timezone="America/Bogota", email="bea@acme.test")
    rnd = make_round(org)
    assert Participation.objects.filter(round=rnd, person=bogota).exists()
    closes = dt.datetime.combine(rnd.closes_at.date(), dt.time(6, 0), tzinfo=UTC)
    Round.objects.filter(pk=rnd.pk).update(closes_at=closes, next_close_at=closes)
    when = f"{closes.astimezone(bogota.zone):%A} {closes.astimezone(bogota.zone).day}"
    login(client, bogota)
    pages = {
        "pulse": client.get(reverse("pulse_home")),
        "answer": client.get(reverse("pulse_answer", args=[rnd.pk])),
        "home": client.get(reverse("home")),
    }
    for name, response in pages.items():
        text = response.content.decode()
        assert "01:00" in text and "America/Bogota" in text and "06:00" not in text, name
        assert when in text, name
    part = Participation.objects.get(round=rnd, person=bogota)
    mailoutbox.clear()
    send_pulse_prompt.call(part.pk, reminder=False)
    assert "at 01:00 your time (America/Bogota)" in mailoutbox[0].body
    client.post(reverse("pulse_answer", args=[rnd.pk]), answer_data(rnd, [4, 4, 4, 8]))
    for name in ("pulse_home", "pulse_thanks"):
        args = [rnd.pk] if name == "pulse_thanks" else []
        text = client.get(reverse(name, args=args)).content.decode()
        assert "01:00" in text and "America/Bogota" in text, name


# --- my feedback ------------------------------------------------------------------------------


@pytest.fixture
def thread(org, member, manager):
    """The member's comment, mixed into the anonymous tables, with a reply from their manager."""
    others = new_people(org, member.team, 4)
    rnd = make_round(org)
    part = Participation.objects.get(round=rnd, person=member)
    actions.submit_answers(part, answers={}, comment="Our releases feel rushed.", now=timezone.now())
    answer_without_comment(rnd, others)  # k answer sets in all: the round's rows are stored when it closes
    actions.close_round(rnd)
    comment = Comment.objects.get(round=rnd)
    actions.reply_as_manager(comment, manager, "Thank you. Shall we move the release to Thursdays?")
    return comment


def test_my_feedback_shows_the_manager_reply_and_lets_the_author_answer_back(client, member, thread):
    login(client, member)
    page = client.get(reverse("pulse_feedback"))
    html = page.content.decode()
    assert [c.pk for c, _ in page.context["threads"]] == [thread.pk]
    assert "Our releases feel rushed." in html
    assert "Maya Manager" in html and "Shall we move the release to Thursdays?" in html

    url = reverse("pulse_author_reply", args=[thread.pk])
    response = client.post(url, {"text": "Thursdays would help a lot."})
    assert response.status_code == 302
    assert response["Location"] == reverse("pulse_feedback") + f"#thread-{thread.pk}"
    reply = Reply.objects.get(comment=thread, from_author=True)
    assert (reply.text, reply.manager_id) == ("Thursdays would help a lot.", None)
    html = client.get(reverse("pulse_feedback")).content.decode()
    assert "<strong>You</strong>" in html and "Thursdays would help a lot." in html


def test_an_empty_answer_back_is_refused(client, member, thread):
    login(client, member)
    response = client.post(reverse("pulse_author_reply", args=[thread.pk]), {"text": "   "}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Write a reply."]
    assert Reply.objects.filter(from_author=True).count() == 0


def test_nobody_else_can_answer_back_or_see_the_thread(client, org, team, manager, admin, thread):
    colleague = PersonFactory(org=org, team=team)
    for person in (colleague, manager, admin):
        login(client, person)
        assert (
            client.post(reverse("pulse_author_reply", args=[thread.pk]), {"text": "Me?"}).status_code == 404
        )
        page = client.get(reverse("pulse_feedback"))
        assert page.context["threads"] == []
        assert "Our releases feel rushed." not in page.content.decode()
    assert Reply.objects.filter(from_author=True).count() == 0


def test_another_organisations_comment_is_404(client, other_org, outsider, member, thread):
    login(client, outsider)
    assert client.post(reverse("pulse_author_reply", args=[thread.pk]), {"text": "Hi"}).status_code == 404


# --- admin pages ------------------------------------------------------------------------------

ADMIN_PAGES = ["pulse_programs", "pulse_program_new", "pulse_questions", "pulse_settings"]


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_admin_pages_are_404_for_members_and_managers(client, member, manager, name):
    for person in (member, manager):
        login(client, person)
        assert client.get(reverse(name)).status_code == 404
        assert client.post(reverse(name), {}).status_code == 404


def test_members_cannot_open_a_round(client, org, member):
    rnd = make_round(org)
    login(client, member)
    assert client.post(reverse("pulse_program_open_now", args=[rnd.program_id])).status_code == 404
    assert Round.objects.count() == 1


def program_data(**changes):
    data = {
        "name": "Weekly check",
        "whole_org": "on",
        "cadence_days": "7",
        "questions_per_round": "5",
        "enps_every_days": "84",
        "window_days": "3",
        "active": "on",
        "start": "2030-01-07T09:00",
        "questions": [],
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_program_needs_questions(as_admin, org):
    response = as_admin.post(reverse("pulse_program_new"), program_data())
    assert response.status_code == 200
    assert response.context["form"].errors == {"questions": ["Choose at least one question to ask."]}
    assert Program.objects.count() == 0


def test_a_program_for_teams_needs_teams(as_admin, org):
    actions.ensure_bank(org)
    some = list(Question.objects.filter(org=org, scale="agree5").values_list("pk", flat=True)[:3])
    response = as_admin.post(reverse("pulse_program_new"), program_data(whole_org=None, questions=some))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "teams": ["Choose the teams this program asks, or the whole organisation."]
    }
    html = response.content.decode()
    assert "Choose the teams this program asks, or the whole organisation." in html
    assert Program.objects.count() == 0


def test_program_fields_are_checked(as_admin, org):
    actions.ensure_bank(org)
    some = list(Question.objects.filter(org=org, scale="agree5").values_list("pk", flat=True)[:3])
    response = as_admin.post(
        reverse("pulse_program_new"),
        program_data(
            name="", questions_per_round="40", window_days="0", cadence_days="3", start="soon", questions=some
        ),
    )
    assert response.status_code == 200
    assert sorted(response.context["form"].errors) == [
        "cadence_days",
        "name",
        "questions_per_round",
        "start",
        "window_days",
    ]
    assert response.context["form"].errors["name"] == ["Give the program a name."]
    assert Program.objects.count() == 0


def test_another_organisations_questions_and_teams_are_not_choices(as_admin, org, other_org):
    foreign = actions.ensure_bank(other_org)[0]
    foreign_team = TeamFactory(org=other_org)
    response = as_admin.post(
        reverse("pulse_program_new"),
        program_data(whole_org=None, teams=[foreign_team.pk], questions=[foreign.pk]),
    )
    assert response.status_code == 200
    assert sorted(response.context["form"].errors) == ["questions", "teams"]
    assert Program.objects.count() == 0


def test_a_program_for_chosen_teams_in_the_admins_time_zone(as_admin, org, admin, team):
    admin.timezone = "Asia/Kolkata"
    admin.save()
    sub = TeamFactory(org=org, parent=team, name="Platform")
    actions.ensure_bank(org)
    scored = list(Question.objects.filter(org=org, scale="agree5").order_by("construct", "key"))
    chosen = [scored[0], scored[1], scored[-1]]
    response = as_admin.post(
        reverse("pulse_program_new"),
        program_data(whole_org=None, teams=[sub.pk], questions=[q.pk for q in chosen]),
    )
    assert response.status_code == 302
    program = Program.objects.get()
    assert program.next_round_at == dt.datetime(2030, 1, 7, 3, 30, tzinfo=UTC)  # 09:00 in Kolkata
    assert [t.pk for t in program.teams.all()] == [sub.pk]
    # Themes are interleaved so that each round mixes them.
    ordered = list(ProgramQuestion.objects.filter(program=program).values_list("question_id", flat=True))
    assert ordered == [scored[0].pk, scored[-1].pk, scored[1].pk]

    # Editing shows the saved choices and the next round in the admin's zone, and can change them.
    page = as_admin.get(reverse("pulse_program_edit", args=[program.pk]))
    form = page.context["form"]
    assert form.initial["teams"] == [sub.pk]
    assert form["start"].value() == dt.datetime(2030, 1, 7, 9, 0)  # noqa: DTZ001 - the local wall clock
    assert 'value="2030-01-07T09:00"' in page.content.decode()
    response = as_admin.post(
        reverse("pulse_program_edit", args=[program.pk]),
        program_data(name="Renamed", questions=[q.pk for q in chosen], start="2030-02-04T10:00"),
    )
    assert response.status_code == 302
    program.refresh_from_db()
    assert (program.name, program.whole_org, program.active) == ("Renamed", True, True)
    assert list(program.teams.all()) == []
    assert program.next_round_at == dt.datetime(2030, 2, 4, 4, 30, tzinfo=UTC)


def test_open_a_round_now(as_admin, org, admin, member, manager):
    rnd = make_round(org)
    response = as_admin.post(reverse("pulse_program_open_now", args=[rnd.program_id]), follow=True)
    second = Round.objects.get(program=rnd.program, number=2)
    assert Participation.objects.filter(round=second).count() == 3
    assert [str(m) for m in response.context["messages"]] == [
        "Round 2 of “Fortnightly pulse” is open: 3 people asked, each during their own working hours."
    ]


def test_a_paused_program_does_not_open(as_admin, org):
    rnd = make_round(org)
    Program.objects.filter(pk=rnd.program_id).update(active=False)
    response = as_admin.post(reverse("pulse_program_open_now", args=[rnd.program_id]), follow=True)
    assert Round.objects.count() == 1
    assert [str(m) for m in response.context["messages"]] == [
        "“Fortnightly pulse” is paused; make it active before opening a round."
    ]


def test_the_question_bank_page(as_admin, org):
    page = as_admin.get(reverse("pulse_questions"))
    html = page.content.decode()
    labels = [label for label, _ in page.context["groups"]]
    assert labels[0] == "Engagement" and labels[-1] == "eNPS"
    assert "How likely are you to recommend Acme as a place to work?" in html
    reversed_count = Question.objects.filter(org=org, reverse=True).count()
    assert reversed_count > 0
    assert html.count(">reverse-coded</span>") == reversed_count


def test_adding_a_question(as_admin, org):
    response = as_admin.post(
        reverse("pulse_questions"),
        {"text": "  I can say no to a meeting.  ", "construct": "psych_safety", "reverse": "on"},
    )
    assert response.status_code == 302
    added = Question.objects.get(org=org, builtin=False)
    assert (added.text, added.construct, added.reverse, added.scale) == (
        "I can say no to a meeting.",
        "psych_safety",
        True,
        "agree5",
    )
    again = as_admin.post(
        reverse("pulse_questions"), {"text": "I can say no to a meeting.", "construct": "growth"}
    )
    assert again.status_code == 200
    assert again.context["form"].errors == {"text": ["That question is already in the bank."]}
    assert Question.objects.filter(org=org, builtin=False).count() == 1


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"text": "   ", "construct": "growth"}, {"text": ["Write the question."]}),
        ({"text": "I grow.", "construct": "astrology"}, {"construct": ["Choose one of the listed themes."]}),
        ({"text": "I grow.", "construct": "enps"}, {"construct": ["Choose one of the listed themes."]}),
        (
            {"text": "", "construct": ""},
            {"text": ["Write the question."], "construct": ["Choose one of the listed themes."]},
        ),
    ],
)
def test_adding_a_bad_question_shows_errors_next_to_fields(as_admin, org, data, errors):
    response = as_admin.post(reverse("pulse_questions"), data)
    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert 'class="field-error"' in response.content.decode()
    assert Question.objects.filter(org=org, builtin=False).count() == 0


def test_anonymity_settings(as_admin, org):
    page = as_admin.get(reverse("pulse_settings"))
    assert "never below 3" in page.content.decode()
    assert page.context["form"]["min_group_size"].value() == 5

    too_low = as_admin.post(reverse("pulse_settings"), {"min_group_size": "2"})
    assert too_low.status_code == 200
    assert too_low.context["form"].errors == {"min_group_size": ["The minimum group size can't go below 3."]}
    assert "The minimum group size can&#x27;t go below 3." in too_low.content.decode()
    assert PulseSettings.objects.get(org=org).min_group_size == 5

    assert as_admin.post(reverse("pulse_settings"), {"min_group_size": "3"}).status_code == 302
    assert PulseSettings.objects.get(org=org).min_group_size == 3
    # Rounds opened from now on use it.
    assert make_round(org).min_group_size == 3


def test_the_programs_list_costs_the_same_queries_for_1_and_10_programs(as_admin, org, team):
    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            response = as_admin.get(reverse("pulse_programs"))
        assert response.status_code == 200
        return len(ctx.captured_queries), response

    make_round(org, teams=[team], name="Program 0")
    as_admin.get(reverse("pulse_home"))  # the first page after signing in also saves the session
    one, response = count_queries()
    assert [p.name for p in response.context["programs"]] == ["Program 0"]
    for i in range(1, 10):
        make_round(org, teams=[team, TeamFactory(org=org)] if i % 2 else None, name=f"Program {i}")
    many, response = count_queries()
    programs = list(response.context["programs"])
    assert len(programs) == 10
    assert [p.round_count for p in programs] == [1] * 10
    assert one == many


def test_the_pulse_page_agrees_with_the_answer_page_after_answering(as_member, org, member):
    rnd = make_round(org)
    assert (
        as_member.post(reverse("pulse_answer", args=[rnd.pk]), answer_data(rnd, [4, 4, 4, 8])).status_code
        == 302
    )
    answer_page = as_member.get(reverse("pulse_answer", args=[rnd.pk])).content.decode()
    assert "You have already answered this round." in answer_page
    home = as_member.get(reverse("pulse_home")).content.decode()
    assert "You have answered this round — thank you." in home
    assert "Nothing to answer" not in home
    # Once it closes, the round leaves the page and "Nothing to answer" is true again.
    Round.objects.filter(pk=rnd.pk).update(closed=True)
    assert "Nothing to answer right now." in as_member.get(reverse("pulse_home")).content.decode()


def test_program_form_lists_teams_as_a_tree(as_admin, org, team):
    product = TeamFactory(org=org, name="Product")
    web = TeamFactory(org=org, name="Web", parent=product)
    TeamFactory(org=org, name="Apps", parent=web)
    html = as_admin.get(reverse("pulse_program_new")).content.decode()
    tree = html.split('id="program-teams"', 1)[1].split("</fieldset>", 1)[0]
    text = re.sub(r"<input[^>]*>", "", tree)
    text = re.sub(r"<(/?)(ul|li)[^>]*>", r"<\1\2>", re.sub(r"</?label[^>]*>", "", text))
    text = re.sub(r"\s+", "", text)
    # Product holds Web, which holds Apps; the fixture's team stands on its own.
    assert "<li>Product<ul><li>Web<ul><li>Apps</li></ul></li></ul></li>" in text
    assert "static/accord/program-form.js" in html.replace("%2F", "/")


def test_program_form_refuses_teams_with_the_whole_organisation(as_admin, org, team):
    response = as_admin.post(reverse("pulse_program_new"), program_data(teams=[team.pk]))
    assert response.status_code == 200
    assert response.context["form"].errors["teams"] == [
        "You chose to ask the whole organisation, so teams do not apply: untick the teams, "
        "or untick “Ask the whole organisation” to ask only them."
    ]
    assert Program.objects.count() == 0
