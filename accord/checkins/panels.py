"""Check-in sections for the home page and person pages (see accord/orgs/panels.py)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from accord.orgs.models import Person

from . import queries


def home_panel(request: HttpRequest) -> dict[str, Any] | None:
    me: Person = request.person  # type: ignore[attr-defined]
    now = timezone.now()
    is_manager = queries.is_manager(me)
    checkin = queries.current_checkin(me, now)
    return {
        "template": "checkins/_home_panel.html",
        "checkin": checkin,
        "asked": checkin is not None and checkin.prompt_at <= now,
        "is_manager": is_manager,
        "blockers": queries.blockers_of_reports(me) if is_manager else [],
    }


def person_panel(request: HttpRequest, person: Person) -> dict[str, Any] | None:
    """Participation, for the person and those above them (and admins): the same numbers and words."""
    viewer: Person = request.person  # type: ignore[attr-defined]
    if not queries.sees_participation(viewer, person):
        return None
    return {
        "template": "checkins/_person_panel.html",
        "participation": queries.participation(person, timezone.now()),
        "person": person,
        "is_self": viewer.pk == person.pk,
    }
