#!/usr/bin/env python3
"""The people directory, search, picker and org chart of a large organisation, as full responses.

    .venv/bin/python bench/heatmap.py --db /tmp/people-full.sqlite3 --rounds 2   # builds 100,000 people
    .venv/bin/python bench/people.py --db /tmp/people-full.sqlite3

Reuses the organisation bench/heatmap.py builds (people over a 12,000-team tree). Signs in an admin
and a member (a user is attached to an existing person of each role; the database is a throwaway),
then times each page through django.test.Client with a fresh database connection per request, as the
server opens one, --repeat times, against a reference measured in the same run: a minimal view that
returns a fixed page through the same middleware. Prints per page the median and slowest time, the
ratio of the median to the reference's, and the HTML size. Times depend on the machine and its load;
compare ratios.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def reference(request):  # type: ignore[no-untyped-def]
    from django.http import HttpResponse

    return HttpResponse("<!doctype html><title>ref</title><p>A fixed page.</p>")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", default="/tmp/accord-bench-heatmap.sqlite3")
    p.add_argument("--repeat", type=int, default=9)
    args = p.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "accord.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{args.db}"
    os.environ.setdefault("SECRET_KEY", "bench-people-not-a-secret")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client, override_settings
    from django.urls import include, path

    from accord.orgs.models import Organisation, Person, Role, Team

    call_command("migrate", verbosity=0)  # indexes added since the database was built
    org = Organisation.objects.order_by("pk").first()
    assert org is not None, "build the organisation first with bench/heatmap.py"
    people = Person.objects.filter(org=org, is_active=True)
    admin = people.order_by("pk").first()
    member = people.filter(reports__isnull=True).order_by("-pk").first()
    assert admin and member
    Person.objects.filter(pk=admin.pk).update(role=Role.ADMIN)
    users = get_user_model().objects
    for person, email in ((admin, "bench-admin@example.com"), (member, "bench-member@example.com")):
        if person.user_id is None:
            user = users.filter(email=email).first() or users.create_user(email=email, password="x" * 20)
            Person.objects.filter(pk=person.pk).update(user=user)
    admin.refresh_from_db()
    member.refresh_from_db()
    teams_of_org = Team.objects.filter(org=org).order_by("pk")
    level2 = teams_of_org.filter(parent__parent__isnull=True, parent__isnull=False).first()
    level3 = teams_of_org.filter(parent__parent__parent__isnull=True, parent__parent__isnull=False).first()
    total = people.count()
    teams = Team.objects.filter(org=org).count()
    some = people.order_by("-pk").values_list("name", "email")[0]
    rare = some[1].split("@")[0]

    bench_urls = type(sys)("bench_people_urls")
    bench_urls.urlpatterns = [path("bench-reference/", reference), path("", include("accord.urls"))]  # type: ignore[attr-defined]

    htmx = {"HTTP_HX_REQUEST": "true"}
    pages: list[tuple[str, str, dict[str, str], str]] = [
        ("reference (fixed page)", "/bench-reference/", {}, "admin"),
        ("/people/", "/people/", {}, "admin"),
        ("/people/ as member", "/people/", {}, "member"),
        ("/people/?page=1000", "/people/?page=1000", {}, "admin"),
        ("/people/?q=an (common)", "/people/?q=an", {}, "admin"),
        (f"/people/?q={rare} (one person)", f"/people/?q={rare}", {}, "admin"),
        ("/people/?team=<level 2> (subtree)", f"/people/?team={level2.pk if level2 else ''}", {}, "admin"),
        ("/people/?zone=Europe/Berlin", "/people/?zone=Europe/Berlin", {}, "admin"),
        ("/people/?q=an htmx", "/people/?q=an", htmx, "admin"),
        ("/search/?q=an (page)", "/search/?q=an", {}, "admin"),
        ("/search/?q=an htmx, admin", "/search/?q=an", htmx, "admin"),
        ("/search/?q=an htmx, member", "/search/?q=an", htmx, "member"),
        (f"/search/?q={rare} htmx", f"/search/?q={rare}", htmx, "admin"),
        ("/api/search?q=an", "/api/search?q=an", {}, "admin"),
        ("/people/pick/?q=an", "/people/pick/?q=an", htmx, "member"),
        ("/teams/chart/", "/teams/chart/", {}, "admin"),
        ("/teams/chart/<level 3> htmx", f"/teams/chart/{level3.pk if level3 else 0}/", htmx, "admin"),
        ("/teams/chart/<level 3> page", f"/teams/chart/{level3.pk if level3 else 0}/", {}, "admin"),
        ("/kudos/give/ (picker form)", "/kudos/give/", {}, "member"),
    ]
    clients = {}
    for role, person in (("admin", admin), ("member", member)):
        c = Client()
        c.force_login(person.user)
        clients[role] = c
    print(f"organisation: {total:,} active people, {teams:,} teams; {args.repeat} runs each")
    results = []
    with override_settings(ROOT_URLCONF=bench_urls, ALLOWED_HOSTS=["testserver"]):
        for label, url, extra, role in pages:
            times = []
            size = 0
            for i in range(args.repeat + 1):
                connections.close_all()
                t0 = time.perf_counter()
                response = clients[role].get(url, **extra)
                elapsed = time.perf_counter() - t0
                assert response.status_code == 200, (url, response.status_code)
                size = len(response.content)
                if i:  # the first run warms caches and is not counted
                    times.append(elapsed * 1000)
            results.append((label, statistics.median(times), max(times), size))
    ref = results[0][1]
    print(f"{'page':44} {'median ms':>10} {'max ms':>8} {'x ref':>7} {'HTML':>9}")
    for label, med, worst, size in results:
        print(f"{label:44} {med:10.1f} {worst:8.1f} {med / ref:7.1f} {size / 1024:8.1f}K")
    print(f"worst page median ms: {max(r[1] for r in results[1:]):.1f}")


if __name__ == "__main__":
    main()
