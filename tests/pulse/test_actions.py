"""Pulse storage, rotation, scheduling and mixing, tested through the actions."""

import datetime as dt

import pytest
import time_machine
from django.db import connection

from accord.lib import jobs
from accord.lib.tz import UTC
from accord.pulse import actions, tally
from accord.pulse.models import (
    Answer,
    Comment,
    MixingPool,
    Participation,
    Program,
    Question,
    Response,
    Round,
)
from tests.factories import PersonFactory, TeamFactory

MONDAY = dt.datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # before anyone's working day in Europe or the Americas


@pytest.fixture
def questions(org):
    return actions.ensure_bank(org)


def make_program(org, questions, **kw):
    scored = [q for q in questions if q.scale == "agree5"][:9]
    enps = [q for q in questions if q.scale == "nps11"]
    program = Program(org=org, name="Fortnightly pulse", questions_per_round=kw.pop("per_round", 4), **kw)
    return actions.save_program(program, questions=scored + enps, teams=[], start=MONDAY)


def people(org, team, n, **kw):
    return [PersonFactory(org=org, team=team, **kw) for _ in range(n)]


def test_bank_is_copied_once_per_org(org, other_org):
    first = actions.ensure_bank(org)
    assert len(actions.ensure_bank(org)) == len(first) >= 48
    assert Question.objects.filter(org=other_org).count() == 0


def test_rotation_shows_every_item_before_any_repeats(org, questions, team):
    people(org, team, 2)
    program = make_program(org, questions, per_round=4, enps_every_days=84)
    seen: list[int] = []
    for week in range(3):
        rnd = actions.open_round(program, MONDAY + dt.timedelta(days=14 * week))
        program.refresh_from_db()
        seen.extend(q.id for q in rnd.questions.filter(scale="agree5").order_by("roundquestion__position"))
    # 9 scored items in the program: the first 9 asked are all different, then the cycle restarts.
    assert len(set(seen[:9])) == 9
    assert seen[9:12] == seen[0:3]


def test_enps_is_asked_no_more_often_than_its_interval(org, questions, team):
    people(org, team, 1)
    program = make_program(org, questions, enps_every_days=28)
    asked = []
    for week in range(5):
        rnd = actions.open_round(program, MONDAY + dt.timedelta(days=14 * week))
        program.refresh_from_db()
        asked.append(rnd.questions.filter(scale="nps11").exists())
    assert asked == [True, False, True, False, True]


@pytest.mark.parametrize(
    ("zone", "start", "expected_utc"),
    [
        # Prompts go out an hour into the working day, local time, on the person's next working day.
        ("America/New_York", dt.time(9), dt.datetime(2026, 3, 9, 14, 0, tzinfo=UTC)),  # EDT from 8 March
        ("Europe/London", dt.time(9), dt.datetime(2026, 3, 9, 10, 0, tzinfo=UTC)),  # GMT until 29 March
        ("Australia/Sydney", dt.time(9), dt.datetime(2026, 3, 8, 23, 0, tzinfo=UTC)),  # Mon 10:00 AEDT (+11)
        ("Asia/Kolkata", dt.time(9, 30), dt.datetime(2026, 3, 9, 5, 0, tzinfo=UTC)),  # 10:30 IST
        ("Asia/Kathmandu", dt.time(9), dt.datetime(2026, 3, 9, 4, 15, tzinfo=UTC)),  # 10:00 NPT (+5:45)
    ],
)
def test_prompt_time_is_local_and_dst_correct(org, zone, start, expected_utc):
    person = PersonFactory(org=org, timezone=zone, work_start=start, work_end=dt.time(17, 30))
    # Sunday 8 March 2026, 23:00 UTC: the US has just changed to summer time; Europe has not.
    after = dt.datetime(2026, 3, 8, 23, 0, tzinfo=UTC)
    if zone == "Australia/Sydney":
        after = dt.datetime(2026, 3, 8, 12, 0, tzinfo=UTC)  # Sunday evening in Sydney
    assert actions.prompt_time(person, after, after + dt.timedelta(days=5)) == expected_utc


