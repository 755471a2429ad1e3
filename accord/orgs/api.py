"""People and teams over JSON: the same queries and actions as the pages, scoped to the caller's org."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from annotated_types import MaxLen
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    PlainValidator,
    StrictBool,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.config import JsonDict
from pydantic_core import PydanticCustomError

from accord.accounts.actions import invite_person
from accord.lib.text import TEXT_RULE, line_problem, paragraph_problem

from . import queries
from .access import get_for_org, of_org
from .actions import check_role_change, save_person, save_team, team_path
from .forms import PersonForm
from .models import Person, Role, Team

# --- shared input types -----------------------------------------------------------------------


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


def current_person(request: HttpRequest) -> Person:
    """The authenticated Person; the API's auth classes set it (and request.org) on every request."""
    person: Person = request.person  # type: ignore[attr-defined]
    return person


def require_admin(request: HttpRequest) -> Person:
    me = current_person(request)
    if not me.is_admin:
        raise PermissionDenied("Only admins and owners can do this.")
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


def _reject_null(value: Any) -> Any:
    if value is None:
        raise ValueError("This field cannot be null; leave it out to keep the current value.")
    return value


# --- people -----------------------------------------------------------------------------------

# Spelled out (not Role.values) so the OpenAPI schema lists them; a test keeps the two in step.
RoleName = Literal["member", "admin", "owner"]


class PersonOut(Schema):
    id: int
    name: str = Field(description="Full name.")
    email: str = Field(description="Work email, unique within the organisation.")
    title: str = Field(description="Job title; may be empty.")
    role: RoleName = Field(description="member, admin or owner. Being a manager follows from having reports.")
    team_id: int | None = Field(description="The person's team, if any.")
    team_path: str = Field(
        description="The team's names from the top, e.g. “Support/Level 1”; empty if none."
    )
    manager_id: int | None = Field(description="Who the person reports to, if anyone.")
    is_manager: bool = Field(description="True if anyone active reports to this person.")
    timezone: str = Field(description="IANA time zone, e.g. Europe/Berlin.")
    work_start: ClockTime = Field(description="Working hours start, local wall-clock time.")
    work_end: ClockTime = Field(description="Working hours end, local wall-clock time.")
    work_overnight: bool = Field(description="True if the hours run past midnight (end before they start).")
    work_days: str = Field(
        description="Working days as ISO weekday digits, 1 = Monday … 7 = Sunday, e.g. 12345."
    )
    location: str = Field(description="Free-text location; may be empty.")
    start_date: dt.date | None = Field(description="First day at the organisation.")
    birthday_month: int | None = Field(description="Opt-in birthday month (no year is ever stored).")
    birthday_day: int | None = Field(description="Opt-in birthday day of the month.")
    local_time: dt.datetime = Field(description="The time now in the person's zone, with its UTC offset.")
    utc_offset: str = Field(description="The zone's offset now, e.g. UTC+5:30.")
    is_working_now: bool = Field(description="Whether now falls inside the declared working hours and days.")
    next_working_start: dt.datetime | None = Field(
        description="When working hours next begin (local time), if not working now."
    )


class PersonPage(Schema):
    count: int = Field(description="How many people match, across all pages.")
    items: list[PersonOut]


class PeopleFilter(PageParams):
    q: Text = Field("", max_length=200, description="Search in name, title and location.")
    team: Id | None = Field(None, description="Only people in this team or in any team inside it.")


