"""Settings › API tokens: make, list and revoke one's own personal API tokens."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from accord.lib.text import single_line
from accord.orgs.access import get_for_org, member_required

from .actions import create_api_token, revoke_api_token
from .models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        validators=[single_line],
        label="Token name",
        max_length=100,
        help_text="What it is for, so you can tell tokens apart later, e.g. “Weekly report script”.",
    )


@member_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    me = request.person  # type: ignore[attr-defined]
    form = TokenForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        token, raw = create_api_token(me, name=form.cleaned_data["name"])
        messages.success(request, f"Token “{token.name}” created.")
        form = TokenForm()
    tokens = ApiToken.objects.filter(org=request.org, person=me).order_by("-created_at", "-id")  # type: ignore[attr-defined]
    # The raw token is rendered into this one response and stored nowhere, so it can never be shown again.
    response = render(request, "accounts/tokens.html", {"form": form, "tokens": tokens, "raw_token": raw})
    if raw:
        add_never_cache_headers(response)
    return response


@member_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_for_org(request, ApiToken, pk=pk, person=request.person)  # type: ignore[attr-defined]
    revoke_api_token(token)
    messages.success(request, f"Token “{token.name}” revoked. Anything using it can no longer sign in.")
    return redirect("api_tokens")
