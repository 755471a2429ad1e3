"""Check-in pages: my check-in, a team's feed with its blockers, and a team's template settings."""

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
from accord.orgs.access import OrgRequest, member_required

from . import queries
from .actions import (
    CheckinClosed,
    acknowledge_blocker,
    resolve_blocker,
    save_template,
    set_digest,
    set_prompt_time,
    settings_for,
    submit_checkin,
)
from .forms import DAY_NAMES, CheckinForm, DigestForm, PromptTimeForm, TemplateForm, form_field
from .models import Blocker, Cadence, CheckinTemplate, default_questions


def cadence_words(template: CheckinTemplate) -> str:
    if template.cadence == Cadence.WEEKLY:
        return f"weekly on {DAY_NAMES[template.weekday - 1]}s"
    return "daily, on each person's working days"


@member_required
def home(request: OrgRequest) -> HttpResponse:
    me, now = request.person, timezone.now()
    checkin = queries.current_checkin(me, now)
    if request.method == "POST":
        # The form names its check-in: a page left open overnight must not answer the next day's.
        checkin = queries.access_checkin(me, id_param(request.POST.get("checkin", "")) or 0)
    template = queries.template_of(checkin.team) if checkin and checkin.team else None
    questions = template.questions if template else default_questions()
    commitments = queries.open_commitments(me)
    form = CheckinForm(request.POST or None, questions=questions, commitments=commitments)
    refusal, status = "", 200
    if request.method == "POST" and checkin is not None and form.is_valid():
        try:
            submit_checkin(
                checkin,
                answers=form.answers(),
                mood=form.cleaned_data["mood"],
                share_mood=form.cleaned_data["share_mood"],
                commitments=form.statuses(),
                now=now,
            )
        except CheckinClosed as exc:
            refusal, status = str(exc), 409
        except ValidationError as exc:
            show_refusal(form, exc, rename=form_field)
        else:
            messages.success(request, "Check-in sent. Thank you!")
            return redirect("checkins")
    if request.method == "POST" and status == 200 and not refusal:
        status = 400 if form.errors else 200
    found = settings_for(me)
    shown = template or (queries.template_of(me.team) if me.team else None)
    context: dict[str, Any] = {
        "checkin": checkin,
        "form": form,
        "refusal": refusal,
        "is_open": checkin is not None and checkin.is_open(now),
        "asked": checkin is not None and checkin.prompt_at <= now,
        "next_prompt": queries.next_prompt(me, now),
        "participation": queries.participation(me, now),
        "recent": [c for c in queries.recent_checkins(me, now) if checkin is None or c.pk != checkin.pk],
        "prompt_form": PromptTimeForm(initial={"prompt_time": found.prompt_time}),
        "settings": found,
        "cadence": cadence_words(shown) if shown else "",
        "is_manager": queries.is_manager(me),
        "digest_form": DigestForm(initial={"digest": found.digest, "digest_time": found.digest_time}),
        "now": now,
    }
    return render(request, "checkins/home.html", context, status=status)


@member_required
@require_POST
def prompt_time(request: OrgRequest) -> HttpResponse:
    form = PromptTimeForm(request.POST)
    if form.is_valid():
        try:
            found = set_prompt_time(request.person, form.cleaned_data["prompt_time"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"From now on we'll ask you at {found.prompt_time:%H:%M} your time.")
    else:
        for error in form.errors.get("prompt_time", []):
            messages.error(request, str(error))
    return redirect(reverse("checkins") + "#ask-h")


@member_required
@require_POST
def digest(request: OrgRequest) -> HttpResponse:
    form = DigestForm(request.POST)
    if form.is_valid():
        set_digest(request.person, digest=form.cleaned_data["digest"], at=form.cleaned_data["digest_time"])
        messages.success(request, "Digest settings saved.")
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect(reverse("checkins") + "#digest-h")


@member_required
def team(request: OrgRequest, team_id: int) -> HttpResponse:
    me = request.person
    access = queries.access_team(me, team_id)
    team, is_manager = access.team, access.can_manage
    page_no = page_param(request.GET.get("page"))
    feed = queries.team_feed(team, offset=(page_no - 1) * queries.FEED_PAGE, limit=queries.FEED_PAGE + 1)
    for checkin in feed:
        checkin.visible_mood = queries.visible_mood(me, checkin)  # type: ignore[attr-defined]
    template = queries.template_of(team)
    context = {
        "team": team,
        "feed": feed[: queries.FEED_PAGE],
        "page": page_no,
        "has_more": len(feed) > queries.FEED_PAGE,
        "blockers": list(queries.open_blockers(team)),
        "is_manager": is_manager,
        "template": template,
        "cadence": cadence_words(template),
    }
    return render(request, "checkins/team.html", context)


@member_required
def team_settings(request: OrgRequest, team_id: int) -> HttpResponse:
    access = queries.access_team(request.person, team_id)
    if not access.can_manage:
        raise Http404("Only the team's managers and admins change its check-ins.")
    team = access.team
    template = queries.template_of(team)
    form = TemplateForm(request.POST or None, template=template)
    if request.method == "POST" and form.is_valid():
        try:
            save_template(
                template,
                questions=form.questions(),
                cadence=form.cleaned_data["cadence"],
                weekday=form.cleaned_data["weekday"],
                enabled=form.cleaned_data["enabled"],
                actor=request.person,
            )
        except ValidationError as exc:
            show_refusal(form, exc, rename=form_field)
        else:
            messages.success(request, f"Check-ins for {team.name} saved.")
            return redirect("checkins_team", team_id=team.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "checkins/settings.html", {"team": team, "form": form}, status=status)


def _back(request: OrgRequest, blocker: Blocker) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("checkins_team", team_id=blocker.team_id) if blocker.team_id else redirect("checkins")


@member_required
@require_POST
def blocker_acknowledge(request: OrgRequest, pk: int) -> HttpResponse:
    access = queries.access_blocker(request.person, pk)
    if not access.can_manage:
        raise Http404("Only the team's managers and admins acknowledge blockers.")
    blocker = access.blocker
    acknowledge_blocker(blocker, by=request.person)
    messages.success(request, f"Blocker acknowledged: {blocker.person.name} can see that you've seen it.")
    return _back(request, blocker)


@member_required
@require_POST
def blocker_resolve(request: OrgRequest, pk: int) -> HttpResponse:
    access = queries.access_blocker(request.person, pk)
    if not access.can_resolve:
        raise Http404("Only the team's managers, admins and the person themselves resolve blockers.")
    blocker = access.blocker
    resolve_blocker(blocker, by=request.person)
    messages.success(request, "Blocker resolved.")
    return _back(request, blocker)
