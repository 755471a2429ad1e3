"""Answers the health checks before the session and sign-in middleware run.

A browser or monitor that sends a session cookie would otherwise make those middleware read the
session and the user from the database first, so a database outage came back as a 500 from them instead
of the 503 with its report that the check exists to give.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from . import views

CHECKS: dict[str, Callable[[HttpRequest], HttpResponseBase]] = {
    "/healthz": views.healthz,
    "/healthz/ready": views.ready,
}


class HealthChecksFirstMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        check = CHECKS.get(request.path_info)
        return check(request) if check is not None else self.get_response(request)
