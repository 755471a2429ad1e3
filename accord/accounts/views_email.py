"""Settings › Sign-in address: a user moves their own account to a new address, confirmed there."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accord.orgs.access import member_required

from . import actions
from .forms import EmailChangeForm


@member_required
def email_change(request: HttpRequest) -> HttpResponse:
    form = EmailChangeForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        new_email = form.cleaned_data["new_email"]
        try:
            actions.request_email_change(form.user, new_email)
        except actions.EmailChangeRefused as exc:
            form.add_error("new_email", str(exc))
        else:
            messages.success(
                request, f"We sent a link to {new_email}. Your address changes when you open it there."
            )
            return redirect("email_change")
    return render(request, "accounts/email_change.html", {"form": form})


def email_change_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Opening the link shows what will change; only the button changes it (mail scanners open links)."""
    try:
        user, new_email = actions.email_change_from_token(token)
        if request.method == "POST":
            actions.confirm_email_change(token)
            messages.success(request, f"Your sign-in address is now {new_email}.")
            signed_in_as_them = request.user.is_authenticated and request.user.pk == user.pk
            return redirect("email_change" if signed_in_as_them else "login")
    except actions.EmailChangeRefused as exc:
        return render(
            request,
            "accounts/invitation_invalid.html",
            {"reason": str(exc), "title": "Sign-in address"},
            status=410,
        )
    return render(
        request, "accounts/email_change_confirm.html", {"old_email": user.email, "new_email": new_email}
    )
