"""Attacks on what the results pages and API show, not only on the gate (issue 11, findings 1 to 3):

1. a group whose answers all fall in one category a viewer can see (all favourable, none favourable,
   all promoters) tells everyone what each member answered: it is hidden, at any size, everywhere;
2. a group with fewer than 2k answers shows rounded figures only: no count, no p-value, words only;
3. a group nobody answered in, or nobody was invited to, says the same as a group a few answered in.

Rounds go through the actions (open, answer, close) and are read as an admin and a manager would,
over HTTP: the results page, the heatmap page and its slices, the trends page and every endpoint.
"""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest

from accord.orgs.models import Role
from accord.pulse import gate, queries
from accord.pulse.models import PublishedRound, PublishedRow
from tests.api_client import Api
from tests.conftest import login
from tests.factories import PersonFactory, TeamFactory

from .test_results import NOW, SMALL, make_program, page, run_round, text_of
from .test_results_api import hidden

pytestmark = pytest.mark.django_db

# Raw answers in test_results.KEYS order: on time, re-check (reverse-worded), engagement, eNPS.
# Happy: everyone agrees work arrives on time (4s and 5s, so no single value is shared by five) and
# everyone is a promoter; the other two questions are mixed.
HAPPY = [(4, 1, 2, 9), (5, 2, 3, 10), (4, 3, 4, 9), (5, 4, 5, 10), (4, 5, 3, 9), (5, 2, 4, 10)]
MIXED = [(1, 1, 2, 3), (2, 2, 3, 6), (3, 3, 4, 8), (4, 4, 5, 9), (5, 5, 3, 10), (3, 2, 4, 7)]
# Big: ten people (2k), all favourable on time again, the rest mixed.
BIG = [(4 + i % 2, 1 + i % 5, 1 + (i + 1) % 5, (3, 6, 8, 9, 10)[i % 5]) for i in range(10)]
# Gloomy: nobody finds work on time (1s, 2s and 3s: none favourable).
GLOOMY = [(1, 1, 2, 3), (2, 2, 3, 6), (3, 3, 4, 8), (1, 4, 5, 9), (2, 5, 3, 10), (3, 2, 4, 7)]


def build(org):
    teams = {name: TeamFactory(org=org, name=name) for name in ("Happy", "Mixed", "Big", "Gloomy")}
    admin = PersonFactory(org=org, team=teams["Mixed"], role=Role.ADMIN, name="Ada Admin")
    boss = PersonFactory(org=org, team=teams["Mixed"], name="Hal Happy-boss")
    answers = {}
    for name, rows in (("Happy", HAPPY), ("Mixed", MIXED), ("Big", BIG), ("Gloomy", GLOOMY)):
        for row in rows:
            person = PersonFactory(org=org, team=teams[name], manager=boss if name == "Happy" else None)
            answers[person] = row
    program = make_program(org, teams=list(teams.values()))
    rnd = run_round(program, NOW, answers)
    return SimpleNamespace(org=org, admin=admin, boss=boss, program=program, round=rnd, **teams)


@pytest.fixture
def shop(org):
    return build(org)


def key(team) -> str:
    return f"team-{team.pk}"


def question_results(body, theme_index=0):
    """The API's question results, in KEYS order."""
    return [q["result"] for q in body["questions"]]


