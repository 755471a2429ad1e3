"""Goals and commitments pages: the alignment tree, a goal with its key results, and my commitments."""

from __future__ import annotations

import datetime as dt
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
from accord.lib.tz import to_utc
from accord.orgs.access import OrgRequest, member_required
from accord.orgs.models import Person

from . import queries
from .actions import (
    NotAllowed,
    add_key_result,
    create_commitment,
    record_progress,
    save_goal,
    set_commitment_status,
)
from .forms import CommitmentForm, GoalForm, KeyResultForm, ProgressForm
from .models import Commitment, CommitmentStatus, Goal, Level

SHOW = {"all": "Everything", "team": "My team", "mine": "Mine"}


@member_required
def goals(request: OrgRequest) -> HttpResponse:
    me = request.person
    show = request.GET.get("show", "all")
    if show not in SHOW:
        show = "all"
    found = queries.goals_page(me, show, page_param(request.GET.get("page")))
    return render(
        request,
        "goals/goals.html",
        {"tree": found.tree, "page": found.page, "has_more": found.has_more, "show": show, "filters": SHOW},
    )


def _visible_goal(request: OrgRequest, pk: int) -> Goal:
    return queries.access_goal(request.person, pk).goal


@member_required
def goal_edit(request: OrgRequest, pk: int | None = None) -> HttpResponse:
    me = request.person
    if pk is None:
        goal = Goal(org=request.org)
        parent = None
        if (parent_id := id_param(request.GET.get("parent"))) is not None:
            parent = queries.visible_goals(me).filter(pk=parent_id).first()
        level = Level.PERSON if parent is None or parent.level != Level.COMPANY else Level.TEAM
        initial: dict[str, Any] = {"level": level, "owner": me.pk, "team": me.team_id, "parent": parent}
    else:
        goal = _visible_goal(request, pk)
        if not queries.can_edit_goal(me, goal):
            raise Http404("You cannot edit this goal.")
        initial = {
            f: getattr(goal, f)
            for f in (
                "title",
                "description",
                "level",
                "team",
                "owner",
                "parent",
                "private",
                "starts_on",
                "ends_on",
            )
        } | {"archived": goal.archived}
    form = GoalForm(request.POST or None, initial=initial, viewer=me, goal=goal)
    if request.method == "POST" and form.is_valid():
        try:
            save_goal(form.apply(goal), actor=me)
        except (ValidationError, NotAllowed) as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, f"Goal “{goal.title}” saved.")
            return redirect("goal", pk=goal.pk)
    return render(request, "goals/goal_form.html", {"form": form, "goal": goal})


def sparkline(
    values: list[float], start: float, target: float, width: int = 160, height: int = 36
) -> dict[str, Any]:
    """An SVG polyline of a key result's history, scaled so that start and target are both in view."""
    low, high = min([*values, start, target]), max([*values, start, target])
    span = (high - low) or 1.0
    pad = 3

    def y(v: float) -> float:
        return round(pad + (height - 2 * pad) * (1 - (v - low) / span), 1)

    steps = max(len(values) - 1, 1)
    points = " ".join(f"{round(pad + (width - 2 * pad) * i / steps, 1)},{y(v)}" for i, v in enumerate(values))
    return {"points": points, "target_y": y(target), "width": width, "height": height}


def _detail(
    request: OrgRequest,
    goal: Goal,
    *,
    kr_form: KeyResultForm | None = None,
    bound: tuple[int, ProgressForm] | None = None,
) -> HttpResponse:
    me = request.person
    key_results = queries.key_results_with_history(goal)
    may_record = queries.can_record_progress(me, goal)
    rows = []
    for kr in key_results:
        history = list(kr.updates.all())
        form = bound[1] if bound and bound[0] == kr.pk else None
        if form is None and may_record:
            form = ProgressForm(
                prefix=f"kr{kr.pk}", initial={"value": kr.current, "confidence": kr.confidence}
            )
        rows.append(
            {
                "kr": kr,
                "history": list(reversed(history)),
                "first": history[0].value if history else None,
                "spark": sparkline([u.value for u in history], kr.start, kr.target)
                if len(history) > 1
                else None,
                "form": form,
            }
        )
    may_edit = queries.can_edit_goal(me, goal)
    children = queries.with_key_results(queries.visible_goals(me).filter(parent=goal))
    parent = goal.parent if goal.parent is not None and queries.can_see_goal(me, goal.parent) else None
    return render(
        request,
        "goals/goal.html",
        {
            "goal": goal,
            "rows": rows,
            "children": children,
            "parent": parent,
            "parent_hidden": goal.parent_id is not None and parent is None,
            "may_edit": may_edit,
            "may_record": may_record,
            "kr_form": kr_form or (KeyResultForm() if may_edit else None),
        },
    )


@member_required
def goal_detail(request: OrgRequest, pk: int) -> HttpResponse:
    return _detail(request, _visible_goal(request, pk))


