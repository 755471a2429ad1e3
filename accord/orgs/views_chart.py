from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from . import orgchart
from .access import OrgRequest, get_for_org, member_required
from .actions import team_path
from .models import Team


@member_required
def org_chart(request: OrgRequest, pk: int | None = None) -> HttpResponse:
    """The whole chart, or (with a team) that team's part of it. htmx asks for a team's sub-teams alone,
    to unfold them in place; without JavaScript the same link opens the team's part as a page."""
    team = get_for_org(request, Team, pk=pk) if pk is not None else None
    if request.htmx and team is not None:
        nodes = orgchart.nodes_under(request.org, [team.pk])
        return render(request, "orgs/_chart_nodes.html", {"nodes": nodes})
    return render(
        request,
        "orgs/org_chart.html",
        {"nodes": orgchart.opened(request.org, team), "root": team, "path": team_path(team) if team else ""},
    )
