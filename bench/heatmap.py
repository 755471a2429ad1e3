#!/usr/bin/env python3
"""Whole-organisation pulse heatmap: Accord through its full anonymity gate against DuckDB on raw answers.

    .venv/bin/python bench/heatmap.py                                      # the full size (several minutes)
    .venv/bin/python bench/heatmap.py --people 2000 --teams 300 --rounds 4 \
        --db /tmp/accord-bench-small.sqlite3                               # a quick try (under a minute)

What it does, in one run (fixed seeds, so two runs build the same data):

1. Builds an organisation in a throwaway SQLite database (--db, recreated unless --reuse): a team tree of
   --levels levels (one root team, then levels growing geometrically to about --teams teams in all, each
   team under a random team of the level above), --people people over the teams (most in teams with no
   sub-teams) with a start date (tenure band) and a time zone (region), the built-in question bank, a
   fortnightly program and --rounds rounds of --questions scored questions each, rotating through the
   bank one construct at a time as the demo does (no eNPS).
2. Generates the RAW answers in DuckDB with SQL (`setseed`, one thread while generating so the random
   draws are reproducible): in every round about --response of the people answer every question, with a
   realistic skew (team, person and question effects plus noise, rounded onto 1..5).
3. Builds Accord's aggregates FROM THOSE SAME RAW ANSWERS, the way actions.apply_answer_sets does: per
   round one sealed tally (pulse/tally.py) holding, per (question, team, tenure band, region), n, the sum
   and the sum of squares of the scored values (reverse items flipped as bank.score does) and the
   histogram of raw values, and respondents per cell; Participation (who was invited) for the latest
   round only.
   Response/Answer rows are not written: reports never read them. The SQLite inserts use raw
   executemany with `PRAGMA synchronous=OFF` FOR THE BUILD ONLY; the connection is closed afterwards,
   so every timing below runs with the app's own settings (WAL, synchronous=NORMAL).
4. Publishes the latest round as closing does, timed (actions.publish_round: the gate's protection is
   computed from scratch, then the whole heatmap and every row's tenure and region slices, and all of it
   is stored: one PublishedRow per team plus the organisation, a PublishedRound header, and the
   protection state on the round), and prints how long that took and how much it stored. Earlier rounds
   are left unpublished: nothing reads them here.
5. Checks once that both sides compute the same thing: for ~20 random teams, every visible cell of
   Accord's heatmap (computed afresh from the aggregates) equals DuckDB's mean (and count) for that team
   subtree and construct over the raw answers, within 1e-9 (within rounding, 0.05, for a small group's
   rounded cell; "aggregates check: ok"); and that what a
   request reads from the published rows equals the fresh computation: the whole organisation's and the
   manager's heatmaps, and the slices of rows across the tree ("published check: ok").
6. Times, alternating the two sides, --repeat times each (the checks above warm both up), and reports
   medians:
   - Accord cold: what an admin's heatmap request does before its template: a fresh database connection
     (the app opens one per request on SQLite), the Round row as the view reads it, and
     heatmaps.heatmap_page (the published header and rows read through the gate, labelled for the page,
     and the default tenure/region slices);
   - the same heatmap as the gate's result objects (fresh connection, Round, published rows,
     gate.published_heatmap), which the page no longer builds;
   - Accord warm: the same page again on the same connection;
   - the heatmap computed afresh from the aggregates (queries.round_data with the stored protection and
     gate.heatmap: what pages did before results were published), --fresh-repeat times;
   - one manager's subtree (a level-3 team): their heatmap page, cold and warm, and the gate's part;
   - DuckDB: the latest round's raw answers joined to a team-ancestor closure table (built once, not
     timed) and grouped by ancestor and construct with HAVING count(*) >= 5, fetched into Python.
   Also, once and outside every ratio: the page's Django template rendered with the view's context.
   Memory: the process's peak RSS (whole run, build included), Accord's peak Python heap for one cold
   page and for one fresh computation (tracemalloc, in separate untimed runs; SQLite's own C memory is
   not traced) and the memory DuckDB holds after its query.

The last line is `ratio accord/duckdb: <Accord cold median / DuckDB median>` (an admin's whole-organisation
heatmap request up to its template). Times depend on the machine (and on whatever else runs on it):
compare ratios measured in the same run. Nothing here is imported by the app, and tests never time it.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gc
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED = 20260302
LATEST_OPENS = dt.date(2026, 3, 2)  # the latest round opens on this day; earlier rounds every 14 days
CADENCE_DAYS = 14
REGION_WEIGHTS = {"americas": 0.35, "emea": 0.45, "apac": 0.20}
ZONES = {
    "americas": ["America/New_York", "America/Chicago", "America/Los_Angeles", "America/Sao_Paulo"],
    "emea": ["Europe/London", "Europe/Berlin", "Europe/Warsaw", "Africa/Lagos", "Asia/Dubai"],
    "apac": ["Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney"],
}
INSERT_BATCH = 100_000


def add_org_arguments(p: argparse.ArgumentParser) -> None:
    """The organisation's sizes, which build_org reads; bench/pages.py builds the same organisation."""
    p.add_argument("--people", type=int, default=100_000, help="people in the organisation (100000)")
    p.add_argument("--teams", type=int, default=12_000, help="teams, about (12000)")
    p.add_argument("--levels", type=int, default=6, help="levels of the team tree (6)")
    p.add_argument("--rounds", type=int, default=26, help="pulse rounds, every 14 days (26)")
    p.add_argument("--questions", type=int, default=8, help="scored questions per round (8)")
    p.add_argument("--response", type=float, default=0.70, help="share of people answering a round (0.70)")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    add_org_arguments(p)
    p.add_argument("--repeat", type=int, default=5, help="timed runs of each side; medians are reported (5)")
    p.add_argument(
        "--db",
        default="/tmp/accord-bench-heatmap.sqlite3",
        help="throwaway SQLite file (recreated unless --reuse); DuckDB's raw answers go beside it (.duckdb)",
    )
    p.add_argument(
        "--reuse", action="store_true", help="keep the databases of an earlier run with the same sizes"
    )
    p.add_argument(
        "--fresh-repeat",
        type=int,
        default=3,
        help="timed runs of the heatmap computed afresh from the aggregates, seconds each (3)",
    )
    p.add_argument("--seed", type=int, default=SEED, help=f"random seed ({SEED})")
    p.add_argument("--profile", action="store_true", help="also print a cProfile of one cold heatmap page")
    args = p.parse_args(argv)
    if args.levels < 1 or args.teams < args.levels or args.people < 1 or args.rounds < 1:
        p.error("need at least one person, one round, and at least as many teams as levels")
    if not 0 < args.response <= 1:
        p.error("--response is a share between 0 and 1")
    if args.repeat < 1 or args.fresh_repeat < 1:
        p.error("--repeat and --fresh-repeat must be at least 1")
    return args


