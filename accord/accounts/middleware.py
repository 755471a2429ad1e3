"""Ends a signed-in session that has been left alone for longer than SESSION_IDLE_MINUTES."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from .sessions import LAST_SEEN, now_seconds, pin_absolute_expiry

# Recording every request would turn every page view into a session write; a minute's precision is
# plenty for a limit counted in hours.
TOUCH_EVERY_SECONDS = 60


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = now_seconds()
            last = request.session.get(LAST_SEEN)
            idle_minutes = settings.SESSION_IDLE_MINUTES
            if last is not None and now - float(last) > idle_minutes * 60:
                logout(request)
                messages.info(request, f"You were signed out after {idle_minutes} minutes without activity.")
            elif last is None or abs(now - float(last)) >= TOUCH_EVERY_SECONDS:
                # abs(): a clock stepped backwards must not freeze the stamp in the future.
                request.session[LAST_SEEN] = now
                if last is None:  # signed in before this middleware existed
                    pin_absolute_expiry(request)
        return self.get_response(request)
