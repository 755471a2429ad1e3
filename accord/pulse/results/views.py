"""Pulse results pages: one group's results, the heatmap with slices, and trends.

Thin views: the numbers come from the gate through `reports`, which also picks rounds and groups. Members
see organisation-wide results; managers their teams' subtrees; admins everything (queries.viewer_scope).
A round, program or comment of another organisation, and a group outside the viewer's scope, are 404s.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accord.orgs.access import OrgRequest, get_for_org, member_required

from .. import queries
from ..answering import reply_as_manager
from ..bank import CONSTRUCT_HELP
from ..models import Comment
from ..publishing import request_republish
from . import heatmaps, published, reports
from .trends import trend_program


def _pickers(request: OrgRequest, rnd: object) -> dict[str, object]:
    program = getattr(rnd, "program", None)
    return {
        "programs": reports.result_programs(request.org),
        "program": program,
        "rounds": list(reports.result_rounds(request.org, program)[:52]) if program else [],
    }


@member_required
def results(request: OrgRequest) -> HttpResponse:
    scope = queries.viewer_scope(request.person)
    rnd = reports.choose_round(request.org, request.GET.get("round"), request.GET.get("program"))
    context: dict[str, object] = {"scope": scope, "round": rnd, **_pickers(request, rnd)}
    if rnd is not None:
        try:
            hist = published.history(rnd, scope)
        except queries.ResultsPreparing as exc:
            return _preparing(request, "pulse/results.html", context, exc)
        picked = published.pick(hist, request.GET.get("group"))
        context["k"] = int(hist.headers[rnd.pk]["k"])
        context["groups"] = published.group_choices(hist, picked) if picked is not None else []
        if picked is not None:
            context["report"] = published.group_report(hist, picked, request.org)
            context["group_key"] = reports.group_key(picked.group)
    return render(request, "pulse/results.html", context)


def _preparing(
    request: OrgRequest, template: str, context: dict[str, object], exc: queries.ResultsPreparing
) -> HttpResponse:
    """Published results are missing or stale: a request never publishes them (that writes, and can
    take seconds in a large organisation); it asks the worker to, once per round, and says so."""
    request_republish(exc.rounds)
    return render(request, template, {**context, "preparing": True})


@member_required
@require_POST
def comment_reply(request: OrgRequest, comment_id: uuid.UUID) -> HttpResponse:
    comment = get_for_org(request, Comment, pk=comment_id)
    scope = queries.viewer_scope(request.person)
    group = reports.reply_group(comment, scope, request.POST.get("group"))
    try:
        reply_as_manager(comment, request.person, request.POST.get("text", ""))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, "Reply sent. The author reads it on their My feedback page, with your name."
        )
    query = urlencode({"round": comment.round_id, "group": reports.group_key(group)})
    return redirect(f"{reverse('pulse_results')}?{query}#comment-{comment.pk}")


@member_required
def heatmap(request: OrgRequest) -> HttpResponse:
    scope = queries.viewer_scope(request.person)
    if scope == "org":
        raise Http404("Members see organisation-wide results only.")
    rnd = reports.choose_round(request.org, request.GET.get("round"), request.GET.get("program"))
    open_keys = request.GET.getlist("open")[: heatmaps.MAX_OPENED]
    opened = frozenset(heatmaps.team_of_key(k) for k in open_keys)
    if rnd is not None and request.GET.get("unfold"):
        # One row's sub-teams, swapped in for the row when the viewer unfolds it (htmx); without
        # JavaScript the row's link reloads the page with the row in `open`.
        try:
            table = heatmaps.unfolded_rows(rnd, scope, request.GET["unfold"])
        except queries.ResultsPreparing as exc:
            request_republish(exc.rounds)
            return HttpResponse(status=409)
        folded = {r.key for r in table.rows[1:] if r.below}
        return render(request, "pulse/_heat_rows.html", {"table": table, "round": rnd, "folded": folded})
    context: dict[str, object] = {"round": rnd, **_pickers(request, rnd)}
    if rnd is not None:
        try:
            found = heatmaps.heatmap_page(
                rnd, scope, request.GET.get("construct"), request.GET.get("team"), opened
            )
        except queries.ResultsPreparing as exc:
            return _preparing(request, "pulse/results_heatmap.html", context, exc)
        context.update(vars(found))
        context["folded"] = set(found.folded)
        context["open_query"] = "".join(f"&open={k}" for k in open_keys)
    return render(request, "pulse/results_heatmap.html", context)


@member_required
def trends(request: OrgRequest) -> HttpResponse:
    scope = queries.viewer_scope(request.person)
    program = trend_program(request.org, request.GET.get("program"))
    context: dict[str, object] = {"program": program, "programs": reports.result_programs(request.org)}
    try:
        hist = published.program_history(program, scope) if program is not None else None
    except queries.ResultsPreparing as exc:
        return _preparing(request, "pulse/results_trends.html", context, exc)
    if hist is not None:
        found = published.trends_page(hist, request.GET.get("group"), request.GET.get("construct"))
        context.update(
            vars(found),
            k=int(hist.headers[hist.last.pk]["k"]),
            help=CONSTRUCT_HELP.get(found.construct, ""),
        )
        context["group_key"] = reports.group_key(found.group) if found.group is not None else ""
    return render(request, "pulse/results_trends.html", context)
