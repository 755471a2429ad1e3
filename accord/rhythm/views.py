"""Time-zone pages: who can I reach now, the team map, recurring meetings with a fair rotation, charters.

Everyone in the organisation may open these pages; a meeting is changed by its organiser and admins,
a charter by the team's managers and admins. Everything else is a 404, like every page in Accord.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accord.lib.forms import id_param, page_param, show_refusal
from accord.meetings.clashes import recurring_clash_warnings
from accord.orgs.access import OrgRequest, get_for_org, member_required
from accord.orgs.models import Team, valid_timezones

from . import calendar, fairness, queries
from .actions import (
    ChannelRow,
    acknowledge_charter,
    create_meeting,
    save_charter,
    suggestions,
    update_meeting,
)
from .forms import ChannelFormSet, CharterForm, MapForm, MeetingForm
from .models import Charter

SHOWN_SUGGESTIONS = 8
MEETINGS_PAGE = 50  # recurring meetings a page lists; an organisation may have thousands


def _team_param(request: OrgRequest) -> Team | None:
    raw = request.GET.get("team", "")
    # Any digits name a team (no such team is a 404); more than an id can hold is no team either.
    return get_for_org(request, Team, pk=id_param(raw) or 0) if raw.isdecimal() else None


@member_required
def reach_now(request: OrgRequest) -> HttpResponse:
    me = request.person
    # Without a choice, the viewer's own team (and below): the whole organisation is one choice away.
    team = _team_param(request) if "team" in request.GET else me.team
    now = timezone.now()
    # One more than is shown says whether there are more, without counting a whole organisation.
    found = queries.reach_members(request.org, team, limit=queries.REACH_LIMIT + 1)
    more = len(found) > queries.REACH_LIMIT
    found = found[: queries.REACH_LIMIT]
    below = queries.sub_teams(team)
    working, later = queries.reach(found, now)
    return render(
        request,
        "rhythm/reach.html",
        {
            "team": team,
            "teams": queries.team_choices(team, me.team, below),
            "below": below,
            "working": working,
            "later": later,
            "shown": len(found),
            "more": more,
            "now": now,
        },
    )


@member_required
def team_map(request: OrgRequest) -> HttpResponse:
    me, now = request.person, timezone.now()
    data = request.GET.copy()
    data.setdefault("date", now.astimezone(me.zone).date().isoformat())
    data.setdefault("days", "1")
    if "team" not in data and "people" not in data and me.team_id:
        data["team"] = str(me.team_id)
    form = MapForm(data, org=request.org)
    maps, changes = [], []
    if form.is_valid():
        found = queries.map_people(
            request.org,
            team=form.cleaned_data["team"],
            ids=[p.pk for p in form.cleaned_data["people"]],
        )
        first = form.cleaned_data["date"]
        maps = [
            queries.day_map(found, first + dt.timedelta(days=i), me.zone, now)
            for i in range(form.cleaned_data["days"])
        ]
        changes = [queries.offset_changes(maps[0], m) for m in maps]
    return render(
        request,
        "rhythm/map.html",
        {
            "form": form,
            "maps": maps,
            "first": maps[0] if maps else None,
            "days": list(zip(maps, changes, strict=True)),
            "now": now,
        },
    )


@member_required
def meetings(request: OrgRequest) -> HttpResponse:
    page = page_param(request.GET.get("page"))
    start = (page - 1) * MEETINGS_PAGE
    found = list(queries.recurring_meetings(request.org.pk)[start : start + MEETINGS_PAGE + 1])
    has_more = len(found) > MEETINGS_PAGE
    found = found[:MEETINGS_PAGE]
    now = timezone.now()
    rows = [(m, queries.next_cycle(m, now) if m.rotation else []) for m in found]
    return render(
        request,
        "rhythm/meetings.html",
        {"meetings": found, "rows": rows, "page": page, "has_more": has_more},
    )


def _zones() -> list[str]:
    return sorted(valid_timezones())


@member_required
def meeting_new(request: OrgRequest) -> HttpResponse:
    me = request.person
    form = MeetingForm(request.POST or None, org=request.org, initial={"timezone": me.timezone})
    if request.method == "POST" and form.is_valid():
        try:
            meeting = create_meeting(request.org, organiser=me, spec=form.spec())
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            for warning in recurring_clash_warnings(meeting, me, timezone.now()):
                messages.warning(request, warning)
            messages.success(request, f"“{meeting.name}” set up with a fair rotation.")
            return redirect("rhythm_meeting", meeting_id=meeting.pk)
    return render(request, "rhythm/meeting_form.html", {"form": form, "meeting": None, "zones": _zones()})


@member_required
def meeting_edit(request: OrgRequest, meeting_id: int) -> HttpResponse:
    access = queries.access_recurring_meeting(request.person, meeting_id)
    if not access.can_change:
        raise Http404("Only the organiser and admins change a meeting.")
    meeting = access.meeting
    form = MeetingForm.for_meeting(request.POST or None, meeting)
    if request.method == "POST" and form.is_valid():
        try:
            update_meeting(meeting, form.spec(), actor=request.person)
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            for warning in recurring_clash_warnings(meeting, request.person, timezone.now()):
                messages.warning(request, warning)
            messages.success(request, "Meeting saved; the rotation was worked out again.")
            return redirect("rhythm_meeting", meeting_id=meeting.pk)
    return render(request, "rhythm/meeting_form.html", {"form": form, "meeting": meeting, "zones": _zones()})


@member_required
def meeting_detail(request: OrgRequest, meeting_id: int) -> HttpResponse:
    access = queries.access_recurring_meeting(request.person, meeting_id)
    meeting, now = access.meeting, timezone.now()
    attendees = [a.person for a in meeting.attendees.select_related("person").order_by("person__name")]
    day, ranked = suggestions(
        attendees,
        weekday=meeting.weekday,
        duration=meeting.duration_minutes,
        zone=meeting.zone,
        now=now,
    )
    by_label = {s.label: s for s in ranked}
    rotation = [by_label[label] for label in meeting.rotation if label in by_label]
    rotation_rows = _rotation_rows(rotation, attendees)
    return render(
        request,
        "rhythm/meeting.html",
        {
            "meeting": meeting,
            "attendees": attendees,
            "day": day,
            "rotation": rotation,
            "rotation_rows": [r for r in rotation_rows if r["total"]],
            "untouched": sum(1 for r in rotation_rows if not r["total"]),
            "ranked": [_slot_view(s, attendees) for s in ranked[:SHOWN_SUGGESTIONS]],
            "log": queries.burden_log(meeting, attendees),
            "can_change": access.can_change,
            "night": (fairness.NIGHT_START, fairness.NIGHT_END),
        },
    )


def _rotation_rows(rotation: list[fairness.Slot], attendees: list[Any]) -> list[dict[str, Any]]:
    """Per person: local time and cost of each slot in the cycle, most burdened first."""
    people = {p.pk: p for p in attendees}
    rows: list[dict[str, Any]] = []
    for pid, total in fairness.cycle_costs(rotation).items():
        cells = [
            {
                "at": s.starts_at.astimezone(people[pid].zone),
                "cost": next(c for c in s.costs if c.person_id == pid),
            }
            for s in rotation
        ]
        rows.append({"person": people[pid], "total": total, "cells": cells})
    rows.sort(key=lambda r: (-r["total"], r["person"].name))
    return rows


def _slot_view(slot: fairness.Slot, attendees: list[Any]) -> dict[str, Any]:
    people = {p.pk: p for p in attendees}
    burdened = sorted(
        ({"person": people[c.person_id], "cost": c} for c in slot.costs if c.score),
        key=lambda r: (-r["cost"].score, r["person"].name),
    )
    return {"slot": slot, "burdened": burdened[:4], "more": max(0, len(burdened) - 4)}


@member_required
def meeting_ics(request: OrgRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.access_recurring_meeting(request.person, meeting_id).meeting
    attendees = [a.person for a in meeting.attendees.select_related("person")]
    body = calendar.meeting_calendar(meeting, attendees, now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


# --- charters -----------------------------------------------------------------------------------


@member_required
def charter(request: OrgRequest, pk: int) -> HttpResponse:
    me = request.person
    access = queries.access_charter(me, pk)
    team, found, can_edit = access.team, access.charter, access.can_edit
    mine = found.acknowledgements.filter(person=me).first() if found else None
    return render(
        request,
        "rhythm/charter.html",
        {
            "team": team,
            "charter": found,
            "can_edit": can_edit,
            "mine": mine,
            "is_current": bool(found and mine and mine.version >= found.version),
            "acks": queries.acknowledgements(found) if found and can_edit else None,
        },
    )


@member_required
def charter_edit(request: OrgRequest, pk: int) -> HttpResponse:
    access = queries.access_charter(request.person, pk)
    if not access.can_edit:
        raise Http404("Only the team's managers and admins edit its charter.")
    team, found = access.team, access.charter
    initial_rows = [
        {"purpose": c.purpose, "channel": c.channel, "response_time": c.response_time}
        for c in (found.channels.all() if found else [])
    ]
    form = CharterForm(request.POST or None, instance=found or Charter(org=request.org, team=team))
    rows = ChannelFormSet(request.POST or None, initial=initial_rows, prefix="channels")
    if request.method == "POST" and form.is_valid() and rows.is_valid():
        channels: list[ChannelRow] = [r for f in rows.forms if (r := f.row()) is not None]
        try:
            save_charter(
                team, form.text(channels), actor=request.person, material=form.cleaned_data["material"]
            )
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, "Charter saved.")
            return redirect("rhythm_charter", pk=team.pk)
    return render(
        request, "rhythm/charter_form.html", {"team": team, "form": form, "rows": rows, "charter": found}
    )


@member_required
@require_POST
def charter_ack(request: OrgRequest, pk: int) -> HttpResponse:
    access = queries.access_charter(request.person, pk)
    team, found = access.team, access.charter
    if found is None:
        raise Http404("This team has no charter yet.")
    acknowledge_charter(found, request.person)
    messages.success(request, f"Thanks: you have read the {team.name} charter.")
    return redirect("rhythm_charter", pk=team.pk)
