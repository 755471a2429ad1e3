"""A request never publishes a round. Stale or missing published results (new gate rules after an
upgrade, a restore, answers mixed in after publishing) are rebuilt by the republish task, queued at most
once per round by the requests that find them stale and by the worker at start, or by `accord republish`;
until then every results page says they are being prepared and the API answers its documented 409."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from accord import cli
from accord.pulse import actions, gate, queries
from accord.pulse.models import PublishedRound, PublishedRow, Round
from accord.pulse.publishing import republish_round
from accord.pulse.results import heatmaps
from tests.api_client import Api
from tests.conftest import login
from tests.factories import PersonFactory, TeamFactory
from tests.pulse.test_results import NOW, build_acme, make_program, run_round

PULSE_TABLES = {m._meta.db_table for m in apps.get_app_config("pulse").get_models()}
PREPARING = "These results are being prepared"
DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def pulse_writes(captured: CaptureQueriesContext) -> list[str]:
    """The statements that wrote to a pulse table."""
    found = []
    for query in captured.captured_queries:
        sql = query["sql"].lstrip()
        verb = sql.split(None, 1)[0].upper() if sql else ""
        if verb in {"INSERT", "UPDATE", "DELETE", "REPLACE"} and any(
            f'"{t}"' in sql or f" {t} " in sql for t in PULSE_TABLES
        ):
            found.append(sql)
    return found


def republish_tasks(rnd: Round) -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(
            task_path=republish_round.module_path, args_kwargs__kwargs__round_id=rnd.pk
        )
    )


def make_stale(rnd: Round, how: str) -> None:
    if how == "missing":
        PublishedRow.objects.filter(round=rnd).delete()
        PublishedRound.objects.filter(round=rnd).delete()
    else:  # published under older rules
        PublishedRound.objects.filter(round=rnd).update(stamp="2020-01/older-rules;k=5")


def requests_of(acme):
    """Every results page and endpoint that reads the round, as (who, kind, url, params)."""
    rnd = acme.round
    out = []
    for person in (acme.admin, acme.maya):
        out += [
            (person, "page", reverse("pulse_results"), {"round": rnd.pk}),
            (person, "page", reverse("pulse_heatmap"), {"round": rnd.pk}),
            (person, "page", reverse("pulse_trends"), {"program": acme.program.pk}),
            (person, "api", f"/api/pulse/rounds/{rnd.pk}/groups", {}),
            (person, "api", f"/api/pulse/rounds/{rnd.pk}/results", {}),
            (person, "api", f"/api/pulse/rounds/{rnd.pk}/heatmap", {}),
            (person, "api", "/api/pulse/trends", {"program": acme.program.pk}),
        ]
    return out


def get(client, person, kind, url, params):
    if kind == "api":
        return Api(person).get(url, **params)
    login(client, person)
    return client.get(url, params)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("how", ["stamp", "missing"])
def test_a_get_of_a_stale_round_writes_nothing_says_preparing_and_queues_one_task(client, org, settings, how):
    acme = build_acme(org)
    rnd = acme.round
    before = heatmaps.heatmap_page(rnd, None, None, None)
    settings.TASKS = DB_QUEUE
    make_stale(rnd, how)
    calls = requests_of(acme)
    for person, kind, url, params in calls:
        with CaptureQueriesContext(connection) as captured:
            response = get(client, person, kind, url, params)
        assert pulse_writes(captured) == [], url
        if kind == "page":
            assert response.status_code == 200, url
            assert PREPARING in response.content.decode(), url
        else:
            assert response.status_code == 409, url
            assert response.json()["detail"].startswith(PREPARING), url
            assert response["Retry-After"] == "60"
    # Fourteen requests, one task for the round (no pile-up), and nothing published yet.
    assert [t.status for t in republish_tasks(rnd)] == ["READY"]
    assert not PublishedRound.objects.filter(round=rnd).exclude(stamp__startswith="2020").exists()

    with CaptureQueriesContext(connection) as captured:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    assert pulse_writes(captured)  # the worker does write: the check above can see a write

    assert [t.status for t in republish_tasks(rnd)] == ["SUCCESSFUL"]
    assert PublishedRound.objects.get(round=rnd).stamp == gate.results_stamp(rnd.min_group_size)
    for person, kind, url, params in calls:
        response = get(client, person, kind, url, params)
        assert response.status_code == 200, url
        if kind == "page":
            assert PREPARING not in response.content.decode()
    login(client, acme.admin)
    page = client.get(reverse("pulse_heatmap"), {"round": rnd.pk})
    assert page.context["table"] == before.table and page.context["slices"] == before.slices
    # Current again: no more tasks.
    assert len(republish_tasks(rnd)) == 1


@pytest.mark.django_db
def test_a_running_task_is_not_doubled_and_a_finished_one_can_be_asked_again(org, settings):
    acme = build_acme(org)
    settings.TASKS = DB_QUEUE
    make_stale(acme.round, "stamp")
    assert actions.request_republish([acme.round]) == 1
    DBTaskResult.objects.filter(task_path=republish_round.module_path).update(status="RUNNING")
    assert actions.request_republish([acme.round, acme.round]) == 0
    DBTaskResult.objects.filter(task_path=republish_round.module_path).update(status="FAILED")
    assert actions.request_republish([acme.round]) == 1
    assert len(republish_tasks(acme.round)) == 2


@pytest.mark.django_db
def test_closing_publishes_at_once_and_nothing_is_stale(org):
    acme = build_acme(org)  # run_round closes the round through actions.close_round
    assert PublishedRound.objects.get(round=acme.round).stamp == gate.results_stamp(acme.round.min_group_size)
    assert queries.stale_rounds() == []
    assert heatmaps.heatmap_page(acme.round, None, None, None).table.rows


@pytest.mark.django_db
def test_the_republish_command(org, other_org):
    acme = build_acme(org)
    rnd = acme.round
    expected = heatmaps.heatmap_page(rnd, None, None, None)
    team = TeamFactory(org=other_org, name="Sales")
    others = [PersonFactory(org=other_org, team=team) for _ in range(6)]
    other = run_round(make_program(other_org), NOW, {p: (4, 2, 4, 8) for p in others})
    make_stale(rnd, "stamp")
    make_stale(other, "missing")

    def run(*args: str) -> str:
        out = io.StringIO()
        call_command("republish", *args, stdout=out)
        return out.getvalue()

    for args, message in [
        ((), "Say which rounds"),
        (("--org", "nope"), "No organisation with the slug 'nope'"),
        (("--round", "999999"), "No round 999999"),
        (("--org", "acme", "--round", str(other.pk)), f"No round {other.pk} in acme"),
    ]:
        with pytest.raises(CommandError, match=message):
            run(*args)
    assert {r.pk for r in queries.stale_rounds()} == {rnd.pk, other.pk}

    said = run("--org", "acme")
    assert said.splitlines() == [
        f"acme: Fortnightly pulse, round {rnd.number} (id {rnd.pk}): published",
        "Republished 1 round.",
    ]
    assert [r.pk for r in queries.stale_rounds()] == [other.pk]
    assert heatmaps.heatmap_page(Round.objects.get(pk=rnd.pk), None, None, None) == expected
    assert run("--round", str(rnd.pk)) == "Nothing to republish: every published result is current.\n"
    assert run("--all-stale").splitlines()[-1] == "Republished 1 round."
    assert queries.stale_rounds() == []
    assert PublishedRow.objects.filter(round=other).count() == len(other.team_tree) + 1


@pytest.mark.django_db
def test_an_open_round_is_refused_by_the_command(org):
    team = TeamFactory(org=org, name="Everyone")
    [PersonFactory(org=org, team=team) for _ in range(3)]
    rnd = actions.open_round(make_program(org), NOW)
    with pytest.raises(CommandError, match="still open"):
        call_command("republish", "--round", str(rnd.pk), stdout=io.StringIO())


@pytest.mark.django_db
def test_accord_republish_on_the_command_line(org, capsys):
    acme = build_acme(org)
    make_stale(acme.round, "missing")
    assert cli.main(["republish", "--org", "nope"]) == 2
    assert "No organisation with the slug 'nope'" in capsys.readouterr().err
    assert cli.main(["republish", "--all-stale"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "Republished 1 round."
    assert queries.stale_rounds() == []


@pytest.mark.django_db(transaction=True)
def test_the_worker_republishes_stale_rounds_at_start_without_any_request(org, settings):
    acme = build_acme(org)
    settings.TASKS = DB_QUEUE
    make_stale(acme.round, "stamp")
    assert cli.main(["worker", "--batch"]) == 0
    assert [t.status for t in republish_tasks(acme.round)] == ["SUCCESSFUL"]
    assert queries.stale_rounds() == []