def setup_django(db_path: Path) -> None:
    """Point Accord at the throwaway database: never at whatever DATABASE_URL the shell has."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "accord.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("SECRET_KEY", "bench-heatmap-not-a-secret")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --------------------------------------------------------------------------------------------------
# Small helpers


def fmt_s(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.3f} s"


def mib(n_bytes: float) -> str:
    m = n_bytes / 2**20
    return f"{m:,.1f} MiB" if m < 10 else f"{m:,.0f} MiB"


def median_of(runs: list[float]) -> float:
    return statistics.median(runs)


def spread(runs: list[float]) -> str:
    return f"min {fmt_s(min(runs))}, max {fmt_s(max(runs))}"


class Clock:
    def __init__(self) -> None:
        self.start = time.perf_counter()

    def __call__(self) -> float:
        return time.perf_counter() - self.start


def level_sizes(total: int, levels: int) -> list[int]:
    """One root team, then levels growing geometrically so that all of them add up to `total`."""
    if levels == 1:
        return [total]
    lo, hi = 1.0, float(total)
    for _ in range(200):
        r = (lo + hi) / 2
        if sum(max(1, round(r**lvl)) for lvl in range(levels)) < total:
            lo = r
        else:
            hi = r
    sizes = [max(1, round(hi**lvl)) for lvl in range(levels)]
    sizes[0] = 1
    sizes[-1] = max(sizes[-1] + total - sum(sizes), 1)
    return sizes


def csv_table(con: Any, name: str, columns: str, rows: Iterable[Sequence[Any]], tmp: Path) -> None:
    """Create a DuckDB table from Python rows through a CSV file (fast, and needs no numpy/pandas)."""
    path = tmp / f"{name}.csv"
    with path.open("w", newline="") as f:
        csv.writer(f).writerows(rows)
    con.execute(f"CREATE TABLE {name} ({columns})")
    con.execute(f"COPY {name} FROM '{path}' (HEADER false, NULLSTR '')")
    path.unlink()


# --------------------------------------------------------------------------------------------------
# Build


def build_org(args: argparse.Namespace, rng: random.Random) -> dict[str, Any]:
    """Teams, people, bank, program and rounds in SQLite through the ORM (bulk_create)."""
    from django.db import transaction
    from django.utils import timezone

    from accord.orgs.models import Organisation, Person, Team
    from accord.pulse.actions import ensure_bank, save_program
    from accord.pulse.attributes import region as region_of
    from accord.pulse.models import Program, Round, RoundQuestion, Scale

    org = Organisation.objects.create(name="Bench Org", slug="bench-org")

    # Teams, level by level.
    sizes = level_sizes(args.teams, args.levels)
    levels: list[list[int]] = []
    parent_of: dict[int, int | None] = {}
    names: dict[int, str] = {}
    depth_of: dict[int, int] = {}
    effect: dict[int, float] = {}
    with transaction.atomic():
        for lvl, size in enumerate(sizes):
            above = levels[-1] if levels else []
            if above:
                parents = list(above[:size]) + [rng.choice(above) for _ in range(size - len(above))]
                parents.sort()
            else:
                parents = [None] * size  # type: ignore[list-item]
            teams = [
                Team(org=org, name=f"L{lvl + 1} team {i + 1}", parent_id=parents[i]) for i in range(size)
            ]
            Team.objects.bulk_create(teams, batch_size=2000)
            ids = [t.pk for t in teams]
            levels.append(ids)
            for t in teams:
                parent_of[t.pk] = t.parent_id
                names[t.pk] = t.name
                depth_of[t.pk] = lvl
                base = effect[t.parent_id] * 0.6 if t.parent_id is not None else 0.0
                effect[t.pk] = base + rng.gauss(0, 0.25)
    has_children = {p for p in parent_of.values() if p is not None}

    # People: most in teams without sub-teams; team sizes vary; each team has a home region.
    team_ids = list(parent_of)
    weights = [rng.uniform(0.4, 1.6) * (1.0 if t not in has_children else 0.25) for t in team_ids]
    home = {t: rng.choices(list(REGION_WEIGHTS), list(REGION_WEIGHTS.values()))[0] for t in team_ids}
    zone_region = {z: region_of(z) for zs in ZONES.values() for z in zs}
    assert all(zone_region[z] == r for r, zs in ZONES.items() for z in zs), zone_region
    chosen = rng.choices(team_ids, weights=weights, k=args.people)
    people_rows: list[tuple[int, int, dt.date, str, float]] = []
    objs = []
    for i, team in enumerate(chosen):
        reg = (
            home[team]
            if rng.random() < 0.75
            else rng.choices(list(REGION_WEIGHTS), list(REGION_WEIGHTS.values()))[0]
        )
        zone = rng.choice(ZONES[reg])
        tenure_days = min(int(rng.expovariate(1 / (3 * 365))), 25 * 365)
        start = LATEST_OPENS - dt.timedelta(days=tenure_days)
        objs.append(
            Person(
                org=org,
                email=f"person{i + 1}@bench.invalid",
                name=f"Person {i + 1}",
                team_id=team,
                timezone=zone,
                start_date=start,
            )
        )
    with transaction.atomic():
        Person.objects.bulk_create(objs, batch_size=2000)
    for p in objs:
        people_rows.append((p.pk, p.team_id, p.start_date, zone_region[p.timezone], rng.gauss(0, 0.4)))
    del objs

    # Bank and program: one item of every construct in turn, as the demo's program does.
    questions = ensure_bank(org)
    by_construct: dict[str, list[Any]] = {}
    for q in sorted(questions, key=lambda q: q.pk):
        if q.scale == Scale.AGREE5:
            by_construct.setdefault(q.construct, []).append(q)
    interleaved = [
        items[i]
        for i in range(max(map(len, by_construct.values())))
        for items in by_construct.values()
        if i < len(items)
    ]
    first_opens = LATEST_OPENS - dt.timedelta(days=CADENCE_DAYS * (args.rounds - 1))
    start = timezone.make_aware(dt.datetime.combine(first_opens, dt.time(6)), dt.UTC)
    program = save_program(
        Program(
            org=org,
            name="Fortnightly pulse",
            cadence_days=CADENCE_DAYS,
            questions_per_round=min(args.questions, 15),
            window_days=5,
        ),
        questions=interleaved,
        teams=[],
        start=start,
    )
    take = min(args.questions, len(interleaved))
    tree_json = {str(t): p for t, p in parent_of.items()}
    names_json = {str(t): n for t, n in names.items()}
    rounds: list[tuple[int, int, dt.date]] = []  # (number, id, opens_on)
    round_questions: list[tuple[int, int, int, float]] = []  # (number, question id, position, effect)
    with transaction.atomic():
        for number in range(1, args.rounds + 1):
            opens = first_opens + dt.timedelta(days=CADENCE_DAYS * (number - 1))
            opened_at = timezone.make_aware(dt.datetime.combine(opens, dt.time(6)), dt.UTC)
            rnd = Round.objects.create(
                org=org,
                program=program,
                number=number,
                opens_on=opens,
                closes_at=opened_at + dt.timedelta(days=5),
                team_tree=tree_json,
                team_names=names_json,
                closed=True,
            )
            chosen_q = [interleaved[((number - 1) * take + i) % len(interleaved)] for i in range(take)]
            RoundQuestion.objects.bulk_create(
                RoundQuestion(org=org, round=rnd, question=q, position=i) for i, q in enumerate(chosen_q)
            )
            rounds.append((number, rnd.pk, opens))
            for i, q in enumerate(chosen_q):
                round_questions.append((number, q.pk, i, rng.gauss(0, 0.12)))
        Program.objects.filter(pk=program.pk).update(rotation=take * args.rounds)
    return {
        "org_id": org.pk,
        "sizes": sizes,
        "parent_of": parent_of,
        "depth_of": depth_of,
        "effect": effect,
        "people": people_rows,
        "questions": [(q.pk, q.construct, q.reverse) for q in questions],
        "rounds": rounds,
        "round_questions": round_questions,
    }


def team_children(parent_of: dict[int, int | None]) -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for t, p in parent_of.items():
        if p is not None:
            children.setdefault(p, []).append(t)
    return children


def subtree(children: dict[int, list[int]], t: int) -> list[int]:
    """Team `t` and every team below it, from `team_children`."""
    out, todo = [], [t]
    while todo:
        x = todo.pop()
        out.append(x)
        todo.extend(children.get(x, []))
    return out


def closure_rows(parent_of: dict[int, int | None]) -> list[tuple[int, int]]:
    """(ancestor, team) for every team and each of its ancestors including itself; ancestor 0 is the
    whole organisation."""
    rows = []
    for team in parent_of:
        rows.append((0, team))
        t: int | None = team
        while t is not None:
            rows.append((t, team))
            t = parent_of[t]
    return rows


def build_raw(con: Any, args: argparse.Namespace, org: dict[str, Any]) -> None:
    """Tables the raw answers are generated from, then the raw answers themselves (SQL, seeded)."""
    from accord.demo.pulse import BASE

    with tempfile.TemporaryDirectory(prefix="accord-bench-") as tmpdir:
        tmp = Path(tmpdir)
        csv_table(
            con,
            "people",
            "person BIGINT, team BIGINT, start_date DATE, region VARCHAR, peff DOUBLE",
            org["people"],
            tmp,
        )
        csv_table(con, "teams", "team BIGINT, teff DOUBLE", org["effect"].items(), tmp)
        csv_table(
            con, "questions", "question BIGINT, construct VARCHAR, reverse BOOLEAN", org["questions"], tmp
        )
        csv_table(con, "rounds", "round SMALLINT, round_id BIGINT, opens_on DATE", org["rounds"], tmp)
        rq = [(n, q, pos, eff) for n, q, pos, eff in org["round_questions"]]
        csv_table(
            con, "round_questions", "round SMALLINT, question BIGINT, position SMALLINT, qeff DOUBLE", rq, tmp
        )
        csv_table(con, "closure", "ancestor BIGINT, team BIGINT", closure_rows(org["parent_of"]), tmp)
        csv_table(con, "team_depth", "team BIGINT, depth INTEGER", org["depth_of"].items(), tmp)
        csv_table(con, "team_parent", "team BIGINT, parent BIGINT", org["parent_of"].items(), tmp)
        base = [(c, v) for c, v in BASE.items()]
        csv_table(con, "construct_base", "construct VARCHAR, base DOUBLE", base, tmp)
    # Reproducible random draws need one thread while generating.
    con.execute("SET threads TO 1")
    con.execute("SELECT setseed(?)", [((args.seed % 1_000_000) / 1_000_000) * 2 - 1])
    con.execute(
        """
        CREATE TABLE respondents AS
        SELECT *, row_number() OVER (ORDER BY round, person)::INTEGER AS respondent
        FROM (
            SELECT r.round, p.person, p.team, p.region, p.peff,
                   CASE WHEN datediff('day', p.start_date, r.opens_on) < 365 THEN 'under-1y'
                        WHEN datediff('day', p.start_date, r.opens_on) < 3 * 365 THEN '1-3y'
                        ELSE 'over-3y' END AS band
            FROM rounds r CROSS JOIN people p
            WHERE random() < ?
        )
        ORDER BY round, person
        """,
        [args.response],
    )
    # Scored value: construct baseline + team, person and question effects + noise, rounded onto 1..5;
    # the RAW value of a reverse item is 6 - scored.
    con.execute(
        """
        CREATE TABLE answers AS
        WITH drawn AS (
            SELECT s.round, s.respondent, s.team, s.band, s.region, q.question, q.position, qq.reverse,
                   greatest(1, least(5, round(coalesce(b.base, 3.6) + t.teff + s.peff + q.qeff
                       + 0.85 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))))::TINYINT AS scored
            FROM respondents s
            JOIN round_questions q ON q.round = s.round
            JOIN questions qq ON qq.question = q.question
            JOIN teams t ON t.team = s.team
            LEFT JOIN construct_base b ON b.construct = qq.construct
        )
        SELECT round::SMALLINT AS round, respondent, team, band, region, question,
               (CASE WHEN reverse THEN 6 - scored ELSE scored END)::TINYINT AS value
        FROM drawn
        ORDER BY round, respondent, position
        """
    )
    con.execute("RESET threads")


def insert_batches(raw: Any, sql: str, cursor: Any, batch: int = INSERT_BATCH) -> int:
    """Copy DuckDB rows into SQLite with executemany, committing every batch (build only)."""
    total = 0
    while True:
        rows = cursor.fetchmany(batch)
        if not rows:
            break
        raw.execute("BEGIN")
        raw.executemany(sql, rows)
        raw.execute("COMMIT")
        total += len(rows)
    return total


def build_aggregates(con: Any, org: dict[str, Any], latest: int) -> dict[str, int]:
    """Each round's sealed tally and (latest round) Participation from the raw answers."""
    from django.db import connection

    from accord.pulse.models import Participation, RoundTally
    from accord.pulse.sealing import TALLY, seal

    connection.ensure_connection()
    raw = connection.connection
    raw.isolation_level = None  # we issue BEGIN/COMMIT ourselves
    # Build only: nothing here needs to survive a power cut; the connection is closed afterwards.
    raw.execute("PRAGMA synchronous=OFF")
    raw.execute("PRAGMA cache_size=-262144")

    def insert_sql(model: Any, fields: list[str]) -> str:
        cols = [model._meta.get_field(f).column for f in fields]
        return f"INSERT INTO {model._meta.db_table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"

    org_id = org["org_id"]
    counts: dict[str, int] = {}
    cur = con.cursor()
    tallies: dict[int, dict[str, Any]] = {}

    def tally_of(round_id: int) -> dict[str, Any]:
        return tallies.setdefault(round_id, {"driver_vars": [], "stats": [], "counts": []})

    cur.execute(
        """
        SELECT r.round_id, a.question, a.team, a.band, a.region, count(*)::INTEGER,
               sum(s)::DOUBLE, sum(s * s)::DOUBLE,
               [0, count(*) FILTER (WHERE a.value = 1), count(*) FILTER (WHERE a.value = 2),
                count(*) FILTER (WHERE a.value = 3), count(*) FILTER (WHERE a.value = 4),
                count(*) FILTER (WHERE a.value = 5)]
        FROM (
            SELECT a.*, (CASE WHEN q.reverse THEN 6 - a.value ELSE a.value END)::INTEGER AS s
            FROM answers a JOIN questions q ON q.question = a.question
        ) a
        JOIN rounds r ON r.round = a.round
        GROUP BY ALL
        ORDER BY 1, 2, 3, 4, 5
        """
    )
    for round_id, *row in cur.fetchall():
        tally_of(round_id)["stats"].append([*row[:-1], [int(c) for c in row[-1]]])
    counts["cellstat"] = sum(len(t["stats"]) for t in tallies.values())
    cur.execute(
        """
        SELECT r.round_id, s.team, s.band, s.region, count(*)::INTEGER
        FROM respondents s JOIN rounds r ON r.round = s.round
        GROUP BY ALL ORDER BY 1, 2, 3, 4
        """
    )
    for round_id, team, band, reg, n in cur.fetchall():
        tally_of(round_id)["counts"].append([team, band, reg, n, 0, 0, [], []])
    counts["cellcount"] = sum(len(t["counts"]) for t in tallies.values())
    raw.execute("BEGIN")
    raw.executemany(
        f"INSERT INTO {RoundTally._meta.db_table} (org_id, round_id, sealed) VALUES (?, ?, ?)",
        [(org_id, rid, seal(TALLY, rid, value)) for rid, value in tallies.items()],
    )
    raw.execute("COMMIT")

    latest_id, latest_opens = next((rid, opens) for n, rid, opens in org["rounds"] if n == latest)
    prompt = connection.ops.adapt_datetimefield_value(
        dt.datetime.combine(latest_opens, dt.time(7), tzinfo=dt.UTC)
    )
    cur.execute(
        """
        SELECT ?::BIGINT, r.round_id, p.person, p.team,
               CASE WHEN datediff('day', p.start_date, r.opens_on) < 365 THEN 'under-1y'
                    WHEN datediff('day', p.start_date, r.opens_on) < 3 * 365 THEN '1-3y'
                    ELSE 'over-3y' END,
               p.region, ?, 1, s.person IS NOT NULL
        FROM people p
        JOIN rounds r ON r.round = ?
        LEFT JOIN respondents s ON s.round = r.round AND s.person = p.person
        ORDER BY p.person
        """,
        [org_id, prompt, latest],
    )
    p_fields = [
        "org",
        "round",
        "person",
        "team_id_at_open",
        "tenure_band",
        "region",
        "prompt_at",
        "prompts_sent",
        "took_part",
    ]
    counts["participation"] = insert_batches(raw, insert_sql(Participation, p_fields), cur)
    assert latest_id
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return counts


