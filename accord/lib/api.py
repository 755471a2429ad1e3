"""What every app's JSON API shares: the input types, the typed request, and who is calling.

Text types carry the same rules as the pages (accord.lib.text) and publish them in the schema; `Input` is
the base of every body; `ApiRequest` is what the auth classes in accord.accounts.api leave on a request.
Error bodies are described in accord.api_errors and written by the handlers in accord.api.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from annotated_types import MaxLen
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Schema
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    model_validator,
)
from pydantic.config import JsonDict
from pydantic_core import PydanticCustomError

from accord.lib.refusals import Forbidden
from accord.lib.text import TEXT_RULE, line_problem, paragraph_problem
from accord.orgs.models import Organisation, Person


class ApiRequest(HttpRequest):
    """A request that reached an API handler: the auth classes (token or session) have set both."""

    org: Organisation
    person: Person


def _storable(value: str) -> str:
    # Neither database stores NUL in text, and lone surrogates (legal as JSON escapes) cannot be encoded:
    # without this check such input would be a 500 rather than a 422.
    if "\x00" in value:
        raise ValueError("Text cannot contain NUL characters.")
    try:
        value.encode()
    except UnicodeEncodeError:
        raise ValueError("Text must be valid Unicode (no lone surrogates).") from None
    return value


def _written(value: Any) -> Any:
    # Dates and times come as ISO text; pydantic would also read numbers as Unix timestamps, which is
    # never what a client sending working hours or a start date means.
    if isinstance(value, int | float):
        raise ValueError("Give this as ISO text, e.g. 09:00 or 2025-01-31.")
    return value


def _one_line(value: str) -> str:
    # The same rule as the models' `single_line` validator; its own error type lets accord/api.py answer
    # it as a 400 naming the field, like the other content rules the pages check.
    problem = line_problem(value)
    if problem:
        raise PydanticCustomError(TEXT_RULE, problem)
    return value


def _paragraphs(value: str) -> str:
    problem = paragraph_problem(value)
    if problem:
        raise PydanticCustomError(TEXT_RULE, problem)
    return value


# What the text types accept, published as JSON Schema patterns so that clients (and schema fuzzers) know
# the rule of accord.lib.text without sending a request: regex escapes, not characters, so both Python's
# and JavaScript's engines read them alike.
_NOT_IN_A_LINE = r"\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200b-\u200d\u2060\ufeff"
_NOT_IN_PARAGRAPHS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
# What the text types strip from both ends (Unicode White_Space; unlike str.strip() it keeps U+001C-U+001F,
# which the rules refuse), spelled out rather than `\s`, on which the two regex engines disagree.
_BLANK = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Both ends are stripped before the rule applies, so they may hold any of the stripped characters.
LINE_PATTERN = f"^[{_BLANK}]*[^{_NOT_IN_A_LINE}]*[{_BLANK}]*$"
PARAGRAPHS_PATTERN = f"^[{_BLANK}]*[^{_NOT_IN_PARAGRAPHS}]*[{_BLANK}]*$"
# The same set as characters, for str.strip().
_STRIPPED = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000"
)
_REFUSED = {LINE_PATTERN: _NOT_IN_A_LINE, PARAGRAPHS_PATTERN: _NOT_IN_PARAGRAPHS}


def _strip(value: str) -> str:
    return value.strip(_STRIPPED)


class WithJsonSchemaPattern:
    """Publishes the text rule a type's validator applies as the pattern of its JSON Schema. The validator
    stays the judge (its message names the character); the pattern only tells clients what will pass."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> JsonDict:
        schema: JsonDict = handler(core_schema)
        schema["pattern"] = self.pattern
        return schema


# Stripped like Django form fields, so "  " is as empty here as on the pages — but after the field's length
# limits are checked, so that `maxLength` in the schema counts what the client sent. `Text` is one line
# (names, titles, subjects); `LongText` is what the pages show as a text area (notes, descriptions, messages).
Text = Annotated[
    str,
    AfterValidator(_storable),
    AfterValidator(_strip),
    AfterValidator(_one_line),
    WithJsonSchemaPattern(LINE_PATTERN),
]
LongText = Annotated[
    str,
    AfterValidator(_storable),
    AfterValidator(_strip),
    AfterValidator(_paragraphs),
    WithJsonSchemaPattern(PARAGRAPHS_PATTERN),
]


Day = Annotated[dt.date, BeforeValidator(_written)]

# A wall-clock time of day as HH:MM or HH:MM:SS. Not OpenAPI's `format: time`, which requires an offset:
# these times are local to a person's (or a series', a shift's) own zone, and an offset would be ambiguous
# (SQLite cannot store one anyway). LocalTime reads one; ClockTime writes one, always with seconds.
CLOCK_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
_CLOCK_SCHEMA = WithJsonSchema({"type": "string", "pattern": CLOCK_PATTERN, "examples": ["09:00"]})


