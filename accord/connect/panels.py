"""Connection sections for the home page (this round's coffee chat) and person pages (Working with me).

The person panel shows only what the person wrote for everyone to read, so it is the same for every
viewer; nothing about coffee chats (who met whom, who answered) appears on anyone's page.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone

from accord.orgs.models import Person
from accord.orgs.panels import Context

from . import queries
from .models import SECTIONS


def person_panel(request: HttpRequest, person: Person) -> Context:
    viewer: Person = request.person  # type: ignore[attr-defined]
    profile = queries.profile_of(person)
    excerpt = ""
    if profile is not None:
        excerpt = next((getattr(profile, k) for k, _, _ in SECTIONS if getattr(profile, k)), "")
    return {
        "person": person,
        "excerpt": excerpt,
        "is_self": viewer.pk == person.pk,
    }


def home_panel(request: HttpRequest) -> Context:
    me: Person = request.person  # type: ignore[attr-defined]
    today = timezone.now().astimezone(me.zone).date()
    member = queries.membership(me)
    groups = queries.my_groups(me, limit=1)
    current = groups[0] if groups and groups[0].round.week_start + dt.timedelta(days=7) > today else None
    return {
        "status": queries.status(member, today),
        "current": current,
        "others": [s.person for s in current.members.all() if s.person_id != me.pk] if current else [],
    }
