#!/usr/bin/env python3
"""Every main page of a 100,000-person organisation, timed as full responses for three viewers.

    .venv/bin/python bench/pages.py                                        # full size (many minutes)
    .venv/bin/python bench/pages.py --people 10000 --teams 1200 --rounds 4 \
        --db /tmp/accord-bench-pages-small.sqlite3                         # a quick try
    .venv/bin/python bench/pages.py --reuse --repeat 20                    # time again, no rebuild

1. Builds the organisation with bench/heatmap.py's builder (imported, not copied): the team tree, the
   people, --rounds fortnightly pulse rounds with their sealed tallies, the latest one published as
   closing does. Then gives it a reporting line (every team's first person leads it and reports to the
   lead of the nearest team above; everyone else reports to their team's lead) and the other apps'
   history at realistic volumes (see build_history): goals with key results, commitments, check-ins with
   blockers and templates, kudos with recipients and reactions, 1:1 series with meetings, notes, agenda
   and action items, handoff chains with shifts, handoffs and items, recurring meetings with
   occurrences, coffee rounds with groups, working-with-me profiles.
2. Signs in three viewers: a member of a leaf team, the lead of a level-3 team (a manager of its whole
   subtree) and the admin (the root team's lead).
3. Times every main page for each viewer through django.test.Client, as full responses (middleware,
   view, template), with the database connection closed before each request so every request opens its
   own, as the server does (CONN_MAX_AGE 0 on SQLite). One untimed request first (it must answer 200),
   then --repeat timed ones; p50/p95 and the HTML size are printed per page and viewer. A page whose
   first request takes over --slow seconds is timed twice only, so a run finishes.
4. The reference, measured in the same run between the pages: a minimal view returning a fixed page
   through the same middleware for the signed-in member. Each page's p95 is also printed as a multiple
   of the reference's p50.

The last line is `worst page p95 ms: <number>`: the slowest page's p95 over the three viewers.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import heatmap  # noqa: E402  (bench/heatmap.py: the organisation's builder)
from history import build_history, build_reporting_line  # noqa: E402

SEED = 20260414
REFERENCE_HTML = "<!doctype html><title>Reference</title><p>" + "A fixed page. " * 200 + "</p>"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    heatmap.add_org_arguments(p)
    p.add_argument("--days", type=int, default=10, help="working days of check-in history (10)")
    p.add_argument("--repeat", type=int, default=10, help="timed requests of each page per viewer (10)")
    p.add_argument("--slow", type=float, default=2.0, help="seconds over which a page is timed twice only")
    p.add_argument(
        "--db",
        default="/tmp/accord-bench-pages.sqlite3",
        help="throwaway SQLite file (recreated unless --reuse)",
    )
    p.add_argument(
        "--reuse", action="store_true", help="keep the database of an earlier run with the same sizes"
    )
    p.add_argument("--only", default="", help="comma-separated page names to time (all)")
    p.add_argument("--seed", type=int, default=SEED, help=f"random seed ({SEED})")
    args = p.parse_args(argv)
    if args.levels < 3 or args.teams < args.levels or args.people < 10 or args.rounds < 1:
        p.error("need at least 10 people, 3 levels, one round, and at least as many teams as levels")
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    # heatmap.build_org reads these.
    args.fresh_repeat = 1
    return args


# --------------------------------------------------------------------------------------------------
# Build


def build(args: argparse.Namespace, db_path: Path) -> dict[str, Any]:
    import duckdb
    from django.core.management import call_command
    from django.db import connection, connections

    from accord.pulse.actions import publish_round
    from accord.pulse.models import Round

    rng = random.Random(args.seed)
    clock = heatmap.Clock()
    call_command("migrate", verbosity=0)
    org = heatmap.build_org(args, rng)
    duck_path = db_path.with_suffix(".duckdb")
    duck_path.unlink(missing_ok=True)
    con = duckdb.connect(str(duck_path))
    heatmap.build_raw(con, args, org)
    heatmap.build_aggregates(con, org, args.rounds)
    con.close()
    duck_path.unlink(missing_ok=True)
    t_pulse = clock()
    print(f"build: organisation and {args.rounds} pulse rounds in {t_pulse:.1f} s", flush=True)
    connection.ensure_connection()
    connection.connection.execute("PRAGMA synchronous=OFF")  # build only; closed below
    line = build_reporting_line(org["org_id"], rng)
    counts = build_history(org["org_id"], line, args, rng)
    t_hist = clock() - t_pulse
    print(
        "build: history " + ", ".join(f"{n:,} {what}" for what, n in counts.items()) + f" in {t_hist:.1f} s",
        flush=True,
    )
    connections.close_all()
    rnd = Round.objects.get(program__org_id=org["org_id"], number=args.rounds)
    t0 = time.perf_counter()
    publish_round(rnd)
    print(f"build: published the latest round in {time.perf_counter() - t0:.1f} s", flush=True)
    # What the hourly housekeeping does: SQLite's planner statistics (ANALYZE) for the new tables.
    from accord.delivery.jobs import refresh_planner_statistics

    t0 = time.perf_counter()
    refresh_planner_statistics()
    print(f"build: planner statistics (housekeeping's sampled ANALYZE) in {time.perf_counter() - t0:.1f} s")
    viewers = pick_viewers(org["org_id"], line, org["depth_of"])
    connections.close_all()
    return viewers


def pick_viewers(org_id: int, line: dict[str, Any], depth_of: dict[int, int]) -> dict[str, Any]:
    """The admin, the lead of a middling level-3 team, and a member of a leaf team under it."""
    lead, members, parent_of = line["lead"], line["members"], line["parent_of"]
    children = heatmap.team_children(parent_of)
    level3 = sorted(
        (t for t, d in depth_of.items() if d == 2 and t in lead),
        key=lambda t: (len(heatmap.subtree(children, t)), t),
    )
    team3 = level3[len(level3) // 2]
    leaf = next(
        t
        for t in sorted(heatmap.subtree(children, team3))
        if t not in children and len(members.get(t, [])) > 1
    )
    member = members[leaf][1]
    return {"admin": line["admin"], "manager": lead[team3], "member": member, "manager_team": team3}


# --------------------------------------------------------------------------------------------------
# Timing


def reference_urls() -> None:
    """The app's URLs plus the reference page: a fixed response behind the same middleware."""
    import types

    from django.conf import settings
    from django.http import HttpResponse
    from django.urls import include, path

    def reference(request: Any) -> HttpResponse:
        return HttpResponse(REFERENCE_HTML)

    module = types.ModuleType("bench_pages_urls")
    module.urlpatterns = [path("bench-reference/", reference), path("", include("accord.urls"))]  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__