# --------------------------------------------------------------------------------------------------
# The two sides

HEATMAP_SQL = """
SELECT c.ancestor, q.construct, count(*) AS n,
       avg(CASE WHEN q.reverse THEN 6 - a.value ELSE a.value END) AS mean
FROM answers a
JOIN closure c ON c.team = a.team
JOIN questions q ON q.question = a.question
WHERE a.round = ?
GROUP BY c.ancestor, q.construct
HAVING count(*) >= 5
"""


def duckdb_heatmap(con: Any, latest: int) -> list[tuple[Any, ...]]:
    return con.execute(HEATMAP_SQL, [latest]).fetchall()


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


# --------------------------------------------------------------------------------------------------
# The check


def check_same(con: Any, hm: Any, latest: int, rng: random.Random, raw_latest: int, data: Any) -> str:
    """Accord's visible heatmap cells against DuckDB's mean and count over the raw answers."""
    from accord.pulse.gate import ConstructResult, QuestionResult

    in_cells = sum(s.n for stats in data.stats.values() for s in stats.values())
    if in_cells != raw_latest:
        raise SystemExit(f"aggregates check: FAILED: the tally holds {in_cells} answers, raw {raw_latest}")
    with_visible = [
        row
        for row in hm.rows
        if row.group.team is not None
        and any(isinstance(c, ConstructResult | QuestionResult) for c in row.cells)
    ]
    sample = rng.sample(with_visible, min(20, len(with_visible)))
    org_row = next((row for row in hm.rows if row.group.team is None), None)
    rows = sample + ([org_row] if org_row is not None else [])
    teams = [0 if row.group.team is None else row.group.team for row in rows]
    found = con.execute(
        """
        SELECT c.ancestor, q.construct, count(*),
               avg(CASE WHEN q.reverse THEN 6 - a.value ELSE a.value END)
        FROM answers a JOIN closure c ON c.team = a.team JOIN questions q ON q.question = a.question
        WHERE a.round = ? AND c.ancestor IN (SELECT unnest(?::BIGINT[]))
        GROUP BY ALL
        """,
        [latest, teams],
    ).fetchall()
    truth = {(anc, construct): (n, mean) for anc, construct, n, mean in found}
    compared = 0
    for team, row in zip(teams, rows, strict=True):
        for construct, cell in zip(hm.columns, row.cells, strict=True):
            if not isinstance(cell, ConstructResult | QuestionResult):
                continue
            n, mean = truth.get((team, construct), (0, None))
            # A small group's cell is rounded (the gate's rule 6): no count, the mean to one decimal.
            same = (
                mean is not None and abs(mean - cell.mean) <= 0.05 + 1e-9
                if cell.rounded
                else n == cell.n and mean is not None and abs(mean - cell.mean) <= 1e-9
            )
            if not same:
                raise SystemExit(
                    f"aggregates check: FAILED for team {team} {construct}: "
                    f"accord n={cell.n} mean={cell.mean!r}, duckdb n={n} mean={mean!r}"
                )
            compared += 1
    if compared == 0:
        raise SystemExit("aggregates check: FAILED: no visible cell to compare")
    return f"{compared} visible cells of {len(sample)} random teams and the organisation row"


