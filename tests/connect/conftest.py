from __future__ import annotations

import datetime as dt

import pytest

from accord.connect.actions import join_coffee
from tests.factories import PersonFactory, TeamFactory

# Thursday 5 March 2026, 12:00 UTC: the round plans Monday 9 March, the week the United States is on
# summer time and Europe is not yet.
US_ONLY_DST = dt.datetime(2026, 3, 5, 12, 0, tzinfo=dt.UTC)
WINTER = dt.datetime(2026, 2, 26, 12, 0, tzinfo=dt.UTC)  # plans Monday 2 March: both on winter time
SPRING = dt.datetime(2026, 4, 2, 12, 0, tzinfo=dt.UTC)  # plans Monday 6 April: both on summer time


def coffee_person(org, team, *, zone="Europe/London", start=dt.time(9), end=dt.time(17), days="12345", **kw):
    person = PersonFactory(
        org=org, team=team, timezone=zone, work_start=start, work_end=end, work_days=days, **kw
    )
    join_coffee(person, now=US_ONLY_DST)
    return person


@pytest.fixture
def departments(org):
    """Two departments with two teams each: Engineering (Platform, Product) and Sales (Americas, EMEA)."""
    eng = TeamFactory(org=org, name="Engineering")
    sales = TeamFactory(org=org, name="Sales")
    return {
        "platform": TeamFactory(org=org, name="Platform", parent=eng),
        "product": TeamFactory(org=org, name="Product", parent=eng),
        "americas": TeamFactory(org=org, name="Americas", parent=sales),
        "emea": TeamFactory(org=org, name="EMEA", parent=sales),
    }
