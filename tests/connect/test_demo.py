"""The demo's coffee chats and profiles: eight rounds through the real matching, with answers, and most
people's Working with me pages, the same for the same day."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.connect import matching
from accord.connect.models import CoffeeGroupMember, CoffeeMember, CoffeeRound, CoffeeSettings, Met, Profile
from accord.connect.queries import overview
from accord.demo import people
from accord.demo.connect import build_connect
from accord.orgs.models import Organisation

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 11)  # a Wednesday: the latest round's week has begun


@pytest.fixture
def cast():
    org = Organisation.objects.create(name="Wonderful Websites", slug="wonderful")
    cast = people.build_people(org, today=TODAY, password_hash="!")
    build_connect(cast)
    return cast


def snapshot(org):
    return [
        (
            r.number,
            r.week_start,
            r.unmatched,
            sorted(
                (
                    tuple(sorted(s.person.email for s in g.members.all())),
                    g.icebreaker,
                    tuple(s.met for s in g.members.all()),
                )
                for g in r.groups.prefetch_related("members__person")
            ),
        )
        for r in CoffeeRound.objects.filter(org=org).order_by("number")
    ]


def test_eight_rounds_with_answers(cast):
    rounds = list(CoffeeRound.objects.filter(org=cast.org).order_by("number"))
    assert [r.number for r in rounds] == list(range(1, 9))
    assert rounds[-1].week_start == dt.date(2026, 3, 9)
    assert {(b.week_start - a.week_start).days for a, b in zip(rounds, rounds[1:], strict=False)} == {14}
    seats = CoffeeGroupMember.objects.filter(org=cast.org)
    answers = {m: seats.filter(met=m).count() for m in Met.values}
    assert answers[Met.YES] > answers[Met.NO] > answers[Met.SKIPPED] > 0
    assert seats.filter(met="").exists()  # not everyone answered
    # The paused are named with their date in the latest round.
    paused = CoffeeMember.objects.filter(org=cast.org, paused_until__isnull=False)
    assert paused.count() == 3
    assert {row["name"] for row in rounds[-1].unmatched} >= {m.person.name for m in paused}
    assert CoffeeSettings.objects.get(org=cast.org).next_round_at == dt.datetime(
        2026, 3, 12, 12, tzinfo=dt.UTC
    )


def test_the_rounds_keep_the_rules(cast):
    seen: list[set[tuple[int, int]]] = []
    for rnd in CoffeeRound.objects.filter(org=cast.org).order_by("number"):
        pairs = set()
        sizes = []
        for g in rnd.groups.prefetch_related("members__person"):
            ids = [s.person for s in g.members.all()]
            sizes.append(len(ids))
            sigs = [(p.timezone, p.work_start, p.work_end, p.work_days) for p in ids]
            assert matching.longest(matching.shared_windows(sigs, rnd.week_start)) >= matching.MIN_OVERLAP
            for i, a in enumerate(ids):
                for b in ids[i + 1 :]:
                    pairs.add(matching.pair_key(a.pk, b.pk))
        assert sizes.count(3) <= 1 and set(sizes) <= {2, 3}
        for earlier in seen[-rnd.avoid_rounds :]:
            assert not pairs & earlier
        seen.append(pairs)
    figures, dept_pairs = overview(cast.org)
    assert len(figures) == 8 and len(dept_pairs) >= 4
    assert all(f.new_cross_total > 0 and f.met_groups > 0 for f in figures)


def test_most_people_wrote_a_profile(cast):
    profiles = Profile.objects.filter(org=cast.org)
    assert 0.7 * len(cast.people) <= profiles.count() < len(cast.people)
    assert profiles.get(person=cast.by_key["l1_member"]).how_i_work.startswith("I do my best thinking")
    texts = [p.how_i_work for p in profiles if p.how_i_work]
    assert len(set(texts)) > 0.8 * len(texts)  # varied, not one text copied around


def test_same_day_same_coffee_history(cast):
    first = snapshot(cast.org)
    other = Organisation.objects.create(name="Again", slug="again")
    again = people.build_people(other, today=TODAY, password_hash="!")
    build_connect(again)
    by_email = {p.pk: p.email for p in again.people}
    assert len(first) == 8
    assert [(n, w, [r["name"] for r in u], g) for n, w, u, g in first] == [
        (n, w, [r["name"] for r in u], g) for n, w, u, g in snapshot(other)
    ]
    assert by_email
