"""Migration 0004 seals what an existing installation already stored in the clear, and reads back the same."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accord.pulse import tally

BEFORE = [("pulse", "0003_published_rows")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_clear_rows_of_an_existing_install_are_sealed_and_read_back_the_same():
    old = migrate(BEFORE)
    try:
        Org = old.get_model("orgs", "Organisation")
        org = Org.objects.create(name="Acme", slug="acme")
        Program = old.get_model("pulse", "Program")
        program = Program.objects.create(org=org, name="Pulse")
        Round = old.get_model("pulse", "Round")
        rnd = Round.objects.create(
            org=org, program=program, number=1, opens_on="2026-03-02", closes_at="2026-03-07T00:00:00Z"
        )
        Question = old.get_model("pulse", "Question")
        question = Question.objects.create(org=org, key="q", text="Q?", construct="trust_task")
        cell = {"team_id_snapshot": None, "tenure_band": "1-3y", "region": "emea"}
        old.get_model("pulse", "CellStat").objects.create(
            org=org,
            round=rnd,
            question=question,
            n=2,
            total=7.0,
            total_sq=25.0,
            hist=[0, 0, 0, 1, 1, 0],
            **cell,
        )
        old.get_model("pulse", "CellCount").objects.create(
            org=org, round=rnd, respondents=2, commenters=1, **cell
        )
        old.get_model("pulse", "Comment").objects.create(
            org=org, round=rnd, text="Hi", thread_key="x", **cell
        )
        old.get_model("pulse", "MixingPool").objects.create(
            org=org,
            round=rnd,
            payload={"cell": [None, "1-3y", "emea"], "answers": {}, "comment": "c", "thread": ""},
        )
    finally:
        migrate(latest())
    from accord.pulse.models import Comment, MixingPool, Round

    rnd = Round.objects.get()
    found = tally.read(rnd)
    key = (Comment.objects.get().cell(),)
    assert key == ((None, "1-3y", "emea"),)
    assert (found.stats[(question.pk, key[0])], found.counts[key[0]][:3]) == (
        [2, 7.0, 25.0, [0, 0, 0, 1, 1, 0]],
        [2, 1, 0],
    )
    assert MixingPool.objects.get().opened()["comment"] == "c"