class PersonSelfIn(Input):
    """What anyone may change about themselves. Leave a field out to keep its value."""

    name: Text | None = Field(
        None, min_length=1, max_length=200, json_schema_extra=no_null_not_blank, description="Full name."
    )
    title: Text | None = Field(None, json_schema_extra=no_null, max_length=200, description="Job title.")
    timezone: Text | None = Field(
        None, json_schema_extra=no_null, max_length=64, description="IANA time zone, e.g. America/Bogota."
    )
    work_start: LocalTime | None = Field(
        None, json_schema_extra=no_null, description="Working hours start, e.g. 09:00."
    )
    work_end: LocalTime | None = Field(
        None, json_schema_extra=no_null, description="Working hours end, e.g. 17:30; after work_start."
    )
    work_overnight: StrictBool | None = Field(
        None,
        json_schema_extra=no_null,
        description="true for hours that run past midnight; work_end is then before work_start.",
    )
    work_days: Text | None = Field(
        None,
        json_schema_extra=no_null,
        max_length=7,
        description="ISO weekday digits, 1 = Monday … 7 = Sunday, e.g. 12345.",
    )
    location: Text | None = Field(
        None, json_schema_extra=no_null, max_length=200, description="Free-text location."
    )
    birthday_month: Month | None = Field(None, description="Opt-in; give both month and day, or null both.")
    birthday_day: DayOfMonth | None = Field(
        None, description="Opt-in; give both month and day, or null both."
    )

    _not_null = field_validator(
        "name", "title", "timezone", "work_start", "work_end", "work_overnight", "work_days", "location"
    )(_reject_null)


class PersonPatch(PersonSelfIn):
    """Admins and owners may change these too, for anyone."""

    email: Text | None = Field(
        None,
        json_schema_extra=no_null,
        max_length=254,
        description="Work email, unique within the organisation.",
    )
    role: RoleName | None = Field(None, json_schema_extra=no_null, description="member, admin or owner.")
    team_id: BodyId | None = Field(None, description="Team id, or null for no team.")
    manager_id: BodyId | None = Field(None, description="Manager's person id, or null for nobody.")
    start_date: Day | None = Field(None, description="First day at the organisation.")

    _admin_not_null = field_validator("email", "role")(_reject_null)


class PersonIn(Input):
    name: Text = Field(min_length=1, max_length=200, json_schema_extra=NOT_BLANK, description="Full name.")
    email: Text = Field(max_length=254, description="Work email, unique within the organisation.")
    title: Text = Field("", max_length=200, description="Job title.")
    role: RoleName = Field("member", description="member, admin or owner.")
    team_id: BodyId | None = Field(None, description="Team id.")
    manager_id: BodyId | None = Field(None, description="Manager's person id.")
    timezone: Text = Field("UTC", max_length=64, description="IANA time zone, e.g. Asia/Kolkata.")
    work_start: LocalTime = Field(dt.time(9, 0), description="Working hours start, local time.")
    work_end: LocalTime = Field(
        dt.time(17, 0), description="Working hours end, local time; after work_start."
    )
    work_overnight: StrictBool = Field(
        False, description="true for hours that run past midnight; work_end is then before work_start."
    )
    work_days: Text = Field("12345", max_length=7, description="ISO weekday digits, 1 = Monday … 7 = Sunday.")
    location: Text = Field("", max_length=200, description="Free-text location.")
    start_date: Day | None = Field(None, description="First day at the organisation.")
    birthday_month: Month | None = Field(None, description="Opt-in birthday month.")
    birthday_day: DayOfMonth | None = Field(None, description="Opt-in birthday day of the month.")
    invite: StrictBool = Field(False, description="Email the person an invitation to sign in.")


def person_out(person: Person, now: dt.datetime, teams_by_id: dict[int, Team] | None = None) -> PersonOut:
    """One person as the API shows them. Lists pass `teams_by_id` and annotate `report_count`, so that
    many people cost no more queries than one."""
    report_count = getattr(person, "report_count", None)
    is_manager = (
        report_count > 0 if report_count is not None else person.reports.filter(is_active=True).exists()
    )
    team = teams_by_id.get(person.team_id) if teams_by_id is not None and person.team_id else person.team
    clock = queries.clock(person, now)
    return PersonOut(
        id=person.pk,
        name=person.name,
        email=person.email,
        title=person.title,
        role=person.role,  # type: ignore[arg-type]
        team_id=person.team_id,
        team_path=team_path(team, teams_by_id),
        manager_id=person.manager_id,
        is_manager=is_manager,
        timezone=person.timezone,
        work_start=person.work_start,
        work_end=person.work_end,
        work_overnight=person.work_overnight,
        work_days=person.work_days,
        location=person.location,
        start_date=person.start_date,
        birthday_month=person.birthday_month,
        birthday_day=person.birthday_day,
        local_time=clock.local,
        utc_offset=clock.offset,
        is_working_now=clock.working,
        next_working_start=clock.next_start,
    )


