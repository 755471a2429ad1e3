"""Handoff pages: the chains, a chain with its metrics and history, setting a chain up, writing a
handoff (on a phone too), one handoff, and the one-click acknowledgement."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accord.lib.forms import id_param, page_param
from accord.orgs.access import OrgRequest, member_required
from accord.orgs.queries import clock

from . import queries
from .actions import AlreadyWritten, acknowledge, outgoing_occurrence, save_chain, update_item, write_handoff
from .forms import ChainForm, HandoffForm, item_forms, owner_choices, place_errors, shift_forms
from .models import DEFAULT_ACK_WITHIN, DEFAULT_ESCALATE_AFTER, Chain, Status
from .shifts import HANDOVER_OVERLAP


@member_required
def home(request: OrgRequest) -> HttpResponse:
    me, now = request.person, timezone.now()
    found = list(queries.chains(request.org))
    mine = queries.my_chain_ids(me)
    context = {
        "chains": found,
        "mine": mine,
        "pending": queries.pending_for(me, now),
        "can_create": queries.may_set_up_chains(me),
        "now": now,
    }
    return render(request, "handoffs/home.html", context)


def _chain_form(request: OrgRequest, chain: Chain) -> HttpResponse:
    me = request.person
    teams = queries.managed_teams(me)
    if not teams or (chain.pk and chain.team not in teams):
        raise Http404("Only the team's managers and admins set up its chain.")
    asked = request.POST.get("team") or request.GET.get("team") or ""
    team_id = chain.team_id if chain.pk else int(asked) if asked.isdecimal() else teams[0].pk
    team = next((t for t in teams if t.pk == team_id), None)
    if team is None:
        raise Http404("Only the team's managers and admins set up its chain.")
    data = request.POST or None
    initial = {
        "name": chain.name or "",
        "team": team.pk,
        "ack_within": chain.ack_within if chain.pk else DEFAULT_ACK_WITHIN,
        "escalate_after": chain.escalate_after if chain.pk else DEFAULT_ESCALATE_AFTER,
    }
    form = ChainForm(data, teams=teams, initial=initial)
    shifts = queries.shifts_of(chain) if chain.pk else []
    people = queries.shift_candidates(team, chain)
    rows = shift_forms(data, people, shifts, rows=len(shifts) + 1 if shifts else 3)
    whole: list[str] = []
    status = 200
    if data:
        valid = form.is_valid() & all([f.is_valid() for f in rows])
        if valid:
            filled = [f for f in rows if not f.is_blank()]
            try:
                save_chain(
                    chain,
                    actor=me,
                    team=team,
                    name=form.cleaned_data["name"],
                    ack_within=form.cleaned_data["ack_within"],
                    escalate_after=form.cleaned_data["escalate_after"],
                    shifts=[f.row() for f in filled],
                )
            except PermissionDenied as exc:
                raise Http404(str(exc)) from exc
            except ValidationError as exc:
                whole = place_errors(exc, form, filled, "shifts")  # type: ignore[arg-type]
            else:
                messages.success(request, f"Chain “{chain.name}” saved: it covers the day without gaps.")
                return redirect("handoffs_chain", chain.pk)
        status = 400
    context = {
        "chain": chain,
        "form": form,
        "rows": rows,
        "whole": whole,
        "team": team,
        "teams": teams,
        "overlap": int(HANDOVER_OVERLAP.total_seconds() // 60),
        "zones": sorted(
            {"Asia/Manila", "Europe/Warsaw", "Europe/Berlin", "America/Bogota", *(p.timezone for p in people)}
        ),
    }
    return render(request, "handoffs/chain_form.html", context, status=status)


@member_required
def chain_new(request: OrgRequest) -> HttpResponse:
    return _chain_form(request, Chain(org=request.org))


@member_required
def chain_edit(request: OrgRequest, pk: int) -> HttpResponse:
    return _chain_form(request, queries.access_chain(request.person, pk).chain)


@member_required
def chain(request: OrgRequest, pk: int) -> HttpResponse:
    me, now = request.person, timezone.now()
    access = queries.access_chain(me, pk)
    found = access.chain
    shifts = queries.shifts_of(found)
    for s in shifts:
        s.now = s.hours.current_or_last(now)  # type: ignore[attr-defined]
        s.on = s.now is not None and s.now[2] > now  # type: ignore[attr-defined]
        s.next = None if s.on else s.hours.next_after(now)  # type: ignore[attr-defined]
        s.people = [m.person for m in s.members.all()]  # type: ignore[attr-defined]
        for p in s.people:  # type: ignore[attr-defined]
            p.clock = clock(p, now)
    window = int(request.GET.get("days", "90")) if request.GET.get("days", "90").isdecimal() else 90
    window = window if window in queries.WINDOWS else 90
    page = page_param(request.GET.get("page"))
    start = (page - 1) * queries.HISTORY
    history = list(queries.handoff_list(found)[start : start + queries.HISTORY + 1])
    has_more = len(history) > queries.HISTORY
    history = history[: queries.HISTORY]
    for h in history:
        early = h.acknowledged_at is not None and h.acknowledged_at <= h.readable_from
        h.wait = "before the shift" if early else f"in {queries.minutes(h.time_to_ack)}"  # type: ignore[attr-defined]
    metrics = queries.metrics(found, now, window)
    context: dict[str, Any] = {
        "chain": found,
        "shifts": shifts,
        "writer": any(p.pk == me.pk for s in shifts for p in s.people),  # type: ignore[attr-defined]
        "manages": access.can_manage,
        "metrics": metrics,
        "median": queries.minutes(metrics.median_ack),
        "p90": queries.minutes(metrics.p90_ack),
        "windows": queries.WINDOWS,
        "history": history,
        "page": page,
        "has_more": has_more,
        "items": list(queries.open_items(found)),
        **_item_choices(found, access.can_update_items),
        "carried_too_long": queries.CARRIED_TOO_LONG,
        "pending": [h for h in queries.pending_for(me, now) if h.chain_id == found.pk],
        "now": now,
    }
    return render(request, "handoffs/chain.html", context)


@member_required
def write(request: OrgRequest, pk: int) -> HttpResponse:
    me, now = request.person, timezone.now()
    found = queries.access_chain(me, pk).chain
    mine = queries.my_shifts(me, found)
    if not mine:
        raise Http404("Only people of the outgoing shift write its handoff.")
    # The shift whose end is nearest: the one running, or the one that ended last.
    current = [s for s in mine if outgoing_occurrence(s, now)] or mine
    form = HandoffForm(request.POST or None, shifts=mine, initial={"from_shift": current[0].pk})
    shift = current[0]
    if form.is_valid():
        shift = next(s for s in mine if s.pk == form.cleaned_data["from_shift"])
    receiving = queries.receiving_shift(found, shift)
    people = queries.active_people(me.org_id)
    owners = owner_choices(people, set(receiving.members.values_list("person_id", flat=True)), receiving.name)
    items = list(queries.open_items(found))
    extra = 2
    if request.POST:
        extra = sum(1 for k in request.POST if k.startswith("new-") and k.endswith("-title"))
        extra += 2 if "more" in request.POST else 0
    rows = item_forms(request.POST or None, items, extra, owners)
    status, refusal = 200, ""
    if request.POST and "more" not in request.POST:
        if form.is_valid() & all([r.is_valid() for r in rows]):
            filled = [r for r in rows if not r.is_blank()]
            try:
                handoff = write_handoff(
                    found,
                    me,
                    from_shift=shift,
                    items=[r.row() for r in filled],
                    urgent=form.cleaned_data["urgent"],
                    now=now,
                )
            except AlreadyWritten as exc:
                refusal, status = str(exc), 409
            except ValidationError as exc:
                whole = place_errors(exc, form, filled, "items")  # type: ignore[arg-type]
                for m in whole:
                    form.add_error(None, m)
                status = 400
            else:
                messages.success(
                    request, f"Handoff to {receiving.name} sent. They see it at the start of their shift."
                )
                return redirect("handoffs_handoff", handoff.pk)
        else:
            status = 400
    context = {
        "chain": found,
        "form": form,
        "shift": shift,
        "receiving": receiving,
        "occurrence": outgoing_occurrence(shift, now),
        "next_start": (upcoming := shift.hours.next_after(now)) and upcoming[1],
        "carried": [r for r in rows if r.item is not None],
        "new": [r for r in rows if r.item is None],
        "refusal": refusal,
    }
    return render(request, "handoffs/write.html", context, status=status)


@member_required
def handoff(request: OrgRequest, pk: int) -> HttpResponse:
    me = request.person
    access = queries.access_handoff(me, pk)
    found = access.handoff
    entries = list(found.entries.select_related("owner", "item"))
    context = {
        "handoff": found,
        "entries": [e for e in entries if e.status != "closed"],
        "closed": [e for e in entries if e.status == "closed"],
        "escalations": list(found.escalations.select_related("person")),
        "may_ack": access.can_acknowledge,
        "wait": queries.ack_words(found),
    }
    return render(request, "handoffs/handoff.html", context)


@member_required
@require_POST
def acknowledge_view(request: OrgRequest, pk: int) -> HttpResponse:
    found = queries.access_handoff(request.person, pk).handoff
    try:
        found = acknowledge(found, request.person)
    except PermissionDenied as exc:
        raise Http404(str(exc)) from exc
    if request.htmx:
        context = {"handoff": found, "may_ack": True, "wait": queries.ack_words(found)}
        return render(request, "handoffs/_ack.html", context)
    messages.success(request, "Acknowledged. The handoff is yours now.")
    return redirect("handoffs_handoff", found.pk)


def _item_choices(chain: Chain, may_update: bool) -> dict[str, Any]:
    """What the quick item form on the chain page offers: the chain's people (one query) and statuses."""
    if not may_update:
        return {"may_update": False}
    people = queries.chain_people(chain)
    owners = [(p.pk, p.name) for p in people]
    return {
        "may_update": True,
        "owners": owners,
        "owner_ids": {pk for pk, _ in owners},
        "statuses": Status.choices,
    }


@member_required
@require_POST
def item_update(request: OrgRequest, pk: int) -> HttpResponse:
    """Re-assign or close one item between handoffs, from the chain page (htmx swaps the row)."""
    me = request.person
    access = queries.access_item(me, pk)
    item = access.item
    if not access.can_update:
        raise Http404("Only people of the chain's shifts and the team's managers change its items.")
    owner = request.POST.get("owner", "")
    changes: dict[str, object] = {"owner_id": id_param(owner)}
    changes["status"] = request.POST.get("status", item.status)
    error = ""
    try:
        item = update_item(item, me, changes)
    except ValidationError as exc:
        error = " ".join(m for ms in exc.message_dict.values() for m in ms)
        item.refresh_from_db()
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(reverse("handoffs_chain", args=[item.chain_id]) + "#items-h")
    context = {
        "i": item,
        "error": error,
        "carried_too_long": queries.CARRIED_TOO_LONG,
        **_item_choices(item.chain, access.can_update),
    }
    return render(request, "handoffs/_item.html", context, status=400 if error else 200)
