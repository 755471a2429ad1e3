"""Who may open a plan: the person, their manager and the HR people named (the plan's HR contact and the
organisation's HR lead). Everyone else gets the 404 of an id that does not exist, on every page and every
API route: another organisation's admin, a peer, a manager of another team, the person's skip-level
manager, and an admin who is not named.

Every plan page also has a row in tests/plans/matrix.py, which the harness (tests/access.py) tries for each
role; this module adds the attackers the harness has no role for.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accord.orgs.models import Role
from tests.api_client import Api
from tests.conftest import login
from tests.factories import PersonFactory, TeamFactory

pytestmark = pytest.mark.django_db

EVERYONE, MANAGERS, ADMINS, NAMED = "everyone", "managers", "admins", "named"
MATRIX = {
    "plans": ("get", None, EVERYONE),
    "plans_lingering": ("get", None, EVERYONE),
    "plan_new": ("get", None, MANAGERS),
    "plans_settings": ("get", None, ADMINS),
    "plan": ("get", "plan", NAMED),
    "plan_edit": ("get", "plan", NAMED),
    "plan_milestone_add": ("post", "plan", NAMED),
    "plan_acknowledge": ("post", "plan", NAMED),
    "plan_entry": ("post", "plan", NAMED),
    "plan_extend": ("post", "plan", NAMED),
    "plan_close": ("post", "plan", NAMED),
    "plan_milestone": ("get", "milestone", NAMED),
    "plan_milestone_outcome": ("post", "milestone", NAMED),
    "plan_milestone_feedback": ("post", "milestone", NAMED),
}
NAMED_ROLES = ["person", "manager", "hr", "hr_lead"]
ATTACKERS = ["stranger", "peer", "other_lead", "boss", "admin"]


@pytest.fixture
def stranger(other_org):
    return PersonFactory(
        org=other_org, team=TeamFactory(org=other_org), role=Role.ADMIN, email="x@globex.test"
    )


@pytest.fixture
def everyone(cast, stranger):
    return {**cast, "stranger": stranger}


def target(plan, kind):
    return plan if kind == "plan" else plan.milestones.first()


def call(client, name, method, obj):
    url = reverse(name, args=[obj.pk] if obj is not None else [])
    return client.post(url, {}) if method == "post" else client.get(url)


@pytest.mark.parametrize("role", NAMED_ROLES)
@pytest.mark.parametrize("name", sorted(n for n, row in MATRIX.items() if row[1]))
def test_the_people_named_on_a_plan_reach_every_page_of_it(client, everyone, plan, role, name):
    method, kind, _ = MATRIX[name]
    login(client, everyone[role])
    response = call(client, name, method, target(plan, kind))
    # A POST without its fields is refused next to them (400) or sent back to the plan (302); never hidden.
    assert response.status_code in {200, 302, 400}, response.status_code


@pytest.mark.parametrize("role", ATTACKERS)
@pytest.mark.parametrize("name", sorted(n for n, row in MATRIX.items() if row[1]))
def test_nobody_else_learns_the_plan_exists(client, everyone, plan, role, name):
    method, kind, _ = MATRIX[name]
    login(client, everyone[role])
    assert call(client, name, method, target(plan, kind)).status_code == 404
    plan.refresh_from_db()
    assert (plan.version, plan.closed_at, plan.acknowledged_version) == (1, None, 0)


@pytest.mark.parametrize(
    ("role", "may"),
    [("person", False), ("manager", True), ("boss", True), ("hr", False), ("admin", False), ("peer", False)],
)
def test_only_managers_open_the_new_plan_page(client, everyone, role, may):
    login(client, everyone[role])
    assert client.get(reverse("plan_new")).status_code == (200 if may else 404)


@pytest.mark.parametrize(
    ("role", "may"), [("hr", True), ("hr_lead", True), ("manager", False), ("person", False)]
)
def test_settings_are_for_admins(client, everyone, role, may):
    login(client, everyone[role])
    assert client.get(reverse("plans_settings")).status_code == (200 if may else 404)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_signed_out_visitors_are_sent_to_sign_in(client, plan, name):
    method, kind, _ = MATRIX[name]
    response = call(client, name, method, target(plan, kind) if kind else None)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_list_shows_each_viewer_only_their_plans(client, everyone, plan):
    for role in NAMED_ROLES:
        login(client, everyone[role])
        assert plan.title in client.get(reverse("plans")).content.decode(), role
    for role in ATTACKERS:
        login(client, everyone[role])
        assert plan.title not in client.get(reverse("plans")).content.decode(), role


API_CALLS = [
    ("get", "/api/plans/{plan}", None),
    ("patch", "/api/plans/{plan}", {"title": "Mine now"}),
    ("post", "/api/plans/{plan}/milestones", {"criterion": "Extra", "due_date": "2026-03-20"}),
    ("patch", "/api/plans/milestones/{milestone}", {"outcome": "met"}),
    ("post", "/api/plans/{plan}/acknowledge", {}),
    ("post", "/api/plans/{plan}/entries", {"kind": "comment", "text": "Hello"}),
    ("post", "/api/plans/{plan}/extend", {"days": 30}),
    ("post", "/api/plans/{plan}/close", {}),
]


@pytest.mark.parametrize("role", ATTACKERS)
@pytest.mark.parametrize(("method", "path", "body"), API_CALLS)
def test_the_api_answers_404_to_everyone_not_named(everyone, plan, role, method, path, body):
    api = Api(everyone[role])
    url = path.format(plan=plan.pk, milestone=plan.milestones.first().pk)
    response = api.get(url) if method == "get" else getattr(api, method)(url, body)
    assert response.status_code == 404, response.content
    assert response.json() == {"detail": "Not found"}
    plan.refresh_from_db()
    assert (plan.version, plan.title, plan.closed_at) == (1, "Reliable delivery", None)
    assert plan.pk not in [p["id"] for p in api.get("/api/plans").json()]


def test_the_api_lets_the_hr_lead_read_and_the_person_only_read_and_acknowledge(everyone, plan):
    lead = Api(everyone["hr_lead"])
    assert lead.get(f"/api/plans/{plan.pk}").status_code == 200
    person = Api(everyone["person"])
    assert person.patch(f"/api/plans/{plan.pk}", {"title": "Mine now"}).status_code == 403
    assert person.post(f"/api/plans/{plan.pk}/acknowledge", {}).json()["acknowledged"] is True
    assert person.post(f"/api/plans/{plan.pk}/acknowledge", {}).status_code == 409
