"""The handoff section of the home page: notes waiting for my shift, and my own handoff to write."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accord.orgs.models import Person, Team
from accord.orgs.panels import Context, Waiting

from . import queries
from .actions import outgoing_occurrence
from .models import Handoff, Item, Shift

# The reminder to write shows from an hour before the shift ends.
WRITE_FROM = dt.timedelta(hours=1)
OWNED_SHOWN = 5


def home_panel(request: HttpRequest) -> Context:
    me: Person = request.person  # type: ignore[attr-defined]
    now = timezone.now()
    shifts = list(Shift.objects.filter(org_id=me.org_id, members__person=me).select_related("chain"))
    pending = queries.pending_now(me)
    owned = list(
        Item.objects.filter(org_id=me.org_id, owner=me, closed_at__isnull=True)
        .select_related("chain")
        .order_by("-carried", "created_at")[:OWNED_SHOWN]
    )
    if not shifts and not pending and not owned:
        return None
    to_write = []
    for shift in shifts:
        found = outgoing_occurrence(shift, now)
        if found is None or found[2] - now > WRITE_FROM:
            continue
        if not Handoff.objects.filter(chain_id=shift.chain_id, from_shift=shift, shift_day=found[0]).exists():
            to_write.append({"shift": shift, "end": found[2], "running": found[2] > now})
    return {"pending": pending, "to_write": to_write, "owned": owned}


def team_panel(request: HttpRequest, team: Team) -> Context:
    """The team page lists the team's handoff chains; its managers also get the way to set one up."""
    me: Person = request.person  # type: ignore[attr-defined]
    found = list(queries.chains(team.org).filter(team=team))
    may_set_up = me.is_admin or queries.manages_team(me, team)
    if not found and not may_set_up:
        return None
    return {"chains": found, "may_set_up": may_set_up}


def waiting(me: Person) -> list[Waiting]:
    return [
        Waiting(
            key="handoff",
            text=f"A handoff from {h.author.name} in {h.chain.name}",
            url=reverse("handoffs_handoff", args=[h.pk]),
            action="Read and acknowledge",
        )
        for h in queries.pending_now(me)
    ]
