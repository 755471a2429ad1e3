"""Search from the top bar: people, teams and goals of the viewer's organisation, and only the goals
they may open."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accord.orgs.models import Role
from tests.conftest import login
from tests.factories import PersonFactory, TeamFactory
from tests.factories.goals import make_goal


@pytest.fixture
def rival(other_org):
    """Another organisation holding the very names the attacker searches for."""
    team = TeamFactory(org=other_org, name="Falcon squad")
    spy = PersonFactory(
        org=other_org, team=team, name="Falcon Rival", email="falcon@globex.test", role=Role.ADMIN
    )
    make_goal(other_org, title="Falcon launch secret", owner=spy, team=team)
    make_goal(other_org, title="Falcon private plan", owner=spy, private=True)
    return spy


@pytest.fixture
def ours(org, team, member, manager):
    TeamFactory(org=org, name="Falcon crew", parent=team)
    colleague = PersonFactory(org=org, team=team, name="Fay Falcon", email="fay@acme.test")
    make_goal(org, title="Falcon public goal", owner=colleague)
    make_goal(org, title="Falcon private of Fay", owner=colleague, private=True)
    make_goal(org, title="Falcon private of Milo", owner=member, private=True)
    return colleague


def found_text(client, q="falcon", **extra):
    return client.get(reverse("search"), {"q": q}, **extra).content.decode()


def hits(client, q, **extra):
    """The links listed as results (the page also repeats the query, which proves nothing)."""
    html = found_text(client, q=q, **extra)
    results = html.split('class="search-results"', 1)[1].split("</div>", 1)[0]
    return re.findall(r'<a href="[^"]+">([^<]+)</a>', results)


def test_finds_people_teams_and_goals(as_member, ours, rival):
    assert hits(as_member, "falcon") == [
        "Fay Falcon",
        "Falcon crew",
        "Falcon private of Milo",
        "Falcon public goal",
    ]
    page = found_text(as_member)
    assert "Fay Falcon" in page and "Falcon crew" in page and "Falcon public goal" in page
    assert f'href="{reverse("person", args=[ours.pk])}"' in page


def test_as_you_type_answers_the_short_list_alone(as_member, ours):
    body = found_text(as_member, HTTP_HX_REQUEST="true")
    assert "Fay Falcon" in body and "<html" not in body
    assert found_text(as_member, q="", HTTP_HX_REQUEST="true") == ""
    assert "at least 2 characters" in found_text(as_member, q="f", HTTP_HX_REQUEST="true")


def test_the_top_bar_has_a_labelled_search_box_on_every_page(as_member, member):
    page = as_member.get(reverse("home")).content.decode()
    assert (
        'role="search"' in page and 'for="nav-search-q"' in page and f'action="{reverse("search")}"' in page
    )


def test_private_goals_only_for_those_who_may_see_them(client, as_member, ours, member, manager, admin):
    page = found_text(as_member)
    assert "Falcon private of Fay" not in page
    assert "Falcon private of Milo" in page  # his own
    login(client, manager)
    page = found_text(client)
    assert "Falcon private of Milo" in page and "Falcon private of Fay" not in page
    login(client, admin)
    assert "Falcon private of Fay" in found_text(client)


@pytest.mark.parametrize("viewer", ["member", "admin"])
def test_another_organisation_never_appears(client, request, ours, rival, viewer):
    login(client, request.getfixturevalue(viewer))
    for q in ("falcon", "globex", "Falcon Rival", "falcon@globex.test", "secret", "squad"):
        for extra in ({}, {"HTTP_HX_REQUEST": "true"}):
            found = hits(client, q, **extra)
            assert not {"Falcon Rival", "Falcon squad", "Falcon launch secret", "Falcon private plan"} & set(
                found
            )
    api = client.get("/api/search", {"q": "falcon"}).json()
    names = [p["name"] for p in api["people"]] + [t["name"] for t in api["teams"]]
    names += [g["title"] for g in api["goals"]]
    assert "Falcon Rival" not in names and "Falcon squad" not in names and "Falcon launch secret" not in names
    assert "Fay Falcon" in names


def test_the_api_checks_its_input(as_member, ours):
    ok = as_member.get("/api/search", {"q": "falcon"})
    assert ok.status_code == 200 and ok.json()["q"] == "falcon"
    assert "Falcon private of Fay" not in [g["title"] for g in ok.json()["goals"]]
    for bad in ({}, {"q": "f"}, {"q": "x" * 101}, {"q": "fal\x00con"}):
        response = as_member.get("/api/search", bad)
        assert 400 <= response.status_code < 500, bad
    assert "/api/search" in as_member.get("/api/openapi.json").json()["paths"]


@pytest.mark.parametrize("q", ["a\x00b", "%", "_", "'; drop table", "ü" * 300, "   "])
def test_odd_queries_never_fail(as_member, member, q):
    assert as_member.get(reverse("search"), {"q": q}).status_code == 200
    assert as_member.get(reverse("search"), {"q": q}, HTTP_HX_REQUEST="true").status_code == 200


def test_search_cost_does_not_grow_with_the_organisation(
    client, org, team, manager, member, django_assert_num_queries
):
    login(client, manager)
    url = reverse("search")
    client.get(url, {"q": "zed"})
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"q": "zed"})
    for i in range(30):
        sub = TeamFactory(org=org, parent=team, name=f"Zed team {i}")
        someone = PersonFactory(org=org, team=sub, manager=member, name=f"Zed {i}")
        make_goal(org, title=f"Zed goal {i}", owner=someone, private=i % 2 == 0)
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(url, {"q": "zed"}).content.decode()
    assert page.count("/people/") >= 8 and "Zed goal" in page
