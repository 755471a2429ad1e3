from __future__ import annotations

from typing import Any

from django import template

from accord.orgs.models import Team

from .. import queries

register = template.Library()


@register.inclusion_tag("rhythm/_team_section.html", takes_context=True)
def team_rhythm(context: dict[str, Any], team: Team) -> dict[str, Any]:
    """The charter summary and time-zone links on a team page."""
    me = context["me"]
    charter = queries.charter_of(team)
    can_edit = queries.can_edit_charter(me, team)
    acks = queries.acknowledgements(charter) if charter and can_edit else None
    mine = charter.acknowledgements.filter(person=me).first() if charter else None
    return {
        "team": team,
        "charter": charter,
        "can_edit": can_edit,
        "acked": sum(1 for a in acks if a.current) if acks is not None else None,
        "members": len(acks) if acks is not None else None,
        "is_current": bool(charter and mine and mine.version >= charter.version),
    }


@register.filter
def duration(total: int) -> str:
    """Minutes as “3 h 15 min”."""
    hours, mins = divmod(int(total), 60)
    if not hours:
        return f"{mins} min"
    return f"{hours} h" + (f" {mins} min" if mins else "")


@register.filter
def pct(value: float) -> str:
    """A percentage for an SVG length (the timeline's bars), always with a dot whatever the locale."""
    return f"{value:.3f}%"
