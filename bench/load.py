#!/usr/bin/env python3
"""Twenty people at once against a real `accord run`, then a burst of pulse answers.

    .venv/bin/python bench/load.py                                    # SQLite and PostgreSQL, 60 s each phase
    .venv/bin/python bench/load.py --db sqlite --seconds 30           # one database, shorter phases
    .venv/bin/python bench/load.py --db postgres --database-url postgres://postgres@127.0.0.1:5432/accord_load

For each database it builds the demo organisation grown to about --people people (every squad of
accord/demo/people.py made proportionally bigger, so all of the demo's history comes with them: pulse
rounds, goals, check-ins, 1:1s, kudos, handoffs, coffee), plus one open pulse round that everyone is
asked in and an API token for each of them. It then starts `accord run` with its defaults (granian,
one worker, the scheduler), signs in --users people through the sign-in form (members, managers and
admins, each with their own session) and runs:

1. reading: each person opens a page from the mix of main pages, reads it for 1-3 s and opens the next,
   for --seconds; prints p50/p95/p99 per page, `p95 ms: <n>` and how many people got no page at all;
2. saturated: the same people and mix with no pause, for --seconds; prints `saturated pages/s: <n>`;
3. burst: every person with a token answers the open round through
   `POST /api/pulse/rounds/{id}/answers`, started at --rate per second whatever the server's pace (each
   on one of --burst-connections keep-alive connections; a failed request is tried again, as a client
   would); then it waits for the worker to mix the pool and counts in the database the answer sets
   stored and the people marked as having answered. Prints `burst accepted/s`, `burst p95 ms` (from the
   moment each answer was due to be sent), `burst lost` (people whose answer is not stored) and
   `burst doubled` (answer sets stored beyond one per person).

The reference, measured by the same server in the same run: /healthz (no database, no session, no
template) one request at a time (its p50) and from --users connections with no pause (its requests per
second); the figures are printed beside their ratios to it. The server, the database and this client
share the machine; note `uptime` with any figure. Nothing is asserted; it only prints.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import http.client
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "accord-demo"
ONE_ON_ONES = 12  # per manager, in the grown demo
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/accord_load"

# The main pages, as a person moves between them; {person} and {team} are filled in per viewer.
PAGES = [
    "/",
    "/people/",
    "/people/{person}/",
    "/teams/",
    "/teams/{team}/",
    "/pulse/",
    "/pulse/results/",
    "/pulse/results/trends/",
    "/pulse/results/heatmap/",
    "/goals/",
    "/commitments/",
    "/checkins/",
    "/one-on-ones/",
    "/kudos/",
    "/time/",
    "/time/map/",
    "/time/meetings/",
    "/handoffs/",
    "/coffee/",
    "/working-with-me/",
]


# --- building (runs in a child process with Django set up for the database under test) ---------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build(people_wanted: int, out: Path) -> None:
    _django()
    import dataclasses

    from django.core.management import call_command

    from accord.demo import generate_demo
    from accord.demo import meetings as demo_meetings
    from accord.demo import people as demo_people

    call_command("migrate", "--no-input", "-v", "0")
    base = sum(c for s in demo_people.SQUADS for _, c in s.titles)
    grow = max(1, round((people_wanted - 20) / base))
    # Every squad the same shape, `grow` times bigger: its zones keep their proportions (the exact zone
    # counts some squads need for the pulse's region slices stay multiples of the originals).
    demo_people.SQUADS = tuple(
        dataclasses.replace(
            s,
            titles=tuple((title, count * grow) for title, count in s.titles),
            counts=None if s.counts is None else tuple(c * grow for c in s.counts),
        )
        for s in demo_people.SQUADS
    )
    # A manager's week holds a dozen or so 1:1s, not one per report of a squad this big: the demo's
    # 1:1 builder places every pair it is given, so it gets each manager's first reports only.
    weekly = demo_meetings.build_meetings

    def one_on_ones(cast: demo_people.Cast) -> None:
        full = demo_people.Cast.reports
        demo_people.Cast.reports = lambda self, manager: full(self, manager)[:ONE_ON_ONES]  # type: ignore[method-assign]
        try:
            weekly(cast)
        finally:
            demo_people.Cast.reports = full  # type: ignore[method-assign]

    demo_meetings.build_meetings = one_on_ones
    began = time.monotonic()
    generate_demo()
    out.write_text(json.dumps({"build_s": time.monotonic() - began}))


def prepare(out: Path) -> None:
    """A new round everyone is asked in, a token for each of them, and the people who browse."""
    _django()
    import datetime as dt

    from django.db.models import Count
    from django.utils import timezone

    from accord.accounts.actions import create_api_token
    from accord.demo import DEMO_ORG_SLUG
    from accord.orgs.models import Organisation, Person, Role
    from accord.pulse.models import Participation, Program, Question, Scale
    from accord.pulse.programs import open_round, save_program

    org = Organisation.objects.get(slug=DEMO_ORG_SLUG)
    now = timezone.now()
    scored = list(Question.objects.filter(org=org, scale=Scale.AGREE5).order_by("pk")[:6])
    program = save_program(
        Program(
            org=org,
            name=f"Load burst {now:%Y-%m-%d %H:%M:%S}",
            cadence_days=90,
            questions_per_round=len(scored),
            window_days=5,
        ),
        questions=scored,
        teams=[],
        start=now,
    )
    rnd = open_round(program, now - dt.timedelta(minutes=1))
    questions = [q.pk for q in rnd.questions.all()]
    # No invitation mail for this round: its 1,000 prompts would be sent by the worker during the
    # measurements. The answers come through the API below.
    Participation.objects.filter(round=rnd).update(next_send_at=None)
    tokens = []
    for part in Participation.objects.filter(round=rnd).select_related("person__org"):
        _, raw = create_api_token(part.person, name="load bench")
        tokens.append(raw)
    reports = dict(
        Person.objects.filter(org=org, manager__isnull=False)
        .values_list("manager")
        .annotate(n=Count("pk"))
        .values_list("manager", "n")
    )
    everyone = list(Person.objects.filter(org=org, user__isnull=False).select_related("user").order_by("pk"))
    admins = [p for p in everyone if p.role in (Role.ADMIN, Role.OWNER)]
    managers = sorted(
        (p for p in everyone if p.pk in reports and p not in admins), key=lambda p: -reports[p.pk]
    )
    members = [p for p in everyone if p.pk not in reports and p not in admins]
    rng = random.Random(14)

    def viewer(p: Person, role: str) -> dict[str, object]:
        mates = [m.pk for m in everyone if m.team_id == p.team_id and m.pk != p.pk] or [everyone[0].pk]
        return {"email": p.user.email, "role": role, "person": rng.choice(mates), "team": p.team_id}

    chosen = (
        [viewer(p, "admin") for p in admins[:2]]
        + [viewer(p, "manager") for p in managers[:6]]
        + [viewer(p, "member") for p in rng.sample(members, 12)]
    )
    out.write_text(
        json.dumps(
            {
                "people": len(everyone),
                "round": rnd.pk,
                "questions": questions,
                "tokens": tokens,
                "viewers": chosen,
            }
        )
    )


def count(round_id: int) -> None:
    """Answer sets stored for the round (mixed or still pooled) and people marked as having answered."""
    _django()
    from accord.pulse.models import MixingPool, Participation, Response

    print(
        json.dumps(
            {
                "stored": Response.objects.filter(round_id=round_id).count()
                + MixingPool.objects.filter(round_id=round_id).count(),
                "pooled": MixingPool.objects.filter(round_id=round_id).count(),
                "took_part": Participation.objects.filter(round_id=round_id, took_part=True).count(),
            }
        )
    )


def page_costs(data_file: Path) -> None:
    """CPU time of each page of the mix for one viewer of each role, in this process (Django's test
    client, median of 3 after one warm-up): what each page costs the server whatever the machine's load."""
    _django()
    import statistics as stats

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accord.accounts.models import User

    data = json.loads(data_file.read_text())
    roles: dict[str, dict] = {}
    for viewer in data["viewers"]:
        roles.setdefault(viewer["role"], viewer)
    print(f"  {'CPU ms, queries':28}" + "".join(f"{role:>18}" for role in roles))
    total = dict.fromkeys(roles, 0.0)
    for page in ["/healthz", *PAGES]:
        row = f"  {page:28}"
        for role, viewer in roles.items():
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(User.objects.get(email=viewer["email"]))
            path = page.format(person=viewer["person"], team=viewer["team"])
            client.get(path)
            spent = []
            for _ in range(3):
                with CaptureQueriesContext(connection) as queries:
                    began = time.process_time()
                    client.get(path)
                    spent.append(time.process_time() - began)
            ms = stats.median(spent) * 1000
            total[role] += ms if page != "/healthz" else 0
            row += f"{ms:12.1f} {len(queries.captured_queries):4}q"
        print(row)
    print(f"  {'mean of the mix':28}" + "".join(f"{t / len(PAGES):12.1f}      " for t in total.values()))


