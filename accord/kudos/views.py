"""Kudos pages: the feeds, giving, reacting, company values, celebration settings, and a manager's view
of who on their team has gone unrecognised."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accord.lib.forms import id_param, page_param, show_refusal
from accord.orgs.access import OrgRequest, admin_required, get_for_org, member_required
from accord.orgs.models import Team

from . import queries
from .actions import (
    give_kudos,
    preferences_for,
    save_value,
    set_preferences,
    toggle_reaction,
)
from .forms import KudosForm, PreferencesForm, ValueForm
from .models import CompanyValue
from .panels import last_recognised


def _page(request: OrgRequest) -> int:
    return page_param(request.GET.get("page"))


def _feed_context(request: OrgRequest, **filters: Any) -> dict[str, Any]:
    page = _page(request)
    found = queries.feed(
        request.person, offset=(page - 1) * queries.FEED_PAGE, limit=queries.FEED_PAGE + 1, **filters
    )
    for k in found:
        k.audience = queries.audience_words(k)  # type: ignore[attr-defined]
    return {"feed": found[: queries.FEED_PAGE], "page": page, "has_more": len(found) > queries.FEED_PAGE}


@member_required
def feed(request: OrgRequest) -> HttpResponse:
    me, now = request.person, timezone.now()
    mine = request.GET.get("show") == "mine"
    context = _feed_context(request, person=me) if mine else _feed_context(request)
    circle = list(queries.celebration_circle(me))
    context.update(
        mine=mine,
        form=KudosForm(giver=me),
        celebrating=queries.celebrating([me, *circle], now),
        coming_up=queries.coming_up(circle, now),
        is_manager=queries.has_reports(me),
    )
    return render(request, "kudos/feed.html", context)


@member_required
def give(request: OrgRequest) -> HttpResponse:
    me = request.person
    initial = {}
    if (to := id_param(request.GET.get("to"))) is not None:
        initial["recipients"] = queries.active_people(me.org_id, [to])
    form = KudosForm(request.POST or None, giver=me, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            kudos = give_kudos(
                me,
                recipients=form.cleaned_data["recipients"],
                message=form.cleaned_data["message"],
                value=form.cleaned_data.get("value"),
                public=form.public,
                share_with_manager=form.cleaned_data["share_with_manager"],
            )
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            names = ", ".join(
                r.person.name for r in kudos.recipients.select_related("person").order_by("person__name")
            )
            where = "on the feed" if kudos.public else "privately"
            messages.success(request, f"Kudos sent to {names} {where}. Thank you for noticing!")
            return redirect(reverse("kudos") + f"#kudos-{kudos.pk}")
    status = 400 if request.method == "POST" else 200
    return render(request, "kudos/give.html", {"form": form}, status=status)


@member_required
@require_POST
def react(request: OrgRequest, pk: int) -> HttpResponse:
    me = request.person
    kudos = queries.access_kudos(me, pk)
    try:
        toggle_reaction(kudos, me, request.POST.get("kind", ""))
    except ValidationError as exc:
        if request.htmx:
            return HttpResponse(exc.messages[0], status=400)
        messages.error(request, exc.messages[0])
    if request.htmx:
        queries.decorate([kudos], me)
        return render(request, "kudos/_reactions.html", {"k": kudos, "next": request.POST.get("next", "")})
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("kudos")


@member_required
def team(request: OrgRequest, team_id: int) -> HttpResponse:
    me, now = request.person, timezone.now()
    found = get_for_org(request, Team, pk=team_id)
    members = list(queries.team_members(found))
    context = _feed_context(request, team=found)
    context.update(
        team=found,
        celebrating=queries.celebrating(members, now),
        coming_up=queries.coming_up(members, now),
        teams=queries.teams_near(found),
        is_member=me.team_id == found.pk,
    )
    return render(request, "kudos/team.html", context)


@member_required
def recognition(request: OrgRequest) -> HttpResponse:
    """A manager's own reports whom nobody has recognised lately. Nobody else sees this list."""
    me = request.person
    if not queries.has_reports(me):
        raise Http404("Only managers see who on their team has gone unrecognised.")
    now = timezone.now()
    reports = queries.report_count(me)
    return render(
        request,
        "kudos/recognition.html",
        {
            "unrecognised": [
                (u, last_recognised(u.person, u.last_received_at, now))
                for u in queries.unrecognised_reports(me, now)
            ],
            "report_count": reports,
            "days": queries.UNRECOGNISED_DAYS,
        },
    )


@admin_required
def values(request: OrgRequest) -> HttpResponse:
    form = ValueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            value = save_value(CompanyValue(org=request.org), **form.cleaned_data)
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, f"Value “{value.name}” added.")
            return redirect("kudos_values")
    found = queries.all_values(request.org.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "kudos/values.html", {"form": form, "values": found}, status=status)


@admin_required
def value_edit(request: OrgRequest, pk: int) -> HttpResponse:
    value = get_for_org(request, CompanyValue, pk=pk)
    initial = {"name": value.name, "description": value.description, "active": value.active}
    form = ValueForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save_value(value, **form.cleaned_data)
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, f"Value “{value.name}” saved.")
            return redirect("kudos_values")
    status = 400 if request.method == "POST" else 200
    return render(request, "kudos/value_form.html", {"form": form, "value": value}, status=status)


@member_required
def preferences(request: OrgRequest) -> HttpResponse:
    me = request.person
    found = preferences_for(me)
    initial = {
        "celebrate_anniversary": found.celebrate_anniversary,
        "celebrate_birthday": found.celebrate_birthday,
        "digest": found.digest,
    }
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        set_preferences(me, **form.cleaned_data)
        messages.success(request, "Celebration settings saved.")
        return redirect("kudos_settings")
    return render(request, "kudos/settings.html", {"form": form, "prefs": found})
