"""Pulse results over JSON: shapes, status codes, scopes and tenancy (organisation as in test_results)."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.pulse import actions, gate
from accord.pulse.models import Comment
from tests.api_client import Api
from tests.factories import PersonFactory, TeamFactory

from .test_results import NOW, SMALL, build_acme, build_globex, run_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(org):
    return build_acme(org)


@pytest.fixture
def globex(other_org):
    return build_globex(other_org)


def hidden(reason):
    return {"suppressed": True, "reason": reason}


def test_rounds_lists_closed_rounds_with_results_of_my_organisation(acme, globex):
    body = Api(acme.milo).get("/api/pulse/rounds").json()
    assert body == [
        {
            "id": acme.round.pk,
            "program_id": acme.program.pk,
            "program": "Fortnightly pulse",
            "number": 1,
            "opens_on": "2026-03-02",
            "closed": True,
            "min_group_size": 5,
        }
    ]
    assert Api(acme.milo).get("/api/pulse/rounds", program=acme.program.pk).json() == body
    assert Api(acme.milo).get("/api/pulse/rounds", program=globex.program.pk).status_code == 404


def test_groups_follow_the_viewer_scope(acme):
    url = f"/api/pulse/rounds/{acme.round.pk}/groups"
    member = Api(acme.milo).get(url).json()
    assert member == [
        {"key": "org", "label": "Whole organisation", "team_id": None, "tenure_band": None, "region": None},
        {
            "key": "org.band-1-3y",
            "label": "Whole organisation · 1–3 years",
            "team_id": None,
            "tenure_band": "1-3y",
            "region": None,
        },
        {
            "key": "org.region-emea",
            "label": "Whole organisation · Europe, Middle East and Africa",
            "team_id": None,
            "tenure_band": None,
            "region": "emea",
        },
    ]
    manager = [g["key"] for g in Api(acme.maya).get(url).json()]
    p = acme.product.pk
    assert manager == [f"team-{p}", f"team-{p}.band-1-3y", f"team-{p}.region-emea"]
    admin = [g["key"] for g in Api(acme.admin).get(url).json()]
    o = acme.ops.pk
    assert admin == [g["key"] for g in member] + manager + [
        f"team-{o}",
        f"team-{o}.band-1-3y",
        f"team-{o}.region-emea",
    ]


def test_results_shape_for_a_visible_team(acme):
    body = (
        Api(acme.admin).get(f"/api/pulse/rounds/{acme.round.pk}/results", group=f"team-{acme.ops.pk}").json()
    )
    assert body["group"] == {
        "key": f"team-{acme.ops.pk}",
        "label": "Ops",
        "team_id": acme.ops.pk,
        "tenure_band": None,
        "region": None,
    }
    # Five people, fewer than 2k: rounded figures and no counts anywhere.
    assert body["participation"] == {
        "suppressed": False,
        "invited": None,
        "responded": None,
        "rate": 1.0,
        "rounded": True,
    }
    assert body["enps"]["suppressed"] is False
    assert (body["enps"]["score"], body["enps"]["promoters"], body["enps"]["detractors"]) == (0.0, 0.4, 0.4)
    assert (body["enps"]["n"], body["enps"]["rounded"]) == (None, True)
    assert body["enps_change"] is None
    assert body["constructs"] == [
        {
            "key": "trust_task",
            "label": "Task-based trust",
            "result": {"suppressed": False, "n": None, "rounded": True, "mean": 3.0, "favourable": 0.4},
            "change": None,
        },
        {
            "key": "engagement",
            "label": "Engagement",
            "result": {"suppressed": False, "n": None, "rounded": True, "mean": 3.2, "favourable": 0.4},
            "change": None,
        },
    ]
    assert [(q["theme"], q["scale"], q["result"]["n"]) for q in body["questions"]] == [
        ("trust_task", "agree5", None),
        ("trust_task", "agree5", None),
        ("engagement", "agree5", None),
        ("enps", "nps11", None),
    ]
    assert body["questions"][1]["text"] == "I often re-check my teammates' work because I cannot rely on it."
    assert body["questions"][0]["result"]["distribution"] is None  # five answers: below 2k
    assert body["drivers"] == hidden(gate.DRIVERS_SMALL)
    assert body["comments"] == hidden(
        "Not shown: comments appear only when at least 5 people in the group commented."
    )


def test_results_hide_small_and_protected_groups_with_reasons_only(acme):
    api = Api(acme.admin)
    url = f"/api/pulse/rounds/{acme.round.pk}/results"
    mobile = api.get(url, group=f"team-{acme.mobile.pk}").json()
    assert mobile["participation"] == hidden("Not shown: fewer than 5 people invited")
    assert mobile["enps"] == hidden(SMALL)
    assert [c["result"] for c in mobile["constructs"]] == [hidden(SMALL), hidden(SMALL)]
    assert [q["result"] for q in mobile["questions"]] == [hidden(SMALL)] * 4
    web = api.get(url, group=f"team-{acme.web.pk}").json()
    assert web["participation"] == hidden(gate.PROTECTED)
    assert [c["result"] for c in web["constructs"]] == [hidden(gate.PROTECTED)] * 2
    assert web["drivers"] == hidden(gate.PROTECTED)
    # The organisation: 13 answers, so a distribution; comments of six people, in stored order.
    org = api.get(url).json()
    assert org["group"]["key"] == "org"
    assert org["questions"][0]["result"]["distribution"] == [
        {"answer": "Strongly disagree", "count": 1},
        {"answer": "Disagree", "count": 2},
        {"answer": "Neither agree nor disagree", "count": 2},
        {"answer": "Agree", "count": 5},
        {"answer": "Strongly agree", "count": 3},
    ]
    stored = sorted(Comment.objects.filter(round=acme.round), key=lambda c: c.pk)
    assert [(c["id"], c["text"], c["replies"]) for c in org["comments"]] == [
        (str(c.pk), c.text, []) for c in stored
    ]


def test_results_outside_scope_unknown_group_and_other_org_are_404(acme, globex):
    url = f"/api/pulse/rounds/{acme.round.pk}/results"
    assert Api(acme.milo).get(url, group=f"team-{acme.product.pk}").status_code == 404
    assert Api(acme.maya).get(url, group="org").status_code == 404
    assert Api(acme.maya).get(url, group=f"team-{acme.ops.pk}").status_code == 404
    assert Api(acme.admin).get(url, group="team-x").status_code == 404
    assert Api(acme.maya).get(url).json()["group"]["key"] == f"team-{acme.product.pk}"
    for viewer in (acme.admin, acme.maya, acme.milo):
        api = Api(viewer)
        for tail in ("groups", "results", "heatmap"):
            response = api.get(f"/api/pulse/rounds/{globex.round.pk}/{tail}")
            assert (response.status_code, response.json()) == (404, {"detail": "Not found"}), tail
        assert api.get("/api/pulse/trends", program=globex.program.pk).status_code == 404
    assert Api(globex.admin).get(f"/api/pulse/rounds/{globex.round.pk}/results").status_code == 200


def test_heatmap_is_for_managers_and_admins(acme):
    url = f"/api/pulse/rounds/{acme.round.pk}/heatmap"
    refused = Api(acme.milo).get(url)
    assert (refused.status_code, refused.json()) == (
        403,
        {"detail": "Members see organisation-wide results only."},
    )
    manager = Api(acme.maya).get(url).json()
    assert [(r["group"]["label"], r["depth"]) for r in manager["rows"]] == [
        ("Product", 1),
        ("Web", 2),
        ("Mobile", 2),
    ]
    body = Api(acme.admin).get(url).json()
    assert body["columns"] == [
        {"key": "trust_task", "label": "Task-based trust"},
        {"key": "engagement", "label": "Engagement"},
        {"key": "enps", "label": "eNPS"},
    ]
    ops = next(r for r in body["rows"] if r["group"]["label"] == "Ops")
    assert ops["cells"] == [
        {"suppressed": False, "value": 3.0, "favourable": 0.4, "band": "watch", "rounded": True},
        {"suppressed": False, "value": 3.2, "favourable": 0.4, "band": "watch", "rounded": True},
        {"suppressed": False, "value": 0.0, "favourable": 0.4, "band": "ok", "rounded": True},
    ]
    mobile = next(r for r in body["rows"] if r["group"]["label"] == "Mobile")
    assert mobile["cells"] == [hidden(SMALL)] * 3


def test_trends_shape_and_change(acme):
    ops = list(acme.org.people.filter(team=acme.ops))
    worse = [(1, 5, 3, 3), (1, 2, 3, 6), (4, 5, 4, 8), (1, 5, 2, 9), (5, 4, 4, 10)]
    second = run_round(acme.program, NOW + dt.timedelta(days=14), dict(zip(ops, worse, strict=True)))
    api = Api(acme.admin)
    body = api.get("/api/pulse/trends", group=f"team-{acme.ops.pk}", construct="trust_task").json()
    assert (body["program_id"], body["theme"], body["label"]) == (
        acme.program.pk,
        "trust_task",
        "Task-based trust",
    )
    assert [(p["round_id"], p["label"], p["result"]) for p in body["points"]] == [
        (
            acme.round.pk,
            "Round 1 · 2 Mar 2026",
            {"suppressed": False, "value": 3.0, "favourable": 0.4, "n": None, "rounded": True},
        ),
        (
            second.pk,
            "Round 2 · 16 Mar 2026",
            {"suppressed": False, "value": 2.1, "favourable": 0.3, "n": None, "rounded": True},
        ),
    ]
    # Two rounds of five: words only, no p-value.
    assert (body["change"]["words"], body["change"]["p_value"]) == ("not significant", None)
    assert body["change"]["since"] == "Round 1 · 2 Mar 2026"
    assert body["change"]["significant"] is False
    # Product answered only in round 1 (no one there answered round 2).
    product = api.get("/api/pulse/trends", group=f"team-{acme.product.pk}", construct="enps").json()
    assert [p["result"].get("value") for p in product["points"]] == [30.0, None]  # 25, rounded
    assert product["points"][1]["result"] == hidden(SMALL)  # nobody answered: the words of a few
    assert product["change"] is None
    assert api.get("/api/pulse/trends", construct="growth").status_code == 404
    assert Api(acme.milo).get("/api/pulse/trends", group=f"team-{acme.ops.pk}").status_code == 404
    assert Api(acme.milo).get("/api/pulse/trends").json()["group"]["key"] == "org"


def test_an_open_round_answers_404_and_the_api_needs_a_token(acme, client):
    assert client.get("/api/pulse/rounds").status_code == 401
    rnd = actions.open_round(acme.program, NOW + dt.timedelta(days=14))
    assert Api(acme.admin).get(f"/api/pulse/rounds/{rnd.pk}/results").status_code == 404
    assert [r["id"] for r in Api(acme.admin).get("/api/pulse/rounds").json()] == [acme.round.pk]


def test_results_without_a_team_in_the_round_are_404_for_a_manager(org, acme):
    late = TeamFactory(org=org, name="Founded later")
    lead = PersonFactory(org=org, team=late)
    PersonFactory(org=org, team=late, manager=lead)
    assert Api(lead).get(f"/api/pulse/rounds/{acme.round.pk}/results").status_code == 404
    assert Api(lead).get(f"/api/pulse/rounds/{acme.round.pk}/groups").json() == []


def test_the_openapi_schema_documents_the_results_endpoints(client, db):
    schema = client.get("/api/openapi.json").json()
    mine = {
        path: sorted(ops)
        for path, ops in schema["paths"].items()
        if any(op.get("tags") == ["pulse results"] for op in ops.values())
    }
    assert mine == {
        "/api/pulse/rounds": ["get"],
        "/api/pulse/rounds/{round_id}/groups": ["get"],
        "/api/pulse/rounds/{round_id}/results": ["get"],
        "/api/pulse/rounds/{round_id}/heatmap": ["get"],
        "/api/pulse/trends": ["get"],
    }
    params = [p["name"] for p in schema["paths"]["/api/pulse/trends"]["get"]["parameters"]]
    assert params == ["program", "group", "construct"]