# --------------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    db_path = Path(args.db).resolve()
    duck_path = db_path.with_suffix(".duckdb")
    params = {
        k: getattr(args, k) for k in ("people", "teams", "levels", "rounds", "questions", "response", "seed")
    }
    reuse = args.reuse and db_path.exists() and duck_path.exists()
    if args.reuse and not reuse:
        print("--reuse: no earlier databases found; building them", flush=True)
    if not reuse:
        for path in (db_path, duck_path):
            for suffix in ("", "-wal", "-shm", ".wal"):
                Path(str(path) + suffix).unlink(missing_ok=True)
    setup_django(db_path)
    import duckdb
    from django.core.management import call_command

    from accord.pulse import gate, tally
    from accord.pulse.models import Participation, Round, RoundTally

    con = duckdb.connect(str(duck_path))
    rng = random.Random(args.seed)
    print(
        f"Accord heatmap benchmark: {args.people:,} people, about {args.teams:,} teams over "
        f"{args.levels} levels, {args.rounds} rounds of {args.questions} questions at "
        f"{args.response:.0%} response (seed {args.seed}; gate rule {gate.RULE_VERSION})",
        flush=True,
    )
    print(f"databases: {db_path} (SQLite, the app's settings), {duck_path} (DuckDB {duckdb.__version__})")
    latest = args.rounds
    if reuse:
        stored = con.execute("SELECT value FROM bench_meta WHERE key = 'params'").fetchone()
        if stored is None or json.loads(stored[0]) != params:
            raise SystemExit("--reuse: the databases were built with other sizes; run without --reuse")
        depth_of = dict(con.execute("SELECT team, depth FROM team_depth").fetchall())
        parent_of = dict(con.execute("SELECT team, parent FROM team_parent").fetchall())
        team_people = dict(con.execute("SELECT team, count(*) FROM people GROUP BY team").fetchall())
        call_command("migrate", verbosity=0)  # in case the app gained migrations since the build
        print("build: reused the databases of an earlier run")
    else:
        clock = Clock()
        call_command("migrate", verbosity=0)
        t_migrate = clock()
        org = build_org(args, rng)
        t_org = clock()
        build_raw(con, args, org)
        t_raw = clock()
        counts = build_aggregates(con, org, latest)
        t_agg = clock()
        depth_of, parent_of = org["depth_of"], org["parent_of"]
        team_people = {}
        for _pk, team, *_ in org["people"]:
            team_people[team] = team_people.get(team, 0) + 1
        con.execute("CREATE TABLE bench_meta (key VARCHAR, value VARCHAR)")
        con.execute("INSERT INTO bench_meta VALUES ('params', ?)", [json.dumps(params)])
        con.execute("CHECKPOINT")
        n_answers = con.execute("SELECT count(*) FROM answers").fetchone()[0]
        print(
            f"teams per level: {', '.join(f'{n:,}' for n in org['sizes'])} = {sum(org['sizes']):,} teams; "
            f"{len(org['people']):,} people"
        )
        print(
            f"build: {n_answers:,} raw answers generated in DuckDB; aggregates written to SQLite: "
            f"{counts['cellstat']:,} question cells and {counts['cellcount']:,} respondent cells in "
            f"{RoundTally.objects.count():,} sealed tallies, "
            f"{counts['participation']:,} Participation rows (latest round)"
        )
        print(
            f"build time: {t_agg:.1f} s (migrate {t_migrate:.1f} s, "
            f"org/teams/people/rounds {t_org - t_migrate:.1f} s, raw answers {t_raw - t_org:.1f} s, "
            f"aggregates {t_agg - t_raw:.1f} s)",
            flush=True,
        )

    rnd = Round.objects.get(program__org__slug="bench-org", number=latest)
    raw_latest = con.execute("SELECT count(*) FROM answers WHERE round = ?", [latest]).fetchone()[0]
    latest_tally = tally.read(rnd) or tally.Tally()
    raw_total, checksum = con.execute(
        "SELECT count(*), sum(value * (respondent % 101 + question % 7)) FROM answers"
    ).fetchone()
    print(
        f"latest round: {raw_latest:,} raw answers of {raw_total:,}; "
        f"{len(latest_tally.stats):,} question cells, {len(latest_tally.counts):,} respondent cells, "
        f"{Participation.objects.filter(round=rnd).count():,} Participation rows "
        f"(raw answers checksum {checksum})",
        flush=True,
    )

    # Close the latest round as production does, timed: publish_round computes the gate's protection from
    # scratch, the heatmap and every row's tenure and region slices, and stores them (PublishedRow).
    from django.db import connection, connections

    from accord.orgs.models import Organisation
    from accord.pulse.actions import publish_round
    from accord.pulse.models import PublishedRound, PublishedRow

    org = Organisation.objects.get(slug="bench-org")
    connections.close_all()
    gc.collect()
    clock = Clock()
    publish_round(Round.objects.get(pk=rnd.pk))
    t_pub = clock()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT length(protection), (SELECT length(header) FROM {PublishedRound._meta.db_table} "
            f"WHERE round_id = %s) FROM {Round._meta.db_table} WHERE id = %s",
            [rnd.pk, rnd.pk],
        )
        state_size, header_size = cursor.fetchone()
        cursor.execute(
            f"SELECT count(*), sum(length(heat)), sum(length(slices)) FROM {PublishedRow._meta.db_table} "
            "WHERE round_id = %s",
            [rnd.pk],
        )
        n_rows, heat_size, slices_size = cursor.fetchone()
    print(
        "publish (closing the latest round: actions.publish_round computes the gate's protection from "
        "scratch, then the heatmap and every row's tenure and region slices, and stores them): "
        f"{t_pub:.1f} s; stored: {n_rows:,} PublishedRow rows ({mib(heat_size)} of heatmap cells, "
        f"{mib(slices_size)} of slices), {mib(header_size)} header, {mib(state_size)} protection state "
        f"(rule {gate.RULE_VERSION!r})",
        flush=True,
    )

    # The manager: a level-3 team (depth 2) with a middling subtree.
    children = team_children(parent_of)
    want = min(2, max(depth_of.values()))
    candidates = sorted(
        (t for t, d in depth_of.items() if d == want), key=lambda t: (len(subtree(children, t)), t)
    )
    manager_team = candidates[len(candidates) // 2]
    sub = subtree(children, manager_team)
    sub_people = sum(team_people.get(t, 0) for t in sub)
    manager_scope = frozenset({manager_team})

    # Untimed: the aggregates against DuckDB, and what a request reads against a fresh computation.
    _, data, hm = accord_fresh(rnd.pk)
    print(f"aggregates check: ok ({check_same(con, hm, latest, rng, raw_latest, data)})", flush=True)
    print(f"published check: ok ({check_published(org, rnd.pk, data, hm, manager_scope)})", flush=True)
    grid = len(hm.rows) * len(hm.columns)
    shown = sum(1 for row in hm.rows for c in row.cells if not isinstance(c, gate.Suppressed))
    reasons: dict[str, int] = {}
    for row in hm.rows:
        for c in row.cells:
            if isinstance(c, gate.Suppressed):
                reasons[c.reason] = reasons.get(c.reason, 0) + 1
    duck_rows = duckdb_heatmap(con, latest)
    print(
        f"heatmap: {len(hm.rows):,} rows (organisation + every team) x {len(hm.columns)} constructs "
        f"= {grid:,} cells; accord shows {shown:,}; duckdb shows {len(duck_rows):,} "
        "(every group with >= 5 answers)"
    )
    if reasons:
        print(
            "accord hides: "
            + "; ".join(f"{n:,} '{r}'" for r, n in sorted(reasons.items(), key=lambda x: -x[1]))
        )
    del data, hm, duck_rows
    renders = {
        "whole organisation": render_once(org, rnd.pk, None),
        "manager subtree": render_once(org, rnd.pk, manager_scope),
    }

    # Timed, alternating the sides.
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    page_cold, page_warm, read_cold, fresh, duck = [], [], [], [], []
    for _ in range(args.repeat):
        c, w = accord_page(org, rnd.pk, None)
        page_cold.append(c)
        page_warm.append(w)
        read_cold.append(accord_read(org, rnd.pk, None))
        d, _ = timed(lambda: duckdb_heatmap(con, latest))
        duck.append(d)
    for _ in range(args.fresh_repeat):
        f, _, _ = accord_fresh(rnd.pk)
        fresh.append(f)
    sub_cold, sub_warm, sub_read = [], [], []
    for _ in range(args.repeat):
        c, w = accord_page(org, rnd.pk, manager_scope)
        sub_cold.append(c)
        sub_warm.append(w)
        sub_read.append(accord_read(org, rnd.pk, manager_scope))

    # Memory: Accord's Python heap in separate, untimed cold requests.
    heap = {"whole organisation": traced_page(org, rnd.pk, None)}
    heap["computed afresh"] = traced_fresh(rnd.pk)
    duck_mem = con.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchone()[0] or 0
    duck_file = duck_path.stat().st_size
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    m_cold, m_duck = median_of(page_cold), median_of(duck)
    print(
        "accord cold, whole organisation (an admin's heatmap page: fresh connection, the Round row, "
        "heatmaps.heatmap_page reading the published rows through the gate, with the default slices), "
        f"median of {args.repeat}: {fmt_s(m_cold)} ({spread(page_cold)})"
    )
    print(
        "accord cold, whole organisation, as the gate's result objects instead (fresh connection, the Round "
        f"row, published rows, gate.published_heatmap): {fmt_s(median_of(read_cold))} ({spread(read_cold)})"
    )
    print(
        "accord warm, whole organisation (the same page again on the same connection): "
        f"{fmt_s(median_of(page_warm))} ({spread(page_warm)})"
    )
    print(
        "accord computed afresh (what publishing does for the heatmap: queries.round_data with the stored "
        f"protection + gate.heatmap), median of {args.fresh_repeat}: {fmt_s(median_of(fresh))} "
        f"({spread(fresh)})"
    )
    print(
        f"duckdb, whole organisation (raw answers, hide cells under 5, {threads} threads), "
        f"median of {args.repeat}: {fmt_s(m_duck)} ({spread(duck)})"
    )
    print(
        f"manager subtree: team {manager_team} (level {depth_of[manager_team] + 1}, {len(sub):,} teams, "
        f"{sub_people:,} people), the manager's heatmap page: cold {fmt_s(median_of(sub_cold))} "
        f"({spread(sub_cold)}), warm {fmt_s(median_of(sub_warm))} ({spread(sub_warm)}); as the gate's "
        f"result objects, cold: {fmt_s(median_of(sub_read))}"
    )
    print(
        "template rendering, once, not in any figure above (Django templates, the page's table): "
        + "; ".join(f"{what} {fmt_s(t)} ({n:,} bytes of HTML)" for what, (t, n) in renders.items())
    )
    print(
        f"memory: process peak RSS {mib(max_rss)} (whole run, build and DuckDB included); "
        "accord Python heap (tracemalloc, untimed runs): "
        + "; ".join(f"{what}: peak {mib(peak)}, {mib(held)} held" for what, (held, peak) in heap.items())
        + f"; duckdb in use {mib(duck_mem)} (its file {mib(duck_file)})"
    )
    print(f"ratio accord as gate result objects/duckdb: {median_of(read_cold) / m_duck:.2f}")
    print(f"ratio accord computed afresh/duckdb: {median_of(fresh) / m_duck:.2f}")
    print(
        f"ratio manager subtree cold/duckdb: {median_of(sub_cold) / m_duck:.3f}; "
        f"warm/duckdb: {median_of(sub_warm) / m_duck:.3f}"
    )
    if args.profile:
        profile_page(org, rnd.pk)
    sys.stdout.flush()
    print(f"ratio accord/duckdb: {m_cold / m_duck:.2f}")


def fresh_connection() -> None:
    from django.db import connections

    connections.close_all()
    gc.collect()


def request_round(org: Any, round_pk: int) -> Any:
    """The Round as the heatmap view gets it (reports.choose_round reads queries.rounds_of)."""
    from accord.pulse import queries

    return queries.rounds_of(org).get(pk=round_pk)


def accord_page(org: Any, round_pk: int, scope: Any) -> tuple[float, float]:
    """A heatmap request's work up to the template (cold: on a fresh connection), then the same again on
    the same connection (warm). Returns both times."""
    from accord.pulse.results import heatmaps

    times = []
    fresh_connection()
    for _ in range(2):
        t0 = time.perf_counter()
        page = heatmaps.heatmap_page(request_round(org, round_pk), scope, None, None)
        times.append(time.perf_counter() - t0)
        del page
        gc.collect()
    return times[0], times[1]


def accord_read(org: Any, round_pk: int, scope: Any) -> float:
    """Only the gate's heatmap from the published rows, on a fresh connection."""
    from accord.pulse import gate, queries

    fresh_connection()
    t0 = time.perf_counter()
    rnd = request_round(org, round_pk)
    pub = gate.Published(queries.current_header(rnd))
    hm = gate.published_heatmap(pub, queries.published_rows(rnd, scope))
    took = time.perf_counter() - t0
    del hm
    return took


def accord_fresh(round_pk: int) -> tuple[float, Any, Any]:
    """The heatmap computed afresh from the aggregates, as publishing does (with the stored protection)."""
    from accord.pulse import gate, queries
    from accord.pulse.models import Round

    fresh_connection()
    t0 = time.perf_counter()
    data = queries.round_data(Round.objects.get(pk=round_pk))
    hm = gate.heatmap(data, None)
    return time.perf_counter() - t0, data, hm


def check_published(org: Any, round_pk: int, data: Any, hm: Any, manager_scope: Any) -> str:
    """What a request reads from the published rows equals the gate's fresh computation."""
    from accord.pulse import gate, queries

    rnd = request_round(org, round_pk)
    pub = gate.Published(rnd.published.header)
    if gate.published_heatmap(pub, queries.published_rows(rnd, None)) != hm:
        raise SystemExit("published check: FAILED: the whole organisation's heatmap differs")
    if gate.published_heatmap(pub, queries.published_rows(rnd, manager_scope)) != gate.heatmap(
        data, manager_scope
    ):
        raise SystemExit("published check: FAILED: the manager's heatmap differs")
    compared = 0
    for row in hm.rows[:: max(1, len(hm.rows) // 50)]:
        stored = queries.published_slices(rnd, row.group.team)
        for construct in hm.columns:
            if gate.published_slices(pub, row.group.team, stored, construct) != gate.slices(
                data, None, construct, row.group.team
            ):
                raise SystemExit(f"published check: FAILED: slices of {row.group} {construct} differ")
            compared += 1
    return (
        f"whole organisation and manager heatmaps equal a fresh computation, and {compared} tenure/region "
        "slices of rows across the tree"
    )


def render_once(org: Any, round_pk: int, scope: Any) -> tuple[float, int]:
    """The heatmap page's template rendered with the view's context, timed once after a first untimed
    rendering has loaded the templates (not in the ratios)."""
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from accord.pulse.results import heatmaps

    rnd = request_round(org, round_pk)
    page = heatmaps.heatmap_page(rnd, scope, None, None)
    request = RequestFactory().get("/pulse/results/heatmap/")
    request.user = AnonymousUser()
    request.org = org  # type: ignore[attr-defined]
    request.person = None  # type: ignore[attr-defined]
    context = {"round": rnd, "programs": [], "program": rnd.program, "rounds": [rnd], **vars(page)}
    render_to_string("pulse/results_heatmap.html", context, request=request)  # templates loaded once
    gc.collect()
    t0 = time.perf_counter()
    html = render_to_string("pulse/results_heatmap.html", context, request=request)
    return time.perf_counter() - t0, len(html.encode())


def traced_page(org: Any, round_pk: int, scope: Any) -> tuple[int, int]:
    """(bytes held with the page, peak) of Python allocations, one cold heatmap request."""
    from accord.pulse.results import heatmaps

    fresh_connection()
    tracemalloc.start()
    page = heatmaps.heatmap_page(request_round(org, round_pk), scope, None, None)
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del page
    gc.collect()
    return held, peak


def traced_fresh(round_pk: int) -> tuple[int, int]:
    fresh_connection()
    tracemalloc.start()
    _, data, hm = accord_fresh(round_pk)
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del data, hm
    gc.collect()
    return held, peak


def profile_page(org: Any, round_pk: int) -> None:
    import cProfile
    import io
    import pstats

    from accord.pulse.results import heatmaps

    fresh_connection()
    prof = cProfile.Profile()
    prof.enable()
    heatmaps.heatmap_page(request_round(org, round_pk), None, None, None)
    prof.disable()
    for key, top in (("tottime", 20), ("cumulative", 15)):
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats(key).print_stats(top)
        print(f"--- profile of one accord cold whole-organisation page (cProfile, sorted by {key}) ---")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip()))


if __name__ == "__main__":
    main()