def _clock(value: Any) -> dt.time:
    if isinstance(value, dt.time) and value.tzinfo is None:
        return value  # built in Python, e.g. from a model; JSON only ever brings text
    if not isinstance(value, str) or not re.fullmatch(CLOCK_PATTERN, value):
        raise ValueError(
            "Give a local time as HH:MM or HH:MM:SS, e.g. 09:00, without an offset; "
            "the zone is the person's timezone."
        )
    return dt.time.fromisoformat(value)


LocalTime = Annotated[dt.time, PlainValidator(_clock), _CLOCK_SCHEMA]
ClockTime = Annotated[
    dt.time, PlainSerializer(lambda value: value.strftime("%H:%M:%S"), return_type=str), _CLOCK_SCHEMA
]


def NOT_BLANK(schema: JsonDict) -> None:  # noqa: N802 - used like the JSON dicts beside it
    """`json_schema_extra` for text that must not be blank once stripped: at least one character that
    stripping keeps, and (for the text types) none that the type refuses."""
    refused = _REFUSED.get(str(schema.get("pattern", "")))
    schema["minLength"] = 1
    schema["pattern"] = (
        f"^[{_BLANK}]*[^{refused}]*[^{refused}{_BLANK}][^{refused}]*[{_BLANK}]*$"
        if refused
        else f"[^{_BLANK}]"
    )


def no_null(schema: dict[str, Any]) -> None:
    """`json_schema_extra` for a field one may leave out (to keep a value) but not send as null: the field
    refuses null, so its published schema must not offer it."""
    options = [option for option in schema.pop("anyOf", []) if option.get("type") != "null"]
    if len(options) == 1:
        schema.update(options[0])
    elif options:
        schema["anyOf"] = options
    schema.pop("default", None)


def no_null_not_blank(schema: dict[str, Any]) -> None:
    no_null(schema)
    NOT_BLANK(schema)


# No id exceeds a signed 64-bit integer, and SQLite's driver raises on such ids instead of matching nothing.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


def _json_number(value: Any) -> Any:
    # In JSON bodies numbers must be numbers: otherwise `true` would quietly become person 1 and "5" a 5.
    # Unlike pydantic's Strict, 2.0 is read as 2: JSON Schema's `integer` includes it.
    if isinstance(value, bool | str | bytes):
        raise ValueError("Give a whole number, not text or true/false.")
    return value


WholeNumber = BeforeValidator(_json_number)
BodyId = Annotated[int, Field(ge=1, le=2**63 - 1), WholeNumber]
Month = Annotated[int, Field(ge=1, le=12), WholeNumber]
DayOfMonth = Annotated[int, Field(ge=1, le=31), WholeNumber]
# Keys of a JSON object that stand for ids, e.g. {"12": 4}.
ID_KEYS: JsonDict = {"propertyNames": {"pattern": "^[1-9][0-9]{0,18}$"}}


class Input(BaseModel):
    """Base of every JSON body: a plain pydantic model, so anything but an object is a 422, and unknown
    fields are refused rather than silently ignored (a typo in a PATCH must not look like success)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _sent_lengths(cls, data: Any) -> Any:
        # The text types strip both ends before a field's own max_length is checked, so a value padded with
        # blanks past the limit would pass although the schema's maxLength refuses it: count what was sent.
        if isinstance(data, dict):
            for name, field in cls.model_fields.items():
                value = data.get(field.alias or name)
                limit = next((m.max_length for m in field.metadata if isinstance(m, MaxLen)), None)
                if isinstance(value, str) and limit is not None and len(value) > limit:
                    raise PydanticCustomError(
                        "string_too_long",
                        "{field}: at most {max_length} characters, spaces included.",
                        {"field": name, "max_length": limit},
                    )
        return data


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=200, description="How many items to return (at most 200).")
    offset: int = Field(0, ge=0, le=10**9, description="How many items to skip.")


def current_person(request: ApiRequest) -> Person:
    """The authenticated Person; the API's auth classes set it (and request.org) on every request."""
    return request.person


def require_admin(request: ApiRequest) -> Person:
    me = request.person
    if not me.is_admin:
        raise Forbidden("Only admins and owners can do this.")
    return me


@contextmanager
def api_field_names(**rename: str) -> Iterator[None]:
    """Report rule violations under the names the API uses (`manager_id`, not the model's `manager`)."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError({rename.get(k, k): v for k, v in exc.message_dict.items()}) from exc


def reject_null(value: Any) -> Any:
    """A field validator for fields one may leave out (to keep a value) but not send as null."""
    if value is None:
        raise ValueError("This field cannot be null; leave it out to keep the current value.")
    return value