def test_a_group_all_in_one_category_is_hidden_on_every_page_and_endpoint(client, shop):
    url = f"/api/pulse/rounds/{shop.round.pk}/results"
    for viewer in (shop.admin, shop.boss):
        body = Api(viewer).get(url, group=key(shop.Happy)).json()
        on_time, recheck, engagement, enps = question_results(body)
        # All six favourable on time (an old page said 100% favourable): hidden, with the theme.
        assert on_time == hidden(gate.PROTECTED)
        assert body["constructs"][0]["result"] == hidden(gate.PROTECTED)
        # All six promoters (an old page said eNPS +100): hidden.
        assert enps == hidden(gate.PROTECTED)
        assert body["enps"] == hidden(gate.PROTECTED)
        assert recheck["suppressed"] is False and engagement["suppressed"] is False
    login(client, shop.boss)
    report = page(client, "pulse_results", group=key(shop.Happy)).context["report"]
    assert report.constructs[0].questions[0].hidden == gate.PROTECTED
    assert report.enps.hidden == gate.PROTECTED
    assert "+100" not in text_of(page(client, "pulse_results", group=key(shop.Happy)))
    # Ten people (2k) all favourable, and six none favourable: hidden too, whatever the size.
    api = Api(shop.admin)
    assert question_results(api.get(url, group=key(shop.Big)).json())[0] == hidden(gate.PROTECTED)
    assert question_results(api.get(url, group=key(shop.Gloomy)).json())[0] == hidden(gate.PROTECTED)


def test_no_shown_number_gives_a_hidden_groups_favourable_share(shop):
    """The heatmap, its slices and the published rows, as every viewer reads them: the favourable share
    of the on-time item can be read for no group made only of Happy, Big or Gloomy people, and no two
    shown groups differ by exactly one of them (which would give it by subtraction)."""
    body = Api(shop.admin).get(f"/api/pulse/rounds/{shop.round.pk}/heatmap").json()
    cells = {row["group"]["label"]: row["cells"] for row in body["rows"]}
    for name in ("Happy", "Big", "Gloomy"):
        assert cells[name][0] == hidden(gate.PROTECTED), name  # the theme of the on-time item
    assert cells["Happy"][2] == hidden(gate.PROTECTED)  # eNPS
    data = queries.round_data(shop.round)
    on_time = next(q.id for q in data.questions if q.key == "trust_task_on_time")
    shown = {
        g
        for g in gate.family(data)
        if not isinstance(gate.question_result(data, g, on_time, scope=None), gate.Suppressed)
    }
    teams = {t.pk: name for name, t in (("Happy", shop.Happy), ("Big", shop.Big), ("Gloomy", shop.Gloomy))}
    everyone = {g: {c for c in data.stats[on_time] if g.contains(c, data)} for g in shown}
    for a in shown:
        for b in shown:
            rest = everyone[a] - everyone[b] if everyone[b] <= everyone[a] else set()
            assert not (len({c[0] for c in rest}) == 1 and {c[0] for c in rest} <= set(teams)), (a, b)
    # The stored rows say the same as the pages (the published-equals-fresh rule holds).
    stamp = PublishedRound.objects.get(round=shop.round).stamp
    assert stamp == gate.results_stamp(shop.round.min_group_size)
    stored = {r.team_id_snapshot: r.heat.split("\t") for r in PublishedRow.objects.filter(round=shop.round)}
    reasons = PublishedRound.objects.get(round=shop.round).header["reasons"]
    assert reasons[int(stored[shop.Happy.pk][0])] == gate.PROTECTED


