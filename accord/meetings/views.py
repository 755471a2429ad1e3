"""1:1 pages: my series, setting one up (with both local times), the series and meeting pages, the feed.

Only the two people of a series, and admins, open its pages; anyone else gets a 404. Admins never see
private notes: each person's note is read by author, never by series.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from accord.lib.forms import show_refusal
from accord.lib.mail import absolute
from accord.orgs.access import OrgRequest, member_required

from . import calendar, queries
from .actions import (
    add_action_item,
    add_agenda_item,
    create_series,
    end_series,
    is_party,
    mark_meeting,
    new_calendar_feed,
    person_for_feed,
    save_private_note,
    set_action_done,
    tick_agenda_item,
    update_series,
)
from .clashes import clash_warnings
from .forms import ActionForm, AgendaForm, MeetingForm, NoteForm, SeriesForm, SlotForm
from .models import (
    Meeting,
    MeetingStatus,
    OneOnOneSeries,
)


@member_required
def one_on_ones(request: OrgRequest) -> HttpResponse:
    me, now = request.person, timezone.now()
    found = list(queries.with_next_meeting(queries.my_series(me), now).order_by("id"))
    health = queries.health(request.org, [s.pk for s in found], now)
    rows = [
        {
            "series": s,
            "other": s.report if s.manager_id == me.pk else s.manager,
            "i_manage": s.manager_id == me.pk,
            "health": health[s.pk],
        }
        for s in found
    ]
    rows.sort(key=lambda r: (not r["i_manage"], r["other"].name))  # type: ignore[attr-defined]
    return render(
        request,
        "meetings/list.html",
        {
            "rows": rows,
            "can_arrange": queries.may_arrange(me),
            "has_feed": queries.has_calendar_feed(me),
        },
    )


def _preview(form: SlotForm, manager: Any, report: Any) -> dict[str, Any]:
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    needed = ("weekday", "start_time", "duration_minutes")
    if manager is None or report is None or any(data.get(k) is None for k in needed):
        return {"slots": [], "warnings": []}
    slots, warnings = queries.slot_preview(
        manager,
        report,
        weekday=data["weekday"],
        start_time=data["start_time"],
        duration_minutes=data["duration_minutes"],
        now=timezone.now(),
    )
    return {"slots": slots, "warnings": warnings}


@member_required
def series_new(request: OrgRequest) -> HttpResponse:
    me = request.person
    if not queries.may_arrange(me):
        raise Http404("Only managers and admins set up 1:1s.")
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = SeriesForm(data, actor=me, initial={"report": queries.arrangeable_reports(me).first()})
    if request.method == "POST" and form.is_valid():
        try:
            series = create_series(
                request.org,
                actor=me,
                manager=form.manager_person(),
                report=form.cleaned_data["report"],
                slot=form.slot(),
            )
        except ValidationError as exc:
            show_refusal(form, exc)
        except PermissionDenied as exc:
            form.add_error("report", str(exc))
        else:
            _, warnings = queries.slot_preview(
                series.manager,
                series.report,
                weekday=series.weekday,
                start_time=series.start_time,
                duration_minutes=series.duration_minutes,
                now=timezone.now(),
            )
            for warning in [*warnings, *clash_warnings(series, me, timezone.now())]:
                messages.warning(request, warning)
            messages.success(request, f"1:1 with {series.report.name} set up; both of you get an invitation.")
            return redirect("one_on_one", series_id=series.pk)
    # The preview reads the submitted slot, or on first arrival the form's initial values.
    shown = form if data is not None else SeriesForm(_initial_data(form), actor=me)
    shown.is_valid()
    manager = shown.cleaned_data.get("manager") if "manager" in shown.fields else me
    context = {"form": form, "series": None, **_preview(shown, manager, shown.cleaned_data.get("report"))}
    if request.htmx:
        return render(request, "meetings/series_form.html#preview", context)
    return render(request, "meetings/series_form.html", context)


def _initial_data(form: SlotForm) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form.get_initial_for_field(field, name)
        if hasattr(value, "pk"):
            value = value.pk
        elif isinstance(value, dt.time):
            value = value.strftime("%H:%M")
        values[name] = "" if value is None else value
    return values


@member_required
def series_edit(request: OrgRequest, series_id: int) -> HttpResponse:
    me = request.person
    access = queries.access_series(me, series_id)
    series = access.series
    if not access.can_change:
        raise Http404("Only the manager or an admin changes a 1:1's slot.")
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = SlotForm.for_series(data, series)
    shown = form if data is not None else SlotForm.for_series(_initial_data(form), series)
    shown.is_valid()
    if request.method == "POST" and form.is_valid():
        try:
            update_series(series, actor=me, slot=form.slot())
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            for warning in clash_warnings(series, me, timezone.now()):
                messages.warning(request, warning)
            messages.success(request, "Slot changed; both of you get an updated invitation.")
            return redirect("one_on_one", series_id=series.pk)
    context = {"form": form, "series": series, **_preview(shown, series.manager, series.report)}
    if request.htmx:
        return render(request, "meetings/series_form.html#preview", context)
    return render(request, "meetings/series_form.html", context)


@member_required
@require_POST
def series_end(request: OrgRequest, series_id: int) -> HttpResponse:
    series = queries.access_series(request.person, series_id).series
    try:
        end_series(series, actor=request.person)
    except PermissionDenied as exc:
        raise Http404("Only the manager or an admin ends a 1:1.") from exc
    messages.success(request, "Series ended; both of you get a cancellation for your calendars.")
    return redirect("one_on_ones")


def _series_page(
    request: OrgRequest,
    series: OneOnOneSeries,
    *,
    agenda_form: AgendaForm | None = None,
    action_form: ActionForm | None = None,
) -> HttpResponse:
    me, now = request.person, timezone.now()
    meetings = list(queries.meetings_of(series))
    current = queries.current_meeting(meetings, now)
    party = is_party(me, series)
    agenda = list(queries.agenda_of(current)) if current else []
    actions = list(
        queries.action_items_of(series)
        .select_related("owner", "raised_in")
        .order_by("done_at", "due_on", "created_at")
    )
    note = queries.private_note(me, current) if current else None
    number = meetings.index(current) if current else 0
    try:
        offset = max(0, min(int(request.GET.get("more", "0")), 1000))
    except ValueError:
        offset = 0
    other = series.report if series.manager_id == me.pk else series.manager
    context = {
        "series": series,
        "other": other,
        "current": current,
        "agenda": agenda,
        "agenda_texts": {a.text for a in agenda},
        "open_actions": [a for a in actions if a.done_at is None],
        "closed_actions": sorted(
            (a for a in actions if a.done_at), key=lambda a: a.done_at or now, reverse=True
        )[:5],
        "history": [m for m in reversed(meetings) if m is not current and m.scheduled_at <= now],
        "health": queries.health(request.org, [series.pk], now)[series.pk],
        "is_party": party,
        "can_change": series.active and (me.is_admin or me.pk == series.manager_id),
        "note_form": NoteForm(initial={"text": note.text if note else ""}) if party else None,
        "note": note,
        "agenda_form": agenda_form or AgendaForm(),
        "action_form": action_form or ActionForm(series=series, me=me),
        "suggestions": queries.suggested_questions(number, offset),
        "more": offset + 1,
        "others": [p for p in (series.manager, series.report) if p.pk != me.pk],
        "now": now,
    }
    return render(request, "meetings/series.html", context)


@member_required
def series_detail(request: OrgRequest, series_id: int) -> HttpResponse:
    return _series_page(request, queries.access_series(request.person, series_id).series)


def _back(request: OrgRequest, meeting: Meeting, anchor: str) -> HttpResponse:
    if request.POST.get("back") == "meeting":
        return redirect(reverse("one_on_one_meeting", args=[meeting.pk]) + f"#{anchor}")
    return redirect(reverse("one_on_one", args=[meeting.series_id]) + f"#{anchor}")


def _party_meeting(request: OrgRequest, meeting_id: int) -> Meeting:
    """A meeting the viewer is one of the two people of; admins may read but not write, so a 404."""
    access = queries.access_meeting(request.person, meeting_id)
    if not access.is_party:
        raise Http404("Only the two people of a 1:1 write in it.")
    return access.meeting


@member_required
@require_POST
def agenda_add(request: OrgRequest, meeting_id: int) -> HttpResponse:
    meeting = _party_meeting(request, meeting_id)
    form = AgendaForm(request.POST)
    if form.is_valid():
        try:
            add_agenda_item(meeting, author=request.person, text=form.cleaned_data["text"])
        except ValidationError as exc:
            show_refusal(form, exc)
    if form.errors:
        return _series_page(request, meeting.series, agenda_form=form)
    return _back(request, meeting, "agenda")


@member_required
@require_POST
def agenda_tick(request: OrgRequest, item_id: int) -> HttpResponse:
    access = queries.access_agenda_item(request.person, item_id)
    if not access.is_party:
        raise Http404("Only the two people of a 1:1 write in it.")
    item = access.item
    meeting = item.meeting
    tick_agenda_item(item, actor=request.person, done=request.POST.get("done") == "1")
    return _back(request, meeting, "agenda")


@member_required
@require_POST
def action_add(request: OrgRequest, meeting_id: int) -> HttpResponse:
    meeting = _party_meeting(request, meeting_id)
    form = ActionForm(request.POST, series=meeting.series, me=request.person)
    if form.is_valid():
        try:
            add_action_item(
                meeting,
                actor=request.person,
                owner=form.owner_person(),
                text=form.cleaned_data["text"],
                due_on=form.cleaned_data["due_on"],
            )
        except ValidationError as exc:
            show_refusal(form, exc)
    if form.errors:
        return _series_page(request, meeting.series, action_form=form)
    return _back(request, meeting, "actions")


@member_required
@require_POST
def action_tick(request: OrgRequest, item_id: int) -> HttpResponse:
    access = queries.access_action_item(request.person, item_id)
    if not access.is_party:
        raise Http404("Only the two people of a 1:1 write in it.")
    item = access.item
    meeting = item.meeting
    set_action_done(item, actor=request.person, done=request.POST.get("done") == "1")
    return _back(request, meeting, "actions")


@member_required
@require_POST
def note_save(request: OrgRequest, meeting_id: int) -> HttpResponse:
    meeting = _party_meeting(request, meeting_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            save_private_note(meeting, author=request.person, text=form.cleaned_data["text"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, "Private note saved. Only you can read it.")
    return _back(request, meeting, "note")


@member_required
def meeting_detail(request: OrgRequest, meeting_id: int) -> HttpResponse:
    access = queries.access_meeting(request.person, meeting_id)
    meeting, me, party = access.meeting, request.person, access.is_party
    series = meeting.series
    form = MeetingForm(request.POST or None, initial={"notes": meeting.notes})
    if request.method == "POST":
        if not party:
            raise Http404("Only the two people of a 1:1 mark it.")
        if form.is_valid():
            try:
                mark_meeting(
                    meeting, actor=me, status=request.POST.get("status", ""), notes=form.cleaned_data["notes"]
                )
            except ValidationError as exc:
                show_refusal(form, exc)
            else:
                messages.success(request, f"Marked {meeting.get_status_display().lower()}.")
                return redirect("one_on_one_meeting", meeting_id=meeting.pk)
    note = queries.private_note(me, meeting)
    context = {
        "meeting": meeting,
        "series": series,
        "other": series.report if series.manager_id == me.pk else series.manager,
        "agenda": queries.agenda_of(meeting),
        "actions": queries.action_items_in(meeting).select_related("owner"),
        "is_party": party,
        "form": form,
        "note_form": NoteForm(initial={"text": note.text if note else ""}) if party else None,
        "statuses": MeetingStatus,
        "started": meeting.scheduled_at <= timezone.now(),
    }
    return render(request, "meetings/meeting.html", context)


@member_required
@require_POST
def feed_new(request: OrgRequest) -> HttpResponse:
    raw = new_calendar_feed(request.person)
    url = absolute(reverse("calendar_feed", args=[raw]))
    # Rendered into this one response and stored nowhere (only its hash is kept).
    response = render(request, "meetings/feed.html", {"feed_url": url})
    add_never_cache_headers(response)
    return response


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    person = person_for_feed(token)
    if person is None:
        raise Http404("No such calendar.")
    series = list(queries.my_series(person).order_by("id"))
    body = calendar.feed(series, name=f"1:1s · {person.org.name}", now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    return response
