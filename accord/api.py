"""The REST API at /api/: one NinjaAPI, authentication, error shapes, and every app's router.

Each app keeps its endpoints in its own `api.py` with a `router`; adding one is a line in ROUTERS.
Interactive docs are at /api/docs, the schema at /api/openapi.json.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
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
from accord.lib.refusals import Conflict, Forbidden, Gone, Invalid, NotFound, Refused
from accord.lib.text import TEXT_RULE
from accord.pulse.publishing import request_republish
from accord.pulse.queries import ResultsPreparing


class StorableJSONParser(Parser):
    """JSON bodies whose strings a database can store: no NUL, no lone surrogates (both legal JSON).

    Fields should still validate their own text (accord.lib.api.Text) for a per-field message; this is
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
    ("/", "accord.pulse.results.api.router"),
    ("/", "accord.goals.api.router"),
    ("/", "accord.checkins.api.router"),
    ("/", "accord.meetings.api.router"),
    ("/", "accord.kudos.api.router"),
    ("/", "accord.rhythm.api.router"),
    ("/", "accord.handoffs.api.router"),
    ("/", "accord.connect.api.router"),
    ("/", "accord.search.api.router"),
    ("/", "accord.plans.api.router"),
]
for prefix, router in ROUTERS:
    api.add_router(prefix, router)


# --- refusals -----------------------------------------------------------------------------------
# The one table from a refusal to its status. The most specific kind in an exception's class hierarchy
# decides, so an app's own refusal picks its status by what it subclasses: CheckinSent is a CheckinClosed
# and a Conflict, so 409. Django's own exceptions sit beside ours, for the model validation and the
# permission and 404 checks that raise them. Every answer has the body accord.api_errors.Problem publishes.
REFUSAL_STATUS: dict[type[Exception], int] = {
    Refused: 400,
    Invalid: 400,
    ValidationError: 400,
    Forbidden: 403,
    PermissionDenied: 403,
    NotFound: 404,
    Http404: 404,
    Conflict: 409,
    # The actions check uniqueness first; this only answers a race between two concurrent writes.
    IntegrityError: 409,
    Gone: 410,
}
# What a refusal says when it says nothing itself, or must not say it: a 404 is the same for "does not
# exist" and "belongs to another organisation or team", and a database's own words stay in its logs.
SAID = {
    400: "Invalid input.",
    403: "You are not allowed to do this.",
    404: "Not found",
    409: "That conflicts with a change made at the same time.",
    410: "This can no longer be done.",
}
UNSAID = (Http404, IntegrityError)


def refusal_status(exc: Exception) -> int:
    return next(REFUSAL_STATUS[kind] for kind in type(exc).__mro__ if kind in REFUSAL_STATUS)


def refusal_body(exc: Exception) -> dict[str, Any]:
    """What the API says about a refusal: a sentence, and for a 400 the messages per field."""
    status = refusal_status(exc)
    if isinstance(exc, Refused):
        errors = {exc.field or NON_FIELD_ERRORS: [exc.reason]}
    elif isinstance(exc, ValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    else:
        message = exc.args[0] if exc.args and isinstance(exc.args[0], str) else ""
        errors = {NON_FIELD_ERRORS: [message]} if message else {}
    said = next((messages[0] for messages in errors.values() if messages), "")
    if isinstance(exc, UNSAID) or not said:
        return {"detail": SAID[status]}
    return {"detail": said, "errors": errors} if status == 400 else {"detail": said}


def on_refused(request: HttpRequest, exc: Any) -> HttpResponse:  # Any: how django-ninja types handlers
    return api.create_response(request, refusal_body(exc), status=refusal_status(exc))


for _kind in REFUSAL_STATUS:
    api.add_exception_handler(_kind, on_refused)


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


@api.exception_handler(ResultsPreparing)
def on_results_preparing(request: HttpRequest, exc: ResultsPreparing) -> HttpResponse:
    # A request never publishes a pulse round: it asks the worker to (at most one task per round) and
    # says so; the endpoints document this 409.
    request_republish(exc.rounds)
    response = api.create_response(request, {"detail": str(exc)}, status=409)
    response["Retry-After"] = "60"
    return response


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
