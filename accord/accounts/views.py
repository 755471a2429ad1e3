from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import actions, queries, throttle
from .forms import QueuedPasswordResetForm, SetPasswordForm, SignInForm
from .models import Invitation, User

BACKEND = "accord.accounts.backends.EmailBackend"


def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect("home")
    form = SignInForm(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.user, backend=BACKEND)
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, {request.get_host()}, require_https=request.is_secure()
        ):
            target = ""
        response = redirect(target or "home")
        throttle.remember_client(request, response, form.cleaned_data["email"])
        return response
    return render(
        request, "accounts/login.html", {"form": form, "next": request.GET.get("next", ""), "demo": _demo()}
    )


@require_POST
def demo_sign_in(request: HttpRequest) -> HttpResponse:
    """One-click sign-in as a demo persona. Exists only when the server runs in demo mode."""
    if not settings.DEMO:
        raise Http404("Demo sign-in is only available in demo mode.")
    from accord.demo import DEMO_ACCOUNTS

    email = DEMO_ACCOUNTS.get(request.POST.get("as", ""))
    user = queries.user_by_email(email) if email else None
    if user is None:
        raise Http404("No such demo account. Run `accord demo` to create the demo organisation.")
    login(request, user, backend=BACKEND)
    return redirect("home")


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "You have signed out.")
    return redirect("login")


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = actions.invitation_from_token(token)
        if actions.invitation_needs_sign_in(invitation):
            return _join_by_signing_in(request, invitation)
        form = SetPasswordForm(request.POST or None, email=invitation.email)
        if request.method == "POST" and form.is_valid():
            user = actions.accept_invitation(invitation, password=form.cleaned_data["password1"])
            return _welcome(request, user, invitation)
    except actions.InvitationInvalid as exc:
        return render(request, "accounts/invitation_invalid.html", {"reason": str(exc)}, status=410)
    return render(request, "accounts/accept_invitation.html", {"form": form, "invitation": invitation})


def _join_by_signing_in(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    """The address already has an account with a password: it joins by proving that password."""
    data = None
    if request.method == "POST":
        data = request.POST.copy()
        data["email"] = invitation.email  # the account is the invitation's, never one the form names
    form = SignInForm(request, data)
    if request.method == "POST" and form.is_valid() and form.user is not None:
        actions.join_by_invitation(invitation, user=form.user)
        return _welcome(request, form.user, invitation)
    return render(
        request, "accounts/accept_invitation_sign_in.html", {"form": form, "invitation": invitation}
    )


def _welcome(request: HttpRequest, user: User, invitation: Invitation) -> HttpResponse:
    from accord.orgs.middleware import SESSION_KEY

    login(request, user, backend=BACKEND)
    request.session[SESSION_KEY] = invitation.org_id
    messages.success(request, f"Welcome to {invitation.org.name}.")
    return redirect("home")


def _demo() -> list[tuple[str, str, str]]:
    if not settings.DEMO:
        return []
    from accord.demo import DEMO_ACCOUNTS

    labels = {"member": "a team member", "manager": "a manager", "admin": "a people-ops admin"}
    return [(key, labels.get(key, key), email) for key, email in DEMO_ACCOUNTS.items()]


password_reset = auth_views.PasswordResetView.as_view(
    form_class=QueuedPasswordResetForm,
    template_name="accounts/password_reset.html",
    success_url=reverse_lazy("password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
