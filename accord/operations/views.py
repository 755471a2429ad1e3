"""Health checks for load balancers, service managers and dead-man's switches: no sign-in, no tenant data.

200 when all is well and 503 otherwise, each with a small JSON body that says what was checked.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from . import queries


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the database answers and every migration is applied."""
    report = queries.database_health()
    ok = queries.healthy(report)
    return JsonResponse({"status": "ok" if ok else "failing", **report}, status=200 if ok else 503)


@require_safe
def ready(request: HttpRequest) -> JsonResponse:
    """Readiness: also the scheduler ticked recently and no queued task has waited too long."""
    report = queries.readiness(timezone.now())
    ok = not report["problems"]
    return JsonResponse({"status": "ok" if ok else "failing", **report}, status=200 if ok else 503)
