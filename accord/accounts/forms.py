from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpRequest

from . import actions
from .models import User


class SignInForm(forms.Form):
    email = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    password = forms.CharField(
        label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user: User | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        email, password = data.get("email"), data.get("password")
        if not email or not password:
            return data
        ip = self.request.META.get("REMOTE_ADDR")
        if actions.is_throttled(email, ip):
            raise forms.ValidationError(
                "Too many failed sign-ins. Wait 15 minutes, or reset your password.", code="throttled"
            )
        user = authenticate(self.request, email=email, password=password)
        if user is None:
            actions.record_login_failure(email, ip)
            raise forms.ValidationError("That email and password do not match.", code="invalid")
        actions.clear_login_failures(email)
        self.user = user  # type: ignore[assignment]
        return data


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, but the email goes through the task queue like every other message."""

    def save(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        from .tasks import send_password_reset

        for user in self.get_users(self.cleaned_data["email"]):
            send_password_reset.enqueue(user_id=user.pk)


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(
        label="Choose a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters, not a common password.",
    )
    password2 = forms.CharField(
        label="Type it again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ.")
        elif p1:
            try:
                password_validation.validate_password(p1, User(email=self.email))
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data