def _teams_by_id(request: HttpRequest) -> dict[int, Team]:
    # One query for the whole hierarchy, so team paths never walk parents row by row.
    return {t.pk: t for t in of_org(request.org, Team).only("id", "name", "parent_id")}  # type: ignore[attr-defined]


def _apply_person(request: HttpRequest, person: Person, data: dict[str, Any]) -> None:
    """Copy validated input onto the person, resolving ids inside the caller's organisation only."""
    for key, value in data.items():
        if key == "team_id":
            person.team = _lookup(request, Team, value, key, "No such team in this organisation.")
        elif key == "manager_id":
            # Like the page's manager choices: only active people can take reports.
            person.manager = _lookup(
                request, Person, value, key, "No such person in this organisation.", is_active=True
            )
        else:
            setattr(person, key, value)


def _lookup(
    request: HttpRequest, model: type[Any], pk: int | None, field: str, message: str, **extra: Any
) -> Any:
    """An id from the body, resolved in the caller's org only; anything else is a field error (400)."""
    if pk is None:
        return None
    found = of_org(request.org, model).filter(pk=pk, **extra).first()  # type: ignore[attr-defined]
    if found is None:
        raise ValidationError({field: [message]})
    return found


def _save_person(person: Person) -> None:
    with api_field_names(team="team_id", manager="manager_id"):
        save_person(person)


router = Router(tags=["people"])


@router.get("/people", response=PersonPage, summary="List people")
def list_people(request: HttpRequest, filters: Query[PeopleFilter]) -> dict[str, Any]:
    team = get_for_org(request, Team, pk=filters.team) if filters.team else None
    found = queries.directory(request.org, q=filters.q.strip(), team=team).order_by("name", "id")  # type: ignore[attr-defined]
    page = list(found[filters.offset : filters.offset + filters.limit])
    by_id = _teams_by_id(request)
    now = timezone.now()
    return {"count": found.count(), "items": [person_out(p, now, by_id) for p in page]}


@router.get("/people/{person_id}", response=PersonOut, summary="Read a person")
def get_person(request: HttpRequest, person_id: Id) -> PersonOut:
    person = get_object_or_404(queries.people(request.org), pk=person_id)  # type: ignore[attr-defined]
    return person_out(person, timezone.now())


@router.post("/people", response={201: PersonOut}, summary="Add a person (admins)")
def create_person(request: HttpRequest, payload: PersonIn) -> Status[PersonOut]:
    me = require_admin(request)
    data = payload.model_dump(exclude={"invite"})
    person = Person(org=request.org)  # type: ignore[attr-defined]
    check_role_change(me, person, data.get("role") or Role.MEMBER)
    _apply_person(request, person, data)
    with transaction.atomic():
        _save_person(person)
        if payload.invite:
            invite_person(person, invited_by=me)
    return Status(201, person_out(person, timezone.now()))


@router.patch("/people/{person_id}", response=PersonOut, summary="Change a person")
def update_person(request: HttpRequest, person_id: Id, payload: PersonPatch) -> PersonOut:
    me = current_person(request)
    person = get_object_or_404(queries.people(request.org), pk=person_id)  # type: ignore[attr-defined]
    data = payload.model_dump(exclude_unset=True)
    if not queries.can_edit(me, person):  # the page's rule: admins, and everyone for themselves
        raise PermissionDenied("You can change only your own profile.")
    if not me.is_admin:
        admin_only = sorted(set(data) - set(PersonForm.SELF_FIELDS))
        if admin_only:
            raise PermissionDenied(f"Only admins and owners can change: {', '.join(admin_only)}.")
    if "role" in data:
        check_role_change(me, person, data["role"])
    _apply_person(request, person, data)
    _save_person(person)
    return person_out(person, timezone.now())


# --- teams ------------------------------------------------------------------------------------


