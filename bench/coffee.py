#!/usr/bin/env python3
"""A coffee-chat round at scale: matching many opted-in people across many time zones.

    .venv/bin/python bench/coffee.py --people 10000     # the issue's size (about a minute to build)
    .venv/bin/python bench/coffee.py --people 2000      # a quick try

What it does, in one run (fixed seed, so two runs build the same data):

1. Builds one organisation in a throwaway SQLite database (--db, recreated each run; the app's own
   settings): --people people in 8 departments of 3 to 6 teams, spread over 40 time zones (every
   whole, half and quarter-hour offset from UTC-10 to UTC+13, DST and not), with varied hours and
   working days, each department living mostly in six zones of its own, everyone opted in. Then a
   history of --history rounds (20): each pairs neighbours in the order of their working day's UTC
   middle, as a past round would, stored as real rounds, groups and seats. The build uses bulk
   inserts and is not timed.
2. The round (timed, the headline): `actions.pair_coffee_round`, exactly what the scheduler and the
   admin's button run: read the members and the whole history from the database, match (overlap per
   date in real zones, repeats in the last 6 rounds excluded, networkx max-weight matching over the
   restricted candidate graph described in accord/connect/matching.py), and store the round, its
   groups and seats with each person's email time.
3. The matching alone (timed): `matching.match` on the same inputs, without the database.
4. The reference (timed): a greedy pairing of the same people under the same rules (30 minutes of
   overlap, no repeat within 6 rounds): in the same order of working-day middles, each person takes
   the first allowed partner among the next 50 still free. Printed as ratios: time, and the share of
   pairs that are cross-department.
5. The trade-off (timed, --check people, 600): the restricted graph against the full one (every
   allowed edge, one piece) on the first --check people: total weight and time of each.

Goal (issue 5): the round for 10,000 people in under 10 s. Tests never time anything; this script
only prints. The last line is `match s: <the round's seconds>`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from collections.abc import Sequence

from common import fresh_sqlite, setup_django, sqlite_url  # bench/common.py

SEED = 20260305
NOW = dt.datetime(2026, 3, 5, 12, 0, tzinfo=dt.UTC)  # a Thursday; plans the week the US alone is on DST
ZONES: tuple[tuple[str, int], ...] = (
    ("Pacific/Honolulu", 1),
    ("America/Anchorage", 1),
    ("America/Los_Angeles", 8),
    ("America/Denver", 3),
    ("America/Phoenix", 1),
    ("America/Chicago", 6),
    ("America/New_York", 10),
    ("America/Bogota", 4),
    ("America/Caracas", 1),
    ("America/Sao_Paulo", 5),
    ("America/St_Johns", 1),
    ("America/Argentina/Buenos_Aires", 2),
    ("Atlantic/Azores", 1),
    ("Europe/London", 8),
    ("Europe/Lisbon", 2),
    ("Europe/Berlin", 7),
    ("Europe/Paris", 4),
    ("Europe/Warsaw", 4),
    ("Africa/Lagos", 3),
    ("Africa/Nairobi", 2),
    ("Europe/Athens", 2),
    ("Europe/Istanbul", 2),
    ("Asia/Tehran", 1),
    ("Asia/Dubai", 2),
    ("Asia/Kabul", 1),
    ("Asia/Karachi", 2),
    ("Asia/Kolkata", 8),
    ("Asia/Kathmandu", 2),
    ("Asia/Dhaka", 2),
    ("Asia/Yangon", 1),
    ("Asia/Bangkok", 2),
    ("Asia/Manila", 4),
    ("Asia/Singapore", 3),
    ("Asia/Tokyo", 3),
    ("Australia/Eucla", 1),
    ("Australia/Adelaide", 1),
    ("Australia/Sydney", 4),
    ("Australia/Lord_Howe", 1),
    ("Pacific/Auckland", 2),
    ("Pacific/Chatham", 1),
)
HOURS = (
    (dt.time(9), dt.time(17)),
    (dt.time(8, 30), dt.time(16, 30)),
    (dt.time(10), dt.time(18)),
    (dt.time(7), dt.time(15)),
)
DAYS = (("12345", 85), ("1234", 8), ("12347", 4), ("23456", 3))
DEPARTMENTS = ("Engineering", "Support", "Sales", "Marketing", "Product", "Finance", "People", "Operations")
DEPARTMENT_WEIGHTS = (30, 20, 15, 8, 10, 5, 4, 8)
HOME_SHARE = 0.7


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--people", type=int, default=10_000, help="opted-in people (10000)")
    p.add_argument("--history", type=int, default=20, help="past rounds (20)")
    p.add_argument("--check", type=int, default=600, help="people in the restricted-vs-full check (600)")
    p.add_argument("--db", default="/tmp/accord-bench-coffee.sqlite3", help="throwaway SQLite file")
    args = p.parse_args(argv)
    if args.people < 2:
        p.error("--people must be at least 2")
    return args


def build(args: argparse.Namespace) -> int:
    from django.db import transaction

    from accord.connect import matching
    from accord.connect.actions import coffee_settings
    from accord.connect.models import CoffeeGroup, CoffeeGroupMember, CoffeeMember, CoffeeRound
    from accord.orgs.models import Organisation, Person, Team

    rng = random.Random(SEED)
    zones, zone_weights = zip(*ZONES, strict=True)
    with transaction.atomic():
        org = Organisation.objects.create(name="Bench", slug="bench")
        tops = Team.objects.bulk_create([Team(org=org, name=name) for name in DEPARTMENTS])
        subs = Team.objects.bulk_create(
            [
                Team(org=org, name=f"{top.name} {i + 1}", parent=top)
                for top in tops
                for i in range(rng.randint(3, 6))
            ]
        )
        teams_of = {top.pk: [t for t in subs if t.parent_id == top.pk] for top in tops}
        people = []
        # Departments cluster in places, as real ones do (support in a few hubs, sales near customers):
        # most of each department lives in its own six zones, which makes a cross-department partner
        # with overlapping hours something the matching has to find rather than a given.
        homes = {top.pk: rng.sample(zones, 6) for top in tops}
        for i in range(args.people):
            top = rng.choices(tops, DEPARTMENT_WEIGHTS)[0]
            start, end = rng.choice(HOURS)
            zone = (
                rng.choice(homes[top.pk])
                if rng.random() < HOME_SHARE
                else rng.choices(zones, zone_weights)[0]
            )
            people.append(
                Person(
                    org=org,
                    email=f"p{i}@bench.example",
                    name=f"Person {i:05d}",
                    team=rng.choice(teams_of[top.pk]),
                    timezone=zone,
                    work_start=start,
                    work_end=end,
                    work_days=rng.choices([d for d, _ in DAYS], [w for _, w in DAYS])[0],
                )
            )
        Person.objects.bulk_create(people, batch_size=5000)
        CoffeeMember.objects.bulk_create(
            [CoffeeMember(org=org, person=p, joined_at=NOW - dt.timedelta(weeks=60)) for p in people],
            batch_size=5000,
        )
        coffee_settings(org, NOW)
        # History: round r paired neighbours in the order of their working day's middle (as blocks do).
        for number in range(1, args.history + 1):
            ran = NOW - dt.timedelta(weeks=2 * (args.history - number + 1))
            week = ran.date() + dt.timedelta(days=8 - ran.isoweekday())

            def middle(p: Person, week: dt.date = week) -> tuple[int, float]:
                wins = matching.windows((p.timezone, p.work_start, p.work_end, p.work_days), week)
                return (((wins[0][0] + wins[0][1]) // 2) % 1440 if wins else 0, rng.random())

            order = sorted(people, key=middle)
            rnd = CoffeeRound.objects.create(org=org, number=number, week_start=week, ran_at=ran)
            pairs = [order[k : k + 2] for k in range(0, len(order) - 1, 2)]
            groups = CoffeeGroup.objects.bulk_create(
                [CoffeeGroup(org=org, round=rnd, icebreaker=rng.randrange(50)) for _ in pairs],
                batch_size=5000,
            )
            CoffeeGroupMember.objects.bulk_create(
                [
                    CoffeeGroupMember(org=org, group=g, person=p, met="yes")
                    for g, pair in zip(groups, pairs, strict=True)
                    for p in pair
                ],
                batch_size=5000,
            )
    return org.pk


def inputs(org_id: int) -> tuple[list, dt.date, set, set, int]:
    """The matching's inputs, read as the round action reads them."""
    from accord.connect import actions, matching, queries
    from accord.connect.models import CoffeeMember
    from accord.orgs.models import Organisation

    org = Organisation.objects.get(pk=org_id)
    dept = queries.departments(org)
    found = actions.coffee_settings(org)
    people = [
        m.person
        for m in CoffeeMember.objects.filter(org=org, active=True)
        .select_related("person")
        .order_by("person_id")
    ]
    candidates = [
        matching.Candidate(
            p.pk, dept.get(p.team_id, ""), p.team_id, p.timezone, p.work_start, p.work_end, p.work_days
        )
        for p in people
    ]
    recent, before, _, _ = actions._history(org, found.avoid_rounds)
    return candidates, actions.week_after(NOW), recent, before, found.cross_department_weight