# --- the client ---------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Session:
    """One browser: a keep-alive connection and its cookies."""

    def __init__(self, port: int, timeout: float) -> None:
        self.port, self.timeout = port, timeout
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            sent = dict(headers or {})
            if self.cookies:
                sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            try:
                self.conn.request(method, path, body=body, headers=sent)
                response = self.conn.getresponse()
                data = response.read()
            except (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine):
                # A keep-alive connection the server closed between requests: a browser opens another.
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
                continue
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return response.status, data
        raise AssertionError("unreachable")

    def sign_in(self, email: str) -> None:
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise SystemExit(f"the sign-in page answered {status}")
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": html.unescape(token.group(1).decode()),
                "email": email,
                "password": PASSWORD,
            }
        )
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{self.port}/accounts/login/",
        }
        status, _ = self.request("POST", "/accounts/login/", body=form, headers=headers)
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"{email} could not sign in ({status})")


@dataclass
class Tally:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    failures: int = 0
    per_user: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, user: int, page: str, status: int, seconds: float) -> None:
        with self.lock:
            self.times[page].append(seconds * 1000)
            self.statuses[page][status] += 1
            self.per_user[user] += status < 500

    def all_times(self) -> list[float]:
        return [t for ts in self.times.values() for t in ts]


def browse(sessions: list[tuple[Session, dict]], seconds: float, pause: tuple[float, float] | None) -> Tally:
    tally = Tally()
    stop = time.monotonic() + seconds

    def one(index: int, session: Session, viewer: dict) -> None:
        rng = random.Random(index)
        while time.monotonic() < stop:
            page = rng.choice(PAGES)
            path = page.format(person=viewer["person"], team=viewer["team"])
            began = time.monotonic()
            try:
                status, _ = session.request("GET", path)
            except (OSError, http.client.HTTPException):
                with tally.lock:
                    tally.failures += 1
                continue
            tally.add(index, page, status, time.monotonic() - began)
            if pause:
                time.sleep(min(rng.uniform(*pause), max(0.0, stop - time.monotonic())))

    threads = [threading.Thread(target=one, args=(i, s, v)) for i, (s, v) in enumerate(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally


def report_pages(tally: Tally) -> None:
    print(f"  {'page':28} {'n':>5} {'p50':>8} {'p95':>8} {'p99':>8}  statuses")
    for page in PAGES:
        ts = tally.times.get(page, [])
        codes = " ".join(f"{c}×{n}" for c, n in sorted(tally.statuses[page].items()))
        print(f"  {page:28} {len(ts):5} {pct(ts, 50):8.1f} {pct(ts, 95):8.1f} {pct(ts, 99):8.1f}  {codes}")


def reference(port: int, users: int, seconds: float) -> tuple[float, float]:
    """/healthz one at a time (p50 ms), then from `users` connections with no pause (requests/s)."""
    one = Session(port, 30)
    alone = []
    for _ in range(200):
        began = time.monotonic()
        one.request("GET", "/healthz")
        alone.append((time.monotonic() - began) * 1000)
    done = [0] * users
    stop = time.monotonic() + seconds

    def hammer(i: int) -> None:
        s = Session(port, 30)
        while time.monotonic() < stop:
            s.request("GET", "/healthz")
            done[i] += 1

    began = time.monotonic()
    threads = [threading.Thread(target=hammer, args=(i,)) for i in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statistics.median(alone), sum(done) / (time.monotonic() - began)


def burst(port: int, data: dict, rate: float, connections: int) -> dict[str, float]:
    tokens: list[str] = data["tokens"]
    body = json.dumps({"answers": {str(q): 1 + i % 5 for i, q in enumerate(data["questions"])}})
    path = f"/api/pulse/rounds/{data['round']}/answers"
    lock = threading.Lock()
    nxt = [0]
    lat: list[float] = []
    codes: dict[int | str, int] = defaultdict(int)
    accepted_at: list[float] = []
    start = time.monotonic() + 0.5

    def worker() -> None:
        s = Session(port, 60)
        while True:
            with lock:
                i = nxt[0]
                nxt[0] += 1
            if i >= len(tokens):
                return
            due = start + i / rate
            time.sleep(max(0.0, due - time.monotonic()))
            headers = {"Authorization": f"Bearer {tokens[i]}", "Content-Type": "application/json"}
            outcome: int | str = "error"
            for attempt in range(3):
                try:
                    status, _ = s.request("POST", path, body=body, headers=headers)
                except (OSError, http.client.HTTPException):
                    s.conn = None
                    continue
                # 409 on a retry: the first try was stored though its answer was lost on the way.
                if status == 201 or (status == 409 and attempt):
                    outcome = 201
                    break
                outcome = status
                if status < 500:
                    break
            done = time.monotonic()
            with lock:
                codes[outcome] += 1
                lat.append((done - due) * 1000)
                if outcome == 201:
                    accepted_at.append(done)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = (max(accepted_at) - start) if accepted_at else float("nan")
    print("  statuses:", dict(codes))
    return {
        "accepted": len(accepted_at),
        "accepted_per_s": len(accepted_at) / took if accepted_at else 0.0,
        "p50": pct(lat, 50),
        "p95": pct(lat, 95),
        "p99": pct(lat, 99),
    }


# --- one database -------------------------------------------------------------------------------


def child(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [sys.executable, __file__, *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


def fresh_postgres(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def cpu_seconds(root: int) -> float:
    """CPU time used so far by `root` and every process under it (web, worker, scheduler), from /proc:
    on a shared machine this counts the server's own work, not the time it waited for a core."""
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            pid = int(stat.parent.name)
            parents[pid] = int(fields[1])
            ticks[pid] = int(fields[11]) + int(fields[12])  # utime + stime
    tree, todo = set(), [root]
    while todo:
        pid = todo.pop()
        tree.add(pid)
        todo += [child for child, parent in parents.items() if parent == pid and child not in tree]
    return sum(ticks.get(pid, 0) for pid in tree) / os.sysconf("SC_CLK_TCK")


def wait_for(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not listen on {port}")


def run_one(kind: str, ns: argparse.Namespace) -> dict[str, float]:
    var = Path(f"/tmp/accord-load-{kind}")
    url = ns.database_url if kind == "postgres" else f"sqlite:///{var}/accord.sqlite3"
    built = var / "built.json"
    if not (ns.reuse and built.exists()):
        shutil.rmtree(var, ignore_errors=True)
        if kind == "postgres":
            fresh_postgres(url)
    var.mkdir(exist_ok=True)
    env = dict(
        os.environ,
        ACCORD_VAR_DIR=str(var),
        DATABASE_URL=url,
        SECRET_KEY="load-bench-not-secret",
        ACCORD_SECURE_COOKIES="0",
        LOG_LEVEL="WARNING",
    )
    if not built.exists():
        print(f"\n== {kind}: building about {ns.people} people ({url})", flush=True)
        child(env, "_build", "--people", str(ns.people), "--out", str(built))
        print(f"built in {json.loads(built.read_text())['build_s']:.0f} s", flush=True)
    else:
        print(f"\n== {kind}: reusing {var} ({url})", flush=True)
    child(env, "_prepare", "--out", str(var / "data.json"))
    data = json.loads((var / "data.json").read_text())
    print(
        f"{data['people']} people; burst round {data['round']} with {len(data['tokens'])} people asked",
        flush=True,
    )
    if ns.page_costs:
        print("page costs in one process, before the server starts:", flush=True)
        print(child(env, "_pages", str(var / "data.json")), end="", flush=True)
    log = (var / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "accord.cli", "run", "--port", str(ns.port)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    figures: dict[str, float] = {}
    try:
        wait_for(ns.port, time.monotonic() + 120)
        sessions = []
        for viewer in data["viewers"][: ns.users]:
            session = Session(ns.port, ns.timeout)
            session.sign_in(viewer["email"])
            sessions.append((session, viewer))
        roles = defaultdict(int)
        for _, viewer in sessions:
            roles[viewer["role"]] += 1
        print("signed in:", dict(roles), flush=True)
        browse(sessions, min(10.0, ns.seconds), None)  # warm every process's caches, not measured
        cpu = cpu_seconds(server.pid)
        ref_ms, ref_rps = reference(ns.port, ns.users, 5)
        ref_cpu = (cpu_seconds(server.pid) - cpu) / (200 + ref_rps * 5)
        print(
            f"reference /healthz: p50 {ref_ms:.2f} ms alone; "
            f"{ref_rps:.0f} requests/s from {ns.users} connections; server CPU {ref_cpu * 1000:.2f} ms each"
        )

        print(f"-- reading: {ns.users} people, 1-3 s on each page, {ns.seconds:.0f} s", flush=True)
        cpu = cpu_seconds(server.pid)
        reading = browse(sessions, ns.seconds, (1.0, 3.0))
        reading_cpu = cpu_seconds(server.pid) - cpu
        report_pages(reading)
        everything = reading.all_times()
        unanswered = sum(1 for i in range(len(sessions)) if reading.per_user[i] == 0)
        p95 = pct(everything, 95)
        print(
            f"pages: {len(everything)}; failed requests: {reading.failures}; "
            f"people with no page: {unanswered}"
        )
        print(f"p50 ms: {pct(everything, 50):.1f}  p99 ms: {pct(everything, 99):.1f}")
        print(f"server CPU per page: {reading_cpu / max(1, len(everything)) * 1000:.1f} ms")
        print(f"p95 / healthz p50: {p95 / ref_ms:.1f}")
        print(f"p95 ms: {p95:.1f}", flush=True)

        print(f"-- saturated: the same {ns.users} people with no pause, {ns.seconds:.0f} s", flush=True)
        began, cpu = time.monotonic(), cpu_seconds(server.pid)
        saturated = browse(sessions, ns.seconds, None)
        rate = len(saturated.all_times()) / (time.monotonic() - began)
        per_page = (cpu_seconds(server.pid) - cpu) / max(1, len(saturated.all_times()))
        report_pages(saturated)
        print(f"failed requests: {saturated.failures}; overall p95 ms: {pct(saturated.all_times(), 95):.1f}")
        cores = os.cpu_count() or 1
        print(
            f"server CPU per page: {per_page * 1000:.1f} ms, so {cores} idle cores would serve about "
            f"{cores / per_page:.0f} pages/s"
        )
        print(f"saturated pages/s / healthz requests/s: {rate / ref_rps:.3f}")
        print(f"saturated pages/s: {rate:.1f}", flush=True)

        before = json.loads(child(env, "_count", "--round", str(data["round"])))
        print(
            f"-- burst: {len(data['tokens'])} answers at {ns.rate:.0f}/s "
            f"over {ns.burst_connections} connections",
            flush=True,
        )
        cpu = cpu_seconds(server.pid)
        got = burst(ns.port, data, ns.rate, ns.burst_connections)
        per_answer = (cpu_seconds(server.pid) - cpu) / max(1, got["accepted"])
        after = before
        settle = time.monotonic() + 60
        while time.monotonic() < settle:
            time.sleep(2)
            after = json.loads(child(env, "_count", "--round", str(data["round"])))
            if after["took_part"] >= got["accepted"] and after["pooled"] < 100:
                break
        stored = after["stored"] - before["stored"]
        marked = after["took_part"] - before["took_part"]
        lost = len(data["tokens"]) - min(stored, marked)
        doubled = max(0, stored - marked)
        print(
            f"accepted {got['accepted']} of {len(data['tokens'])}; marked as answered {marked}; "
            f"answer sets stored {stored} ({after['pooled']} still pooled); p50 {got['p50']:.1f} ms, "
            f"p99 {got['p99']:.1f} ms"
        )
        print(
            f"server CPU per answer: {per_answer * 1000:.1f} ms, so {cores} idle cores would take about "
            f"{cores / per_answer:.0f} answers/s"
        )
        print(f"burst p95 / healthz p50: {got['p95'] / ref_ms:.1f}")
        print(f"burst accepted/s: {got['accepted_per_s']:.1f}")
        print(f"burst p95 ms: {got['p95']:.1f}")
        print(f"burst lost: {lost}")
        print(f"burst doubled: {doubled}", flush=True)
        figures = {
            "p95": p95,
            "saturated": rate,
            "burst_rate": got["accepted_per_s"],
            "burst_p95": got["p95"],
            "lost": lost,
            "doubled": doubled,
            "page_cpu_ms": per_page * 1000,
            "answer_cpu_ms": per_answer * 1000,
            "healthz_ms": ref_ms,
            "healthz_rps": ref_rps,
        }
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, 15)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
        log.close()
    return figures


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] in ("_build", "_prepare"):
        p = argparse.ArgumentParser()
        p.add_argument("step")
        p.add_argument("--people", type=int)
        p.add_argument("--out", type=Path)
        a = p.parse_args()
        if a.step == "_build":
            build(a.people, a.out)
        else:
            prepare(a.out)
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "_pages":
        page_costs(Path(sys.argv[2]))
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "_count":
        count(int(sys.argv[3]))
        return 0
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--database-url", default=DEFAULT_PG, help=f"PostgreSQL, recreated (default {DEFAULT_PG})"
    )
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=300, help="burst answers started per second")
    parser.add_argument("--burst-connections", type=int, default=100)
    parser.add_argument(
        "--timeout", type=float, default=60, help="seconds a page may take before it counts as none"
    )
    parser.add_argument("--port", type=int, default=8793)
    parser.add_argument(
        "--page-costs", action="store_true", help="first, each page's CPU time per role, in one process"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the organisation built by an earlier run (/tmp/accord-load-*)",
    )
    ns = parser.parse_args()
    with contextlib.suppress(OSError):
        print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    results = {}
    for kind in ["sqlite", "postgres"] if ns.db == "both" else [ns.db]:
        results[kind] = run_one(kind, ns)
    print("\nsummary:")
    for kind, f in results.items():
        print(
            f"  {kind}: p95 {f['p95']:.1f} ms, saturated {f['saturated']:.1f} pages/s, burst "
            f"{f['burst_rate']:.0f}/s p95 {f['burst_p95']:.0f} ms, lost {f['lost']}, doubled {f['doubled']}; "
            f"server CPU {f['page_cpu_ms']:.1f} ms a page, {f['answer_cpu_ms']:.1f} ms an answer; "
            f"healthz {f['healthz_ms']:.2f} ms, {f['healthz_rps']:.0f}/s"
        )
    with contextlib.suppress(OSError):
        print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
