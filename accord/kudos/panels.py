"""Kudos sections for the home page and person pages (see accord/orgs/panels.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from accord.orgs.models import Person, Team
from accord.orgs.panels import Context

from . import queries

PERSON_FEED = 5


def figures_sentence(person: Person, r: queries.Recognition) -> str:
    """The one sentence both the person and their manager read: same numbers, same words."""

    def people(count: int) -> str:
        return f"{count} {'person' if count == 1 else 'people'}"

    return (
        f"In the last {r.days} days {person.name} received {r.received} kudos from {people(r.givers)} "
        f"and gave {r.given} kudos to {people(r.thanked)}."
    )


def last_sentence(person: Person, r: queries.Recognition, now: Any) -> str:
    return last_recognised(person, r.last_received_at, now)


def last_recognised(person: Person, last: Any, now: Any) -> str:
    """When someone was last recognised, in the words both the person (on their page) and their manager
    (on the team recognition list) read: the manager's list must not say more than the person sees."""
    quiet = f"Nobody has recognised {person.name} in the last {queries.UNRECOGNISED_DAYS} days"
    if last is None:
        return f"{quiet}, nor before."
    days = (now - last).days
    if last < now - dt.timedelta(days=queries.UNRECOGNISED_DAYS):
        return f"{quiet}; the last time was {days} days ago."
    when = "today" if days == 0 else "yesterday" if days == 1 else f"{days} days ago"
    return f"{person.name} was last recognised {when}."


def home_panel(request: HttpRequest) -> Context:
    me: Person = request.person  # type: ignore[attr-defined]
    now = timezone.now()
    is_manager = queries.has_reports(me)
    return {
        "celebrating": queries.celebrating([me, *queries.celebration_circle(me)], now),
        "is_manager": is_manager,
        "unrecognised": queries.unrecognised_reports(me, now) if is_manager else [],
        "days": queries.UNRECOGNISED_DAYS,
    }


def person_panel(request: HttpRequest, person: Person) -> Context:
    viewer: Person = request.person  # type: ignore[attr-defined]
    now = timezone.now()
    received = queries.feed(viewer, person=person, limit=PERSON_FEED)
    for k in received:
        k.audience = queries.audience_words(k)  # type: ignore[attr-defined]
    figures = None
    if queries.sees_recognition(viewer, person):
        r = queries.recognition(person, now)
        figures = {"sentence": figures_sentence(person, r), "last": last_sentence(person, r, now)}
    return {
        "person": person,
        "feed": received,
        "figures": figures,
        "is_self": viewer.pk == person.pk,
    }


def team_panel(request: HttpRequest, team: Team) -> Context:
    """The team page points at the team's kudos feed and names today's celebrations there."""
    today = queries.celebrating(queries.team_members(team), timezone.now())
    return {"celebrations": today}
