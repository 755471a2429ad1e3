from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from accord.lib.mail import absolute, send_email

from .models import Invitation, User


@task()
def send_invitation(invitation_id: int) -> None:
    from .actions import invitation_needs_sign_in, invitation_token, same_address

    invitation = (
        Invitation.objects.select_related("person", "org", "invited_by").filter(id=invitation_id).first()
    )
    if invitation is None or not invitation.is_usable():
        return
    if not same_address(invitation.person.email, invitation.email):
        return  # the address changed before the worker got here; the invitation no longer works anyway
    link = absolute(reverse("accept_invitation", args=[invitation_token(invitation)]))
    inviter = invitation.invited_by.name if invitation.invited_by else "An admin"
    how = (
        "You already have an Accord account at this address: sign in with its password here to join"
        if invitation_needs_sign_in(invitation)
        else "Choose a password and sign in here"
    )
    body = (
        f"Hello {invitation.person.name},\n\n"
        f"{inviter} has invited you to {invitation.org.name} on Accord.\n\n"
        f"{how} (the link works once, until {invitation.expires_at:%d %B %Y}):\n{link}\n\n"
        "If you did not expect this, you can ignore this message.\n"
    )
    send_email.enqueue(
        to=[invitation.email],
        org_id=invitation.org_id,
        subject=f"You're invited to {invitation.org.name}",
        body=body,
    )


@task()
def send_email_change_confirmation(user_id: int, new_email: str) -> None:
    """The link is made here, by the worker, so the queue's table never holds a usable one."""
    from .actions import EMAIL_CHANGE_MAX_AGE, email_change_token

    user = User.objects.filter(id=user_id, is_active=True).first()
    if user is None:
        return
    link = absolute(reverse("email_change_confirm", args=[email_change_token(user, new_email)]))
    hours = int(EMAIL_CHANGE_MAX_AGE.total_seconds() // 3600)
    body = (
        f"Someone signed in as {user.email} on Accord asked to make this address their sign-in address.\n\n"
        f"To confirm, open this link (it works once, for {hours} hours):\n{link}\n\n"
        "If it was not you, ignore this message; nothing changes.\n"
    )
    send_email.enqueue(to=[new_email], subject="Confirm your new Accord sign-in address", body=body)


@task()
def send_password_reset(user_id: int) -> None:
    user = User.objects.filter(id=user_id, is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = absolute(reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)]))
    body = (
        "Someone asked to reset the password for this email address on Accord.\n\n"
        f"Choose a new password here (the link works once, for two hours):\n{link}\n\n"
        "If it was not you, ignore this message; your password has not changed.\n"
    )
    # A sign-in belongs to no one organisation, so a failed reset mail shows in no admin's list (only
    # in the task results); the person can ask for another link.
    send_email.enqueue(to=[user.email], subject="Reset your Accord password", body=body)
