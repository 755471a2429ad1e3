"""The published schema tells the truth: schemathesis drives the WSGI app with every check, as two roles.

Bounded and deterministic (few examples per operation, derandomized); the full runs against the demo data
with the `st` command are in docs/api-contract.md. Exceptions the schema cannot state are in
schemathesis.toml, which both read.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks

from accord.accounts.actions import create_api_token
from accord.api import api
from accord.wsgi import application
from tests.api_client import Api

from ..factories import PersonFactory

pytestmark = pytest.mark.django_db

# Built from the API object rather than fetched: the same document /api/openapi.json serves (the JSON round
# trip turns its integer status keys into strings), with no database needed while tests are collected.
# (schemathesis.pytest.from_fixture would fetch it per test, but does not run under pytest 9.)
contract = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema())))
contract.app = application
contract.location = "/api/openapi.json"


@pytest.fixture(autouse=True)
def wsgi_in_test_transaction() -> Iterator[None]:
    # Calling the WSGI app directly fires Django's request signals, whose handler would close the test's
    # connection (and its transaction) after each request; Django's own test client unhooks it the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _check(case: Any, person: Any) -> None:
    # A fresh token per request: a case may revoke the token it was sent with.
    _, raw = create_api_token(person, name="contract")
    case.call_and_validate(headers={"Authorization": f"Bearer {raw}"}, checks=ALL_CHECKS)


load_all_checks()
ALL_CHECKS = CHECKS.get_all()  # what `st run --checks all` runs
BOUNDED = settings(
    max_examples=5,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@contract.parametrize()
@BOUNDED
def test_contract_as_member(case, member):
    _check(case, member)


@contract.parametrize()
@BOUNDED
def test_contract_as_admin(case, admin, member):
    _check(case, admin)


# --- the schema itself ------------------------------------------------------------------------


def _models_in(core_schema: Any, found: set[type]) -> None:
    """Every pydantic model class a core schema refers to, however deeply nested."""
    if isinstance(core_schema, dict):
        if core_schema.get("type") == "model" and isinstance(core_schema.get("cls"), type):
            found.add(core_schema["cls"])
        for value in core_schema.values():
            _models_in(value, found)
    elif isinstance(core_schema, list | tuple):
        for value in core_schema:
            _models_in(value, found)


def _published_models() -> set[type]:
    """The classes behind request bodies and responses: each lands in components/schemas by its name."""
    wrappers: set[type] = set()
    found: set[type] = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                bodies = [m for m in operation.models if m.__ninja_param_source__ == "body"]
                for wrapper in [*bodies, *(m for m in operation.response_models.values() if m)]:
                    wrappers.add(wrapper)
                    _models_in(wrapper.__pydantic_core_schema__, found)
    return found - wrappers


def test_no_two_schema_classes_publish_the_same_component_name():
    by_name: dict[str, set[str]] = defaultdict(set)
    for model in _published_models():
        by_name[model.__name__].add(f"{model.__module__}.{model.__qualname__}")
    assert {name: sorted(classes) for name, classes in by_name.items() if len(classes) > 1} == {}


def test_every_published_class_is_a_component_under_its_own_name():
    # Keeps the test above honest: the names it compares are the names the schema uses.
    components = api.get_openapi_schema()["components"]["schemas"]
    assert sorted(m.__name__ for m in _published_models() if m.__name__ not in components) == []


def test_every_operation_documents_401_with_the_problem_body():
    schema = api.get_openapi_schema()
    missing = [
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if operation["responses"].get(401, {}).get("content", {}).get("application/json", {}).get("schema")
        != {"$ref": "#/components/schemas/Problem"}
    ]
    assert missing == []


def _values(node: Any, key: str) -> Iterator[Any]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                yield v
            yield from _values(v, key)
    elif isinstance(node, list):
        for v in node:
            yield from _values(v, key)


def test_times_of_day_are_published_as_hh_mm_without_an_offset():
    schema = api.get_openapi_schema()
    assert "time" not in set(_values(schema, "format"))
    work_start = schema["components"]["schemas"]["PersonOut"]["properties"]["work_start"]
    assert (work_start["type"], work_start["pattern"]) == (
        "string",
        "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
    )


@pytest.mark.parametrize(
    ("value", "status"),
    [("09:30", 200), ("09:30:15", 200), ("9:30", 422), ("09:30+02:00", 422), ("09:30:00.5", 422), (930, 422)],
)
def test_working_hours_accept_exactly_the_published_pattern(member, value, status):
    response = Api(member).patch(f"/api/people/{member.pk}", {"work_start": value, "work_end": "23:00"})
    assert response.status_code == status


def test_a_422_names_the_field_as_the_client_sent_it(admin):
    response = Api(admin).post("/api/teams", {"name": 5})
    assert response.status_code == 422
    assert [item["loc"] for item in response.json()["detail"]] == [["body", "name"]]


def test_a_problem_leaves_errors_out_when_there_are_none(member, other_org):
    outsider = PersonFactory(org=other_org)
    response = Api(member).get(f"/api/people/{outsider.pk}")
    assert (response.status_code, response.json()) == (404, {"detail": "Not found"})


def test_a_json_integer_written_with_a_zero_fraction_is_that_integer(member):
    response = Api(member).patch(f"/api/people/{member.pk}", {"birthday_month": 2.0, "birthday_day": 29})
    assert (response.status_code, response.json()["birthday_month"]) == (200, 2)
