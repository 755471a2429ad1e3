"""The REST API at /api/: one NinjaAPI, authentication, error shapes, and every app's router.

Each app keeps its endpoints in its own `api.py` with a `router`; adding one is a line in ROUTERS.
Interactive docs are at /api/docs, the schema at /api/openapi.json.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, ValidationErrorContext
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser
from ninja.types import DictStrAny

from accord.accounts.api import TokenRefused, session_auth, token_auth
from accord.api_errors import document_errors
from accord.lib.text import TEXT_RULE


class StorableJSONParser(Parser):
    """JSON bodies whose strings a database can store: no NUL, no lone surrogates (both legal JSON).

    Fields should still validate their own text (accord.orgs.api.Text) for a per-field message; this is
    the safety net that turns such input into a 400 on every endpoint instead of a 500 in the database.
    """

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        data = super().parse_body(request)
        _check_storable(data)
        return data


def _check_storable(value: Any) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("NUL character in text")
        value.encode()  # raises UnicodeEncodeError on a lone surrogate
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_storable(key)
            _check_storable(item)
    elif isinstance(value, list):
        for item in value:
            _check_storable(item)


class AccordAPI(NinjaAPI):
    """A NinjaAPI whose published schema also lists the error answers every operation can give."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: DictStrAny | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_errors(schema)
        return schema

    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext]
    ) -> NinjaValidationError:
        # django-ninja reads a JSON body into the handler's argument (`payload`) and puts that name in `loc`.
        # No client sends it, and schema fuzzers read it as a nested object: drop it, so that `loc` is the
        # field's path in the request, e.g. ["body", "title"].
        found = super().validation_error_from_error_contexts(error_contexts)
        names = {getattr(c.model, "__read_from_single_attr__", None) for c in error_contexts} - {None}
        for item in found.errors:
            loc = tuple(item["loc"])
            if len(loc) > 1 and loc[0] == "body" and loc[1] in names:
                item["loc"] = (loc[0], *loc[2:])
        return found


api = AccordAPI(
    title="Accord API",
    version="1",
    description=(
        "Authenticate with a personal API token (`Authorization: Bearer acc_…`, made at /settings/tokens/) "
        "or, from the browser, with your signed-in session (unsafe methods then need the CSRF token). "
        "Every endpoint answers for the organisation of the person the token or session belongs to."
    ),
    urls_namespace="api",
    docs_url="/docs",
    # Swagger UI's default validator badge would fetch from validator.swagger.io; every asset stays local.
    docs=Swagger(settings={"validatorUrl": None, "deepLinking": False}),
    # Token first: a request that carries one is judged by it alone (see SessionAuth).
    auth=[token_auth, session_auth],
    parser=StorableJSONParser(),
)

# (URL prefix, dotted path of a ninja Router). Imported by path so that an app's api module loads
# only when the API is built.
ROUTERS: list[tuple[str, str]] = [
    ("/", "accord.accounts.api.router"),
    ("/", "accord.orgs.api.router"),
    ("/", "accord.pulse.api.router"),
    ("/", "accord.pulse.api_results.router"),
    ("/", "accord.goals.api.router"),
    ("/", "accord.checkins.api.router"),
    ("/", "accord.meetings.api.router"),
    ("/", "accord.kudos.api.router"),
    ("/", "accord.rhythm.api.router"),
    ("/", "accord.handoffs.api.router"),
    ("/", "accord.connect.api.router"),
]
for prefix, router in ROUTERS:
    api.add_router(prefix, router)


# Each handler below answers with the body that accord.api_errors.Problem publishes.


def _detail(exc: Exception, default: str) -> str:
    message = str(exc.args[0]) if exc.args and isinstance(exc.args[0], str) else ""
    return message or default


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A broken business rule (same checks as the pages): 400 with messages per field."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    first = next((msgs[0] for msgs in errors.values() if msgs), "Invalid input.")
    return api.create_response(request, {"detail": first, "errors": errors}, status=400)


@api.exception_handler(NinjaValidationError)
def on_input_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """Malformed input is ninja's 422. Text with a line break or an invisible character where the pages
    would refuse it is a content rule like the others above: a 400 with the message under the field."""
    if not exc.errors or any(error.get("type") != TEXT_RULE for error in exc.errors):
        return api.create_response(request, {"detail": exc.errors}, status=422)
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        # ("body", "links", 0) names "links" (AccordAPI drops the handler's argument name); ("query", "q")
        # names "q".
        loc = list(error.get("loc", ()))
        names = [part for part in loc[1:] if isinstance(part, str)]
        errors.setdefault(names[0] if names else "__all__", []).append(str(error.get("msg", "")))
    first = next(iter(errors.values()))[0]
    return api.create_response(request, {"detail": first, "errors": errors}, status=400)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # Same answer for "does not exist" and "belongs to another organisation": ids reveal nothing.
    return api.create_response(request, {"detail": "Not found"}, status=404)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": _detail(exc, "You are not allowed to do this.")}, status=403
    )


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    # Only a genuine token says why it was refused (expired); an unknown one learns nothing.
    detail = (
        str(exc)
        if isinstance(exc, TokenRefused)
        else "Authentication required: send a valid API token or sign in."
    )
    response = api.create_response(request, {"detail": detail}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="accord"'
    return response


@api.exception_handler(IntegrityError)
def on_conflict(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    # The actions check uniqueness first; this only answers a race between two concurrent writes.
    return api.create_response(
        request, {"detail": "That conflicts with a change made at the same time."}, status=409
    )
