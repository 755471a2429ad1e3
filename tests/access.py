"""The access-matrix harness: each app declares who may open each of its pages, the harness tries them all.

An app's declaration is tests/<app>/matrix.py with a `MATRIX = Matrix(...)`: one `Page` row per URL name
(method, which object the URL points at, the roles that may open it, the status they get) and a `world`
that builds people of those roles and objects of each kind, in the organisation and in another one.
tests/test_access_matrix.py runs every row against every role, against another organisation's object
and signed out, and checks that every URL Accord serves outside the API has a row somewhere. Tests an
app keeps beside its matrix (tests/<app>/test_access.py) take the same world with `world_fixture`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pytest
from django.urls import reverse

from accord.orgs.models import Role
from tests.factories import PersonFactory, TeamFactory

ROLES = ("member", "manager", "admin", "owner")
EVERYONE = frozenset(ROLES)
MANAGERS = frozenset({"manager", "admin", "owner"})  # people with reports in `cast`, and admins
ADMINS = frozenset({"admin", "owner"})
NOBODY: frozenset[str] = frozenset()  # refused to every role (the row says why)


class Page(NamedTuple):
    method: str  # "get" or "post"
    kind: str | None  # which object of the world the URL points at; None: a URL without an id
    who: frozenset[str] | None  # the roles that may open it (everyone else: 404); None: not a signed-in page
    status: int  # what a role that may open it gets
    # Roles that get another status than `status` or 404, e.g. a person who may read a plan but whose
    # request to edit it is sent back to the plan (302).
    exceptions: tuple[tuple[str, int], ...] = ()

    def expected(self, role: str) -> int:
        return dict(self.exceptions).get(role, self.status if self.who and role in self.who else 404)


# (people by role, own objects by kind, another organisation's objects by kind)
World = tuple[dict[str, Any], dict[str, Any], dict[str, Any]]


@dataclass(frozen=True)
class Matrix:
    app: str
    pages: dict[str, Page]
    # Builds the world for a viewer of `role` (None: signed out) from the org, other_org and team fixtures.
    world: Callable[[Any, Any, Any, str | None], World]
    roles: tuple[str, ...] = ROLES
    # What a POST to the page sends, given the URL name and the object it points at.
    form: Callable[[str, Any], dict] = field(default=lambda name, obj: {})
    # Checks that another organisation's objects are as they were after a refused request.
    untouched: Callable[[dict[str, Any]], None] = field(default=lambda foreign: None)

    def signed_in(self) -> list[str]:
        return sorted(name for name, page in self.pages.items() if page.who is not None)


def cast(org, team) -> dict[str, Any]:
    """A person of each of the four roles in `team`; the member reports to the manager."""
    people = {
        "member": PersonFactory(org=org, team=team, role=Role.MEMBER),
        "manager": PersonFactory(org=org, team=team, role=Role.MEMBER),
        "admin": PersonFactory(org=org, team=team, role=Role.ADMIN),
        "owner": PersonFactory(org=org, team=team, role=Role.OWNER),
    }
    people["member"].manager = people["manager"]
    people["member"].save()
    return people


def stranger(other_org, **kw):
    """An admin of the other organisation, in a team of their own."""
    return PersonFactory(org=other_org, team=TeamFactory(org=other_org), role=Role.ADMIN, **kw)


def matrices() -> list[Matrix]:
    """Every app's declaration: the MATRIX of each tests/<app>/matrix.py."""
    import tests

    found = []
    for info in pkgutil.iter_modules(tests.__path__):
        if info.ispkg:
            try:
                module = importlib.import_module(f"tests.{info.name}.matrix")
            except ModuleNotFoundError:
                continue
            found.append(module.MATRIX)
    return found


def all_pages() -> dict[str, Page]:
    return {name: page for m in matrices() for name, page in m.pages.items()}


def url(name: str, obj: Any) -> str:
    if obj is None:
        return reverse(name)
    return reverse(name, args=[obj if isinstance(obj, str) else obj.pk])


def call(client, matrix: Matrix, name: str, obj: Any):
    if matrix.pages[name].method == "post":
        return client.post(url(name, obj), matrix.form(name, obj))
    return client.get(url(name, obj))


def world_fixture(matrix: Matrix):
    """The matrix's world as a fixture, for an app's own access tests beside its matrix."""

    @pytest.fixture
    def world(org, other_org, team):
        return matrix.world(org, other_org, team, None)

    return world
