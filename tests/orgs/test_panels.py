"""The page-panel contract: explicit order, isolation of a failing panel, no writes on GET, the
organisation-created hook, and query counts of the pages every app contributes to, pinned."""

from __future__ import annotations

import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accord.checkins.models import CheckinSchedule
from accord.kudos.models import CelebrationSchedule
from accord.orgs import panels
from accord.orgs.actions import create_organisation
from accord.orgs.panels import Panel, panels_for, sources

from ..conftest import login
from ..factories import UserFactory
from .world import build_world, grow

ROLES = ("member", "manager", "admin")
PAGES = ("home", "person", "team")


def urls(world) -> dict[str, str]:
    return {
        "home": reverse("home"),
        "person": reverse("person", args=[world.member.pk]),
        "team": reverse("team", args=[world.team.pk]),
    }


def writes(captured) -> list[str]:
    """Writes other than the session's own bookkeeping (sign-in expiry), which any request may do."""
    verbs = {"INSERT", "UPDATE", "DELETE"}
    found = [q["sql"] for q in captured if q["sql"].lstrip().split()[0].upper() in verbs]
    return [sql for sql in found if '"django_session"' not in sql]


# --- the registry -----------------------------------------------------------------------------


def test_every_page_has_its_panels_in_an_explicit_order():
    assert [s.key for s in sources("home")] == [
        "plans",  # shown only to the people named on a plan, and first for them
        "goals",
        "checkins",
        "meetings",
        "kudos",
        "rhythm",
        "handoffs",
        "connect",
    ]
    assert [s.key for s in sources("person")] == ["goals", "checkins", "meetings", "kudos", "connect"]
    assert [s.key for s in sources("team")] == ["kudos", "handoffs"]


def test_two_panels_with_one_key_are_refused():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        panels.register("home", key="goals", template="x.html", order=1, build=lambda request: {})


@pytest.fixture
def broken_panel():
    def build(request):
        raise RuntimeError("this panel is broken")

    panels.register("home", key="broken", template="orgs/_no_such_template.html", order=1, build=build)
    yield
    panels.unregister("home", "broken")


PLACEHOLDER = "This section could not be shown."


def test_a_panel_that_raises_is_logged_and_shown_as_a_placeholder(as_member, member, broken_panel, caplog):
    with caplog.at_level(logging.ERROR, logger="accord.orgs.panels"):
        response = as_member.get(reverse("home"))
    assert response.status_code == 200
    keys = [p.key for p in response.context["panels"]]
    assert "broken" in keys and "checkins" in keys  # the others are still there
    page = response.content.decode()
    assert page.count(PLACEHOLDER) == 1 and 'data-panel="broken"' in page
    assert "Check-ins" in page
    assert any("'broken' panel" in r.getMessage() and r.exc_info for r in caplog.records)


class Exploding:
    """A value whose attribute fails while the template reads it, as a defect in a model property would."""

    @property
    def submitted_at(self):
        raise RuntimeError("this template value is broken")


@pytest.mark.parametrize("page", PAGES)
def test_a_panel_whose_template_fails_does_not_take_the_page_down(client, db, page, caplog):
    world = build_world(10)
    login(client, world.manager)
    template = "checkins/_home_panel.html"
    panels.register(page, key="broken_template", template=template, order=1, build=_exploding)
    try:
        with caplog.at_level(logging.ERROR, logger="accord.orgs.panels"):
            response = client.get(urls(world)[page])
    finally:
        panels.unregister(page, "broken_template")
    assert response.status_code == 200
    text = response.content.decode()
    assert text.count(PLACEHOLDER) == 1 and 'data-panel="broken_template"' in text
    # The panels after it rendered: kudos is on every page.
    kudos = {"home": 'id="kudos-home-h"', "person": 'id="kudos-person-h"', "team": 'id="team-kudos-h"'}
    assert kudos[page] in text
    failed = [r for r in caplog.records if "'broken_template' panel's template" in r.getMessage()]
    assert failed and failed[0].exc_info and "this template value is broken" in str(failed[0].exc_info[1])


def _exploding(request, *args):
    return {"checkin": Exploding(), "asked": False, "is_manager": False, "blockers": []}


def test_panels_come_back_typed_and_ordered(rf, member):
    request = rf.get("/")
    request.person = member
    found = panels_for("home", request)
    assert all(isinstance(p, Panel) for p in found)
    assert [p.order for p in found] == sorted(p.order for p in found)
    with pytest.raises(AttributeError):
        found[0].order = 0  # frozen


