"""API authentication (personal tokens and the browser session), `/api/me` and token management."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.security import APIKeyCookie, HttpBearer
from pydantic import StringConstraints

from accord.orgs.access import get_for_org
from accord.orgs.api import Id, Input, PersonOut, Text, current_person, person_out
from accord.orgs.models import Organisation, Person

from .actions import create_api_token, person_for_token, revoke_api_token
from .models import ApiToken

# --- authentication ---------------------------------------------------------------------------


def _sign_in(request: HttpRequest, person: Person) -> Person:
    # Endpoints read the tenant from the request exactly as pages do, whichever way the caller signed in.
    request.person = person  # type: ignore[attr-defined]
    request.org = person.org  # type: ignore[attr-defined]
    return person


class TokenAuth(HttpBearer):
    """`Authorization: Bearer acc_…`: a personal API token, acting as the person who created it."""

    def authenticate(self, request: HttpRequest, token: str) -> Person | None:
        person = person_for_token(token.strip())
        return _sign_in(request, person) if person is not None else None


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


class TokenIn(Input):
    name: TokenName = Field(description="What the token is for, e.g. “Reporting script”.")


class TokenOut(Schema):
    id: int
    name: str = Field(description="What the token is for.")
    prefix: str = Field(description="The first characters of the token, enough to recognise it.")
    created_at: dt.datetime
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
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
    }


# --- endpoints --------------------------------------------------------------------------------

router = Router(tags=["me"])


@router.get("/me", response=MeOut, summary="Who am I")
def me(request: HttpRequest) -> MeOut:
    person = current_person(request)
    out = person_out(person, timezone.now())
    return MeOut(**out.model_dump(), org=_org_out(person.org))


@router.get("/tokens", response=list[TokenOut], tags=["tokens"], summary="My API tokens")
def list_tokens(request: HttpRequest) -> list[dict[str, Any]]:
    person = current_person(request)
    tokens = ApiToken.objects.filter(org=person.org, person=person).order_by("-created_at", "-id")
    return [_token_out(t) for t in tokens]


# A token cannot mint tokens: otherwise a leaked token could outlive its own revocation.
@router.post(
    "/tokens",
    response={201: TokenCreated},
    auth=session_auth,
    tags=["tokens"],
    summary="Create an API token (signed-in session only)",
)
def create_token(request: HttpRequest, payload: TokenIn) -> Status[dict[str, Any]]:
    token, raw = create_api_token(current_person(request), name=payload.name)
    return Status(201, {**_token_out(token), "token": raw})


@router.delete("/tokens/{token_id}", response={204: None}, tags=["tokens"], summary="Revoke one of my tokens")
def delete_token(request: HttpRequest, token_id: Id) -> Status[None]:
    token = get_for_org(request, ApiToken, pk=token_id, person=current_person(request))
    revoke_api_token(token)
    return Status(204, None)
