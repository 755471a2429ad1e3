from __future__ import annotations

import datetime as dt

import pytest

from accord.lib import jobs
from accord.meetings.actions import Slot, create_series
from accord.meetings.models import Cadence


def make_series(
    org,
    manager,
    report,
    *,
    actor=None,
    cadence=Cadence.WEEKLY,
    weekday=2,
    at=dt.time(10),
    now=None,
    minutes=30,
):
    return create_series(
        org,
        actor=actor or manager,
        manager=manager,
        report=report,
        slot=Slot(cadence, weekday, at, minutes),
        now=now,
    )


@pytest.fixture
def registry():
    jobs.load_jobs()
    saved = list(jobs.REGISTRY)
    yield jobs.REGISTRY
    jobs.REGISTRY[:] = saved


@pytest.fixture
def series(org, manager, member):
    return make_series(org, manager, member)
