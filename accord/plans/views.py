"""Plan pages: the lists, one plan with everything on it, the forms, the lingering list and settings.
Each view is an access check, a form, an action and a render; POSTs go back to the plan's page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accord.lib.forms import id_param, show_refusal
from accord.lib.refusals import Refused
from accord.orgs.access import OrgRequest, admin_required, member_required
from accord.orgs.models import Person

from . import queries
from .actions import (
    acknowledge,
    add_entry,
    add_milestone,
    change_milestone,
    change_plan,
    close_plan,
    create_plan,
    extend_plan,
    record_outcome,
    save_settings,
    write_feedback,
)
from .forms import EntryForm, ExtendForm, FeedbackForm, MilestoneForm, OutcomeForm, PlanForm, SettingsForm
from .models import Milestone, Plan


@member_required
def plans(request: OrgRequest) -> HttpResponse:
    me = request.person
    found = list(queries.visible_plans(me).order_by("closed_at", "end_date"))
    return render(
        request,
        "plans/list.html",
        {
            "mine": [p for p in found if p.person_id == me.pk],
            "held": [p for p in found if p.manager_id == me.pk],
            "hr": [p for p in found if p.person_id != me.pk and p.manager_id != me.pk],
            "can_open": bool(queries.people_to_plan_for(me)),
        },
    )


@member_required
def plan_new(request: OrgRequest) -> HttpResponse:
    me = request.person
    if not queries.people_to_plan_for(me):
        raise Http404("Only a manager opens a plan, for someone who reports to them.")
    initial: dict[str, Any] = {"weekly_one_on_one": True, "feedback_per_milestone": True}
    if (pid := id_param(request.GET.get("person"))) is not None:
        initial["person"] = pid
    form = PlanForm(request.POST or None, manager=me, new=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        rows = form.milestones()
        if not form.errors:
            try:
                plan = create_plan(
                    me, milestones=rows, **{k: form.cleaned_data[k] for k in _PLAN_FIELDS + ["person"]}
                )
            except Refused as exc:
                show_refusal(form, exc, form.rename)
            else:
                messages.success(request, f"Plan opened. {plan.person.name} is asked to acknowledge it.")
                return redirect("plan", plan.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "plans/form.html", {"form": form, "plan": None}, status=status)


_PLAN_FIELDS = ["title", "reason", "end_date", "hr_contact", "weekly_one_on_one", "feedback_per_milestone"]


def _detail(request: OrgRequest, plan: Plan, rights: queries.PlanRights, **forms: Any) -> dict[str, Any]:
    now = timezone.now()
    milestones = list(plan.milestones.all())
    commitments, checkins = queries.evidence_choices(plan)
    owed = queries.obligations(plan, milestones, now)
    return {
        "plan": plan,
        "rights": rights,
        "milestones": milestones,
        "obligations": owed,
        "entries": queries.entries(plan),
        "history": queries.history(plan),
        "lingering": queries.is_lingering(plan, milestones, queries.local_today(plan.person, now)),
        "entry_form": forms.get("entry_form")
        or EntryForm(milestones=milestones, commitments=commitments, checkins=checkins),
        "milestone_form": forms.get("milestone_form") or MilestoneForm(),
        "extend_form": forms.get("extend_form") or ExtendForm(initial={"days": owed.extension_days or 14}),
        "outcome_choices": OutcomeForm.base_fields["outcome"].choices,  # type: ignore[attr-defined]
    }


@member_required
def plan(request: OrgRequest, pk: int) -> HttpResponse:
    found, rights = queries.access_plan(request.person, pk)
    return render(request, "plans/detail.html", _detail(request, found, rights))


@member_required
def plan_edit(request: OrgRequest, pk: int) -> HttpResponse:
    found, rights = queries.access_plan(request.person, pk)
    initial = {k: getattr(found, k) for k in _PLAN_FIELDS}
    form = PlanForm(request.POST or None, manager=found.manager, new=False, initial=initial)
    if not rights.change:
        return redirect("plan", found.pk)
    if request.method == "POST" and form.is_valid():
        try:
            changed = change_plan(found, request.person, **{k: form.cleaned_data[k] for k in _PLAN_FIELDS})
        except Refused as exc:
            show_refusal(form, exc)
        else:
            if changed:
                messages.success(request, f"Saved. {found.person.name} is asked to acknowledge the change.")
            return redirect("plan", found.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "plans/form.html", {"form": form, "plan": found}, status=status)


def _after(
    request: OrgRequest, found: Plan, rights: queries.PlanRights, form: Any, name: str, exc: Refused
) -> HttpResponse:
    show_refusal(form, exc)
    return render(request, "plans/detail.html", _detail(request, found, rights, **{name: form}), status=400)


@member_required
@require_POST
def plan_milestone_add(request: OrgRequest, pk: int) -> HttpResponse:
    found, rights = queries.access_plan(request.person, pk)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        try:
            add_milestone(found, request.person, **form.cleaned_data)
        except Refused as exc:
            return _after(request, found, rights, form, "milestone_form", exc)
        return redirect(reverse("plan", args=[found.pk]) + "#milestones")
    return render(
        request, "plans/detail.html", _detail(request, found, rights, milestone_form=form), status=400
    )


@member_required
def plan_milestone(request: OrgRequest, pk: int) -> HttpResponse:
    """Change a milestone's criterion or due date; GET shows the form."""
    milestone = queries.access_milestone_by_id(request.person, pk)
    found, rights = queries.access_plan(request.person, milestone.plan_id)
    form = MilestoneForm(
        request.POST or None, initial={"criterion": milestone.criterion, "due_date": milestone.due_date}
    )
    if request.method == "POST" and form.is_valid():
        try:
            change_milestone(milestone, request.person, **form.cleaned_data)
        except Refused as exc:
            show_refusal(form, exc)
        else:
            return redirect(reverse("plan", args=[found.pk]) + "#milestones")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "plans/milestone.html",
        {"form": form, "plan": found, "milestone": milestone, "rights": rights},
        status=status,
    )


