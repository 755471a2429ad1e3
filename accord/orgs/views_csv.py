"""Pages for importing and exporting people as CSV (admins only); the rules live in people_csv."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .access import OrgRequest, admin_required
from .forms_csv import PeopleImportForm
from .people_csv import apply_import, export_people_csv, parse_people_csv


@admin_required
def people_import(request: OrgRequest) -> HttpResponse:
    org = request.org
    form = PeopleImportForm(request.POST, request.FILES) if request.method == "POST" else PeopleImportForm()
    plan = None
    if form.is_valid():
        plan = parse_people_csv(
            org, form.cleaned_data["file"], create_teams=form.cleaned_data["create_teams"]
        )
        # Anything but an explicit "import" is a dry run, so a stray submit never writes.
        if not plan.errors and request.POST.get("action") == "import":
            result = apply_import(plan)
            messages.success(
                request,
                f"Import done: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged"
                + (f", {result.teams_created} new teams." if result.teams_created else "."),
            )
            return redirect("people_import")
    return render(request, "orgs/people_import.html", {"form": form, "plan": plan})


@admin_required
def people_export(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(export_people_csv(request.org), content_type="text/csv; charset=utf-8")  # type: ignore[attr-defined]
    response["Content-Disposition"] = 'attachment; filename="people.csv"'
    return response