def test_prompt_now_when_already_inside_working_hours(org):
    person = PersonFactory(org=org, timezone="Europe/Berlin")
    at = dt.datetime(2026, 7, 1, 12, 0, tzinfo=UTC)  # Wednesday 14:00 in Berlin
    assert actions.prompt_time(person, at, at + dt.timedelta(days=5)) == at


def test_no_working_day_in_the_window_means_not_asked(org, questions, team):
    weekend_only = PersonFactory(org=org, team=team, work_days="67")
    program = make_program(org, questions, window_days=2)
    rnd = actions.open_round(program, MONDAY)
    assert not Participation.objects.filter(round=rnd, person=weekend_only).exists()


def test_the_reminder_comes_two_working_days_later_at_the_same_local_time(org):
    person = PersonFactory(org=org, timezone="America/New_York")
    prompt = dt.datetime(2026, 3, 6, 15, 0, tzinfo=UTC)  # Friday 10:00 EST
    closes = prompt + dt.timedelta(days=7)
    # Two working days later is Tuesday 10 March, 10:00 EDT = 14:00 UTC.
    assert actions.reminder_time(person, prompt, closes) == dt.datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
    assert actions.reminder_time(person, prompt, prompt + dt.timedelta(days=2)) is None


def answer_all(rnd, participations, value=4, comment=""):
    for p in participations:
        answers = {q.id: (value if q.scale == "agree5" else 9) for q in rnd.questions.all()}
        actions.submit_answers(p, answers=answers, comment=comment, now=rnd.closes_at - dt.timedelta(hours=1))


def test_answers_wait_in_the_pool_until_2k_and_k_stay_back_for_the_last_batch(
    org, questions, team, django_capture_on_commit_callbacks
):
    people(org, team, 12)
    rnd = actions.open_round(make_program(org, questions), MONDAY)
    parts = list(Participation.objects.filter(round=rnd))
    assert len(parts) == 12
    with django_capture_on_commit_callbacks(execute=True):
        answer_all(rnd, parts[:9])
    assert (MixingPool.objects.count(), Response.objects.count()) == (9, 0)  # k = 5: still waiting
    with django_capture_on_commit_callbacks(execute=True):
        answer_all(rnd, parts[9:10])
    # 2k pooled: k land, k stay so that the batch mixed at closing is never smaller than k.
    assert (MixingPool.objects.count(), Response.objects.count()) == (5, 5)
    with django_capture_on_commit_callbacks(execute=True):
        answer_all(rnd, parts[10:11])
    assert (MixingPool.objects.count(), Response.objects.count()) == (6, 5)
    actions.close_round(rnd)
    assert (MixingPool.objects.count(), Response.objects.count()) == (0, 11)
    assert Participation.objects.filter(round=rnd, took_part=True).count() == 11


def test_fewer_than_k_answers_in_a_whole_round_are_never_stored_in_the_clear(org, questions, team):
    people(org, team, 4)
    rnd = actions.open_round(make_program(org, questions), MONDAY)
    answer_all(rnd, list(Participation.objects.filter(round=rnd)), comment="Only four of us")
    actions.close_round(rnd)
    assert (MixingPool.objects.count(), Response.objects.count(), Comment.objects.count()) == (0, 0, 0)
    assert sum(row[0] for row in tally.read(rnd).counts.values()) == 4


def test_stored_answers_have_no_person_and_no_time(org, questions, team):
    forbidden = {"person", "user", "created", "created_at", "submitted_at", "answered_at", "timestamp"}
    for model in (Response, Answer, Comment, MixingPool):
        names = {f.name for f in model._meta.get_fields()} | {f.attname for f in model._meta.concrete_fields}
        assert names & forbidden == set(), model
        assert model._meta.pk.get_internal_type() == "UUIDField", model
    assert not {f.name for f in Participation._meta.get_fields()} & {"answer", "answers", "value", "response"}


