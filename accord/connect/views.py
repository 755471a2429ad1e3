"""Connection pages: my coffee chats (join, pause, leave), an introduction, a round, the admin's settings
and overview, and "Working with me" profiles.

An introduction opens to the people in its group and to admins; anyone else gets a 404. A round's page
(who was paired, who was not and why) opens to everyone in the organisation, like a notice board.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accord.lib.forms import page_param, show_refusal
from accord.orgs.access import OrgRequest, admin_required, member_required

from . import actions, queries
from .forms import CoffeeSettingsForm, MetForm, OptInForm, ProfileForm
from .models import SECTIONS

WEEK = dt.timedelta(days=7)


def _coffee_page(request: OrgRequest, form: OptInForm | None = None, status: int = 200) -> HttpResponse:
    me, now = request.person, timezone.now()
    today = now.astimezone(me.zone).date()
    member = queries.membership(me)
    groups = queries.my_groups(me)
    # The latest chat stays "current" until its week is over; then it joins the past ones.
    current = groups[0] if groups and groups[0].round.week_start + WEEK > today else None
    context: dict[str, Any] = {
        "member": member,
        "status": queries.status(member, today),
        "has_hours": queries.has_hours(me),
        "form": form or OptInForm(),
        "current": queries.introduction(current, now) if current else None,
        "past": [
            {
                "group": g,
                "others": [s.person for s in g.members.all() if s.person_id != me.pk],
                "mine": next(s for s in g.members.all() if s.person_id == me.pk),
            }
            for g in groups
            if g is not current
        ],
        "rounds": list(queries.rounds_of(request.org.pk)[:5]),
        "next_round_at": getattr(getattr(request.org, "coffee_settings", None), "next_round_at", None),
        "no_hours_message": actions.NO_HOURS_MESSAGE,
    }
    return render(request, "connect/coffee.html", context, status=status)


@member_required
def coffee(request: OrgRequest) -> HttpResponse:
    return _coffee_page(request)


@member_required
@require_POST
def optin(request: OrgRequest) -> HttpResponse:
    me = request.person
    form = OptInForm(request.POST)
    if not form.is_valid():
        return _coffee_page(request, form, status=400)
    choice = form.cleaned_data["action"]
    today = timezone.now().astimezone(me.zone).date()
    try:
        if choice == "join":
            actions.join_coffee(me)
            messages.success(request, "You're in. You'll be introduced to someone in the next round.")
        elif choice == "pause":
            member = actions.pause_coffee(me, form.cleaned_data["paused_until"], today)
            messages.success(request, f"Paused until {member.paused_until:%-d %B %Y}.")
        elif choice == "resume":
            actions.resume_coffee(me)
            messages.success(request, "Welcome back: you're in the next round.")
        else:
            actions.leave_coffee(me)
            messages.success(request, "You've left coffee chats. Your past chats stay on this page.")
    except ValidationError as exc:
        show_refusal(form, exc)
        return _coffee_page(request, form, status=400)
    return redirect("coffee")


@member_required
def intro(request: OrgRequest, group_id: int) -> HttpResponse:
    group = queries.access_coffee_group(request.person, group_id)
    now = timezone.now()
    me = request.person
    seat = next((s for s in group.members.all() if s.person_id == me.pk), None)
    context = queries.introduction(group, now)
    context.update(
        seat=seat,
        can_answer=seat is not None and now.astimezone(me.zone).date() >= group.round.week_start,
        form=MetForm(initial={"met": seat.met} if seat and seat.met else None),
    )
    return render(request, "connect/intro.html", context)


@member_required
@require_POST
def met(request: OrgRequest, group_id: int) -> HttpResponse:
    group = queries.access_coffee_group(request.person, group_id)
    form = MetForm(request.POST)
    if form.is_valid():
        try:
            actions.answer_met(group, request.person, form.cleaned_data["met"])
        except PermissionDenied as exc:
            raise Http404("Only the people in this group answer.") from exc
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Thanks, noted.")
    else:
        messages.error(request, "Choose yes, no or skipped.")
    return redirect("coffee_intro", group_id=group.pk)


@member_required
def round_detail(request: OrgRequest, round_id: int) -> HttpResponse:
    rnd = queries.access_round(request.person, round_id)
    found = queries.round_page(rnd, page_param(request.GET.get("page")))
    unmatched, paused = queries.unmatched_for(rnd, request.person)
    return render(
        request,
        "connect/round.html",
        {
            "round": rnd,
            "unmatched": unmatched,
            "paused": paused,
            "groups": found.groups,
            "total_groups": found.total_groups,
            "trios": found.trios,
            "people": found.people,
            "page": found.page,
            "has_more": found.has_more,
        },
    )


@admin_required
def admin_settings(request: OrgRequest) -> HttpResponse:
    found = actions.coffee_settings(request.org)
    form = CoffeeSettingsForm(request.POST or None, instance=found)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_coffee_settings(
                found,
                every_weeks=form.cleaned_data["every_weeks"],
                cross_department_weight=form.cleaned_data["cross_department_weight"],
                avoid_rounds=form.cleaned_data["avoid_rounds"],
            )
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, "Coffee chat settings saved.")
            return redirect("coffee_admin")
    figures, pairs = queries.overview(request.org)
    return render(
        request,
        "connect/admin.html",
        {
            "form": form,
            "settings": found,
            "figures": figures,
            "pairs": [{"pair": p, "cells": [f.new_cross.get(p, 0) for f in figures]} for p in pairs],
            "opted_in": request.org.coffeemember_set.filter(active=True, person__is_active=True).count(),  # type: ignore[attr-defined]
        },
    )


@admin_required
@require_POST
def run_now(request: OrgRequest) -> HttpResponse:
    rnd = actions.run_round_now(request.org, request.person)
    n = rnd.groups.count()
    messages.success(
        request, f"Round {rnd.number} made {n} group{'s' if n != 1 else ''}; introductions are on their way."
    )
    return redirect("coffee_round", round_id=rnd.pk)


# --- Working with me -------------------------------------------------------------------------------


@member_required
def profiles(request: OrgRequest) -> HttpResponse:
    # PostgreSQL cannot take a NUL byte in a text parameter: dropped here rather than a 500.
    q = request.GET.get("q", "").replace("\x00", "").strip()
    found = queries.profile_directory(request.org, q, page_param(request.GET.get("page")))
    return render(
        request,
        "connect/profiles.html",
        {
            "rows": found.rows,
            "q": q,
            "written": found.written,
            "people": found.people,
            "page": found.page,
            "has_more": found.has_more,
        },
    )


@member_required
def profile(request: OrgRequest, person_id: int) -> HttpResponse:
    person = queries.access_profile(request.person, person_id)
    found = queries.profile_of(person)
    return render(
        request,
        "connect/profile.html",
        {
            "person": person,
            "profile": found,
            "sections": queries.sections(found),
            "hours": queries.hours_view(person, request.person, timezone.now()),
            "is_self": person.pk == request.person.pk,
        },
    )


@member_required
def profile_edit(request: OrgRequest) -> HttpResponse:
    me = request.person
    found = queries.profile_of(me)
    initial = {key: getattr(found, key) for key, _, _ in SECTIONS} if found else None
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_profile(me, **form.cleaned_data)
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, "Your Working with me page is saved.")
            return redirect(reverse("profile", args=[me.pk]))
    return render(request, "connect/profile_form.html", {"form": form})
