"""API authentication (personal tokens and the browser session), `/api/me` and token management."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer
from pydantic import StringConstraints

from accord.lib.api import NOT_BLANK, ApiRequest, Id, Input, Text, current_person
from accord.orgs.access import get_for_org
from accord.orgs.api import PersonOut, person_out
from accord.orgs.models import Organisation, Person

from . import queries
from .actions import TokenExpired, api_token_for, create_api_token, revoke_api_token
from .models import ApiToken
from .sessions import recently_authenticated

# --- authentication ---------------------------------------------------------------------------


def _sign_in(request: HttpRequest, person: Person) -> Person:
    # Endpoints read the tenant from the request exactly as pages do, whichever way the caller signed in.
    request.person = person  # type: ignore[attr-defined]
    request.org = person.org  # type: ignore[attr-defined]
    return person


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenRefused(AuthenticationError):
    """A genuine token that can no longer sign in; the message says why (accord.api answers 401)."""

    def __init__(self, message: str) -> None:
        super().__init__(401, message)


class TokenAuth(HttpBearer):
    """`Authorization: Bearer acc_…`: a personal API token, acting as the person who created it.

    A token's scope is enforced here, once, so that no endpoint can forget it."""

    def authenticate(self, request: HttpRequest, token: str) -> Person | None:
        try:
            api_token = api_token_for(token.strip())
        except TokenExpired:
            raise TokenRefused("Token expired: make a new one at /settings/tokens/.") from None
        if api_token is None:
            return None
        if api_token.is_read_only and request.method not in READ_METHODS:
            raise PermissionDenied(
                "This API token is read-only: it can read but not change anything. "
                "Use a read-write token for this request."
            )
        request.api_token = api_token  # type: ignore[attr-defined]
        return _sign_in(request, api_token.person)


class SessionAuth(APIKeyCookie):
    """The signed-in browser session (the docs page, htmx), with Django's CSRF check on unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # A request that names a token is judged by that token alone, so a wrong or revoked token is a
        # plain 401 rather than a CSRF failure, and never silently falls back to a session cookie.
        if "Authorization" in request.headers:
            return None
        if getattr(request, "person", None) is None:
            return None
        return super()._get_key(request)  # checks CSRF

    def authenticate(self, request: HttpRequest, key: str | None) -> Person | None:
        # OrgMiddleware has already picked the membership this session is working in.
        person: Person | None = getattr(request, "person", None)
        return _sign_in(request, person) if person is not None and key else None


token_auth = TokenAuth()
session_auth = SessionAuth()


# --- schemas ----------------------------------------------------------------------------------


class OrgOut(Schema):
    id: int
    name: str = Field(description="The organisation's display name.")
    slug: str = Field(description="Short unique name of the organisation.")


class MeOut(PersonOut):
    org: OrgOut = Field(description="The organisation (tenant) every other endpoint answers for.")


TokenName = Annotated[Text, StringConstraints(min_length=1, max_length=100)]


ScopeName = Literal["read", "read_write"]


class TokenIn(Input):
    name: TokenName = Field(
        json_schema_extra=NOT_BLANK, description="What the token is for, e.g. “Reporting script”."
    )
    scope: ScopeName = Field(
        "read",
        description="`read`: GET only, anything else is refused with 403. "
        "`read_write`: everything you may do.",
    )
    expires_on: dt.date | None = Field(
        None,
        description="Last day the token works, on your own clock (at most a year ahead). "
        "Leave out for a token that works until revoked.",
    )


class TokenOut(Schema):
    id: int
    name: str = Field(description="What the token is for.")
    prefix: str = Field(description="The first characters of the token, enough to recognise it.")
    scope: ScopeName = Field(description="`read` (GET only) or `read_write`.")
    created_at: dt.datetime
    expires_at: dt.datetime | None = Field(description="When the token stops working; null: until revoked.")
    last_used_at: dt.datetime | None = Field(description="Updated at most once a minute.")
    revoked_at: dt.datetime | None = Field(description="Set once revoked; a revoked token stops working.")


class TokenCreated(TokenOut):
    token: str = Field(
        description="The secret, shown this once and never again: only its hash is stored. "
        "Send it as `Authorization: Bearer <token>`."
    )


def _org_out(org: Organisation) -> OrgOut:
    return OrgOut(id=org.id, name=org.name, slug=org.slug)


def _token_out(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "prefix": token.prefix,
        "scope": token.scope,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
    }


# --- endpoints --------------------------------------------------------------------------------

router = Router(tags=["me"])


@router.get("/me", response=MeOut, summary="Who am I")
def me(request: ApiRequest) -> MeOut:
    person = current_person(request)
    out = person_out(person, timezone.now())
    return MeOut(**out.model_dump(), org=_org_out(person.org))


@router.get("/tokens", response=list[TokenOut], tags=["tokens"], summary="My API tokens")
def list_tokens(request: ApiRequest) -> list[dict[str, Any]]:
    person = current_person(request)
    tokens = queries.tokens_of(person)
    return [_token_out(t) for t in tokens]


@router.post(
    "/tokens",
    response={201: TokenCreated},
    tags=["tokens"],
    summary="Create an API token (signed-in session only, password entered in the last minutes)",
)
def create_token(request: ApiRequest, payload: TokenIn) -> Status[dict[str, Any]]:
    # A token cannot mint tokens: a leaked one could then outlive its own revocation, and the password
    # check below would mean nothing. (A read-only token never gets here: TokenAuth refuses the POST.)
    if getattr(request, "api_token", None) is not None:
        raise PermissionDenied(
            "An API token cannot create tokens: sign in and create one at /settings/tokens/."
        )
    if not recently_authenticated(request):
        raise PermissionDenied(
            f"Enter your password again first: your last sign-in is more than {settings.REAUTH_MINUTES} "
            "minutes old. Sign in again, or confirm your password at /settings/tokens/, then retry."
        )
    token, raw = create_api_token(
        current_person(request), name=payload.name, scope=payload.scope, expires_on=payload.expires_on
    )
    return Status(201, {**_token_out(token), "token": raw})


@router.delete("/tokens/{token_id}", response={204: None}, tags=["tokens"], summary="Revoke one of my tokens")
def delete_token(request: ApiRequest, token_id: Id) -> Status[None]:
    token = get_for_org(request, ApiToken, pk=token_id, person=current_person(request))
    revoke_api_token(token)
    return Status(204, None)