@member_required
@require_POST
def key_result_new(request: OrgRequest, pk: int) -> HttpResponse:
    goal = _visible_goal(request, pk)
    if not queries.can_edit_goal(request.person, goal):
        raise Http404("You cannot add key results to this goal.")
    form = KeyResultForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            kr = add_key_result(
                goal,
                actor=request.person,
                title=data["title"],
                start=data["start"],
                target=data["target"],
                unit=data["unit"],
                confidence=data["confidence"],
            )
        except (ValidationError, NotAllowed) as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, f"Key result “{kr.title}” added.")
            return redirect("goal", pk=goal.pk)
    return _detail(request, goal, kr_form=form)


@member_required
@require_POST
def key_result_progress(request: OrgRequest, pk: int) -> HttpResponse:
    kr, access = queries.access_key_result(request.person, pk)
    if not access.can_record_progress:
        raise Http404("You cannot record progress on this goal.")
    goal = access.goal
    form = ProgressForm(request.POST, prefix=f"kr{kr.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            record_progress(
                kr,
                actor=request.person,
                value=data["value"],
                confidence=data["confidence"],
                note=data["note"],
            )
        except (ValidationError, NotAllowed) as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, f"Progress recorded on “{kr.title}”.")
            return redirect(reverse("goal", args=[goal.pk]) + f"#kr-{kr.pk}")
    return _detail(request, goal, bound=(kr.pk, form))


# --- commitments ------------------------------------------------------------------------------


def _with_deadlines(found: list[Commitment], viewer: Person, now: dt.datetime) -> list[Commitment]:
    """Days left on each owner's clock and, for owners in another zone, when their due day ends
    (shown on the viewer's clock)."""
    queries.annotate_due(found, now)
    for c in found:
        c.ends_at = (  # type: ignore[attr-defined]
            to_utc(c.due_on + dt.timedelta(days=1), dt.time(0, 0), c.owner.zone)
            if c.owner.timezone != viewer.timezone
            else None
        )
    return found


@member_required
def commitments(request: OrgRequest) -> HttpResponse:
    me = request.person
    now = timezone.now()
    # The choice lists direct reports (their own reports are one choice further); everyone below is
    # read only when asked for, so the page's default costs the viewer's span, not their whole subtree.
    reports = queries.direct_reports(me)
    who = request.GET.get("who", "me")
    if who == "reports" and reports:
        owners, label = queries.active_reports_below(me), "Everyone who reports to you"
    elif (who_id := id_param(who)) is not None and who_id != me.pk:
        person = queries.access_signals_person(me, who_id)
        owners, label = [person], person.name
    else:
        who, owners, label = "me", [me], "Yours"
    owner_ids = [p.pk for p in owners]
    found = queries.commitments_of(owner_ids, request.org.pk)
    open_ = _with_deadlines(
        list(found.filter(status=CommitmentStatus.OPEN).order_by("due_on", "id")), me, now
    )
    closed = _with_deadlines(
        list(found.exclude(status=CommitmentStatus.OPEN).order_by("-due_on", "-id")[:30]), me, now
    )
    return render(
        request,
        "goals/commitments.html",
        {
            "open": open_,
            "closed": closed,
            "who": who,
            "label": label,
            "reports": reports,
            "follow_through": queries.follow_through(owners, now),
            "single_owner": len(owners) == 1,
            "next": request.get_full_path(),
        },
    )


@member_required
def commitment_new(request: OrgRequest) -> HttpResponse:
    me = request.person
    initial = {"owner": me.pk}
    if (goal_id := id_param(request.GET.get("goal"))) is not None:
        initial["goal"] = goal_id
    if (owner_id := id_param(request.GET.get("owner"))) is not None:
        initial["owner"] = owner_id
    form = CommitmentForm(request.POST or None, initial=initial, viewer=me)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = create_commitment(
                actor=me,
                owner=data["owner"],
                title=data["title"],
                definition_of_done=data["definition_of_done"],
                due_on=data["due_on"],
                goal=data["goal"],
            )
        except (ValidationError, NotAllowed) as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, f"Commitment “{made.title}” added.")
            if made.owner_id == me.pk:
                return redirect("commitments")
            return redirect(reverse("commitments") + f"?who={made.owner_id}")
    return render(request, "goals/commitment_form.html", {"form": form})


@member_required
@require_POST
def commitment_status(request: OrgRequest, pk: int) -> HttpResponse:
    commitment = queries.access_commitment(request.person, pk)
    status = request.POST.get("status", "")
    try:
        set_commitment_status(commitment, actor=request.person, status=status)
    except (ValidationError, NotAllowed) as exc:
        for message in exc.messages if isinstance(exc, ValidationError) else [str(exc)]:
            messages.error(request, message)
    else:
        word = {"done": "Marked done", "dropped": "Dropped", "open": "Reopened"}[status]
        messages.success(request, f"{word}: “{commitment.title}”.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("commitments")
    return redirect(target)
