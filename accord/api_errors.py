"""The API's error bodies, and the one place that documents them on every operation.

The bodies themselves are written by the exception handlers in `accord/api.py` (and by the few endpoints
that answer a refusal with `Status(409, Problem(...))`); this module says what they look like, so that the
published schema and the answers agree. It lives apart from `accord/api.py` because app routers import
`Problem`, and `accord/api.py` imports the routers.
"""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from pydantic.json_schema import SkipJsonSchema

COMPONENTS = "#/components/schemas/"


def _no_default(schema: dict[str, Any]) -> None:
    # The default (None) is never sent: the field is left out instead.
    schema.pop("default", None)


class Problem(Schema):
    """Every 4xx but a request the schema refuses (422): a sentence, and per-field messages for a 400."""

    detail: str = Field(description="What went wrong, in a sentence meant for people.")
    # Left out of the body (never null) when there is nothing per field: absent, not nullable, in the schema.
    errors: dict[str, list[str]] | SkipJsonSchema[None] = Field(
        None,
        exclude_if=lambda value: value is None,
        json_schema_extra=_no_default,
        description="For a 400 from a broken rule: messages per field, under the name the API uses for it "
        "(`__all__` for the input as a whole).",
    )


class ValidationIssue(Schema):
    """One entry of a 422: pydantic's error, as django-ninja reports it."""

    type: str = Field(description="A machine-readable kind, e.g. `missing`, `string_too_long`.")
    loc: list[str | int] = Field(
        description="Where: the part of the request (`body`, `query`, `path`) then the field's path."
    )
    msg: str = Field(description="A sentence for people.")
    ctx: dict[str, Any] | SkipJsonSchema[None] = Field(
        None,
        exclude_if=lambda value: value is None,
        json_schema_extra=_no_default,
        description='The limit that was broken, when there is one, e.g. `{"le": 200}`.',
    )


class ValidationProblem(Schema):
    """The request does not fit the schema (a type, a limit, a missing or unknown field): 422."""

    detail: list[ValidationIssue]


# Why each status can happen; which operations can give it is decided in `error_statuses`.
WHY = {
    400: "A business rule refused the input (see `errors` per field), or the body is not JSON that can be "
    "stored.",
    401: "No valid API token or signed-in session.",
    403: "Signed in, but not allowed to do this (or, with a session, the CSRF token is missing).",
    404: "No such object in your organisation, or you may not see it.",
    409: "The request conflicts with the current state, or with a change made at the same time.",
    422: "The request does not match this schema.",
}
UNSAFE = {"post", "put", "patch", "delete"}


def error_statuses(method: str, operation: dict[str, Any]) -> set[int]:
    """The 4xx an operation can answer whatever it does, from what its published shape says about it."""
    params = {p.get("in") for p in operation.get("parameters", [])}
    has_body = "requestBody" in operation
    found = {401, 403} if operation.get("security") else set()
    if params or has_body:
        found |= {404, 422}
    if has_body or "query" in params or method in UNSAFE:
        found.add(400)
    if method in UNSAFE:
        found.add(409)
    return found


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the error responses each operation can give, with their bodies, unless it declares its own."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (Problem, ValidationProblem):
        produced = model.model_json_schema(ref_template=COMPONENTS + "{model}", mode="serialization")
        components.update(produced.pop("$defs", {}))
        components[model.__name__] = produced
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            for status in sorted(error_statuses(method, operation)):
                name = "ValidationProblem" if status == 422 else "Problem"
                responses.setdefault(
                    status,
                    {
                        "description": WHY[status],
                        "content": {"application/json": {"schema": {"$ref": COMPONENTS + name}}},
                    },
                )
    return schema