def greedy(candidates: list, week: dt.date, recent: set, before: set, weight: int) -> list[list[int]]:
    """The reference: same rules, first allowed partner among the next 50 free people in day order."""
    from accord.connect import matching

    graph = matching._Graph(candidates, week, recent, before, weight)
    rng = random.Random(SEED)
    order = sorted(candidates, key=lambda p: (matching._centre(p, week), rng.random()))
    free = [True] * len(order)
    groups = []
    for i, a in enumerate(order):
        if not free[i]:
            continue
        looked = 0
        for j in range(i + 1, len(order)):
            if not free[j]:
                continue
            looked += 1
            if graph.weight(a, order[j]) is not None:
                free[i] = free[j] = False
                groups.append([a.id, order[j].id])
                break
            if looked >= 50:
                break
    return groups


def cross_share(groups: list[list[int]], dept_of: dict[int, str]) -> float:
    from accord.connect.matching import department_pairs

    return sum(1 for g in groups if department_pairs([dept_of[i] for i in g])) / max(1, len(groups))


def total_weight(groups: list[list[int]], graph: object, by_id: dict) -> int:
    total = 0
    for g in groups:
        for i, a in enumerate(g):
            for b in g[i + 1 :]:
                total += graph.weight(by_id[a], by_id[b]) or 0  # type: ignore[attr-defined]
    return total


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    db_path = fresh_sqlite(args.db)
    setup_django(sqlite_url(db_path), secret="bench-coffee-not-a-secret", task_queue=True)
    from django.core.management import call_command

    from accord.connect import matching
    from accord.connect.actions import pair_coffee_round
    from accord.connect.models import CoffeeGroupMember
    from accord.orgs.models import Organisation

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    org_id = build(args)
    print(
        f"build: {time.perf_counter() - t0:.1f} s for {args.people:,} people in {len(ZONES)} time zones, "
        f"{args.history} past rounds ({CoffeeGroupMember.objects.count():,} seats); not counted below"
    )

    candidates, week, recent, before, weight = inputs(org_id)
    dept_of = {c.id: c.department for c in candidates}
    by_id = {c.id: c for c in candidates}

    matching.windows.cache_clear()
    t = time.perf_counter()
    result = matching.match(
        candidates, week, recent=recent, met_before=before, cross_department=weight, seed="bench"
    )
    t_match = time.perf_counter() - t

    t = time.perf_counter()
    reference = greedy(candidates, week, recent, before, weight)
    t_greedy = time.perf_counter() - t

    matching.windows.cache_clear()
    org = Organisation.objects.get(pk=org_id)
    t = time.perf_counter()
    rnd = pair_coffee_round(org, NOW)
    t_round = time.perf_counter() - t

    graph = matching._Graph(candidates, week, recent, before, weight)
    groups = result.groups
    paired = sum(len(g) for g in groups)
    print(f"week planned: {week} (New York on summer time, Europe not yet)")
    print(
        f"matched: {len(groups):,} groups ({sum(1 for g in groups if len(g) == 3)} of three), "
        f"{paired:,} of {len(candidates):,} people; unmatched {len(result.unmatched)}"
    )
    print(f"greedy:  {len(reference):,} pairs, {sum(len(g) for g in reference):,} people")
    share, share_greedy = cross_share(groups, dept_of), cross_share(reference, dept_of)
    ratio = share / share_greedy
    print(f"cross-department share: matched {share:.1%}, greedy {share_greedy:.1%}, ratio {ratio:.2f}")
    w, wg = total_weight(groups, graph, by_id), total_weight(reference, graph, by_id)
    print(f"total weight: matched {w:,}, greedy {wg:,}, ratio {w / max(1, wg):.3f}")
    print(
        f"matching alone: {t_match:.2f} s; greedy reference {t_greedy:.2f} s; ratio {t_match / t_greedy:.1f}"
    )
    print(f"round (database in and out, {rnd.groups.count():,} groups stored): {t_round:.2f} s")

    if args.check:
        sample = candidates[: args.check]
        t = time.perf_counter()
        restricted = matching.match(
            sample, week, recent=recent, met_before=before, cross_department=weight, block=args.check // 4
        )
        t_r = time.perf_counter() - t
        t = time.perf_counter()
        full = matching.match(
            sample, week, recent=recent, met_before=before, cross_department=weight, block=10**9
        )
        t_f = time.perf_counter() - t
        sub_graph = matching._Graph(sample, week, recent, before, weight)
        sub = {c.id: c for c in sample}
        wr, wf = total_weight(restricted.groups, sub_graph, sub), total_weight(full.groups, sub_graph, sub)
        cross_r, cross_f = cross_share(restricted.groups, dept_of), cross_share(full.groups, dept_of)
        print(
            f"trade-off on {len(sample)} people: restricted (blocks of {args.check // 4}, "
            f"{matching.K} edges each) weight {wr:,} in {t_r:.2f} s; full graph {wf:,} in {t_f:.2f} s; "
            f"weight ratio {wr / max(1, wf):.3f}, cross-department {cross_r:.1%} vs {cross_f:.1%}"
        )
    print(f"match s: {t_round:.2f}")


if __name__ == "__main__":
    main()
