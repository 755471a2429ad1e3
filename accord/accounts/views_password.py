"""Changing a password (Settings › Password) and finishing a reset, and what both offer afterwards.

A new password ends every other session of the user: Django keeps a hash of the password in each
session and signs out any session whose hash no longer matches. API tokens are not sessions and keep
working, so both confirmation pages offer to revoke them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy

from accord.orgs.access import member_required

from . import queries, throttle
from .actions import live_tokens_of_user, revoke_all_api_tokens
from .models import User
from .sessions import check_password_again, now_seconds
from .views_tokens import SIGNED_OUT_AFTER_WRONG_PASSWORDS

# Who just reset their password in this browser, and when: lets the confirmation page revoke that
# user's tokens without a sign-in, for a short while only.
RESET_USER = "accord_reset_user"
RESET_OFFER_SECONDS = 15 * 60


class ChangePasswordForm(PasswordChangeForm):
    """Django's form (current password, new twice, the configured validators), with the current
    password checked the way every re-entry is: wrong ones are counted and end the session."""

    def __init__(self, user: User, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request
        self.fields["old_password"].label = "Current password"
        self.fields["new_password2"].label = "New password again"

    def clean_old_password(self) -> str:
        password: str = self.cleaned_data["old_password"]
        if not check_password_again(self.request, password):
            raise forms.ValidationError("That is not your current password.", code="password_incorrect")
        return password


@member_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = ChangePasswordForm(request.user, request.POST or None, request=request)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        user = form.save()
        # The new hash would sign this session out too; this one just proved the old password.
        update_session_auth_hash(request, user)
        messages.success(request, "Your password is changed. Every other session is now signed out.")
        return redirect("password_change_done")
    if not request.user.is_authenticated:
        messages.error(request, SIGNED_OUT_AFTER_WRONG_PASSWORDS)
        return redirect_to_login(request.get_full_path())
    return render(request, "accounts/password_change.html", {"form": form})


@member_required
def password_change_done(request: HttpRequest) -> HttpResponse:
    live = live_tokens_of_user(request.user).count()  # type: ignore[arg-type]
    return render(
        request,
        "accounts/password_changed.html",
        {"live_tokens": live, "revoke_url": reverse("api_tokens_revoke_all"), "after_reset": False},
    )


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user: User = form.user
        # The link proved control of the address: this browser becomes known to the account, so
        # guessers cannot keep its owner out of sign-in (see throttle.py).
        throttle.remember_client(self.request, response, user.email)
        if getattr(self.request.user, "pk", None) == user.pk:
            # This browser's own session of the user would end on its next request anyway (the password
            # hash changed); ending it now keeps the note below from being flushed with it.
            logout(self.request)
        self.request.session[RESET_USER] = [user.pk, now_seconds()]
        return response


password_reset_confirm = PasswordResetConfirm.as_view()


def _just_reset(request: HttpRequest) -> User | None:
    note = request.session.get(RESET_USER)
    if not note or now_seconds() - float(note[1]) > RESET_OFFER_SECONDS:
        return None
    return queries.active_user(note[0])


def password_reset_complete(request: HttpRequest) -> HttpResponse:
    user = _just_reset(request)
    if request.method == "POST" and user is not None:
        count = revoke_all_api_tokens(user)
        request.session.pop(RESET_USER, None)
        messages.success(request, f"Revoked {count} API token{'s' if count != 1 else ''}.")
        return redirect("password_reset_complete")
    live = live_tokens_of_user(user).count() if user is not None else None
    return render(
        request,
        "accounts/password_changed.html",
        {"live_tokens": live, "revoke_url": reverse("password_reset_complete"), "after_reset": True},
    )