def sign_in(person_id: int) -> Any:
    from django.test import Client

    from accord.accounts.models import User
    from accord.orgs.models import Person

    person = Person.objects.get(pk=person_id)
    if person.user_id is None:
        user = User.objects.create_user(email=f"bench-viewer-{person.pk}@bench.invalid", password=None)
        Person.objects.filter(pk=person.pk).update(user=user)
    else:
        user = person.user
    client = Client()
    client.force_login(user)
    return client


def pages_of(role: str, v: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, URL) of every main page as this viewer reaches it."""
    from accord.connect.models import CoffeeRound
    from accord.handoffs.models import Chain
    from accord.meetings.models import Meeting, OneOnOneSeries
    from accord.orgs.models import Person
    from accord.rhythm.models import RecurringMeeting

    me = Person.objects.get(pk=v[role])
    other = Person.objects.filter(org_id=me.org_id, manager_id=me.pk).order_by(
        "id"
    ).first() or Person.objects.get(pk=me.manager_id)
    team = v["manager_team"] if role == "manager" else me.team_id
    series = (
        OneOnOneSeries.objects.filter(org_id=me.org_id, report_id=me.pk).first()
        or OneOnOneSeries.objects.filter(org_id=me.org_id, manager_id=me.pk).first()
    )
    meeting = Meeting.objects.filter(series=series).order_by("scheduled_at").first() if series else None
    rm = RecurringMeeting.objects.filter(org_id=me.org_id).order_by("id").first()
    chain = Chain.objects.filter(org_id=me.org_id).order_by("id").first()
    coffee = CoffeeRound.objects.filter(org_id=me.org_id).order_by("-number").first()
    pages = [
        ("home", "/"),
        ("person (self)", f"/people/{me.pk}/"),
        ("person (other)", f"/people/{other.pk}/"),
        ("team", f"/teams/{team}/"),
        ("teams", "/teams/"),
        ("people directory", "/people/"),
        ("goals", "/goals/"),
        ("commitments", "/commitments/"),
        ("check-ins", "/checkins/"),
        ("check-ins team", f"/checkins/team/{team}/"),
        ("kudos", "/kudos/"),
        ("kudos team", f"/kudos/team/{team}/"),
        ("kudos give", "/kudos/give/"),
        ("1:1s", "/one-on-ones/"),
        ("1:1 series", f"/one-on-ones/{series.pk}/" if series else ""),
        ("1:1 meeting", f"/one-on-ones/meeting/{meeting.pk}/" if meeting else ""),
        ("time now", "/time/"),
        ("time map", "/time/map/"),
        ("meetings", "/time/meetings/"),
        ("meeting", f"/time/meetings/{rm.pk}/" if rm else ""),
        ("charter", f"/teams/{team}/charter/"),
        ("coffee", "/coffee/"),
        ("working with me", "/working-with-me/"),
        ("handoffs", "/handoffs/"),
        ("handoff chain", f"/handoffs/chains/{chain.pk}/" if chain else ""),
        ("pulse", "/pulse/"),
        ("pulse results", "/pulse/results/"),
        ("pulse heatmap", "/pulse/results/heatmap/" if role != "member" else ""),
        ("pulse trends", "/pulse/results/trends/"),
        ("pulse feedback", "/pulse/feedback/"),
        ("settings notifications", "/settings/notifications/"),
        ("settings tokens", "/settings/tokens/"),
        ("kudos settings", "/kudos/settings/"),
    ]
    if role == "manager":
        pages.append(("kudos my team", "/kudos/my-team/"))
    if role == "admin":
        pages += [
            ("coffee settings", "/coffee/settings/"),
            ("coffee round", f"/coffee/rounds/{coffee.pk}/" if coffee else ""),
            ("pulse programs", "/pulse/programs/"),
            ("pulse settings", "/pulse/settings/"),
        ]
    return [(n, u) for n, u in pages if u]


def one_request(client: Any, url: str) -> tuple[float, int, int]:
    from django.db import connections

    connections.close_all()  # the server opens a connection per request (CONN_MAX_AGE 0)
    gc.collect()
    t0 = time.perf_counter()
    response = client.get(url, secure=True)
    body = b"".join(response) if response.streaming else response.content
    elapsed = time.perf_counter() - t0
    return elapsed, response.status_code, len(body)


def pct(runs: list[float], q: float) -> float:
    if len(runs) == 1:
        return runs[0]
    ordered = sorted(runs)
    k = (len(ordered) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    db_path = Path(args.db).resolve()
    meta_path = Path(str(db_path) + ".json")
    params = {
        k: getattr(args, k)
        for k in ("people", "teams", "levels", "rounds", "questions", "response", "days", "seed")
    }
    reuse = args.reuse and db_path.exists() and meta_path.exists()
    if args.reuse and not reuse:
        print("--reuse: no earlier database found; building it", flush=True)
    if not reuse:
        for suffix in ("", "-wal", "-shm", ".json"):
            Path(str(db_path) + suffix).unlink(missing_ok=True)
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ.setdefault("SECRET_KEY", "bench-pages-not-a-secret")
    heatmap.setup_django(db_path)
    from django.core.management import call_command
    from django.db import connections

    print(
        f"Accord pages benchmark: {args.people:,} people, about {args.teams:,} teams over "
        f"{args.levels} levels, "
        f"{args.rounds} pulse rounds, {args.days} days of check-ins (seed {args.seed}); database {db_path}",
        flush=True,
    )
    if reuse:
        stored = json.loads(meta_path.read_text())
        if stored["params"] != params:
            raise SystemExit("--reuse: the database was built with other sizes; run without --reuse")
        call_command("migrate", verbosity=0)
        from accord.delivery.jobs import refresh_planner_statistics

        refresh_planner_statistics()  # as the hourly housekeeping would have since the build
        viewers = stored["viewers"]
        print("build: reused the database of an earlier run")
    else:
        t0 = time.perf_counter()
        viewers = build(args, db_path)
        meta_path.write_text(json.dumps({"params": params, "viewers": viewers}))
        print(f"build: {time.perf_counter() - t0:.1f} s in all", flush=True)
    connections.close_all()
    reference_urls()
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    from accord.orgs.models import Person

    for role in ("member", "manager", "admin"):
        p = Person.objects.select_related("team").get(pk=viewers[role])
        below = Person.objects.filter(manager_id=p.pk).count()
        print(
            f"viewer {role}: person {p.pk} in {p.team.name if p.team else 'no team'}, {below} direct reports"
        )

    clients = {role: sign_in(viewers[role]) for role in ("member", "manager", "admin")}
    reference_runs: list[float] = []

    def reference_once() -> None:
        elapsed, status, _ = one_request(clients["member"], "/bench-reference/")
        assert status == 200, status
        reference_runs.append(elapsed)

    for _ in range(3):
        reference_once()
    reference_runs.clear()
    rows: list[tuple[str, str, float, float, int, int]] = []
    failures: list[str] = []
    for role in ("member", "manager", "admin"):
        client = clients[role]
        for name, url in pages_of(role, viewers):
            if only and name not in only:
                continue
            first, status, size = one_request(client, url)
            if status != 200:
                failures.append(f"{role} {name} {url}: HTTP {status}")
                continue
            runs = []
            for _ in range(args.repeat if first < args.slow else 2):
                reference_once()
                elapsed, status, size = one_request(client, url)
                runs.append(elapsed)
            rows.append((role, name, pct(runs, 0.5), pct(runs, 0.95), size, len(runs)))
            print(
                f"{role:8} {name:24} p50 {pct(runs, 0.5) * 1000:8.1f} ms  "
                f"p95 {pct(runs, 0.95) * 1000:8.1f} ms  "
                f"{size / 1024:9.1f} KiB  ({len(runs)} runs) {url}",
                flush=True,
            )
    ref50, ref95 = pct(reference_runs, 0.5), pct(reference_runs, 0.95)
    print(
        f"reference (a fixed {len(REFERENCE_HTML):,}-byte page through the same middleware, signed in, "
        f"{len(reference_runs)} runs between the pages): p50 {ref50 * 1000:.1f} ms, p95 {ref95 * 1000:.1f} ms"
    )
    print("pages by p95, as multiples of the reference's p50:")
    for role, name, _p50, p95, size, _n in sorted(rows, key=lambda r: -r[3])[:15]:
        print(f"  {p95 / ref50:8.1f}x  {role:8} {name:24} p95 {p95 * 1000:8.1f} ms  {size / 1024:9.1f} KiB")
    for f in failures:
        print(f"not 200: {f}")
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (1, 5, 15 min)")
    worst = max((r[3] for r in rows), default=float("nan"))
    print(f"worst page p95 ms: {worst * 1000:.1f}")


if __name__ == "__main__":
    main()
