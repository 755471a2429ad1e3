"""Check-in sections for the home page and person pages (see accord/orgs/panels.py)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accord.orgs.models import Person
from accord.orgs.panels import Context, Waiting

from . import queries


def home_panel(request: HttpRequest) -> Context:
    me: Person = request.person  # type: ignore[attr-defined]
    now = timezone.now()
    is_manager = queries.is_manager(me)
    checkin = queries.current_checkin(me, now)
    return {
        "checkin": checkin,
        "asked": checkin is not None and checkin.prompt_at <= now,
        "is_manager": is_manager,
        # Those nobody has acknowledged are under "Waiting for you" (see `waiting` below); listing them
        # here too showed each blocker twice on the same page.
        "blockers": [b for b in queries.blockers_of_reports(me) if b.acknowledged_at] if is_manager else [],
    }


def person_panel(request: HttpRequest, person: Person) -> Context:
    """Participation, for the person and those above them (and admins): the same numbers and words."""
    viewer: Person = request.person  # type: ignore[attr-defined]
    if not queries.sees_participation(viewer, person):
        return None
    return {
        "participation": queries.participation(person, timezone.now()),
        "person": person,
        "is_self": viewer.pk == person.pk,
    }


def waiting(me: Person) -> list[Waiting]:
    now = timezone.now()
    found = []
    if (checkin := queries.checkin_to_send(me, now)) is not None:
        closes = timezone.localtime(checkin.closes_at, me.zone)
        found.append(
            Waiting(
                key="checkin",
                text="Today's check-in",
                url=reverse("checkins"),
                action="Write your check-in",
                details=(f"Open until {closes:%A %-d %B, %H:%M}.",),
            )
        )
    for blocker in queries.blockers_to_acknowledge(me):
        found.append(
            Waiting(
                key="blocker",
                text=f"{blocker.person.name} is blocked",
                url=reverse("checkins_team", args=[blocker.team_id])
                if blocker.team_id
                else reverse("checkins"),
                action="Acknowledge the blocker",
                details=(blocker.text[:160],),
            )
        )
    return found
