"""Writes for sign-in: invitations, API tokens. The sign-in and reset throttles live in throttle.py."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from accord.orgs.models import Person

from .models import ApiToken, Invitation, User, hash_secret, new_secret

INVITE_SALT = "accord.invitation"


class InvitationInvalid(Exception):
    """The link is unknown, already used or expired. The page says which, plainly."""


# --- invitations ------------------------------------------------------------------------------


def invite_person(person: Person, *, invited_by: Person | None) -> Invitation:
    """Create a fresh invitation (older unused ones stop working) and email the link."""
    from .tasks import send_invitation

    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(org=person.org, person=person, used_at__isnull=True).update(expires_at=now)
        invitation = Invitation.objects.create(
            org=person.org,
            person=person,
            invited_by=invited_by,
            expires_at=now + dt.timedelta(days=settings.INVITATION_DAYS),
        )
        transaction.on_commit(lambda: send_invitation.enqueue(invitation_id=invitation.id))
    return invitation


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps([invitation.id, invitation.nonce], salt=INVITE_SALT, compress=True)


def invitation_from_token(token: str) -> Invitation:
    try:
        invitation_id, nonce = signing.loads(token, salt=INVITE_SALT)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise InvitationInvalid("This invitation link is not valid. Ask your admin for a new one.") from exc
    invitation = (
        Invitation.objects.select_related("person", "org").filter(id=invitation_id, nonce=nonce).first()
    )
    if invitation is None:
        raise InvitationInvalid("This invitation link is not valid. Ask your admin for a new one.")
    if invitation.used_at is not None:
        raise InvitationInvalid("This invitation has already been used. Sign in, or reset your password.")
    if invitation.expires_at <= timezone.now():
        raise InvitationInvalid("This invitation has expired. Ask your admin to send a new one.")
    return invitation


def accept_invitation(invitation: Invitation, *, password: str) -> User:
    """Use the invitation once: link (or create) the user for the person's email and set the password."""
    with transaction.atomic():
        claimed = Invitation.objects.filter(id=invitation.id, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if claimed != 1:
            raise InvitationInvalid("This invitation has already been used. Sign in, or reset your password.")
        person = invitation.person
        user = person.user or User.objects.filter(email__iexact=person.email).first()
        if user is None:
            user = User.objects.create_user(person.email, password)
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
        if person.user_id != user.id:
            person.user = user
            person.save(update_fields=["user"])
    return user


# --- API tokens -------------------------------------------------------------------------------

TOKEN_PREFIX = "acc_"


def create_api_token(person: Person, *, name: str) -> tuple[ApiToken, str]:
    """Returns the token row and the raw secret, which is never stored and cannot be shown again."""
    raw = TOKEN_PREFIX + new_secret()
    token = ApiToken.objects.create(
        org=person.org, person=person, name=name.strip()[:100], prefix=raw[:10], token_hash=hash_secret(raw)
    )
    return token, raw


def revoke_api_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def person_for_token(raw: str) -> Person | None:
    token = (
        ApiToken.objects.select_related("person__org", "person__team")
        .filter(token_hash=hash_secret(raw), revoked_at__isnull=True, person__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Touch at most once a minute so API reads do not all become writes.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.person
