"""What a session remembers about its own sign-in: when the password was last entered, when it was
last used, and how a password is asked for again before something sensitive.

Times are stored as Unix seconds so the session stays plain JSON.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

AUTH_AT = "accord_auth_at"
LAST_SEEN = "accord_last_seen"
REAUTH_FAILURES = "accord_reauth_failures"
# Wrong passwords a signed-in session may enter before it is ended: whoever holds a stolen session
# cookie must not get an unthrottled way to guess the password behind it.
REAUTH_FAILURE_LIMIT = 5


def now_seconds() -> float:
    return timezone.now().timestamp()


def pin_absolute_expiry(request: HttpRequest) -> None:
    """End the session SESSION_COOKIE_AGE after now, however busy it is. Django's default expiry moves
    forward whenever the session is saved, and the idle stamp saves it every few minutes."""
    request.session.set_expiry(dt.timedelta(seconds=settings.SESSION_COOKIE_AGE))


@receiver(user_logged_in)
def remember_sign_in(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    # Every way in (the sign-in form, an invitation, demo buttons, test logins) passes through login().
    if request is not None and hasattr(request, "session"):
        now = now_seconds()
        request.session[AUTH_AT] = now
        request.session[LAST_SEEN] = now
        pin_absolute_expiry(request)


def mark_authenticated(request: HttpRequest) -> None:
    """The person has just typed their password in this session."""
    request.session[AUTH_AT] = now_seconds()
    request.session.pop(REAUTH_FAILURES, None)


def recently_authenticated(request: HttpRequest) -> bool:
    at = request.session.get(AUTH_AT)
    return at is not None and now_seconds() - float(at) <= settings.REAUTH_MINUTES * 60


def check_password_again(request: HttpRequest, password: str) -> bool:
    """True when `password` is the signed-in user's. Goes through authenticate() so that whatever
    watches sign-in failures sees these too; too many wrong ones in a row end the session."""
    user = request.user
    email = getattr(user, "email", "")
    found = authenticate(request, email=email, password=password) if email and password else None
    if found is not None and found.pk == user.pk:
        mark_authenticated(request)
        return True
    failures = int(request.session.get(REAUTH_FAILURES, 0)) + 1
    if failures >= REAUTH_FAILURE_LIMIT:
        logout(request)
    else:
        request.session[REAUTH_FAILURES] = failures
    return False