def test_small_groups_show_rounded_figures_and_changes_in_words_only(client, org):
    team = TeamFactory(org=org, name="Five")
    admin = PersonFactory(org=org, team=TeamFactory(org=org, name="People"), role=Role.ADMIN)
    five = [PersonFactory(org=org, team=team) for _ in range(5)]
    program = make_program(org, teams=[team])
    first = [(1, 2, 3, 3), (2, 3, 3, 6), (3, 4, 4, 8), (4, 1, 2, 9), (5, 5, 4, 10)]
    second = [(4, 1, 5, 9), (5, 2, 4, 10), (4, 1, 3, 9), (3, 4, 4, 8), (2, 5, 5, 4)]
    run_round(program, NOW, dict(zip(five, first, strict=True)))
    later = run_round(program, NOW + dt.timedelta(days=14), dict(zip(five, second, strict=True)))
    api = Api(admin)
    trend = api.get("/api/pulse/trends", group=key(team), construct="trust_task").json()
    # Welch between two rounds of five once printed a p-value to 17 digits: now only the words.
    assert trend["change"]["p_value"] is None
    assert trend["change"]["words"] in ("a significant rise", "a significant fall", "not significant")
    for point in trend["points"]:
        assert point["result"]["n"] is None and point["result"]["rounded"] is True
        assert round(point["result"]["value"], 1) == point["result"]["value"]
    assert trend["change"]["delta"] == round(
        trend["points"][1]["result"]["value"] - trend["points"][0]["result"]["value"], 1
    )
    body = api.get(f"/api/pulse/rounds/{later.pk}/results", group=key(team)).json()
    for c in body["constructs"]:
        assert c["result"]["n"] is None and round(c["result"]["mean"], 1) == c["result"]["mean"]
        assert round(c["result"]["favourable"], 1) == c["result"]["favourable"]
        assert c["change"]["p_value"] is None
    enps = body["enps"]
    assert enps["n"] is None and {enps["score"] % 10, enps["low"] % 10, enps["high"] % 10} == {0.0}
    assert {round(enps[s], 1) == enps[s] for s in ("promoters", "passives", "detractors")} == {True}
    assert body["participation"] == {
        "suppressed": False,
        "invited": None,
        "responded": None,
        "rate": 1.0,
        "rounded": True,
    }
    login(client, admin)
    for response in (
        page(client, "pulse_trends", group=key(team), construct="trust_task"),
        page(client, "pulse_results", group=key(team)),
    ):
        text = text_of(response).replace("(p below 0.05)", "")
        assert "p =" not in text and "p <" not in text
        assert not re.search(r"\d\.\d\d", text), re.search(r"\d\.\d\d", text)
        assert "of 5 people" not in text


def test_nobody_and_a_few_answering_say_the_same(client, org):
    solo, silent, empty = (TeamFactory(org=org, name=n) for n in ("Solo", "Silent", "Empty"))
    crowd = TeamFactory(org=org, name="Crowd")
    admin = PersonFactory(org=org, team=crowd, role=Role.ADMIN)
    talker = PersonFactory(org=org, team=solo)
    PersonFactory(org=org, team=silent)  # invited, never answers
    people = [PersonFactory(org=org, team=crowd) for _ in MIXED]
    program = make_program(org, teams=[solo, silent, empty, crowd])
    answers = dict(zip(people, MIXED, strict=True))
    answers[talker] = (3, 3, 3, 5)
    rnd = run_round(program, NOW, answers)
    api = Api(admin)
    url = f"/api/pulse/rounds/{rnd.pk}/results"
    said = {}
    for team in (solo, silent):
        body = api.get(url, group=key(team)).json()
        said[team.name] = (
            body["enps"],
            [c["result"] for c in body["constructs"]],
            [q["result"] for q in body["questions"]],
            body["drivers"],
        )
    assert said["Solo"] == said["Silent"]
    assert said["Silent"][0] == hidden(SMALL)
    heat = api.get(f"/api/pulse/rounds/{rnd.pk}/heatmap").json()
    cells = {row["group"]["label"]: row["cells"] for row in heat["rows"]}
    assert cells["Solo"] == cells["Silent"] == cells["Empty"] == [hidden(SMALL)] * 3
    # Slices of a team with nobody in a band say the same as a band of a few.
    login(client, admin)
    slices = page(client, "pulse_heatmap", construct="engagement", team=key(crowd)).context["slices"]
    empty_bands = [s.hidden for s in slices.by_band if s.label != "1–3 years"]
    assert empty_bands == [SMALL, SMALL]
    # Nobody invited and a few invited: one wording for participation too.
    empty_report = page(client, "pulse_results", group=key(empty)).context["report"]
    solo_report = page(client, "pulse_results", group=key(solo)).context["report"]
    assert (
        empty_report.participation.hidden
        == solo_report.participation.hidden
        == gate.SMALL_INVITED.format(k=5)
    )
    for response in (page(client, "pulse_results", group=key(silent)), page(client, "pulse_heatmap")):
        assert "No responses" not in response.content.decode()
    trend = api.get("/api/pulse/trends", group=key(silent), construct="enps").json()
    assert trend["points"][0]["result"] == hidden(SMALL)
