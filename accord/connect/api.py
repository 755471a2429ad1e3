"""Coffee chats and Working with me over JSON: the same actions and queries as the pages.

A group, round or person outside the caller's organisation is a 404, and so is a group the caller is
not in (admins may read any group of their organisation, but only its own people answer for it).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from accord.lib.api import ApiRequest, ClockTime, Day, Id, Input, LongText, current_person, require_admin
from accord.orgs.models import Person

from . import actions, icebreakers, queries
from .models import PROFILE_MAX, SECTIONS, CoffeeGroup, CoffeeRound

router = Router(tags=["Coffee chats and profiles"])

StatusName = Literal["in", "paused", "out"]
MetName = Literal["yes", "no", "skipped"]


# --- schemas ----------------------------------------------------------------------------------


class CoffeeMeOut(Schema):
    status: StatusName = Field(description="in, paused (until paused_until) or out.")
    paused_until: dt.date | None
    has_working_hours: bool = Field(
        description="Pairing needs working hours; without them joining is refused."
    )
    next_round_at: dt.datetime | None = Field(description="When the next round runs (UTC).")


class CoffeeMeIn(Input):
    status: StatusName = Field(description="in to join (or resume), paused to pause, out to leave.")
    paused_until: Day | None = Field(None, description="Required with paused: the date you are back.")


class UnmatchedOut(Schema):
    person_id: int
    name: str
    reason: str


class SeatOut(Schema):
    person_id: int
    name: str
    timezone: str
    team: str = Field(description="Their team at the time of the round.")
    department: str = Field(description="Their department at the time of the round (see the docs).")


class CoffeeSlotOut(Schema):
    start: dt.datetime
    end: dt.datetime


class CoffeeGroupOut(Schema):
    id: int
    round_id: int
    round_number: int
    week_start: dt.date
    people: list[SeatOut]
    slots: list[CoffeeSlotOut] = Field(
        description="Suggested 30-minute slots inside everyone's working hours (UTC)."
    )
    overlap_minutes: int = Field(description="Longest shared stretch of working hours on one day that week.")
    icebreaker: str
    my_answer: MetName | None = Field(description="Your answer to “did you meet?”, if you gave one.")


class CoffeeRoundOut(Schema):
    id: int
    number: int
    week_start: dt.date
    ran_at: dt.datetime
    groups: int
    unmatched: list[UnmatchedOut] = Field(description="Everyone taking part who got no group, and why.")
    my_group: CoffeeGroupOut | None = Field(description="Your group in this round, if you had one.")


class MetIn(Input):
    met: MetName


class ProfileOut(Schema):
    person_id: int
    name: str
    timezone: str
    work_start: ClockTime
    work_end: ClockTime
    work_days: str = Field(description="ISO weekdays, 1 = Monday.")
    how_i_work: str
    reach_me: str
    feedback: str
    misunderstood: str
    help_me: str
    updated_at: dt.datetime | None


class ProfileIn(Input):
    """Leave a section out to keep it; an empty string clears it."""

    how_i_work: LongText | None = Field(None, max_length=PROFILE_MAX)
    reach_me: LongText | None = Field(None, max_length=PROFILE_MAX)
    feedback: LongText | None = Field(None, max_length=PROFILE_MAX)
    misunderstood: LongText | None = Field(None, max_length=PROFILE_MAX)
    help_me: LongText | None = Field(None, max_length=PROFILE_MAX)


# --- helpers ----------------------------------------------------------------------------------


def _me_out(person: Person) -> CoffeeMeOut:
    member = queries.membership(person)
    today = timezone.now().astimezone(person.zone).date()
    found = getattr(person.org, "coffee_settings", None)
    return CoffeeMeOut(
        status=queries.status(member, today),  # type: ignore[arg-type]
        paused_until=member.paused_until if member else None,
        has_working_hours=queries.has_hours(person),
        next_round_at=found.next_round_at if found else None,
    )


def _group_out(group: CoffeeGroup, me: Person) -> CoffeeGroupOut:
    seats = list(group.members.all())
    mine = next((s for s in seats if s.person_id == me.pk), None)
    return CoffeeGroupOut(
        id=group.pk,
        round_id=group.round_id,
        round_number=group.round.number,
        week_start=group.round.week_start,
        people=[
            SeatOut(
                person_id=s.person_id,
                name=s.person.name,
                timezone=s.person.timezone,
                team=s.team_name,
                department=s.department,
            )
            for s in seats
        ],
        slots=[CoffeeSlotOut(start=s, end=e) for s, e in queries.slots_of(group)],
        overlap_minutes=group.overlap_minutes,
        icebreaker=icebreakers.text(group.icebreaker),
        my_answer=(mine.met or None) if mine else None,  # type: ignore[arg-type]
    )


def _round_out(rnd: CoffeeRound, me: Person, groups: int) -> CoffeeRoundOut:
    mine = queries.my_group_in(rnd, me)
    return CoffeeRoundOut(
        id=rnd.pk,
        number=rnd.number,
        week_start=rnd.week_start,
        ran_at=rnd.ran_at,
        groups=groups,
        unmatched=[UnmatchedOut(**row) for row in queries.unmatched_for(rnd, me)[0]],
        my_group=_group_out(mine, me) if mine else None,
    )


def _profile_out(person: Person) -> ProfileOut:
    found = queries.profile_of(person)
    return ProfileOut(
        person_id=person.pk,
        name=person.name,
        timezone=person.timezone,
        work_start=person.work_start,
        work_end=person.work_end,
        work_days=person.work_days,
        updated_at=found.updated_at if found else None,
        **{key: getattr(found, key) if found else "" for key, _, _ in SECTIONS},
    )


# --- coffee -----------------------------------------------------------------------------------


@router.get("/coffee/me", response=CoffeeMeOut, summary="My coffee-chat opt-in")
def coffee_me(request: ApiRequest) -> CoffeeMeOut:
    return _me_out(current_person(request))


@router.put("/coffee/me", response=CoffeeMeOut, summary="Join, pause or leave coffee chats")
def coffee_me_put(request: ApiRequest, body: CoffeeMeIn) -> CoffeeMeOut:
    me = current_person(request)
    today = timezone.now().astimezone(me.zone).date()
    if body.status != "paused" and body.paused_until is not None:
        raise ValidationError({"paused_until": ["Give paused_until only with status paused."]})
    if body.status == "in":
        actions.join_coffee(me)
    elif body.status == "paused":
        if queries.membership(me) is None:
            actions.join_coffee(me)
        actions.pause_coffee(me, body.paused_until, today)
    else:
        actions.leave_coffee(me)
    return _me_out(me)


@router.get("/coffee/rounds", response=list[CoffeeRoundOut], summary="Recent coffee rounds")
def coffee_rounds(request: ApiRequest) -> list[CoffeeRoundOut]:
    me = current_person(request)
    found = queries.rounds_of(me.org_id).annotate(n=Count("groups"))[:20]
    return [_round_out(r, me, r.n) for r in found]  # type: ignore[attr-defined]


@router.post("/coffee/rounds", response={201: CoffeeRoundOut}, summary="Run a round now (admins)")
def coffee_run(request: ApiRequest) -> Status:
    me = require_admin(request)
    rnd = actions.run_round_now(request.org, me)
    return Status(201, _round_out(rnd, me, rnd.groups.count()))


@router.get("/coffee/rounds/{round_id}", response=CoffeeRoundOut, summary="One coffee round")
def coffee_round(request: ApiRequest, round_id: Id) -> CoffeeRoundOut:
    rnd = queries.access_round(current_person(request), round_id)
    return _round_out(rnd, current_person(request), rnd.groups.count())


@router.get("/coffee/pairings", response=list[CoffeeGroupOut], summary="My coffee chats, latest first")
def coffee_pairings(request: ApiRequest) -> list[CoffeeGroupOut]:
    me = current_person(request)
    return [_group_out(g, me) for g in queries.my_groups(me)]


@router.get("/coffee/pairings/{group_id}", response=CoffeeGroupOut, summary="One coffee chat")
def coffee_pairing(request: ApiRequest, group_id: Id) -> CoffeeGroupOut:
    return _group_out(queries.access_coffee_group(current_person(request), group_id), current_person(request))


@router.put("/coffee/pairings/{group_id}/met", response=CoffeeGroupOut, summary="Say whether your group met")
def coffee_met(request: ApiRequest, group_id: Id, body: MetIn) -> CoffeeGroupOut:
    me = current_person(request)
    group = queries.access_coffee_group(current_person(request), group_id)
    try:
        actions.answer_met(group, me, body.met)
    except PermissionDenied as exc:
        raise Http404 from exc
    return _group_out(queries.access_coffee_group(current_person(request), group_id), me)


# --- profiles ---------------------------------------------------------------------------------


@router.get("/profiles/me", response=ProfileOut, summary="My Working with me profile")
def profile_me(request: ApiRequest) -> ProfileOut:
    return _profile_out(current_person(request))


@router.put("/profiles/me", response=ProfileOut, summary="Write my Working with me profile")
def profile_put(request: ApiRequest, body: ProfileIn) -> ProfileOut:
    me = current_person(request)
    actions.save_profile(me, **body.model_dump(exclude_none=True))
    return _profile_out(me)


@router.get("/profiles/{person_id}", response=ProfileOut, summary="Someone's Working with me profile")
def profile(request: ApiRequest, person_id: Id) -> ProfileOut:
    person = queries.access_profile(current_person(request), person_id)
    return _profile_out(person)
