"""A follow-the-sun chain for handoff tests: Manila → Kraków → Bogotá, weekdays, with two people each."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.handoffs.actions import ShiftIn
from accord.handoffs.models import Shift
from tests.factories import PersonFactory
from tests.factories.handoffs import make_chain


def rows(people):
    """The three shifts. On WEDNESDAY (tests.factories.handoffs), a winter day, Manila 05:00–13:00 is
    21:00 (Tue)–05:00 UTC, Kraków 06:00–15:00 is 05:00–14:00 UTC, Bogotá 08:00–16:00 is 13:00–21:00 UTC."""
    return [
        ShiftIn(
            "Manila", "Asia/Manila", dt.time(5), dt.time(13), "12345", people=[p.pk for p in people["Manila"]]
        ),
        ShiftIn(
            "Kraków",
            "Europe/Warsaw",
            dt.time(6),
            dt.time(15),
            "12345",
            people=[p.pk for p in people["Kraków"]],
        ),
        ShiftIn(
            "Bogotá",
            "America/Bogota",
            dt.time(8),
            dt.time(16),
            "12345",
            people=[p.pk for p in people["Bogotá"]],
        ),
    ]


@pytest.fixture
def crew(org, team, manager):
    """Two people per shift, with declared hours matching their shift, all reporting to `manager`."""

    def person(name, zone, start, end):
        return PersonFactory(
            org=org,
            team=team,
            manager=manager,
            name=name,
            timezone=zone,
            work_start=start,
            work_end=end,
            email=f"{name.split()[0].lower()}@acme.test",
        )

    return {
        "Manila": [
            person("Maria Santos", "Asia/Manila", dt.time(5), dt.time(13)),
            person("Paolo Reyes", "Asia/Manila", dt.time(9), dt.time(17)),
        ],
        "Kraków": [
            person("Zofia Nowak", "Europe/Warsaw", dt.time(6), dt.time(15)),
            person("Piotr Mazur", "Europe/Warsaw", dt.time(8), dt.time(16)),
        ],
        "Bogotá": [
            person("Camila Gómez", "America/Bogota", dt.time(8), dt.time(16)),
            person("Mateo Vargas", "America/Bogota", dt.time(10), dt.time(18)),
        ],
    }


@pytest.fixture
def chain(org, team, manager, crew):
    return make_chain(org, team, manager, rows(crew))


@pytest.fixture
def shifts(chain):
    return {s.name: s for s in Shift.objects.filter(chain=chain)}


def utc(*args):
    return dt.datetime(*args, tzinfo=dt.UTC)
