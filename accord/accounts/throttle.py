"""Throttles for sign-in and password-reset requests.

Sign-in counts failures per account *and client*, so guessing at someone's password slows the guesser
down without locking the owner out:

- A browser that has signed in to the account before carries a signed "known client" cookie (OWASP's
  device cookie). Its attempts count only against that cookie's own counter, so strangers' guesses,
  however many, never stop its right password from working.
- Any other client counts against (account, address), against the account as a whole for all unknown
  clients (four times the limit: guessing from many addresses), and against its address across all
  accounts (spraying; high, since behind a proxy many people may share one address).

Past a counter's limit, each further attempt must wait, the wait doubling from one minute up to
LOGIN_MAX_WAIT_MINUTES; a refused attempt does not lengthen the wait. A streak is forgotten a day
after it started (once any wait is over).

An attempt is *reserved* before the password is checked: every counter it touches is moved by a
compare-and-set UPDATE (one row changed = ours, the claim idea of accord/lib/jobs.py) inside one
transaction, so N concurrent guesses make at most the limit of password checks, on SQLite and on
PostgreSQL. A right password then clears its own client's counter and gives back its reservation on
the shared ones; a wrong one leaves the reservation counted as a failure.

Password-reset requests are limited in fixed windows, per target address and per client address.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accord.lib.client import client_ip

from .models import Throttle

STREAK = dt.timedelta(days=1)
FIRST_WAIT = dt.timedelta(minutes=1)
RESET_WINDOW = dt.timedelta(hours=1)
KNOWN_COOKIE = "accord_known"
KNOWN_SALT = "accord.known-client"
KNOWN_DAYS = 180
KNOWN_MAX_ACCOUNTS = 5  # a shared family or kiosk browser; older entries fall off
CAS_TRIES = 50


class Throttled(Exception):
    """Refused before the password (or the reset address) was looked at; `until` says when to retry."""

    def __init__(self, until: dt.datetime) -> None:
        super().__init__(until)
        self.until = until

    def minutes(self) -> int:
        return max(1, math.ceil((self.until - timezone.now()).total_seconds() / 60))

    def message(self) -> str:
        n = self.minutes()
        unit = "minute" if n == 1 else "minutes"
        return f"Too many attempts; try again in {n} {unit}, or reset your password."


@dataclass(frozen=True)
class Rule:
    limit: int
    backoff: bool  # True: wait after the limit, doubling; False: a fixed window of `limit` attempts
    window: dt.timedelta

    def after(self, count: int, now: dt.datetime) -> dt.datetime | None:
        """When the next attempt may come, once this one (the `count`th of its streak) is taken."""
        if not self.backoff or count < self.limit:
            return None
        cap = dt.timedelta(minutes=settings.LOGIN_MAX_WAIT_MINUTES)
        return now + min(FIRST_WAIT * 2 ** min(count - self.limit, 20), cap)


def _sign_in_rule(limit: int) -> Rule:
    return Rule(limit=limit, backoff=True, window=STREAK)


# --- the counters -------------------------------------------------------------------------------


def reserve(buckets: list[tuple[str, Rule]]) -> None:
    """Take one attempt from every bucket, all or none; raises Throttled when any is spent."""
    now = timezone.now()
    with transaction.atomic():
        for key, rule in buckets:
            _take(key, rule, now)  # a Throttled here rolls back the buckets already taken


def _take(key: str, rule: Rule, now: dt.datetime) -> None:
    for _ in range(CAS_TRIES):
        row = Throttle.objects.filter(key=key).first()
        if row is None:
            try:
                with transaction.atomic():
                    Throttle.objects.create(key=key, count=0, started_at=now, touched_at=now)
            except IntegrityError:
                pass  # another request created it first; read theirs
            continue
        if row.blocked_until is not None and row.blocked_until > now:
            raise Throttled(row.blocked_until)
        fresh = row.started_at <= now - rule.window
        count, started = (1, now) if fresh else (row.count + 1, row.started_at)
        if not rule.backoff and count > rule.limit:
            raise Throttled(started + rule.window)
        # Compare-and-set: only if nobody moved the row since we read it. `touched_at` changes on
        # every write, so even a fresh streak (count 1 again) cannot be taken twice.
        changed = Throttle.objects.filter(pk=row.pk, count=row.count, touched_at=row.touched_at).update(
            count=count, started_at=started, touched_at=now, blocked_until=rule.after(count, now)
        )
        if changed == 1:
            return
    # Lost the race this many times: that is an attack in progress, and refusing is the safe answer.
    raise Throttled(now + FIRST_WAIT)


def _clear(key: str) -> None:
    Throttle.objects.filter(key=key).delete()


def _give_back(key: str) -> None:
    Throttle.objects.filter(key=key, count__gt=0).update(count=F("count") - 1)


def forget_old(now: dt.datetime) -> int:
    """Housekeeping: rows whose streak (or reset window) is over and who are not making anyone wait."""
    deleted, _ = (
        Throttle.objects.filter(started_at__lt=now - max(STREAK, RESET_WINDOW))
        .exclude(blocked_until__gt=now)
        .delete()
    )
    return deleted


# --- sign-in ------------------------------------------------------------------------------------


def _account(email: str) -> str:
    # Keyed by a keyed hash: the table and the cookie never hold the addresses people typed.
    return salted_hmac(KNOWN_SALT, email.strip().lower()).hexdigest()[:32]


@dataclass(frozen=True)
class SignInClient:
    ip: str | None
    known: dict[str, str]  # account hash -> this browser's nonce, from the signed cookie

    @classmethod
    def from_request(cls, request: HttpRequest) -> SignInClient:
        return cls(ip=client_ip(request), known=_read_known(request))

    def nonce_for(self, email: str) -> str | None:
        return self.known.get(_account(email))


def _buckets(email: str, client: SignInClient) -> tuple[list[tuple[str, Rule]], list[str], list[str]]:
    """The buckets an attempt takes, which of them a success clears, and which it gives back."""
    account, limit = _account(email), settings.LOGIN_FAILURE_LIMIT
    nonce = client.nonce_for(email)
    if nonce is not None:
        own = f"in:{account}:known:{nonce}"
        return [(own, _sign_in_rule(limit))], [own], []
    own = f"in:{account}:ip:{client.ip or '-'}"
    shared = [(f"in:{account}:strangers", _sign_in_rule(limit * 4))]
    if client.ip:
        shared.append((f"in:ip:{client.ip}", _sign_in_rule(settings.LOGIN_ADDRESS_LIMIT)))
    return [(own, _sign_in_rule(limit)), *shared], [own], [key for key, _ in shared]


def reserve_sign_in(email: str, client: SignInClient) -> None:
    """Call before checking the password; raises Throttled. The attempt counts as a failure until
    `signed_in` says otherwise."""
    reserve(_buckets(email, client)[0])


def signed_in(email: str, client: SignInClient) -> None:
    _, clear, give_back = _buckets(email, client)
    for key in clear:
        _clear(key)
    for key in give_back:
        _give_back(key)


def _read_known(request: HttpRequest) -> dict[str, str]:
    raw = request.COOKIES.get(KNOWN_COOKIE)
    if not raw:
        return {}
    try:
        data = signing.loads(raw, salt=KNOWN_SALT, max_age=dt.timedelta(days=KNOWN_DAYS))
    except signing.BadSignature:
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def remember_client(request: HttpRequest, response: HttpResponse, email: str) -> None:
    """Mark this browser as known to the account (after a right password or a completed reset)."""
    known = _read_known(request)
    account = _account(email)
    nonce = known.pop(account, None) or secrets.token_urlsafe(16)
    known[account] = nonce  # most recent last, so the oldest falls off first
    kept = dict(list(known.items())[-KNOWN_MAX_ACCOUNTS:])
    response.set_cookie(
        KNOWN_COOKIE,
        signing.dumps(kept, salt=KNOWN_SALT, compress=True),
        max_age=KNOWN_DAYS * 24 * 60 * 60,
        path="/accounts/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


# --- password reset -----------------------------------------------------------------------------


def reserve_password_reset(email: str, ip: str | None) -> bool:
    """True when a reset mail may be sent for this address to this client. Counted whether or not
    the address has an account, so the limit says nothing about who exists."""
    per_client = Rule(settings.PASSWORD_RESET_LIMIT_PER_CLIENT, backoff=False, window=RESET_WINDOW)
    per_address = Rule(settings.PASSWORD_RESET_LIMIT_PER_ADDRESS, backoff=False, window=RESET_WINDOW)
    buckets = [(f"reset:ip:{ip}", per_client)] if ip else []
    buckets.append((f"reset:to:{_account(email)}", per_address))
    try:
        reserve(buckets)
    except Throttled:
        return False
    return True
