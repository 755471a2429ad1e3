"""Helpers for kudos tests: a quick way to give kudos and the scheduler's registry kept clean."""

from __future__ import annotations

import pytest

from accord.kudos.actions import give_kudos
from accord.lib import jobs


@pytest.fixture
def registry():
    jobs.load_jobs()
    saved = list(jobs.REGISTRY)
    yield jobs.REGISTRY
    jobs.REGISTRY[:] = saved


def thank(giver, *people, message="Thanks for the careful review.", **kw):
    return give_kudos(giver, recipients=list(people), message=message, **kw)
