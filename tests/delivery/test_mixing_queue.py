"""At most one mixing task waits in the queue per pulse round, however many answers arrive."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from accord.delivery.worker import Worker
from accord.pulse import actions
from accord.pulse.models import MixingPool, Participation, Response
from accord.pulse.tasks import MIX_PATH
from tests.pulse.test_actions import MONDAY, answer_all, make_program, people

pytestmark = pytest.mark.django_db(transaction=True)


def waiting() -> int:
    return DBTaskResult.objects.filter(task_path=MIX_PATH, status="READY").count()


def test_one_mixing_task_waits_per_round(settings, org, team):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    people(org, team, 20)
    rnd = actions.open_round(make_program(org, actions.ensure_bank(org)), MONDAY)
    parts = list(Participation.objects.filter(round=rnd).order_by("id"))

    answer_all(rnd, parts[:9])
    assert waiting() == 0  # k = 5: fewer than 2k pooled
    answer_all(rnd, parts[9:14])
    assert waiting() == 1  # five submissions at or past 2k, one task

    Worker(interval=0, batch=True).run()
    assert (waiting(), MixingPool.objects.count(), Response.objects.count()) == (0, 5, 9)

    answer_all(rnd, parts[14:20])
    assert (waiting(), MixingPool.objects.count()) == (1, 11)
