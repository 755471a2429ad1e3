"""The plans API: the same rules as the pages, refusals as 4xx naming the field, never a 500."""

from __future__ import annotations

import pytest
import time_machine

from accord.plans.models import Plan
from tests.api_client import Api

from .conftest import START

pytestmark = pytest.mark.django_db


def body(cast, **changes):
    return {
        "person_id": cast["person"].pk,
        "hr_contact_id": cast["hr"].pk,
        "title": "Reliable delivery",
        "end_date": "2026-03-30",
        "milestones": [{"criterion": "Ship the billing fix", "due_date": "2026-03-13"}],
    } | changes


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"milestones": [{"criterion": "Late", "due_date": "2026-04-30"}]}, 400, "milestones.0.due_date"),
        ({"milestones": [{"criterion": "  ", "due_date": "2026-03-13"}]}, 400, "milestones.0.criterion"),
        ({"milestones": []}, 400, "milestones"),
        ({"end_date": "2030-01-01"}, 400, "end_date"),
        ({"end_date": "9999-12-31"}, 400, "end_date"),
        ({"hr_contact_id": 2**63 - 1}, 400, "hr_contact_id"),
        ({"title": "Two\nlines"}, 400, "title"),
        ({"end_date": 20260330}, 422, None),
    ],
)
def test_bad_plans_are_4xx_naming_the_field(cast, changes, status, field):
    with time_machine.travel(START, tick=False):
        response = Api(cast["manager"]).post("/api/plans", body(cast, **changes))
    assert response.status_code == status, response.content
    if field:
        assert list(response.json()["errors"]) == [field]
    assert Plan.objects.count() == 0


def test_open_acknowledge_extend_and_read_back(cast, hr_lead_named):
    manager, person = Api(cast["manager"]), Api(cast["person"])
    with time_machine.travel(START, tick=False):
        created = manager.post("/api/plans", body(cast))
        assert created.status_code == 201, created.content
        plan = created.json()
        assert (plan["version"], plan["acknowledged"], plan["agreed_end_date"]) == (1, False, "2026-03-30")
        assert person.post(f"/api/plans/{plan['id']}/acknowledge", {}).json()["acknowledged"] is True
        extended = manager.post(f"/api/plans/{plan['id']}/extend", {"days": 14}).json()
        assert (extended["end_date"], extended["agreed_end_date"], extended["acknowledged"]) == (
            "2026-04-13",
            "2026-03-30",
            False,
        )
        milestone = extended["milestones"][0]["id"]
        refused = manager.patch(f"/api/plans/milestones/{milestone}", {"due_date": "2026-05-01"})
        assert (refused.status_code, list(refused.json()["errors"])) == (400, ["due_date"])
        assert manager.post(f"/api/plans/{plan['id']}/close", {}).status_code == 409
        done = manager.patch(
            f"/api/plans/milestones/{milestone}", {"outcome": "met", "feedback": "Well done."}
        )
        assert done.json()["milestones"][0]["outcome"] == "met"
        closed = manager.post(f"/api/plans/{plan['id']}/close", {}).json()
    assert [e["kind"] for e in closed["history"]] == [
        "created",
        "acknowledged",
        "extended",
        "outcome",
        "feedback",
        "closed",
    ]
    assert closed["closed_at"] is not None
