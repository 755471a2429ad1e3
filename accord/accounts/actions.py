"""Writes for sign-in: invitations, API tokens, changing one's sign-in address (throttles: throttle.py)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accord.lib.tz import local_day_span
from accord.orgs.models import Person

from .models import ApiToken, Invitation, TokenScope, User, hash_secret, new_secret

INVITE_SALT = "accord.invitation"


class InvitationInvalid(Exception):
    """The link is unknown, already used or expired. The page says which, plainly."""


# --- invitations ------------------------------------------------------------------------------
#
# An invitation link proves one thing: that whoever opens it reads mail at the address it was sent to.
# So it may create a sign-in for that address, or give a first password to one that never had any, but
# it never sets the password of an account that already has one; such an account joins by signing in.


def same_address(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower()


def invite_person(person: Person, *, invited_by: Person | None) -> Invitation:
    """Create a fresh invitation to the person's address (older unused ones stop working) and email it."""
    from .tasks import send_invitation

    now = timezone.now()
    with transaction.atomic():
        expire_invitations([person.pk])
        invitation = Invitation.objects.create(
            org=person.org,
            person=person,
            email=person.email.strip().lower(),
            invited_by=invited_by,
            expires_at=now + dt.timedelta(days=settings.INVITATION_DAYS),
        )
        transaction.on_commit(lambda: send_invitation.enqueue(invitation_id=invitation.id))
    return invitation


def send_sign_in_link(person: Person, *, invited_by: Person | None) -> str:
    """What "Send a new sign-in link" does. Someone whose account has a password gets a reset link at
    the account's own address ("reset"); anyone else gets an invitation ("invitation")."""
    from .tasks import send_password_reset

    user = person.user
    if user is not None and user.has_usable_password():
        user_id = user.pk
        transaction.on_commit(lambda: send_password_reset.enqueue(user_id=user_id))
        return "reset"
    invite_person(person, invited_by=invited_by)
    return "invitation"