def test_no_answer_row_can_be_joined_to_a_person(org, questions, team):
    people(org, team, 6)
    rnd = actions.open_round(make_program(org, questions), MONDAY)
    parts = list(Participation.objects.filter(round=rnd).order_by("id"))
    answer_all(rnd, parts, comment="More written handoffs, please")
    actions.close_round(rnd)
    # Every column of the anonymous tables, checked against every person id and participation id.
    person_ids = {str(p.person_id) for p in parts} | {str(p.id) for p in parts}
    with connection.cursor() as cursor:
        for model in (Response, Answer, Comment):
            cursor.execute(f"SELECT * FROM {model._meta.db_table}")
            columns = [c[0] for c in cursor.description]
            assert not {c for c in columns if "person" in c or "user" in c}
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if column.endswith("_id") and column not in {
                        "org_id",
                        "round_id",
                        "question_id",
                        "response_id",
                    }:
                        assert str(value) not in person_ids
    # Response ids are random, not a sequence that follows the order people took part in.
    ids = list(Response.objects.values_list("id", flat=True))
    assert len({i.version for i in ids}) == 1 and ids[0].version == 4


def test_aggregates_match_the_answers(org, questions, team):
    people(org, team, 5)
    rnd = actions.open_round(make_program(org, questions), MONDAY)
    parts = list(Participation.objects.filter(round=rnd))
    first_q = rnd.questions.filter(scale="agree5").order_by("roundquestion__position").first()
    for i, p in enumerate(parts):
        actions.submit_answers(p, answers={first_q.id: i + 1}, comment="", now=MONDAY)
    actions.close_round(rnd)
    stored = tally.read(rnd)
    [(n, total, total_sq, hist)] = [row for (qid, _), row in stored.stats.items() if qid == first_q.id]
    scored = [6 - v if first_q.reverse else v for v in range(1, 6)]
    assert (n, total, total_sq, hist) == (
        5,
        sum(scored),
        sum(v * v for v in scored),
        [0, 1, 1, 1, 1, 1],
    )
    assert [row[0] for row in stored.counts.values()] == [5]
    assert Round.objects.get(pk=rnd.pk).closed is True


def test_answering_rules(org, questions, team):
    people(org, team, 2)
    rnd = actions.open_round(make_program(org, questions), MONDAY)
    p1, p2 = Participation.objects.filter(round=rnd)
    q = rnd.questions.filter(scale="agree5").first()
    with pytest.raises(actions.PulseError, match="go from 1 to 5"):
        actions.submit_answers(p1, answers={q.id: 6}, comment="", now=MONDAY)
    with pytest.raises(actions.PulseError, match="Answer at least one question"):
        actions.submit_answers(p1, answers={q.id: None}, comment="  ", now=MONDAY)
    actions.submit_answers(p1, answers={q.id: None}, comment="Only a comment", now=MONDAY)
    with pytest.raises(actions.PulseError, match="already answered"):
        actions.submit_answers(p1, answers={q.id: 3}, comment="", now=MONDAY)
    with pytest.raises(actions.PulseError, match="closed"):
        actions.submit_answers(p2, answers={q.id: 3}, comment="", now=rnd.closes_at)
    assert MixingPool.objects.count() == 1


def test_scheduler_opens_prompts_reminds_and_closes(org, questions, team, smtp, settings):
    settings.SITE_URL = "http://accord.test"
    person = PersonFactory(org=org, team=team, timezone="Europe/London", email="kai@acme.test")
    make_program(org, questions, window_days=5)
    jobs.load_jobs()
    with time_machine.travel(MONDAY, tick=False):
        jobs.tick()
    rnd = Round.objects.get()
    part = Participation.objects.get(person=person)
    assert part.next_send_at == dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # Monday 10:00 in London
    with time_machine.travel(part.next_send_at, tick=False):
        jobs.tick()
        jobs.tick()  # a second tick at the same moment sends nothing more
    assert [m["Subject"] for m in smtp.messages] == ["5 quick questions from Acme"]
    assert "http://accord.test/pulse/answer/" in smtp.messages[0].get_content()
    part.refresh_from_db()
    assert part.next_send_at == dt.datetime(2026, 3, 4, 10, 0, tzinfo=UTC)  # Wednesday: the one reminder
    with time_machine.travel(part.next_send_at, tick=False):
        jobs.tick()
    assert [m["Subject"] for m in smtp.messages][-1] == "Reminder: 5 quick questions from Acme"
    part.refresh_from_db()
    assert part.next_send_at is None
    with time_machine.travel(rnd.closes_at + dt.timedelta(minutes=1), tick=False):
        jobs.tick()
    rnd.refresh_from_db()
    assert rnd.closed is True
    assert len(smtp.messages) == 2


