from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def accord(request: HttpRequest) -> dict[str, Any]:
    person = getattr(request, "person", None)
    other_orgs = []
    if person is not None:
        from .middleware import memberships

        other_orgs = [p.org for p in memberships(request.user) if p.org_id != person.org_id]
    return {
        "me": person,
        "current_org": getattr(request, "org", None),
        "other_orgs": other_orgs,
        "demo_mode": settings.DEMO,
    }
