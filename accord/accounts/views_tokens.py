"""Settings › API tokens: make, list and revoke one's own personal API tokens."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from accord.lib.text import single_line
from accord.orgs.access import OrgRequest, get_for_org, member_required

from . import queries
from .actions import create_api_token, revoke_all_api_tokens, revoke_api_token
from .models import ApiToken, TokenScope
from .sessions import check_password_again, recently_authenticated

SIGNED_OUT_AFTER_WRONG_PASSWORDS = "You were signed out after too many wrong passwords. Sign in again."


class TokenForm(forms.Form):
    name = forms.CharField(
        validators=[single_line],
        label="Token name",
        max_length=100,
        help_text="What it is for, so you can tell tokens apart later, e.g. “Weekly report script”.",
    )
    scope = forms.ChoiceField(
        label="Access",
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        widget=forms.RadioSelect,
        help_text="A read-only token can look but not change anything: enough for reports and exports.",
    )
    expires_on = forms.DateField(
        label="Expires on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The last day it works, on your clock. Leave empty for a token that works until revoked.",
    )
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        if recently_authenticated(request):
            del self.fields["password"]
        else:
            self.fields["password"].help_text = (
                f"A token outlives this session, so it needs your password when you last entered it "
                f"more than {settings.REAUTH_MINUTES} minutes ago."
            )

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not check_password_again(self.request, password):
            raise forms.ValidationError("That is not your password.", code="wrong_password")
        return password


@member_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    me = request.person  # type: ignore[attr-defined]
    form = TokenForm(request.POST or None, request=request)
    raw = None
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = create_api_token(
                me,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_on=form.cleaned_data["expires_on"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Token “{token.name}” created.")
            form = TokenForm(request=request)
    if not request.user.is_authenticated:  # too many wrong passwords ended the session
        messages.error(request, SIGNED_OUT_AFTER_WRONG_PASSWORDS)
        return redirect_to_login(request.get_full_path())
    tokens = queries.tokens_of(me)
    # The raw token is rendered into this one response and stored nowhere, so it can never be shown again.
    response = render(request, "accounts/tokens.html", {"form": form, "tokens": tokens, "raw_token": raw})
    if raw:
        add_never_cache_headers(response)
    return response


@member_required
@require_POST
def api_token_revoke(request: OrgRequest, pk: int) -> HttpResponse:
    token = get_for_org(request, ApiToken, pk=pk, person=request.person)
    revoke_api_token(token)
    messages.success(request, f"Token “{token.name}” revoked. Anything using it can no longer sign in.")
    return redirect("api_tokens")


@member_required
@require_POST
def api_tokens_revoke_all(request: HttpRequest) -> HttpResponse:
    count = revoke_all_api_tokens(request.user)  # type: ignore[arg-type]
    messages.success(request, f"Revoked {count} API token{'s' if count != 1 else ''}.")
    return redirect("api_tokens")