def test_thread_keys_are_per_person_and_round(org):
    a, b = PersonFactory(org=org), PersonFactory(org=org)
    assert actions.thread_key(a.pk, 1) != actions.thread_key(b.pk, 1)
    assert actions.thread_key(a.pk, 1) != actions.thread_key(a.pk, 2)
    assert actions.thread_key(a.pk, 1) == actions.thread_key(a.pk, 1)


def test_only_the_author_can_answer_in_a_thread(org, questions, team, manager):
    team_people = people(org, team, 5)
    rnd = actions.open_round(make_program(org, questions), MONDAY)
    parts = {p.person_id: p for p in Participation.objects.filter(round=rnd)}
    author = team_people[0]
    actions.submit_answers(
        parts[author.pk], answers={}, comment="Handoffs from Manila arrive late", now=MONDAY
    )
    answer_all(rnd, [parts[p.pk] for p in team_people[1:]])  # k answer sets: stored when the round closes
    actions.close_round(rnd)
    comment = Comment.objects.get()
    actions.reply_as_manager(comment, manager, "Thank you, we'll move the handoff an hour earlier.")
    actions.reply_as_author(comment, author, "That would help a lot.")
    with pytest.raises(actions.PulseError):
        actions.reply_as_author(comment, team_people[1], "Pretending to be the author")
    assert [r.from_author for r in comment.replies.all()] == [False, True]


def test_min_group_size_never_below_three(org):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        actions.set_min_group_size(org, 2)
    assert actions.set_min_group_size(org, 3).min_group_size == 3


def test_team_subtree_programs_ask_only_those_teams(org, questions):
    support = TeamFactory(org=org, name="Support")
    level1 = TeamFactory(org=org, name="Level 1", parent=support)
    sales = TeamFactory(org=org, name="Sales")
    inside = PersonFactory(org=org, team=level1)
    PersonFactory(org=org, team=sales)
    scored = [q for q in questions if q.scale == "agree5"][:3]
    program = actions.save_program(
        Program(org=org, name="Support pulse", whole_org=False),
        questions=scored,
        teams=[support],
        start=MONDAY,
    )
    rnd = actions.open_round(program, MONDAY)
    assert list(Participation.objects.filter(round=rnd).values_list("person_id", flat=True)) == [inside.pk]


def test_results_exist_only_for_closed_rounds(org, questions, team):
    from accord.pulse.queries import RoundStillOpen, round_data, rounds_of

    people(org, team, 5)
    rnd = actions.open_round(make_program(org, questions), MONDAY)
    with pytest.raises(RoundStillOpen):
        round_data(rnd)
    assert list(rounds_of(org)) == []
    actions.close_round(rnd)
    rnd.refresh_from_db()
    assert list(rounds_of(org)) == [rnd]
    assert round_data(rnd).number == 1


def test_sealed_values_stay_readable_after_rotating_the_secret_key_and_only_with_it(settings):
    from cryptography.exceptions import InvalidTag

    from accord.pulse import sealing

    sealed = sealing.seal_cell(7, (12, "1-3y", "emea"))
    old = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a new key", [old]
    assert sealing.open_cell(7, sealed) == (12, "1-3y", "emea")
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(InvalidTag):
        sealing.open_cell(7, sealed)
    settings.SECRET_KEY = old
    with pytest.raises(InvalidTag):
        sealing.open_cell(8, sealed)  # bound to its round


@pytest.mark.parametrize(
    ("name", "called"), [("Fortnightly pulse", "Fortnightly pulse"), ("Engagement", "Engagement pulse")]
)
def test_prompt_names_the_program_without_saying_pulse_twice(org, questions, team, smtp, name, called):
    person = PersonFactory(org=org, team=team, timezone="Europe/London", email="kai@acme.test")
    program = make_program(org, questions)
    program.name = name
    program.save()
    with time_machine.travel(MONDAY, tick=False):
        jobs.load_jobs()
        jobs.tick()
    part = Participation.objects.get(person=person)
    with time_machine.travel(part.next_send_at, tick=False):
        jobs.tick()
    body = smtp.messages[0].get_content()
    assert f"The {called} for Acme has" in body
    assert "pulse pulse" not in body.lower()
