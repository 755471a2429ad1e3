"""People and teams over JSON: the same queries and actions as the pages, scoped to the caller's org."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictBool, field_validator

from accord.accounts.actions import invite_person
from accord.lib.api import (
    NOT_BLANK,
    ApiRequest,
    BodyId,
    ClockTime,
    Day,
    DayOfMonth,
    Id,
    Input,
    LocalTime,
    LongText,
    Month,
    PageParams,
    Text,
    api_field_names,
    current_person,
    no_null,
    no_null_not_blank,
    reject_null,
    require_admin,
)
from accord.lib.refusals import Forbidden

from . import directory, queries
from .access import get_for_org, of_org
from .actions import check_role_change, save_person, save_team, team_path
from .forms import PersonForm
from .models import Person, Role, Team

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
    q: Text = Field("", max_length=200, description="Search in name, email, title and location.")
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
    )(reject_null)


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

    _admin_not_null = field_validator("email", "role")(reject_null)


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


def _teams_by_id(request: ApiRequest) -> dict[int, Team]:
    # One query for the whole hierarchy, so team paths never walk parents row by row.
    return {t.pk: t for t in of_org(request.org, Team).only("id", "name", "parent_id")}  # type: ignore[attr-defined]


def _apply_person(request: ApiRequest, person: Person, data: dict[str, Any]) -> None:
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
    request: ApiRequest, model: type[Any], pk: int | None, field: str, message: str, **extra: Any
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
def list_people(request: ApiRequest, filters: Query[PeopleFilter]) -> dict[str, Any]:
    team = get_for_org(request, Team, pk=filters.team) if filters.team else None
    # The directory's query: counted and paged in the database, report counts for this page only.
    found = directory.matching(request.org, directory.Filters(q=filters.q.strip(), team=team))
    page = directory.with_report_counts(list(found[filters.offset : filters.offset + filters.limit]))
    by_id = _teams_by_id(request)
    now = timezone.now()
    return {"count": found.count(), "items": [person_out(p, now, by_id) for p in page]}


@router.get("/people/{person_id}", response=PersonOut, summary="Read a person")
def get_person(request: ApiRequest, person_id: Id) -> PersonOut:
    person = get_object_or_404(queries.people(request.org), pk=person_id)
    return person_out(person, timezone.now())


@router.post("/people", response={201: PersonOut}, summary="Add a person (admins)")
def create_person(request: ApiRequest, payload: PersonIn) -> Status[PersonOut]:
    me = require_admin(request)
    data = payload.model_dump(exclude={"invite"})
    person = Person(org=request.org)
    check_role_change(me, person, data.get("role") or Role.MEMBER)
    _apply_person(request, person, data)
    with transaction.atomic():
        _save_person(person)
        if payload.invite:
            invite_person(person, invited_by=me)
    return Status(201, person_out(person, timezone.now()))


@router.patch("/people/{person_id}", response=PersonOut, summary="Change a person")
def update_person(request: ApiRequest, person_id: Id, payload: PersonPatch) -> PersonOut:
    me = current_person(request)
    person = get_object_or_404(queries.people(request.org), pk=person_id)
    data = payload.model_dump(exclude_unset=True)
    if not queries.can_edit(me, person):  # the page's rule: admins, and everyone for themselves
        raise Forbidden("You can change only your own profile.")
    if not me.is_admin:
        admin_only = sorted(set(data) - set(PersonForm.SELF_FIELDS))
        if admin_only:
            raise Forbidden(f"Only admins and owners can change: {', '.join(admin_only)}.")
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

    _not_null = field_validator("name", "description")(reject_null)


def _teams(request: ApiRequest) -> Any:
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


def _apply_team(request: ApiRequest, team: Team, data: dict[str, Any]) -> None:
    for key, value in data.items():
        if key == "parent_id":
            team.parent = _lookup(request, Team, value, key, "No such team in this organisation.")
        else:
            setattr(team, key, value)
    with api_field_names(parent="parent_id"):
        save_team(team)


@router.get("/teams", response=TeamPage, tags=["teams"], summary="List teams")
def list_teams(request: ApiRequest, filters: Query[TeamFilter]) -> dict[str, Any]:
    found = _teams(request).order_by("name", "id")
    if filters.q.strip():
        found = found.filter(name__icontains=filters.q.strip())
    if filters.parent:
        found = found.filter(parent=get_for_org(request, Team, pk=filters.parent))
    page = list(found[filters.offset : filters.offset + filters.limit])
    by_id = _teams_by_id(request)
    return {"count": found.count(), "items": [team_out(t, by_id) for t in page]}


@router.get("/teams/{team_id}", response=TeamOut, tags=["teams"], summary="Read a team")
def get_team(request: ApiRequest, team_id: Id) -> TeamOut:
    return team_out(get_object_or_404(_teams(request), pk=team_id))


@router.post("/teams", response={201: TeamOut}, tags=["teams"], summary="Add a team (admins)")
def create_team(request: ApiRequest, payload: TeamIn) -> Status[TeamOut]:
    require_admin(request)
    team = Team(org=request.org)
    _apply_team(request, team, payload.model_dump())
    return Status(201, team_out(team))


@router.patch("/teams/{team_id}", response=TeamOut, tags=["teams"], summary="Change a team (admins)")
def update_team(request: ApiRequest, team_id: Id, payload: TeamPatch) -> TeamOut:
    require_admin(request)
    team = get_for_org(request, Team, pk=team_id)
    _apply_team(request, team, payload.model_dump(exclude_unset=True))
    return team_out(team)
