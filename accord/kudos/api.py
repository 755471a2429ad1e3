"""Kudos and company values over JSON: the same actions and queries as the pages, in the caller's
organisation only.

A private kudos answers 404 to anyone who may not read it, exactly like an id of another organisation.
Broken rules (nobody to thank, only yourself, someone outside the organisation, an empty message, a
value that is not one of yours) are a 400 naming the field; writing values needs an admin (403).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictBool, field_validator

from accord.lib.api import (
    NOT_BLANK,
    ApiRequest,
    BodyId,
    Id,
    Input,
    LongText,
    PageParams,
    Text,
    current_person,
    no_null,
    no_null_not_blank,
    require_admin,
)
from accord.orgs.access import get_for_org
from accord.orgs.models import Person, Team

from . import queries
from .actions import BAD_VALUE, OTHER_ORG, give_kudos, save_value, toggle_reaction
from .models import MESSAGE_MAX, VALUE_DESCRIPTION_MAX, VALUE_NAME_MAX, CompanyValue, Kudos

router = Router(tags=["kudos"])

Kind = Literal["heart", "star", "sun", "smile", "agree"]


class PersonRef(Schema):
    id: int
    name: str


class ReactionOut(Schema):
    kind: Kind
    label: str
    count: int = Field(description="How many people reacted this way.")
    mine: bool = Field(description="Whether I did.")


class KudosOut(Schema):
    id: int
    giver: PersonRef
    recipients: list[PersonRef]
    message: str
    value_id: int | None
    value_name: str | None
    public: bool = Field(
        description="Public kudos show on the organisation feed and the recipients' team feeds.",
    )
    share_with_manager: bool = Field(
        description="Private kudos only: the recipients' managers (at the time) may read it too."
    )
    visible_to: str = Field(description="Who can read it, in words.")
    created_at: dt.datetime
    reactions: list[ReactionOut]


class KudosPage(Schema):
    count: int = Field(description="How many kudos match, across all pages.")
    items: list[KudosOut]


class KudosFilter(PageParams):
    team: Id | None = Field(None, description="Only kudos to people in this team (at the time).")
    person: Id | None = Field(None, description="Only kudos this person received.")


def kudos_out(k: Kudos) -> KudosOut:
    return KudosOut(
        id=k.pk,
        giver=PersonRef(id=k.giver.pk, name=k.giver.name),
        recipients=[PersonRef(id=p.pk, name=p.name) for p in k.people],  # type: ignore[attr-defined]
        message=k.message,
        value_id=k.value_id,
        value_name=k.value.name if k.value else None,
        public=k.public,
        share_with_manager=k.share_with_manager,
        visible_to=queries.audience_words(k),
        created_at=k.created_at,
        reactions=[
            ReactionOut(kind=r.kind, label=r.label, count=r.count, mine=r.mine)
            for r in k.reaction_counts  # type: ignore[attr-defined]
        ],
    )


def _visible(request: ApiRequest, kudos_id: int) -> Kudos:
    me = current_person(request)
    found = queries.access_kudos(me, kudos_id)
    queries.decorate([found], me)
    return found


@router.get("/kudos", response=KudosPage, summary="List the kudos I may read, newest first")
def list_kudos(request: ApiRequest, filters: Query[KudosFilter]) -> dict[str, Any]:
    me = current_person(request)
    team = get_for_org(request, Team, pk=filters.team) if filters.team else None
    person = get_for_org(request, Person, pk=filters.person) if filters.person else None
    page = queries.feed(me, team=team, person=person, offset=filters.offset, limit=filters.limit)
    counted = queries.visible_kudos(me)
    if team is not None:
        counted = counted.filter(recipients__team=team).distinct()
    if person is not None:
        counted = counted.filter(recipients__person=person).distinct()
    return {"count": counted.count(), "items": [kudos_out(k) for k in page]}


@router.get(
    "/kudos/{kudos_id}", response=KudosOut, summary="Read one kudos (404 if it is private and not mine)"
)
def get_kudos(request: ApiRequest, kudos_id: Id) -> KudosOut:
    return kudos_out(_visible(request, kudos_id))


class KudosIn(Input):
    recipient_ids: list[BodyId] = Field(
        max_length=200,
        json_schema_extra={"minItems": 1},  # checked by the action, with the page's message
        description="The people to thank: at least one, in your organisation, not yourself.",
    )
    message: LongText = Field(
        max_length=MESSAGE_MAX, json_schema_extra=NOT_BLANK, description="What they did; must not be empty."
    )
    value_id: BodyId | None = Field(None, description="One of the organisation's active values, or null.")
    public: StrictBool = Field(True, description="false for a private kudos.")
    share_with_manager: StrictBool = Field(
        False, description="Private kudos only: let each recipient's manager read it too."
    )


@router.post(
    "/kudos",
    response={201: KudosOut},
    summary="Give kudos",
    description="400 with the field named: no recipient, only yourself, someone outside the organisation, "
    "an empty message or a value that is not one of the organisation's active values.",
)
def create_kudos(request: ApiRequest, payload: KudosIn) -> Status[KudosOut]:
    me = current_person(request)
    ids = set(payload.recipient_ids)
    people = queries.active_people(me.org_id, ids)
    if len(people) != len(ids):
        raise ValidationError({"recipient_ids": [OTHER_ORG]})
    value = None
    if payload.value_id is not None:
        value = queries.value_of(me.org_id, payload.value_id)
        if value is None:
            raise ValidationError({"value_id": [BAD_VALUE]})
    try:
        kudos = give_kudos(
            me,
            recipients=people,
            message=payload.message,
            value=value,
            public=payload.public,
            share_with_manager=payload.share_with_manager,
        )
    except ValidationError as exc:
        names = {"recipients": "recipient_ids", "value": "value_id"}
        raise ValidationError({names.get(k, k): v for k, v in exc.message_dict.items()}) from exc
    return Status(201, kudos_out(_visible(request, kudos.pk)))


class ReactionIn(Input):
    kind: Kind = Field(description="Which reaction to switch on (or off, if it is already mine).")


@router.post(
    "/kudos/{kudos_id}/reactions",
    response=KudosOut,
    summary="Toggle one of my reactions on a kudos",
    description="One reaction of each kind per person: sending a kind I already gave takes it back.",
)
def react(request: ApiRequest, kudos_id: Id, payload: ReactionIn) -> KudosOut:
    kudos = _visible(request, kudos_id)
    toggle_reaction(kudos, current_person(request), payload.kind)
    return kudos_out(_visible(request, kudos_id))


# --- company values ----------------------------------------------------------------------------


class ValueOut(Schema):
    id: int
    name: str
    description: str
    active: bool = Field(description="Only active values can be chosen for new kudos.")


class ValueIn(Input):
    name: Text = Field(max_length=VALUE_NAME_MAX, json_schema_extra=NOT_BLANK)
    description: Text = Field("", max_length=VALUE_DESCRIPTION_MAX)
    active: StrictBool = True


class ValuePatch(Input):
    """Only the fields sent change; null is refused rather than read as "leave it"."""

    name: Text | None = Field(None, max_length=VALUE_NAME_MAX, json_schema_extra=no_null_not_blank)
    description: Text | None = Field(None, max_length=VALUE_DESCRIPTION_MAX, json_schema_extra=no_null)
    active: StrictBool | None = Field(None, json_schema_extra=no_null)

    @field_validator("name", "description", "active", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("This field cannot be null; leave it out to keep the current value.")
        return value


def value_out(v: CompanyValue) -> ValueOut:
    return ValueOut(id=v.pk, name=v.name, description=v.description, active=v.active)


@router.get("/values", response=list[ValueOut], summary="The organisation's company values")
def list_values(request: ApiRequest) -> list[ValueOut]:
    me = current_person(request)
    return [value_out(v) for v in queries.all_values(me.org_id)]


@router.post("/values", response={201: ValueOut}, summary="Add a company value (admins)")
def create_value(request: ApiRequest, payload: ValueIn) -> Status[ValueOut]:
    me = require_admin(request)
    value = save_value(CompanyValue(org_id=me.org_id), **payload.model_dump())
    return Status(201, value_out(value))


@router.patch("/values/{value_id}", response=ValueOut, summary="Change or retire a company value (admins)")
def update_value(request: ApiRequest, value_id: Id, payload: ValuePatch) -> ValueOut:
    require_admin(request)
    value = get_for_org(request, CompanyValue, pk=value_id)
    saved = save_value(
        value,
        name=value.name if payload.name is None else payload.name,
        description=value.description if payload.description is None else payload.description,
        active=value.active if payload.active is None else payload.active,
    )
    return value_out(saved)
