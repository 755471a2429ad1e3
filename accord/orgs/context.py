from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

# Which top-bar entry a page belongs to, from the app that serves it; orgs and goals serve several.
_ORGS_SECTIONS = {
    "home": "home",
    "teams": "teams",
    "team": "teams",
    "team_new": "teams",
    "team_edit": "teams",
}
_APP_SECTIONS = {"meetings": "one_on_ones", "rhythm": "time", "accounts": "me"}


def nav_section(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None or not match.url_name:
        return ""
    parts = getattr(match.func, "__module__", "").split(".")
    app = parts[1] if len(parts) > 2 and parts[0] == "accord" else ""
    name = match.url_name
    if app == "orgs":
        return _ORGS_SECTIONS.get(name, "people")
    if app == "goals":
        return "commitments" if name.startswith("commitment") else "goals"
    if app == "connect":
        return "coffee" if name.startswith("coffee") else "people"
    return _APP_SECTIONS.get(app, app)


def accord(request: HttpRequest) -> dict[str, Any]:
    person = getattr(request, "person", None)
    other_orgs = []
    if person is not None:
        from .middleware import memberships

        people = getattr(request, "memberships", None)
        if people is None:  # a request OrgMiddleware did not see (the API's token sign-in)
            people = memberships(request.user)
        other_orgs = [p.org for p in people if p.org_id != person.org_id]
    return {
        "me": person,
        "current_org": getattr(request, "org", None),
        "other_orgs": other_orgs,
        "demo_mode": settings.DEMO,
        "nav": nav_section(request) if person is not None else "",
    }