def expire_invitations(person_ids: list[int]) -> None:
    """Outstanding invitations of these people stop working (their address changed, or a new one went)."""
    now = timezone.now()
    Invitation.objects.filter(person_id__in=person_ids, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps([invitation.id, invitation.nonce, invitation.email], salt=INVITE_SALT, compress=True)


NOT_VALID = "This invitation link is not valid. Ask your admin for a new one."
USED = "This invitation has already been used. Sign in, or reset your password."


def invitation_from_token(token: str) -> Invitation:
    try:
        invitation_id, nonce, email = signing.loads(token, salt=INVITE_SALT)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        # Links from before invitations carried their address unpack into the wrong shape: refused too.
        raise InvitationInvalid(NOT_VALID) from exc
    invitation = (
        Invitation.objects.select_related("person__user", "org")
        .filter(id=invitation_id, nonce=nonce, email=email)
        .first()
    )
    if invitation is None:
        raise InvitationInvalid(NOT_VALID)
    if invitation.used_at is not None:
        raise InvitationInvalid(USED)
    if invitation.expires_at <= timezone.now():
        raise InvitationInvalid("This invitation has expired. Ask your admin to send a new one.")
    _check_address(invitation, invitation.person)
    return invitation


def _check_address(invitation: Invitation, person: Person) -> None:
    user = person.user
    if not same_address(person.email, invitation.email) or (
        user is not None and not same_address(user.email, invitation.email)
    ):
        raise InvitationInvalid(
            "This invitation was sent to an address that has changed since. Ask your admin for a new one."
        )


def invitation_account(invitation: Invitation) -> User | None:
    """The sign-in the invitation joins: the person's own, else the account that has the address."""
    return invitation.person.user or User.objects.filter(email__iexact=invitation.email).first()


def invitation_needs_sign_in(invitation: Invitation) -> bool:
    """True when the address already has an account with a password: it joins by signing in."""
    user = invitation_account(invitation)
    return user is not None and user.has_usable_password()


def accept_invitation(invitation: Invitation, *, password: str) -> User:
    """Use the invitation once to choose a first password: a new sign-in for the invitation's address,
    or the first password of one that has none (made by `accord create-org`, say)."""
    with transaction.atomic():
        person = _claim(invitation)
        user = person.user or User.objects.select_for_update().filter(email__iexact=invitation.email).first()
        if user is None:
            user = User.objects.create_user(invitation.email, password)
        elif user.has_usable_password():
            raise InvitationInvalid(
                "This address already has an Accord account: sign in with its password to join."
            )
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
        _link(person, user)
    return user


def join_by_invitation(invitation: Invitation, *, user: User) -> None:
    """Use the invitation once for an existing account that has just signed in with its own password."""
    if not same_address(user.email, invitation.email):
        raise InvitationInvalid(NOT_VALID)
    with transaction.atomic():
        _link(_claim(invitation), user)


def _claim(invitation: Invitation) -> Person:
    """Mark the invitation used, and check again, under lock, that its address still holds."""
    claimed = Invitation.objects.filter(
        id=invitation.id, used_at__isnull=True, expires_at__gt=timezone.now()
    ).update(used_at=timezone.now())
    if claimed != 1:
        raise InvitationInvalid(USED)
    person = (
        Person.objects.select_for_update(of=("self",)).select_related("user").get(pk=invitation.person_id)
    )
    _check_address(invitation, person)
    return person


def _link(person: Person, user: User) -> None:
    if person.user_id == user.pk:
        return
    if person.user_id is not None:
        raise InvitationInvalid(NOT_VALID)
    if Person.objects.filter(org_id=person.org_id, user=user).exists():
        raise InvitationInvalid(
            "Your account already belongs to this organisation under another entry. Ask your admin."
        )
    person.user = user
    person.save(update_fields=["user"])


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
    if not name.strip():
        raise ValidationError({"name": "Give the token a name, e.g. “Reporting script”."})
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


# --- changing one's own sign-in address -------------------------------------------------------
#
# A user's address is theirs: no organisation's admin may change it, because every organisation the user
# belongs to, and every password reset, goes by it. The user asks with their current password, and the
# change happens only when the link mailed to the new address is used.

EMAIL_CHANGE_SALT = "accord.email-change"
EMAIL_CHANGE_MAX_AGE = dt.timedelta(days=2)


class EmailChangeRefused(Exception):
    """The new address cannot be used, or the confirmation link is not (or no longer) valid."""


def email_change_problem(user: User, new_email: str) -> str | None:
    """Why `new_email` cannot become the user's address, or None if it can."""
    if same_address(new_email, user.email):
        return "That is already your sign-in address."
    if User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
        return "Another account already signs in with that address."
    their_orgs = Person.objects.filter(user=user).values("org_id")
    if Person.objects.filter(org_id__in=their_orgs, email__iexact=new_email).exclude(user=user).exists():
        return "Someone in one of your organisations already has that address."
    return None


def request_email_change(user: User, new_email: str) -> None:
    """Mail a confirmation link to the new address (nothing changes until it is used)."""
    from .tasks import send_email_change_confirmation

    new_email = new_email.strip().lower()
    problem = email_change_problem(user, new_email)
    if problem:
        raise EmailChangeRefused(problem)
    user_id = user.pk
    transaction.on_commit(
        lambda: send_email_change_confirmation.enqueue(user_id=user_id, new_email=new_email)
    )


def email_change_token(user: User, new_email: str) -> str:
    # The current address is part of what is signed, so the link stops working once it has been used.
    return signing.dumps([user.pk, user.email, new_email], salt=EMAIL_CHANGE_SALT, compress=True)


INVALID_CHANGE = "This link is not valid or has expired. Ask again from Settings › Sign-in address."


def email_change_from_token(token: str, *, lock: bool = False) -> tuple[User, str]:
    """The user and the new address a confirmation link is for, if it may still be used."""
    try:
        user_id, old_email, new_email = signing.loads(
            token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE
        )
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise EmailChangeRefused(INVALID_CHANGE) from exc
    users = User.objects.select_for_update() if lock else User.objects
    user = users.filter(pk=user_id, is_active=True).first()
    if user is None or user.email != old_email:
        raise EmailChangeRefused("This link has already been used, or your address has changed since.")
    problem = email_change_problem(user, new_email)
    if problem:
        raise EmailChangeRefused(problem)
    return user, new_email


def confirm_email_change(token: str) -> User:
    """Move the user, and each of their memberships, to the new address; tell the old address."""
    from accord.lib.mail import send_email

    try:
        with transaction.atomic():
            user, new_email = email_change_from_token(token, lock=True)
            old_email = user.email
            user.email = new_email
            user.save(update_fields=["email"])
            people = Person.objects.filter(user=user)
            expire_invitations(list(people.values_list("pk", flat=True)))
            people.update(email=new_email)
    except IntegrityError as exc:  # someone took the address a moment ago
        raise EmailChangeRefused("That address was taken a moment ago. Choose another.") from exc
    body = (
        f"The sign-in address of your Accord account changed from {old_email} to {new_email}.\n\n"
        "If you did not do this, reset your password at once and tell an admin of your organisation.\n"
    )
    transaction.on_commit(
        lambda: send_email.enqueue(to=[old_email], subject="Your Accord sign-in address changed", body=body)
    )
    return user
