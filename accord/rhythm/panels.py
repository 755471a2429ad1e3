"""The home-page prompt to read one's team charter (new members, and everyone after a material change)."""

from __future__ import annotations

from django.http import HttpRequest

from accord.orgs.models import Person
from accord.orgs.panels import Context

from . import queries


def home_panel(request: HttpRequest) -> Context:
    me: Person = request.person  # type: ignore[attr-defined]
    pending = queries.charters_to_acknowledge(me)
    if not pending:
        return None
    return {"charters": pending}