def _milestone_post(
    request: OrgRequest,
    pk: int,
    form: Form,
    field: str,
    when_invalid: str,
    act: Callable[[Milestone, Person, str], object],
) -> HttpResponse:
    """One field posted from the plan's page onto a milestone; a refusal is a message above the list."""
    milestone = queries.access_milestone_by_id(request.person, pk)
    try:
        if not form.is_valid():
            raise Refused(when_invalid, field)
        act(milestone, request.person, form.cleaned_data[field])
    except Refused as exc:
        messages.error(request, exc.reason)
    return redirect(reverse("plan", args=[milestone.plan_id]) + "#milestones")


@member_required
@require_POST
def plan_milestone_outcome(request: OrgRequest, pk: int) -> HttpResponse:
    form = OutcomeForm(request.POST)
    return _milestone_post(
        request, pk, form, "outcome", "Choose met, not met or not decided.", record_outcome
    )


@member_required
@require_POST
def plan_milestone_feedback(request: OrgRequest, pk: int) -> HttpResponse:
    form = FeedbackForm(request.POST)
    return _milestone_post(request, pk, form, "feedback", "Write the feedback.", write_feedback)


@member_required
@require_POST
def plan_acknowledge(request: OrgRequest, pk: int) -> HttpResponse:
    found, _ = queries.access_plan(request.person, pk)
    try:
        acknowledge(found, request.person)
    except Refused as exc:
        messages.error(request, exc.reason)
    else:
        messages.success(
            request, "Acknowledged. Your manager and HR can see that you have read this version."
        )
    return redirect("plan", found.pk)


@member_required
@require_POST
def plan_entry(request: OrgRequest, pk: int) -> HttpResponse:
    found, rights = queries.access_plan(request.person, pk)
    milestones = list(found.milestones.all())
    commitments, checkins = queries.evidence_choices(found)
    form = EntryForm(request.POST, milestones=milestones, commitments=commitments, checkins=checkins)
    if form.is_valid():
        data = form.cleaned_data
        try:
            add_entry(
                found,
                request.person,
                kind=data["kind"],
                text=data["text"],
                milestone=next((m for m in milestones if m.pk == data["milestone"]), None),
                commitment_id=data["commitment"],
                checkin_id=data["checkin"],
            )
        except Refused as exc:
            return _after(request, found, rights, form, "entry_form", exc)
        return redirect(reverse("plan", args=[found.pk]) + "#entries")
    return render(request, "plans/detail.html", _detail(request, found, rights, entry_form=form), status=400)


@member_required
@require_POST
def plan_extend(request: OrgRequest, pk: int) -> HttpResponse:
    found, rights = queries.access_plan(request.person, pk)
    form = ExtendForm(request.POST)
    if form.is_valid():
        try:
            extend_plan(found, request.person, form.cleaned_data["days"])
        except Refused as exc:
            return _after(request, found, rights, form, "extend_form", exc)
        messages.success(request, f"Extended. It takes effect when {found.person.name} acknowledges it.")
        return redirect("plan", found.pk)
    return render(request, "plans/detail.html", _detail(request, found, rights, extend_form=form), status=400)


@member_required
@require_POST
def plan_close(request: OrgRequest, pk: int) -> HttpResponse:
    found, _ = queries.access_plan(request.person, pk)
    try:
        close_plan(found, request.person)
    except Refused as exc:
        messages.error(request, exc.reason)
    else:
        messages.success(request, "Plan closed.")
    return redirect("plan", found.pk)


@member_required
def plans_lingering(request: OrgRequest) -> HttpResponse:
    return render(request, "plans/lingering.html", {"found": queries.lingering(request.person)})


@admin_required
def plans_settings(request: OrgRequest) -> HttpResponse:
    current = queries.settings_of(request.org.pk)
    form = SettingsForm(
        request.POST or None,
        org_id=request.org.pk,
        initial={"hr_lead": current.hr_lead_id, "blocker_days": current.blocker_days},
    )
    if request.method == "POST" and form.is_valid():
        try:
            save_settings(request.person, **form.cleaned_data)
        except Refused as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect("plans_settings")
    status = 400 if request.method == "POST" else 200
    return render(request, "plans/settings.html", {"form": form}, status=status)
