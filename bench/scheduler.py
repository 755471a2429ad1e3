#!/usr/bin/env python3
"""The check-in scheduler at scale: an idle tick, and a day of prompts for many people in many zones.

    .venv/bin/python bench/scheduler.py --people 100000     # the full size (about a minute to build)
    .venv/bin/python bench/scheduler.py --people 5000       # a quick try

What it does, in one run (fixed seed, so two runs build the same data):

1. Builds one organisation in a throwaway SQLite database (--db, recreated each run; the app's own
   settings: WAL, synchronous=NORMAL): --people people with sign-ins in --teams teams, spread over
   TIME ZONES (every whole, half and quarter-hour offset from UTC-10 to UTC+13, DST and not), with
   varied working hours and working days; a few teams check in weekly, the rest daily. The build uses
   bulk inserts and is not timed.
2. First planning (timed, printed for information): the planner creates everyone's settings and
   plans their first check-in (`plan_checkins`, the action the scheduler's planner row runs).
3. A day of prompts (timed: the headline): 24 hourly planner runs through the scheduler
   (`jobs.run_due` on the "checkin planning" kind, exactly as a tick runs it), starting a day later:
   between them they create the next check-in of every member (one full local day of prompts in
   every zone) and move every member's cursor on. Also timed: the same day planned in one run.
4. The idle tick (timed: the headline): `jobs.tick()` at a moment when nothing is due, with every
   table full (every kind registered by the apps). Printed with its query count, the SQL plan of its
   one query, and as a ratio against a bare `SELECT 1` round trip on the same connection.
5. For scale, the per-row claim that sends: 1,000 due prompts claimed and enqueued (the task rows
   go into the database queue; nothing is emailed).

Goals (issue 4): the idle tick is one indexed query under 5 ms; a day of prompts for 100,000 people
under 10 s on SQLite. Tests never time anything; this script only prints. The last two lines are
`idle tick ms: <median>` and `day of prompts s: <total of the 24 hourly runs>`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import time
from collections.abc import Sequence
from pathlib import Path

from common import fresh_sqlite, median_ms, setup_django, sqlite_url, timed  # bench/common.py

SEED = 20260601
START = dt.datetime(2026, 6, 1, 0, 0, tzinfo=dt.UTC)  # Monday 00:00 UTC
# (zone, weight): most people where distributed companies have most people; every odd offset too.
ZONES: tuple[tuple[str, int], ...] = (
    ("Pacific/Honolulu", 1),  # -10, no DST
    ("America/Anchorage", 1),
    ("America/Los_Angeles", 8),
    ("America/Denver", 3),
    ("America/Phoenix", 1),  # no DST
    ("America/Chicago", 6),
    ("America/New_York", 10),
    ("America/Bogota", 4),
    ("America/Caracas", 1),
    ("America/Sao_Paulo", 5),
    ("America/St_Johns", 1),  # -03:30 / -02:30
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
    ("Asia/Tehran", 1),  # +03:30
    ("Asia/Dubai", 2),
    ("Asia/Kabul", 1),  # +04:30
    ("Asia/Karachi", 2),
    ("Asia/Kolkata", 8),  # +05:30
    ("Asia/Kathmandu", 2),  # +05:45
    ("Asia/Dhaka", 2),
    ("Asia/Yangon", 1),  # +06:30
    ("Asia/Bangkok", 2),
    ("Asia/Jakarta", 2),
    ("Asia/Manila", 4),
    ("Asia/Singapore", 3),
    ("Asia/Shanghai", 3),
    ("Asia/Tokyo", 3),
    ("Australia/Eucla", 1),  # +08:45
    ("Australia/Darwin", 1),  # +09:30, no DST
    ("Australia/Adelaide", 1),  # +09:30 / +10:30
    ("Australia/Sydney", 4),
    ("Australia/Lord_Howe", 1),  # +10:30 / +11 (a half-hour DST)
    ("Pacific/Auckland", 2),
    ("Pacific/Chatham", 1),  # +12:45 / +13:45
    ("Pacific/Tongatapu", 1),  # +13
)
HOURS = (
    (dt.time(9), dt.time(17)),
    (dt.time(8, 30), dt.time(16, 30)),
    (dt.time(10), dt.time(18)),
    (dt.time(7), dt.time(15)),
)
DAYS = (("12345", 80), ("1234", 8), ("12347", 6), ("23456", 4), ("1235", 2))


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--people", type=int, default=100_000, help="people in the organisation (100000)")
    p.add_argument("--teams", type=int, default=0, help="teams (default: one per 25 people)")
    p.add_argument("--db", default="/tmp/accord-bench-scheduler.sqlite3", help="throwaway SQLite file")
    p.add_argument("--repeat", type=int, default=200, help="idle ticks to time (200)")
    args = p.parse_args(argv)
    if args.people < 1:
        p.error("--people must be at least 1")
    args.teams = args.teams or max(1, args.people // 25)
    return args


def build(args: argparse.Namespace) -> int:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from accord.accounts.models import User
    from accord.checkins.actions import ensure_schedule
    from accord.checkins.models import Cadence, CheckinTemplate
    from accord.orgs.models import Organisation, Person, Team

    rng = random.Random(SEED)
    zones = [z for z, _ in ZONES]
    weights = [w for _, w in ZONES]
    with transaction.atomic():
        org = Organisation.objects.create(name="Bench", slug="bench")
        teams = Team.objects.bulk_create([Team(org=org, name=f"Team {i}") for i in range(args.teams)])
        # One team in ten checks in weekly (on a random weekday); the rest daily.
        CheckinTemplate.objects.bulk_create(
            [
                CheckinTemplate(org=org, team=t, cadence=Cadence.WEEKLY, weekday=rng.randint(1, 5))
                for t in teams
                if rng.random() < 0.1
            ]
        )
        password = make_password("bench")
        users = User.objects.bulk_create(
            [User(email=f"p{i}@bench.example", password=password) for i in range(args.people)],
            batch_size=2000,
        )
        people = []
        for i, user in enumerate(users):
            start, end = rng.choice(HOURS)
            people.append(
                Person(
                    org=org,
                    user=user,
                    email=user.email,
                    name=f"Person {i}",
                    team=teams[i % len(teams)],
                    timezone=rng.choices(zones, weights)[0],
                    work_start=start,
                    work_end=end,
                    work_days=rng.choices([d for d, _ in DAYS], [w for _, w in DAYS])[0],
                )
            )
        # The first person of each team leads it (so managers get digests): leads go in first.
        leads = people[: len(teams)]
        Person.objects.bulk_create(leads, batch_size=2000)
        for i, person in enumerate(people[len(teams) :], start=len(teams)):
            person.manager = leads[i % len(teams)]
        Person.objects.bulk_create(people[len(teams) :], batch_size=2000)
        ensure_schedule(org, now=START)
    return org.pk


def settle() -> None:
    """Fold the WAL into the database and flush the disk, so one phase's writes don't bill the next."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    os.sync()


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    db_path = fresh_sqlite(Path(args.db).resolve())
    # Enqueued emails stay in the database queue (no worker runs), as in production.
    setup_django(sqlite_url(db_path), secret="bench-scheduler-not-a-secret", task_queue=True)
    import django
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from accord.checkins.models import Checkin, CheckinSchedule, CheckinSettings
    from accord.checkins.planning import plan_checkins
    from accord.lib import jobs

    print(
        f"Accord scheduler benchmark: {args.people:,} people in {args.teams:,} teams over {len(ZONES)} "
        f"time zones (seed {SEED})"
    )
    import sqlite3

    print(
        f"database: {db_path} (SQLite {sqlite3.sqlite_version}, the app's settings); "
        f"Django {django.get_version()}"
    )
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    t_migrate = time.perf_counter() - t0
    org_id = build(args)
    print(f"build: {time.perf_counter() - t0:.1f} s (migrate {t_migrate:.1f} s), not counted below")
    jobs.load_jobs()
    planner = next(k for k in jobs.REGISTRY if k.name == "checkin planning")
    prompts = next(k for k in jobs.REGISTRY if k.name == "checkin prompts")

    # 2. First planning: everyone's settings and first check-in.
    settle()
    with transaction.atomic():
        first = timed(lambda: plan_checkins(org_id, START))
    made = Checkin.objects.count()
    print(
        f"first planning (settings for everyone + their first check-in): {first:.2f} s, "
        f"{CheckinSettings.objects.count():,} settings, {made:,} check-ins"
    )

    # 3. A day of prompts: the next 24 hourly planner runs through the scheduler. The first planning
    # covered everything up to START + PLAN_AHEAD; run k plans the prompts of hour k after that.
    settle()
    runs = []
    for hour in range(1, 25):
        at = START + dt.timedelta(hours=hour)
        CheckinSchedule.objects.filter(org_id=org_id).update(next_plan_at=at)
        runs.append(timed(lambda at=at: jobs.run_due(planner, at)))
    hourly_made = Checkin.objects.count() - made
    total = sum(runs)
    print(
        f"a day of prompts, 24 hourly planner runs: {total:.2f} s for {hourly_made:,} check-ins "
        f"({total / max(hourly_made, 1) * 1e6:.1f} µs each; slowest run {max(runs):.2f} s, "
        f"quietest {min(runs) * 1000:.1f} ms)"
    )
    # The same day's work as one run (another day), for comparison.
    before = Checkin.objects.count()
    settle()
    with transaction.atomic():
        one = timed(lambda: plan_checkins(org_id, START + dt.timedelta(hours=48)))
    print(
        f"a day of prompts in one planner run: {one:.2f} s for {Checkin.objects.count() - before:,} check-ins"
    )

    # 4. The idle tick: a moment when nothing at all is due, with every table full.
    CheckinSchedule.objects.filter(org_id=org_id).update(next_plan_at=START + dt.timedelta(days=5))
    settle()
    with connection.cursor() as cursor:
        cursor.execute(jobs.due_sql().replace("AS is_due FROM", "AS is_due, due FROM"), ["9999"])
        earliest = min(str(row[2]) for row in cursor.fetchall() if row[2] is not None)
    idle_at = dt.datetime.fromisoformat(earliest).replace(tzinfo=dt.UTC) - dt.timedelta(seconds=1)
    with CaptureQueriesContext(connection) as captured:
        counts = jobs.tick(idle_at)
    assert not any(counts.values()), counts
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + jobs.due_sql(), [str(idle_at)])
        plan = [row[-1] for row in cursor.fetchall()]
    ticks, ones = [], []
    with connection.cursor() as cursor:
        for _ in range(args.repeat):
            ticks.append(timed(lambda: jobs.tick(idle_at)))
            ones.append(timed(lambda: (cursor.execute("SELECT 1"), cursor.fetchall())))
    tables = {
        k.name: k.model._default_manager.filter(**{f"{k.field}__isnull": False}).count()
        for k in jobs.REGISTRY
    }
    print(
        f"idle tick: {len(captured.captured_queries)} query over {len(jobs.REGISTRY)} kinds, "
        f"with rows waiting {tables}"
    )
    print("idle tick plan: " + " | ".join(plan))
    idle, ref = median_ms(ticks), median_ms(ones)
    print(
        f"idle tick: median {idle:.3f} ms (p90 {sorted(ticks)[int(len(ticks) * 0.9)] * 1000:.3f} ms) over "
        f"{args.repeat} ticks; bare SELECT 1 round trip {ref:.3f} ms; "
        f"ratio idle tick / SELECT 1: {idle / ref:.1f}"
    )

    # 5. Sending: the per-row claim, for 1,000 due prompts.
    send_at = (
        Checkin.objects.filter(next_send_at__isnull=False)
        .order_by("next_send_at")
        .values_list("next_send_at", flat=True)[999]
    )
    sent = timed(lambda: jobs.run_due(prompts, send_at))
    print(
        f"sending: 1,000 due prompts claimed one by one and enqueued in {sent:.2f} s "
        f"({sent:.3f} ms per prompt)"
    )
    print(f"idle tick ms: {idle:.3f}")
    print(f"day of prompts s: {total:.2f}")


if __name__ == "__main__":
    main()
