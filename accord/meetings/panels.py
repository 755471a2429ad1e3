"""1:1 sections for the home page and person pages.

The person panel is the transparency mirror: the health of a person's 1:1s with their manager shows on
that person's page to the person and to that manager, with the same numbers and words, and to no one
else (admins included).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from accord.orgs.models import Person

from . import queries
from .models import OneOnOneSeries


def person_panel(request: HttpRequest, person: Person) -> dict[str, Any] | None:
    viewer: Person = request.person  # type: ignore[attr-defined]
    found = OneOnOneSeries.objects.filter(org_id=person.org_id, report=person, active=True).select_related(
        "manager"
    )
    if viewer.pk != person.pk:
        # A manager sees the pair they are part of; nobody else sees anything.
        found = found.filter(manager=viewer)
    rows = list(found.order_by("id"))
    if not rows:
        return None
    now = timezone.now()
    health = queries.health(person.org_id, [s.pk for s in rows], now)
    return {
        "template": "meetings/_person_panel.html",
        "person": person,
        "rows": [{"series": s, "health": health[s.pk]} for s in rows],
    }


def home_panel(request: HttpRequest) -> dict[str, Any] | None:
    me: Person = request.person  # type: ignore[attr-defined]
    now = timezone.now()
    rows = list(
        queries.with_next_meeting(queries.my_series(me), now)
        .filter(next_at__isnull=False)  # type: ignore[misc]
        .order_by("next_at")[:3]
    )
    if not rows:
        return None
    return {
        "template": "meetings/_home_panel.html",
        "next": [{"series": s, "other": s.report if s.manager_id == me.pk else s.manager} for s in rows],
    }
