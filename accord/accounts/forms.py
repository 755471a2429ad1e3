from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpRequest

from accord.lib.client import client_ip

from . import actions, throttle
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
        client = throttle.SignInClient.from_request(self.request)
        try:
            # Reserved before the password is checked, so concurrent guesses cannot overtake the limit.
            throttle.reserve_sign_in(email, client)
        except throttle.Throttled as exc:
            raise forms.ValidationError(exc.message(), code="throttled") from exc
        user = authenticate(self.request, email=email, password=password)
        if user is None:
            raise forms.ValidationError("That email and password do not match.", code="invalid")
        throttle.signed_in(email, client)
        self.user = user  # type: ignore[assignment]
        return data


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, but the email goes through the task queue like every other message, and
    no more than a few an hour go to one address or are asked for by one client. Over the limit the
    page says the same as always (it never tells who has an account); only the mail is not sent."""

    def save(self, *args: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:  # type: ignore[override]
        from .tasks import send_password_reset

        email = self.cleaned_data["email"]
        if not throttle.reserve_password_reset(email, client_ip(request) if request else None):
            return
        for user in self.get_users(email):
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


class EmailChangeForm(forms.Form):
    new_email = forms.EmailField(
        label="New sign-in address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="We email a link to this address; your address changes only when you open it.",
    )
    password = forms.CharField(
        label="Current password", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user: User = request.user  # type: ignore[assignment]

    def clean_new_email(self) -> str:
        email = self.cleaned_data["new_email"].strip().lower()
        problem = actions.email_change_problem(self.user, email)
        if problem:
            raise forms.ValidationError(problem)
        return email

    def clean_password(self) -> str:
        # A session left open must not be enough to move the account elsewhere: the password is asked
        # again, and wrong guesses count towards the same throttle as signing in.
        password = self.cleaned_data["password"]
        client = throttle.SignInClient.from_request(self.request)
        try:
            throttle.reserve_sign_in(self.user.email, client)
        except throttle.Throttled as exc:
            raise forms.ValidationError(exc.message(), code="throttled") from exc
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your current password.")
        throttle.signed_in(self.user.email, client)
        return password
