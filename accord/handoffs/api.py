"""Handoffs over JSON: chains (read), handoffs (list, write, read), acknowledging, and changing an item.
The same actions and rules as the pages (see queries.py); another organisation's object is a 404."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema, Status

from accord.api_errors import Problem
from accord.lib.api import (
    ApiRequest,
    BodyId,
    ClockTime,
    Id,
    Input,
    LongText,
    PageParams,
    Text,
    current_person,
    no_null,
    no_null_not_blank,
)

from . import queries
from .actions import ItemIn, acknowledge, update_item, write_handoff
from .models import MAX_LINKS, TEXT_MAX, TITLE_MAX, Chain, Handoff, Item, Shift

router = Router(tags=["handoffs"])

ItemStatus = Literal["open", "in_progress", "waiting", "closed"]


class HandoffShiftOut(Schema):
    id: int
    position: int
    name: str
    timezone: str
    start: ClockTime = Field(description="Local start, in the shift's zone.")
    end: ClockTime = Field(description="Local end; the next day when overnight.")
    overnight: bool
    days: str = Field(description="ISO weekdays the shift starts on, 1 = Monday.")
    people: list[int]


class HandoffChainOut(Schema):
    id: int
    team_id: int
    name: str
    ack_within: int = Field(description="Minutes after the receiving shift starts before escalation.")
    escalate_after: int = Field(description="Minutes after the first escalation before the manager hears.")
    shifts: list[HandoffShiftOut]


class HandoffEntryOut(Schema):
    item_id: int
    title: str
    owner_id: int
    status: ItemStatus
    next_step: str
    links: list[str]
    carried: int = Field(description="How many shifts the item had been carried when this note was written.")


class HandoffOut(Schema):
    id: int
    chain_id: int
    from_shift_id: int
    to_shift_id: int
    shift_day: dt.date
    author_id: int
    urgent: str
    written_at: dt.datetime
    receiving_starts_at: dt.datetime
    ack_due_at: dt.datetime
    acknowledged_at: dt.datetime | None
    acknowledged_by_id: int | None
    escalation_stage: int = Field(description="0 none, 1 next person on hours, 2 the team's manager.")
    items: list[HandoffEntryOut]


class HandoffItemOut(Schema):
    id: int
    chain_id: int
    title: str
    owner_id: int
    status: ItemStatus
    next_step: str
    links: list[str]
    carried: int
    closed_at: dt.datetime | None


def shift_out(s: Shift) -> HandoffShiftOut:
    return HandoffShiftOut(
        id=s.pk,
        position=s.position,
        name=s.name,
        timezone=s.timezone,
        start=s.start,
        end=s.end,
        overnight=s.overnight,
        days=s.days,
        people=[m.person_id for m in s.members.all()],
    )


def chain_out(c: Chain, shifts: list[Shift]) -> HandoffChainOut:
    return HandoffChainOut(
        id=c.pk,
        team_id=c.team_id,
        name=c.name,
        ack_within=c.ack_within,
        escalate_after=c.escalate_after,
        shifts=[shift_out(s) for s in shifts],
    )


def handoff_out(h: Handoff) -> HandoffOut:
    return HandoffOut(
        id=h.pk,
        chain_id=h.chain_id,
        from_shift_id=h.from_shift_id,
        to_shift_id=h.to_shift_id,
        shift_day=h.shift_day,
        author_id=h.author_id,
        urgent=h.urgent,
        written_at=h.written_at,
        receiving_starts_at=h.receiving_starts_at,
        ack_due_at=h.ack_due_at,
        acknowledged_at=h.acknowledged_at,
        acknowledged_by_id=h.acknowledged_by_id,
        escalation_stage=h.escalation_stage,
        items=[
            HandoffEntryOut(
                item_id=e.item_id,
                title=e.title,
                owner_id=e.owner_id,
                status=e.status,  # type: ignore[arg-type]
                next_step=e.next_step,
                links=e.links,
                carried=e.carried,
            )
            for e in h.entries.all()
        ],
    )


def item_out(i: Item) -> HandoffItemOut:
    return HandoffItemOut(
        id=i.pk,
        chain_id=i.chain_id,
        title=i.title,
        owner_id=i.owner_id,
        status=i.status,  # type: ignore[arg-type]
        next_step=i.next_step,
        links=i.links,
        carried=i.carried,
        closed_at=i.closed_at,
    )


def _chain(request: ApiRequest, chain_id: int) -> Chain:
    return queries.access_chain(current_person(request), chain_id).chain


def _handoff(request: ApiRequest, handoff_id: int) -> Handoff:
    return queries.access_handoff(current_person(request), handoff_id, with_entries=True).handoff


@router.get("/handoffs/chains", response=list[HandoffChainOut], summary="Handoff chains of my organisation")
def list_chains(request: ApiRequest) -> list[HandoffChainOut]:
    me = current_person(request)
    found = list(queries.chains(me.org).prefetch_related("shifts__members"))
    return [chain_out(c, list(c.shifts.all())) for c in found]


@router.get(
    "/handoffs/chains/{chain_id}", response=HandoffChainOut, summary="One handoff chain with its shifts"
)
def get_chain(request: ApiRequest, chain_id: Id) -> HandoffChainOut:
    found = _chain(request, chain_id)
    return chain_out(found, queries.shifts_of(found))


@router.get(
    "/handoffs/chains/{chain_id}/handoffs",
    response=list[HandoffOut],
    summary="A chain's handoffs, newest first",
)
def list_handoffs(request: ApiRequest, chain_id: Id, page: Query[PageParams]) -> list[HandoffOut]:
    found = _chain(request, chain_id)
    rows = queries.handoffs_of(found)[page.offset : page.offset + page.limit]
    return [handoff_out(h) for h in rows]


class HandoffItemIn(Input):
    item_id: BodyId | None = Field(
        None, description="An open item of the chain to carry and update; omit for a new item."
    )
    title: Text = Field("", max_length=TITLE_MAX)
    owner_id: BodyId | None = Field(None, description="Required: exactly one owner.")
    status: ItemStatus = "open"
    next_step: LongText = Field("", max_length=TEXT_MAX)
    links: list[Text] = Field(default_factory=list, max_length=MAX_LINKS)


class HandoffIn(Input):
    from_shift_id: BodyId = Field(description="The outgoing shift; you must be one of its people.")
    urgent: LongText = Field("", max_length=TEXT_MAX)
    items: list[HandoffItemIn] = Field(
        default_factory=list,
        max_length=200,
        description="Open items not listed are carried over unchanged; new ones need a title and an owner.",
    )


@router.post(
    "/handoffs/chains/{chain_id}/handoffs",
    response={201: HandoffOut, 403: Problem, 409: Problem},
    summary="Write the outgoing shift's handoff",
)
def create_handoff(request: ApiRequest, chain_id: Id, payload: HandoffIn) -> Status[HandoffOut]:
    me = current_person(request)
    found = _chain(request, chain_id)
    shift = queries.shift_of(found, payload.from_shift_id)
    if shift is None:
        raise ValidationError({"from_shift_id": ["Not a shift of this chain."]})
    rows = [
        ItemIn(
            item_id=i.item_id,
            title=i.title,
            owner_id=i.owner_id,
            status=i.status,
            next_step=i.next_step,
            links=i.links,
        )
        for i in payload.items
    ]
    # A second handoff for the same shift and day is refused with AlreadyWritten, a 409.
    handoff = write_handoff(found, me, from_shift=shift, items=rows, urgent=payload.urgent)
    return Status(201, handoff_out(_handoff(request, handoff.pk)))


@router.get("/handoffs/{handoff_id}", response=HandoffOut, summary="One handoff with its items as written")
def get_handoff(request: ApiRequest, handoff_id: Id) -> HandoffOut:
    return handoff_out(_handoff(request, handoff_id))


@router.post(
    "/handoffs/{handoff_id}/acknowledge",
    response={200: HandoffOut, 403: Problem},
    summary="Acknowledge a handoff (receiving shift, the team's managers, admins)",
)
def post_acknowledge(request: ApiRequest, handoff_id: Id) -> HandoffOut:
    found = _handoff(request, handoff_id)
    acknowledge(found, current_person(request))
    return handoff_out(_handoff(request, handoff_id))


class HandoffItemPatch(Input):
    title: Text | None = Field(None, max_length=TITLE_MAX, json_schema_extra=no_null_not_blank)
    owner_id: BodyId | None = Field(
        None, json_schema_extra=no_null, description="Re-assign; an item can never be left without an owner."
    )
    status: ItemStatus | None = Field(None, json_schema_extra=no_null)
    next_step: LongText | None = Field(None, json_schema_extra=no_null, max_length=TEXT_MAX)
    links: list[Text] | None = Field(None, json_schema_extra=no_null, max_length=MAX_LINKS)


@router.patch(
    "/handoffs/items/{item_id}",
    response={200: HandoffItemOut, 403: Problem},
    summary="Re-assign, update or close an item",
)
def patch_item(request: ApiRequest, item_id: Id, payload: HandoffItemPatch) -> HandoffItemOut:
    me = current_person(request)
    found = queries.access_item(me, item_id).item
    changes = payload.model_dump(exclude_unset=True)
    nulls = [k for k, v in changes.items() if v is None]
    if nulls:
        message = (
            "Every item needs exactly one owner." if "owner_id" in nulls else "This field cannot be null."
        )
        raise ValidationError(
            {k: [message if k == "owner_id" else "This field cannot be null."] for k in nulls}
        )
    return item_out(update_item(found, me, changes))
