"""Follow-through: commitments done by their due date ÷ commitments that fell due, on the owner's clock."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from accord.goals.models import CommitmentStatus as S
from accord.goals.queries import FollowThrough, follow_through, follow_through_by_person, slipping
from accord.lib.tz import UTC
from tests.factories import PersonFactory
from tests.factories.goals import day, make_commitment

pytestmark = pytest.mark.django_db

TODAY = day("2025-03-10")


def test_worked_example_for_one_person(org, team):
    kim = PersonFactory(org=org, team=team, timezone="UTC")
    make_commitment(kim, day("2025-03-01"), status=S.DONE, done_on=day("2025-02-28"))  # early: kept
    make_commitment(kim, day("2025-03-02"), status=S.DONE, done_on=day("2025-03-02"))  # on the day: kept
    make_commitment(kim, day("2025-03-03"), status=S.DONE, done_on=day("2025-03-05"))  # late
    make_commitment(kim, day("2025-03-04"))  # still open: missed
    make_commitment(kim, day("2025-03-05"), status=S.DROPPED)  # dropped: not counted at all
    make_commitment(kim, day("2025-03-09"), status=S.DONE, done_on=day("2025-03-09"))  # yesterday: kept
    make_commitment(kim, day("2025-03-10"))  # due today: not yet due
    make_commitment(kim, day("2025-03-12"), status=S.DONE, done_on=day("2025-03-08"))  # due later: not yet

    result = follow_through(kim, TODAY)

    assert (result.kept, result.due) == (3, 5)
    assert result.share == 0.6
    assert result.percent == 60
    assert result.sentence == "3 of 5 commitments done by their due date in the last 90 days"


def test_window_edges(org, team):
    kim = PersonFactory(org=org, team=team, timezone="UTC")
    assert TODAY - dt.timedelta(days=90) == day("2024-12-10")
    make_commitment(kim, day("2024-12-09"), status=S.DONE, done_on=day("2024-12-09"))  # 91 days ago: out
    make_commitment(kim, day("2024-12-10"), status=S.DONE, done_on=day("2024-12-10"))  # 90 days ago: in
    make_commitment(kim, day("2024-12-11"))  # in, missed
    make_commitment(
        kim, day("2025-03-09"), status=S.DONE, done_on=day("2025-03-10")
    )  # yesterday, done today: late
    make_commitment(kim, day("2025-03-10"), status=S.DONE, done_on=day("2025-03-10"))  # today: not yet due

    assert follow_through(kim, TODAY) == FollowThrough(kept=1, due=3)
    # A shorter window moves the edge with it.
    assert follow_through(kim, TODAY, window_days=1) == FollowThrough(kept=0, due=1, window_days=1)
    assert follow_through(kim, TODAY, window_days=91) == FollowThrough(kept=2, due=4, window_days=91)


def test_dropped_commitments_are_left_out_entirely(org, team):
    kim = PersonFactory(org=org, team=team, timezone="UTC")
    make_commitment(kim, day("2025-03-01"), status=S.DROPPED)
    make_commitment(kim, day("2025-03-02"), status=S.DROPPED)

    result = follow_through(kim, TODAY)

    assert result == FollowThrough(kept=0, due=0)
    assert result.share is None
    assert result.sentence == "No commitments fell due in the last 90 days."


def test_one_commitment_reads_in_the_singular(org, team):
    kim = PersonFactory(org=org, team=team, timezone="UTC")
    make_commitment(kim, day("2025-03-01"), status=S.DONE, done_on=day("2025-03-01"))

    assert follow_through(kim, TODAY).sentence == "1 of 1 commitment done by its due date in the last 90 days"


# 20:00 UTC on 10 March is already 07:00 on 11 March in Sydney (UTC+11 in its summer).
EVENING_UTC = dt.datetime(2025, 3, 10, 20, 0, tzinfo=UTC)


def test_due_today_in_sydney_while_still_yesterday_in_utc_is_not_yet_due(org, team):
    sydney = PersonFactory(org=org, team=team, timezone="Australia/Sydney")
    make_commitment(sydney, day("2025-03-11"))  # today in Sydney, tomorrow in UTC: not yet due
    make_commitment(sydney, day("2025-03-10"))  # yesterday in Sydney (today in UTC): fell due, missed

    assert follow_through(sydney, EVENING_UTC) == FollowThrough(kept=0, due=1)
    with time_machine.travel(EVENING_UTC, tick=False):
        assert follow_through(sydney) == FollowThrough(kept=0, due=1)
        assert [c.due_on for c in slipping(sydney)] == [day("2025-03-10")]
    # Read on a UTC clock the same rows would give a different, wrong answer.
    assert follow_through(sydney, day("2025-03-10")) == FollowThrough(kept=0, due=0)


def test_due_today_in_los_angeles_while_already_tomorrow_in_utc_is_not_yet_due(org, team):
    la = PersonFactory(org=org, team=team, timezone="America/Los_Angeles")
    make_commitment(la, day("2025-03-10"))
    # 03:00 UTC on 11 March is 20:00 on 10 March in Los Angeles (UTC−7 after the DST change on 9 March).
    early_utc = dt.datetime(2025, 3, 11, 3, 0, tzinfo=UTC)

    assert follow_through(la, early_utc) == FollowThrough(kept=0, due=0)
    assert slipping(la, early_utc) == []
    assert follow_through(la, early_utc + dt.timedelta(hours=7)) == FollowThrough(kept=0, due=1)


def test_a_team_is_the_sum_of_its_members_each_on_their_own_clock(org, team):
    sydney = PersonFactory(org=org, team=team, timezone="Australia/Sydney")
    london = PersonFactory(org=org, team=team, timezone="Europe/London")
    for person in (sydney, london):
        make_commitment(person, day("2025-03-03"), status=S.DONE, done_on=day("2025-03-03"))
        make_commitment(person, day("2025-03-04"), status=S.DONE, done_on=day("2025-03-06"))
        make_commitment(person, day("2025-03-10"), status=S.DONE, done_on=day("2025-03-10"))

    by_person = follow_through_by_person([sydney, london], EVENING_UTC)
    total = follow_through([sydney, london], EVENING_UTC)

    # In Sydney 10 March is over (due, kept); in London it is still 10 March (not yet due).
    assert by_person == {sydney.pk: FollowThrough(2, 3), london.pk: FollowThrough(1, 2)}
    assert total == FollowThrough(3, 5)
    assert total.sentence == "3 of 5 commitments done by their due date in the last 90 days"


def test_only_the_given_people_count(org, team, other_org, outsider):
    kim = PersonFactory(org=org, team=team, timezone="UTC")
    lee = PersonFactory(org=org, team=team, timezone="UTC")
    make_commitment(lee, day("2025-03-01"))
    make_commitment(outsider, day("2025-03-01"))

    assert follow_through(kim, TODAY) == FollowThrough(0, 0)
    assert follow_through([], TODAY) == FollowThrough(0, 0)


def test_slipping_lists_open_commitments_past_due_oldest_first(org, team):
    kim = PersonFactory(org=org, team=team, timezone="UTC")
    make_commitment(kim, day("2025-03-09"), title="B")
    make_commitment(kim, day("2025-02-01"), title="A")
    make_commitment(kim, day("2025-03-01"), status=S.DONE, done_on=day("2025-03-05"), title="done late")
    make_commitment(kim, day("2025-03-01"), status=S.DROPPED, title="dropped")
    make_commitment(kim, day("2025-03-10"), title="due today")

    found = slipping(kim, TODAY)

    assert [(c.title, c.days_late) for c in found] == [("A", 37), ("B", 1)]


def test_many_people_cost_one_query(org, team, django_assert_num_queries):
    crowd = [
        PersonFactory(org=org, team=team, timezone=z) for z in ["UTC", "Asia/Kolkata", "America/Bogota"] * 17
    ]
    for p in crowd:
        make_commitment(p, day("2025-03-01"), status=S.DONE, done_on=day("2025-03-01"))

    with django_assert_num_queries(1):
        assert follow_through(crowd, EVENING_UTC) == FollowThrough(51, 51)
    with django_assert_num_queries(1):
        assert len(slipping(crowd, EVENING_UTC)) == 0


def test_naive_moments_are_refused(org, team):
    kim = PersonFactory(org=org, team=team)
    with pytest.raises(ValueError, match="aware"):
        follow_through(kim, dt.datetime(2025, 3, 10, 12, 0))  # noqa: DTZ001 - the point of the test