class TeamOut(Schema):
    id: int
    name: str = Field(description="The team's name, unique among its siblings.")
    path: str = Field(description="The team's names from the top, e.g. “Support/Level 1”.")
    parent_id: int | None = Field(description="The team this one sits inside, if any.")
    description: str = Field(description="Free text; may be empty.")
    member_count: int = Field(description="Active people directly in this team.")


class TeamPage(Schema):
    count: int = Field(description="How many teams match, across all pages.")
    items: list[TeamOut]


class TeamFilter(PageParams):
    q: Text = Field("", max_length=200, description="Search in team names.")
    parent: Id | None = Field(None, description="Only the teams directly inside this team.")


class TeamIn(Input):
    name: Text = Field(
        max_length=120, json_schema_extra=NOT_BLANK, description="The team's name; cannot contain “/”."
    )
    parent_id: BodyId | None = Field(
        None, description="The team this one sits inside, or null for the top level."
    )
    description: LongText = Field("", max_length=5000, description="Free text.")


class TeamPatch(Input):
    """Leave a field out to keep its value."""

    name: Text | None = Field(
        None,
        json_schema_extra=no_null_not_blank,
        max_length=120,
        description="The team's name; cannot contain “/”.",
    )
    parent_id: BodyId | None = Field(
        None, description="The team this one sits inside, or null for the top level."
    )
    description: LongText | None = Field(
        None, json_schema_extra=no_null, max_length=5000, description="Free text."
    )

    _not_null = field_validator("name", "description")(_reject_null)


def _teams(request: HttpRequest) -> Any:
    return of_org(request.org, Team).annotate(  # type: ignore[attr-defined]
        member_count=Count("members", filter=Q(members__is_active=True))
    )


def team_out(team: Team, teams_by_id: dict[int, Team] | None = None) -> TeamOut:
    member_count = getattr(team, "member_count", None)
    if member_count is None:
        member_count = team.members.filter(is_active=True).count()
    return TeamOut(
        id=team.pk,
        name=team.name,
        path=team_path(team, teams_by_id),
        parent_id=team.parent_id,
        description=team.description,
        member_count=member_count,
    )


def _apply_team(request: HttpRequest, team: Team, data: dict[str, Any]) -> None:
    for key, value in data.items():
        if key == "parent_id":
            team.parent = _lookup(request, Team, value, key, "No such team in this organisation.")
        else:
            setattr(team, key, value)
    with api_field_names(parent="parent_id"):
        save_team(team)


@router.get("/teams", response=TeamPage, tags=["teams"], summary="List teams")
def list_teams(request: HttpRequest, filters: Query[TeamFilter]) -> dict[str, Any]:
    found = _teams(request).order_by("name", "id")
    if filters.q.strip():
        found = found.filter(name__icontains=filters.q.strip())
    if filters.parent:
        found = found.filter(parent=get_for_org(request, Team, pk=filters.parent))
    page = list(found[filters.offset : filters.offset + filters.limit])
    by_id = _teams_by_id(request)
    return {"count": found.count(), "items": [team_out(t, by_id) for t in page]}


@router.get("/teams/{team_id}", response=TeamOut, tags=["teams"], summary="Read a team")
def get_team(request: HttpRequest, team_id: Id) -> TeamOut:
    return team_out(get_object_or_404(_teams(request), pk=team_id))


@router.post("/teams", response={201: TeamOut}, tags=["teams"], summary="Add a team (admins)")
def create_team(request: HttpRequest, payload: TeamIn) -> Status[TeamOut]:
    require_admin(request)
    team = Team(org=request.org)  # type: ignore[attr-defined]
    _apply_team(request, team, payload.model_dump())
    return Status(201, team_out(team))


@router.patch("/teams/{team_id}", response=TeamOut, tags=["teams"], summary="Change a team (admins)")
def update_team(request: HttpRequest, team_id: Id, payload: TeamPatch) -> TeamOut:
    require_admin(request)
    team = get_for_org(request, Team, pk=team_id)
    _apply_team(request, team, payload.model_dump(exclude_unset=True))
    return team_out(team)
