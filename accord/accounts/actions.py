"""Writes for sign-in: throttling, invitations, API tokens."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accord.lib.tz import local_day_span
from accord.orgs.models import Person

from .models import ApiToken, Invitation, LoginFailure, TokenScope, User, hash_secret, new_secret

INVITE_SALT = "accord.invitation"


class InvitationInvalid(Exception):
    """The link is unknown, already used or expired. The page says which, plainly."""


# --- throttle ---------------------------------------------------------------------------------


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)


def is_throttled(email: str, ip: str | None) -> bool:
    """Too many recent failures for this email, or from this address (spraying many emails)."""
    since = _window_start()
    limit = settings.LOGIN_FAILURE_LIMIT
    recent = LoginFailure.objects.filter(at__gte=since)
    if recent.filter(email=email.strip().lower()).count() >= limit:
        return True
    return bool(ip) and recent.filter(ip=ip).count() >= limit * 4


def record_login_failure(email: str, ip: str | None) -> None:
    LoginFailure.objects.create(email=email.strip().lower()[:254], ip=ip or None)


def clear_login_failures(email: str) -> None:
    LoginFailure.objects.filter(email=email.strip().lower()).delete()


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
# A dated token is meant to run out; "no expiry" is the choice for a token that should live on.
MAX_TOKEN_DAYS = 366


class TokenExpired(Exception):
    """The token is genuine and not revoked, but its expiry date has passed."""


def token_expiry(person: Person, expires_on: dt.date | None) -> dt.datetime | None:
    """A token dated `expires_on` works until the end of that day on its owner's clock."""
    if expires_on is None:
        return None
    today = timezone.now().astimezone(person.zone).date()
    if expires_on < today:
        raise ValidationError({"expires_on": "The expiry date is in the past. Choose today or a later day."})
    if expires_on > today + dt.timedelta(days=MAX_TOKEN_DAYS):
        raise ValidationError(
            {"expires_on": f"Choose a date within {MAX_TOKEN_DAYS} days, or no expiry date at all."}
        )
    return local_day_span(expires_on, person.zone)[1]


def create_api_token(
    person: Person,
    *,
    name: str,
    scope: str = TokenScope.READ_WRITE,
    expires_on: dt.date | None = None,
) -> tuple[ApiToken, str]:
    """Returns the token row and the raw secret, which is never stored and cannot be shown again."""
    if scope not in TokenScope.values:
        raise ValidationError({"scope": "Choose read only or read and write."})
    expires_at = token_expiry(person, expires_on)
    raw = TOKEN_PREFIX + new_secret()
    token = ApiToken.objects.create(
        org=person.org,
        person=person,
        name=name.strip()[:100],
        prefix=raw[:10],
        token_hash=hash_secret(raw),
        scope=scope,
        expires_at=expires_at,
    )
    return token, raw


def revoke_api_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def live_tokens_of_user(user: User) -> QuerySet[ApiToken]:
    """Every token the login can still use, in each organisation it belongs to: a password belongs to
    the user, not to one membership, so after it changes all of them are in question."""
    now = timezone.now()
    return ApiToken.objects.filter(person__user=user, revoked_at__isnull=True).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


def revoke_all_api_tokens(user: User) -> int:
    """Revoke every token of `user` that still works; returns how many."""
    return live_tokens_of_user(user).update(revoked_at=timezone.now())


def api_token_for(raw: str) -> ApiToken | None:
    """The usable token with this secret (its person loaded), or None. Raises TokenExpired so the
    caller can say why a genuine token stopped working."""
    token = (
        ApiToken.objects.select_related("person__org", "person__team")
        .filter(token_hash=hash_secret(raw), revoked_at__isnull=True, person__is_active=True)
        .first()
    )
    if token is None:
        return None
    if token.is_expired:
        raise TokenExpired
    now = timezone.now()
    # Touch at most once a minute so API reads do not all become writes.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
