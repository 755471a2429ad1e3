"""Error pages in Accord's own layout: the top bar to go on from, a way back, and the reason when saying
it reveals nothing across organisations.

Tenant lookups (`get_for_org`, `get_object_or_404`) raise Django's generic "No <model> matches the given
query." for another organisation's object and for one that does not exist alike; those, and unknown URLs,
get the same plain sentence. Reasons our own code writes ("Only admins can open this page.") are about
roles inside the reader's organisation and are shown.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def _reason(exception: Exception | None) -> str:
    message = exception.args[0] if exception is not None and exception.args else ""
    if not isinstance(message, str) or message.endswith("matches the given query."):
        return ""
    return message


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", {"reason": _reason(exception)}, status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", {"reason": _reason(exception)}, status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's own page styles itself inline, which our Content-Security-Policy refuses."""
    return render(request, "errors/403_csrf.html", {"reason": reason}, status=403)
