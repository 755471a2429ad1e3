"""The plans section of the home page, only for people named on a plan: versions waiting for the
person's acknowledgement, and plans past their end for the people who must act on them."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from accord.orgs.models import Person
from accord.orgs.panels import Context

from . import queries


def home_panel(request: HttpRequest) -> Context:
    me: Person = request.person  # type: ignore[attr-defined]
    open_plans = list(queries.visible_plans(me).filter(closed_at__isnull=True))
    if not open_plans:
        return None
    to_acknowledge = [p for p in open_plans if p.person_id == me.pk and not p.acknowledged]
    past_end = queries.lingering_plans(me, timezone.now())
    return {"open": len(open_plans), "to_acknowledge": to_acknowledge, "past_end": past_end}
