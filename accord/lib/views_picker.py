from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from accord.orgs.access import OrgRequest, member_required

from .picker import PICK_MIN, SCOPES, pick_people
from .team_picker import pick_teams


@member_required
def person_pick(request: OrgRequest) -> HttpResponse:
    """The matches under a picker's box. htmx sends the box under the field's own name (so that the
    form posts it without JavaScript too), and that name in `field`."""
    field = request.GET.get("field", "q")[:100]
    q = request.GET.get(field) or request.GET.get("q") or ""
    scope = request.GET.get("scope", "all")
    people = pick_people(request.person, q, scope if scope in SCOPES else "all")
    return render(
        request, "lib/_picker_results.html", {"people": people, "searched": len(q.strip()) >= PICK_MIN}
    )


@member_required
def team_pick(request: OrgRequest) -> HttpResponse:
    """The matches under a team picker's box (see person_pick for `field`)."""
    field = request.GET.get("field", "q")[:100]
    q = request.GET.get(field) or request.GET.get("q") or ""
    return render(
        request,
        "lib/_team_pick_results.html",
        {"teams": pick_teams(request.person, q), "searched": len(q.strip()) >= PICK_MIN},
    )