# --- no writes on GET, and the organisation-created hook --------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_rendering_the_pages_writes_nothing(client, db, role):
    # A world made by factories, as an organisation made before the hook existed: no planner rows.
    world = build_world(10)
    login(client, getattr(world, role))
    for page, url in urls(world).items():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        assert writes(captured.captured_queries) == [], page
    assert not CelebrationSchedule.objects.filter(org=world.org).exists()


@pytest.mark.parametrize("page", ["kudos", "checkins"])
def test_the_kudos_and_check_in_pages_write_no_planner_row_on_get(client, db, page):
    """The planner rows come from the organisation-created hook and the data migrations, not a page view."""
    world = build_world(10)
    login(client, world.member)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse(page)).status_code == 200
    assert writes(captured.captured_queries) == []
    assert not CelebrationSchedule.objects.filter(org=world.org).exists()
    assert not CheckinSchedule.objects.filter(org=world.org).exists()


def test_a_new_organisation_gets_its_planner_rows_through_the_hook(db):
    org = create_organisation("Initech", owner=UserFactory(email="o@initech.test"), owner_name="Olga")
    assert CheckinSchedule.objects.filter(org=org).count() == 1
    assert CelebrationSchedule.objects.filter(org=org).count() == 1


def test_orgs_imports_no_other_app_to_create_an_organisation():
    import inspect

    from accord.orgs import actions

    source = inspect.getsource(actions.create_organisation)
    assert "accord.checkins" not in source and "accord.kudos" not in source


# --- query counts, pinned ---------------------------------------------------------------------

# Measured on a ten-person world (tests/orgs/world.py); the same on SQLite and PostgreSQL.
PINNED = {
    ("member", "home"): 29,
    ("member", "person"): 22,
    ("member", "team"): 13,
    ("manager", "home"): 35,
    ("manager", "person"): 25,  # reports_below asks whether they manage anyone before reading the chart
    ("manager", "team"): 13,
    ("admin", "home"): 28,
    ("admin", "person"): 17,
    ("admin", "team"): 11,
}


@pytest.mark.parametrize("role", ROLES)
def test_page_query_counts_are_pinned(client, db, role, django_assert_num_queries):
    world = build_world(10)
    login(client, getattr(world, role))
    for page, url in urls(world).items():
        client.get(url)  # the session's first request does its own bookkeeping
        with django_assert_num_queries(PINNED[role, page]):
            assert client.get(url).status_code == 200


def test_page_query_counts_do_not_grow_with_the_organisation(client, db):
    counts = {}
    for size in (10, 200):
        world = build_world(size, slug=f"world-{size}")
        for role in ROLES:
            client.logout()
            login(client, getattr(world, role))
            for page, url in urls(world).items():
                client.get(url)
                with CaptureQueriesContext(connection) as captured:
                    assert client.get(url).status_code == 200
                counts[size, role, page] = len(captured.captured_queries)
    grown = {
        k[1:]: (counts[k], counts[(200, *k[1:])])
        for k in counts
        if k[0] == 10 and counts[k] != counts[(200, *k[1:])]
    }
    assert grown == {}


# --- bounded by what the viewer sees, not by the organisation ---------------------------------

# The most rows any one query of these pages may return in the ten-person world grown by 200 people and
# 30 teams the viewers have nothing to do with (a member's ten days of check-ins, a team's members...).
MOST_ROWS = 40


def rows_per_query(client, url: str) -> list[tuple[int, str]]:
    """(rows, SQL) of every SELECT the page runs: each one counted again afterwards with its own
    parameters, so a page that reads the whole organisation shows as a query returning all of it."""
    seen: list[tuple[str, object]] = []

    def record(execute, sql, params, many, context):
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        assert client.get(url).status_code == 200
    found = []
    with connection.cursor() as cursor:
        for sql, params in seen:
            if sql.lstrip().upper().startswith("SELECT"):
                cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS page_query", params)
                found.append((cursor.fetchone()[0], sql))
    return found


def test_pages_cost_the_same_when_the_organisation_grows_elsewhere(client, db):
    world = build_world(10)
    counts, rows = {}, {}
    for grown in (False, True):
        if grown:
            grow(world, people=200, teams=30)
        for role in ROLES:
            client.logout()
            login(client, getattr(world, role))
            for page, url in urls(world).items():
                client.get(url)  # the session's first request does its own bookkeeping
                found = rows_per_query(client, url)
                counts[grown, role, page] = len(found)
                rows[grown, role, page] = max(found)
    changed = {
        k[1:]: (counts[k], counts[(True, *k[1:])])
        for k in counts
        if not k[0] and counts[k] != counts[(True, *k[1:])]
    }
    assert changed == {}
    too_many = {k: r for k, r in rows.items() if r[0] > MOST_ROWS}
    assert too_many == {}
