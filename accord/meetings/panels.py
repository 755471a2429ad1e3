"""1:1 sections for the home page and person pages.

The person panel is the transparency mirror: the health of a person's 1:1s with their manager shows on
that person's page to the person and to that manager, with the same numbers and words, and to no one
else (admins included).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accord.orgs.models import Person
from accord.orgs.panels import Context, Waiting

from . import queries
from .models import OneOnOneSeries


def person_panel(request: HttpRequest, person: Person) -> Context:
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
        "person": person,
        "rows": [{"series": s, "health": health[s.pk]} for s in rows],
    }


def home_panel(request: HttpRequest) -> Context:
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
        "next": [{"series": s, "other": s.report if s.manager_id == me.pk else s.manager} for s in rows],
    }


def waiting(me: Person) -> list[Waiting]:
    found = []
    for m in queries.meetings_coming_up(me, timezone.now()):
        other = m.series.report if m.series.manager_id == me.pk else m.series.manager
        at = timezone.localtime(m.scheduled_at, me.zone)
        agenda = [a.text for a in m.agenda_items.all()]
        found.append(
            Waiting(
                key="one_on_one",
                text=f"1:1 with {other.name}, {at:%A %-d %B, %H:%M}",
                url=reverse("one_on_one_meeting", args=[m.pk]),
                action="Open the agenda",
                details=tuple(agenda[:5])
                if agenda
                else ("Nothing on the agenda yet: add what you want to talk about.",),
            )
        )
    return found
