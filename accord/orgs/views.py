from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accord.accounts.actions import invite_person, send_sign_in_link
from accord.lib.forms import id_param, page_param
from accord.lib.text import clean_query

from . import directory as directory_rows
from . import queries
from .access import OrgRequest, admin_required, get_for_org, member_required
from .actions import save_person, save_team, team_path
from .forms import PersonForm, TeamForm
from .middleware import SESSION_KEY
from .models import Person, Team, valid_timezones
from .panels import home_panels, person_panels, team_panels, waiting_for


@member_required
def home(request: OrgRequest) -> HttpResponse:
    me = request.person
    now = timezone.now()
    reports = queries.with_clocks(list(queries.people(request.org).filter(manager=me)), now)
    teammates = []
    if me.team_id:
        teammates = queries.with_clocks(
            list(queries.people(request.org).filter(team_id=me.team_id).exclude(pk=me.pk)),
            now,
        )
    return render(
        request,
        "orgs/home.html",
        {
            "clock": queries.clock(me, now),
            "reports": reports,
            "teammates": teammates,
            "teammates_working": [t for t in teammates if t.clock.working],  # type: ignore[attr-defined]
            "waiting": waiting_for(me),
            "panels": home_panels(request),
        },
    )


@member_required
def directory(request: OrgRequest) -> HttpResponse:
    q = clean_query(request.GET.get("q"), directory_rows.MAX_QUERY)
    problems: list[str] = []
    team = manager = None
    # A filter naming nothing of this organisation says so instead of quietly showing everyone.
    raw = request.GET.get("team", "").strip()
    if raw and (team := queries.team_of(request.org, id_param(raw))) is None:
        problems.append("That team is not in this organisation.")
    raw = request.GET.get("manager", "").strip()
    if raw and (manager := queries.person_of(request.org, id_param(raw))) is None:
        problems.append("That manager is not in this organisation.")
    zone = request.GET.get("zone", "").strip()
    if zone and zone not in valid_timezones():
        problems.append(f"“{zone[:64]}” is not a time zone.")
        zone = ""
    filters = directory_rows.Filters(q=q, team=team, zone=zone, manager=manager)
    page = None
    if not problems:
        # Past the last page gives the last page (Paginator.get_page), so any page number is safe.
        page = directory_rows.page_of(request.org, filters, page_param(request.GET.get("page"), last=2**31))
        queries.with_clocks(page.object_list, timezone.now())  # type: ignore[arg-type]
    context = {
        "page": page,
        "people": page.object_list if page else [],
        "filters": filters,
        "problems": problems,
        "query": _query_without_page(request),
        "count_cap": directory_rows.COUNT_CAP,
    }
    if request.htmx:
        return render(request, "orgs/directory.html#results", context)
    context["teams"] = directory_rows.filter_teams(request.org, team)
    context["zones"] = directory_rows.zones_in_use(request.org)
    return render(request, "orgs/directory.html", context)


def _query_without_page(request: OrgRequest) -> str:
    """The filters as a query string, for the pager's links."""
    kept = request.GET.copy()
    kept.pop("page", None)
    return kept.urlencode()


@member_required
def person_detail(request: OrgRequest, pk: int) -> HttpResponse:
    person = get_for_org(request, Person, pk=pk, is_active=True)
    reports = queries.with_clocks(list(queries.people(request.org).filter(manager=person)), timezone.now())
    return render(
        request,
        "orgs/person.html",
        {
            "person": person,
            "clock": queries.clock(person, timezone.now()),
            "reports": reports,
            "team_path": team_path(person.team),
            "can_edit": queries.can_edit(request.person, person),
            "is_self": person.pk == request.person.pk,
            "panels": person_panels(request, person),
        },
    )


@member_required
def person_edit(request: OrgRequest, pk: int) -> HttpResponse:
    person = get_for_org(request, Person, pk=pk, is_active=True)
    me = request.person
    if not queries.can_edit(me, person):
        raise Http404("You can edit only your own profile.")
    form = PersonForm(request.POST or None, instance=person, as_admin=me.is_admin, actor=me)
    if request.method == "POST" and form.is_valid():
        save_person(form.instance)
        messages.success(request, "Profile saved.")
        return redirect("person", pk=person.pk)
    return render(request, "orgs/person_form.html", {"form": form, "person": person, "zones": _zones()})


@admin_required
def person_new(request: OrgRequest) -> HttpResponse:
    person = Person(org=request.org)
    form = PersonForm(request.POST or None, instance=person, as_admin=True, actor=request.person)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            save_person(form.instance)
            if request.POST.get("send_invitation"):
                invite_person(form.instance, invited_by=request.person)
        messages.success(request, f"{form.instance.name} added.")
        return redirect("person", pk=form.instance.pk)
    return render(request, "orgs/person_form.html", {"form": form, "person": None, "zones": _zones()})


@admin_required
@require_POST
def person_invite(request: OrgRequest, pk: int) -> HttpResponse:
    person = get_for_org(request, Person, pk=pk, is_active=True)
    if send_sign_in_link(person, invited_by=request.person) == "reset":
        messages.success(request, f"{person.name} already has a password: we sent them a link to reset it.")
    else:
        messages.success(request, f"Invitation sent to {person.email}.")
    return redirect("person", pk=person.pk)


@member_required
def teams(request: OrgRequest) -> HttpResponse:
    found = queries.team_outline(request.org, page_param(request.GET.get("page")))
    return render(
        request, "orgs/teams.html", {"tree": found.tree, "page": found.page, "has_more": found.has_more}
    )


@member_required
def team_detail(request: OrgRequest, pk: int) -> HttpResponse:
    team = get_for_org(request, Team, pk=pk)
    members = queries.with_clocks(list(queries.people(request.org).filter(team=team)), timezone.now())
    children = queries.child_teams(team)
    return render(
        request,
        "orgs/team.html",
        {
            "team": team,
            "members": members,
            "children": children,
            "path": team_path(team),
            "working_now": len([m for m in members if m.clock.working]),  # type: ignore[attr-defined]
            "panels": team_panels(request, team),
        },
    )


@admin_required
def team_edit(request: OrgRequest, pk: int | None = None) -> HttpResponse:
    team = get_for_org(request, Team, pk=pk) if pk else Team(org=request.org)
    form = TeamForm(request.POST or None, instance=team)
    if request.method == "POST" and form.is_valid():
        save_team(form.instance)
        messages.success(request, f"Team “{team.name}” saved.")
        return redirect("team", pk=team.pk)
    return render(request, "orgs/team_form.html", {"form": form, "team": team})


@member_required
@require_POST
def switch_org(request: OrgRequest) -> HttpResponse:
    target = request.POST.get("org", "")
    if (org_id := id_param(target)) is None or not queries.is_member(request.person.user_id, org_id):
        raise Http404("You are not a member of that organisation.")
    request.session[SESSION_KEY] = org_id
    return redirect("home")


def _zones() -> list[str]:
    return sorted(valid_timezones())
