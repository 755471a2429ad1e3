"""Pulse results pages as full responses: results, heatmap and trends for a member, a manager of a
level-3 subtree and an admin of `bench/heatmap.py`'s organisation, through django.test.Client (the
whole middleware stack, the template, a fresh database connection per request as the server opens
one), against a reference measured in the same run: a minimal Django view returning a fixed page.

Build the database first with bench/heatmap.py (its `--db`), then:

    .venv/bin/python bench/pulse_pages.py --db /tmp/results-bench.sqlite3 --repeat 7

The first run adds three signed-in viewers to the throwaway database (an admin, a member, and a manager
to whom everyone in a middling level-3 team's subtree reports). Prints per page and viewer the median
and p95 (nearest rank) in ms, the HTML size, the ratio of the p95 to the reference's, and as its last
line `worst page p95 ms: <number>`.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PAGES = (
    ("results", "/pulse/results/"),
    ("heatmap", "/pulse/results/heatmap/"),
    ("trends", "/pulse/results/trends/"),
)
PASSWORD = "bench-pages-not-a-secret"


def setup_django(db_path: Path) -> None:
    """Point Accord at the throwaway database, never at whatever DATABASE_URL the shell has."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "accord.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("SECRET_KEY", "bench-heatmap-not-a-secret")  # the key heatmap.py sealed with
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def reference_urls() -> Any:
    """The URLconf of the run: the app's, plus a fixed page of about the size of a small page."""
    from django.http import HttpResponse
    from django.urls import path

    import accord.urls

    body = "<!doctype html><title>ref</title>" + "<p>reference</p>" * 200

    def reference(request: Any) -> HttpResponse:
        return HttpResponse(body)

    class Urls:
        urlpatterns = [path("bench-reference/", reference), *accord.urls.urlpatterns]

    return Urls


def viewers() -> dict[str, Any]:
    """The admin, a member and a level-3 manager of the benchmark organisation, each with a user."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from accord.orgs.models import Organisation, Person, Role, Team

    org = Organisation.objects.get(slug="bench-org")
    out: dict[str, Any] = {}
    made = {p.email: p for p in Person.objects.filter(org=org, email__endswith="@viewers.bench.invalid")}
    with transaction.atomic():
        for role in ("admin", "member", "manager"):
            email = f"{role}@viewers.bench.invalid"
            person = made.get(email)
            if person is None:
                user = get_user_model().objects.create_user(email=email, password=PASSWORD)
                team = Team.objects.filter(org=org).order_by("pk").first()
                person = Person.objects.create(
                    org=org,
                    user=user,
                    email=email,
                    name=f"Bench {role}",
                    team=team,
                    role=Role.ADMIN if role == "admin" else Role.MEMBER,
                )
                if role == "manager":
                    teams = dict(Team.objects.filter(org=org).values_list("pk", "parent_id"))
                    children: dict[int, list[int]] = {}
                    for t, p in teams.items():
                        if p is not None:
                            children.setdefault(p, []).append(t)

                    level3 = sorted(
                        (t for t in teams if depth_of(teams, t) == 2),
                        key=lambda t: (len(subtree_of(children, t)), t),
                    )
                    root = level3[len(level3) // 2]
                    below = subtree_of(children, root)
                    reports = Person.objects.filter(org=org, team_id__in=below).exclude(pk=person.pk)
                    reports.update(manager=person)
                    print(f"manager of team {root}: {len(below)} teams in the subtree")
            out[role] = person
    return out


def depth_of(parents: dict[int, int | None], team: int) -> int:
    d = 0
    while (up := parents.get(team)) is not None:
        team, d = up, d + 1
    return d


def subtree_of(children: dict[int, list[int]], team: int) -> list[int]:
    found, todo = [], [team]
    while todo:
        x = todo.pop()
        found.append(x)
        todo.extend(children.get(x, []))
    return found


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def timed_get(client: Any, url: str) -> tuple[float, int, int]:
    from django.db import connections

    connections.close_all()  # the app opens a connection per request on SQLite
    gc.collect()
    t0 = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - t0
    return elapsed, response.status_code, len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="/tmp/results-bench.sqlite3", help="bench/heatmap.py's database")
    parser.add_argument("--repeat", type=int, default=7, help="timed requests per page and viewer (7)")
    parser.add_argument("--roles", default="member,manager,admin", help="viewers, comma-separated")
    args = parser.parse_args()
    setup_django(Path(args.db))
    from django.test import Client, override_settings

    people = viewers()
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}", flush=True)
    worst = 0.0
    with override_settings(ROOT_URLCONF=reference_urls(), ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.force_login(people["admin"].user)
        client.get("/bench-reference/")
        ref = [timed_get(client, "/bench-reference/")[0] for _ in range(max(args.repeat, 9))]
        ref_p95 = p95(ref)
        print(f"reference (a fixed page): p50 {median(ref) * 1000:.1f} ms, p95 {ref_p95 * 1000:.1f} ms")
        for role in args.roles.split(","):
            client = Client()
            client.force_login(people[role].user)
            for name, url in PAGES:
                first = timed_get(client, url)  # warm: imports, template loading, caches
                runs = [first] + [timed_get(client, url) for _ in range(args.repeat - 1)]
                times = [r[0] for r in runs]
                status, size = runs[-1][1], runs[-1][2]
                if status == 404 and role == "member" and name == "heatmap":
                    print(f"{role:8} {name:8} 404 (members have no heatmap)")
                    continue
                q = p95(times)
                worst = max(worst, q)
                print(
                    f"{role:8} {name:8} status {status} p50 {median(times) * 1000:8.1f} ms  "
                    f"p95 {q * 1000:8.1f} ms  ({q / ref_p95:6.1f}x reference)  html {size / 1024:8.1f} KiB",
                    flush=True,
                )
    print(f"load after: {os.getloadavg()[0]:.2f}")
    print(f"worst page p95 ms: {worst * 1000:.1f}")


if __name__ == "__main__":
    main()
