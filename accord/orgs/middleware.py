"""Sets request.org and request.person: the organisation the signed-in user is working in now."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .models import Person

SESSION_KEY = "accord_org_id"


def memberships(user) -> list[Person]:  # type: ignore[no-untyped-def]
    return list(
        Person.objects.filter(user=user, is_active=True)
        .select_related("org", "team")
        .order_by("org__name", "org_id")
    )


class OrgMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.org = None  # type: ignore[attr-defined]
        request.person = None  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            wanted = request.session.get(SESSION_KEY)
            # Every membership in one query: the page's organisation switcher lists the others, so the
            # context processor reads this list instead of asking again on every page.
            people = memberships(user)
            request.memberships = people  # type: ignore[attr-defined]
            person = next((p for p in people if p.org_id == wanted), None) if wanted else None
            if person is None:
                person = people[0] if people else None
                if person is not None:
                    request.session[SESSION_KEY] = person.org_id
            if person is not None:
                request.person = person  # type: ignore[attr-defined]
                request.org = person.org  # type: ignore[attr-defined]
        return self.get_response(request)
