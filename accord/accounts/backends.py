from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest


class EmailBackend(ModelBackend):
    """Password sign-in by email, case-insensitive."""

    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kw: Any
    ):
        email = (kw.get("email") or username or "").strip().lower()
        return super().authenticate(request, username=email, password=password)
