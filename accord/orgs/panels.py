"""Sections other apps add to the home page and to person pages, without orgs knowing about them.

An app offers a section by defining, in `accord/<app>/panels.py`, a function
`home_panel(request) -> dict | None`, `person_panel(request, person) -> dict | None` and/or
`team_panel(request, team) -> dict | None`. The dict
names a template (`"template"`) and carries that template's context; None means "nothing to show".
Person panels must follow the transparency mirror: what a manager sees about a person there, the
person sees on their own page, with the same numbers and words.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps
from django.http import HttpRequest

from .models import Person, Team


def _modules() -> list[Any]:
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("accord."):
            continue
        try:
            found.append(import_module(f"{config.name}.panels"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.panels":
                raise
    return found


def home_panels(request: HttpRequest) -> list[dict[str, Any]]:
    return [p for m in _modules() if hasattr(m, "home_panel") and (p := m.home_panel(request))]


def person_panels(request: HttpRequest, person: Person) -> list[dict[str, Any]]:
    return [p for m in _modules() if hasattr(m, "person_panel") and (p := m.person_panel(request, person))]


def team_panels(request: HttpRequest, team: Team) -> list[dict[str, Any]]:
    return [p for m in _modules() if hasattr(m, "team_panel") and (p := m.team_panel(request, team))]
