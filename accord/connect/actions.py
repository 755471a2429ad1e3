"""Writes and rules for connection: opting in and out of coffee chats, running a round, saying whether
a group met, the round settings, and "Working with me" profiles."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accord.lib.refusals import Forbidden
from accord.lib.tz import Hours
from accord.orgs.models import Organisation, Person, Team

from . import icebreakers, matching
from .models import (
    PROFILE_MAX,
    SECTIONS,
    CoffeeGroup,
    CoffeeGroupMember,
    CoffeeMember,
    CoffeeRound,
    CoffeeSettings,
    Met,
    Profile,
)
from .queries import departments, has_hours

PAUSE_LIMIT = dt.timedelta(days=366)
# Rounds run on Thursdays at 12:00 UTC, a time that is inside or near the working day almost everywhere,
# and plan the following Monday-to-Sunday week: everyone has Friday to read their introduction.
ROUND_WEEKDAY, ROUND_TIME = 4, dt.time(12, 0)
# Introductions are emailed this long after the recipient's working day begins, never at night.
EMAIL_AFTER_START = dt.timedelta(minutes=30)

REASONS = {
    matching.NO_HOURS: "has no working hours set",
    matching.NO_OVERLAP: "shares no 30 minutes of working hours with anyone else taking part this week",
    matching.ALL_RECENT: "has met everyone whose hours overlap theirs within the last {n} rounds",
    matching.ODD_ONE_OUT: "was the odd one out, and no pair shared 30 minutes of working hours with them",
}
NO_HOURS_MESSAGE = (
    "Coffee chats are paired by working hours, and yours are empty. Set your working hours (a start "
    "and an end that differ) on your profile first."
)


# --- settings and schedule ------------------------------------------------------------------------


def next_round_time(now: dt.datetime) -> dt.datetime:
    """The first Thursday 12:00 UTC after `now`."""
    day = now.astimezone(dt.UTC).date()
    day += dt.timedelta(days=(ROUND_WEEKDAY - day.isoweekday()) % 7)
    at = dt.datetime.combine(day, ROUND_TIME, tzinfo=dt.UTC)
    return at if at > now else at + dt.timedelta(days=7)


def week_after(now: dt.datetime) -> dt.date:
    """The Monday of the week a round run at `now` plans: always a Monday still to come."""
    day = now.astimezone(dt.UTC).date()
    return day + dt.timedelta(days=8 - day.isoweekday())


def coffee_settings(org: Organisation, now: dt.datetime | None = None) -> CoffeeSettings:
    found, _ = CoffeeSettings.objects.get_or_create(
        org=org, defaults={"next_round_at": next_round_time(now or timezone.now())}
    )
    return found


def save_coffee_settings(
    found: CoffeeSettings, *, every_weeks: int, cross_department_weight: int, avoid_rounds: int
) -> CoffeeSettings:
    errors = {}
    if every_weeks not in (1, 2):
        errors["every_weeks"] = "A round runs every week or every 2 weeks."
    if not 0 <= cross_department_weight <= 10:
        errors["cross_department_weight"] = "Give a weight from 0 to 10."
    if not 0 <= avoid_rounds <= 52:
        errors["avoid_rounds"] = "Give a number of rounds from 0 to 52."
    if errors:
        raise ValidationError(errors)
    found.every_weeks = every_weeks
    found.cross_department_weight = cross_department_weight
    found.avoid_rounds = avoid_rounds
    if found.next_round_at is None:
        found.next_round_at = next_round_time(timezone.now())
    found.save()
    return found


# --- opting in and out ----------------------------------------------------------------------------


def join_coffee(person: Person, now: dt.datetime | None = None) -> CoffeeMember:
    """Opt in (or come back after leaving or a pause). Refused for someone with no working hours."""
    if not has_hours(person):
        raise ValidationError({"__all__": [NO_HOURS_MESSAGE]})
    with transaction.atomic():
        coffee_settings(person.org, now)
        member, created = CoffeeMember.objects.get_or_create(org_id=person.org_id, person=person)
        if not created:
            member.active, member.paused_until = True, None
            member.save(update_fields=["active", "paused_until"])
    return member


def _membership(person: Person) -> CoffeeMember:
    member = CoffeeMember.objects.filter(org_id=person.org_id, person=person, active=True).first()
    if member is None:
        raise ValidationError({"__all__": ["You are not taking part in coffee chats; join first."]})
    return member


def pause_coffee(person: Person, until: dt.date | None, today: dt.date) -> CoffeeMember:
    if until is None:
        raise ValidationError({"paused_until": ["Give the date you want to be paired again."]})
    if until <= today:
        raise ValidationError({"paused_until": ["Pick a date after today."]})
    if until > today + PAUSE_LIMIT:
        raise ValidationError({"paused_until": ["Pause for at most a year; you can leave instead."]})
    member = _membership(person)
    member.paused_until = until
    member.save(update_fields=["paused_until"])
    return member


def resume_coffee(person: Person) -> CoffeeMember:
    member = _membership(person)
    member.paused_until = None
    member.save(update_fields=["paused_until"])
    return member


def leave_coffee(person: Person) -> None:
    CoffeeMember.objects.filter(org_id=person.org_id, person=person).update(active=False, paused_until=None)


# --- a round --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Taker:
    """What a round needs of one person taking part: read as plain values, since a round of thousands
    must not build thousands of model instances."""

    id: int
    name: str
    team_id: int | None
    team_name: str
    timezone: str
    start: dt.time
    end: dt.time
    days: str

    @classmethod
    def of(cls, person: Person) -> Taker:
        team_name = person.team.name if person.team else ""
        return cls(
            person.pk,
            person.name,
            person.team_id,
            team_name,
            person.timezone,
            person.work_start,
            person.work_end,
            person.work_days,
        )

    @property
    def signature(self) -> matching.Signature:
        return (self.timezone, self.start, self.end, self.days)

    def candidate(self, dept: dict[int, str]) -> matching.Candidate:
        department = dept.get(self.team_id, "") if self.team_id else ""
        return matching.Candidate(self.id, department, self.team_id, *self.signature)


def email_time(hours: Hours, now: dt.datetime) -> dt.datetime:
    """Now if the person is at work, otherwise a little after their next working day begins."""
    if hours.start == hours.end or hours.is_working(now):
        return now
    start = hours.next_start(now)
    return start + EMAIL_AFTER_START if start else now


def _history(
    org: Organisation, avoid_rounds: int
) -> tuple[set[tuple[int, int]], set[tuple[int, int]], dict[int, set[int]], int]:
    """Pairs who met in the last `avoid_rounds` rounds, pairs who met earlier, each person's recent
    icebreakers, and the latest round number: three queries, rows read as plain tuples."""
    latest = CoffeeRound.objects.filter(org=org).aggregate(n=Max("number"))["n"] or 0
    groups = {
        gid: (number > latest - avoid_rounds, icebreaker)
        for gid, number, icebreaker in CoffeeGroup.objects.filter(org=org).values_list(
            "id", "round__number", "icebreaker"
        )
    }
    rows = CoffeeGroupMember.objects.filter(org=org).order_by("group_id").values_list("group_id", "person_id")
    asked: dict[int, set[int]] = defaultdict(set)
    recent: set[tuple[int, int]] = set()
    before: set[tuple[int, int]] = set()
    current: int | None = None
    ids: list[int] = []

    def close(group_id: int | None, ids: list[int]) -> None:
        if group_id is None:
            return
        is_recent, icebreaker = groups[group_id]
        target = recent if is_recent else before
        for i, a in enumerate(ids):
            if is_recent:
                asked[a].add(icebreaker)
            for b in ids[i + 1 :]:
                target.add((a, b) if a < b else (b, a))

    for group_id, person_id in rows.iterator(chunk_size=10_000):
        if group_id != current:
            close(current, ids)
            current, ids = group_id, []
        ids.append(person_id)
    close(current, ids)
    return recent, before - recent, asked, latest


def pair_coffee_round(org: Organisation, now: dt.datetime | None = None) -> CoffeeRound:
    """Pair everyone opted in and not paused for the coming week, and schedule their introductions."""
    now = now or timezone.now()
    found = coffee_settings(org, now)
    week_start = week_after(now)
    team_names = dict(Team.objects.filter(org=org).values_list("id", "name"))
    rows = (
        CoffeeMember.objects.filter(org=org, active=True, person__is_active=True)
        .order_by("person_id")
        .values_list(
            "paused_until",
            "person_id",
            "person__name",
            "person__team_id",
            "person__timezone",
            "person__work_start",
            "person__work_end",
            "person__work_days",
        )
    )
    dept = departments(org)
    unmatched: list[dict[str, object]] = []
    candidates = []
    people: dict[int, Taker] = {}
    for paused_until, pid, name, team_id, zone, start, end, days in rows:
        taker = Taker(pid, name, team_id, team_names.get(team_id, ""), zone, start, end, days)
        people[pid] = taker
        if paused_until and paused_until > week_start:
            reason = f"paused until {paused_until:%-d %B %Y}"
            unmatched.append({"person_id": pid, "name": name, "reason": reason, "paused": True})
            continue
        candidates.append(taker.candidate(dept))
    recent, before, asked, latest = _history(org, found.avoid_rounds)
    result = matching.match(
        candidates,
        week_start,
        recent=recent,
        met_before=before,
        cross_department=found.cross_department_weight,
        seed=f"{org.pk}/{latest + 1}",
    )
    for pid, code in result.unmatched.items():
        reason = REASONS[code].format(n=found.avoid_rounds)
        unmatched.append({"person_id": pid, "name": people[pid].name, "reason": reason})
    unmatched.sort(key=lambda row: str(row["name"]))
    return store_round(org, found, latest + 1, week_start, now, result, unmatched, people, dept, asked)


def store_round(
    org: Organisation,
    found: CoffeeSettings,
    number: int,
    week_start: dt.date,
    now: dt.datetime,
    result: matching.Match,
    unmatched: list[dict[str, object]],
    people: dict[int, Taker],
    dept: dict[int, str],
    asked: dict[int, set[int]],
    send: bool = True,
    seed: str = "",
) -> CoffeeRound:
    rng = random.Random(f"coffee/{seed or org.pk}/{number}")
    with transaction.atomic():
        rnd = CoffeeRound.objects.create(
            org=org,
            number=number,
            week_start=week_start,
            ran_at=now,
            unmatched=unmatched,
            avoid_rounds=found.avoid_rounds,
            cross_department_weight=found.cross_department_weight,
        )
        groups = []
        for ids, weight in zip(result.groups, result.weights, strict=True):
            shared = matching.shared_windows([people[i].signature for i in ids], week_start)
            slots = matching.suggested_slots(shared, week_start)
            groups.append(
                CoffeeGroup(
                    org=org,
                    round=rnd,
                    icebreaker=icebreakers.pick(rng, set().union(*(asked.get(i, set()) for i in ids))),
                    slots=[
                        [
                            matching.to_datetime(week_start, s).isoformat(),
                            matching.to_datetime(week_start, e).isoformat(),
                        ]
                        for s, e in slots
                    ],
                    overlap_minutes=matching.longest(shared),
                    weight=weight,
                )
            )
        CoffeeGroup.objects.bulk_create(groups, batch_size=1000)
        seats = []
        for group, ids in zip(groups, result.groups, strict=True):
            for i in ids:
                p = people[i]
                hours = Hours(p.start, p.end, p.days, ZoneInfo(p.timezone))
                seats.append(
                    CoffeeGroupMember(
                        org=org,
                        group=group,
                        person_id=p.id,
                        department=dept.get(p.team_id, "") if p.team_id else "",
                        team_name=p.team_name,
                        next_email_at=email_time(hours, now) if send else None,
                    )
                )
        CoffeeGroupMember.objects.bulk_create(seats, batch_size=1000)
    return rnd


def run_round_now(org: Organisation, actor: Person, now: dt.datetime | None = None) -> CoffeeRound:
    if not actor.is_admin or actor.org_id != org.pk:
        raise Forbidden("Only admins can run a round.")
    return pair_coffee_round(org, now)


# --- after the round ------------------------------------------------------------------------------


def answer_met(
    group: CoffeeGroup, person: Person, met: str, now: dt.datetime | None = None
) -> CoffeeGroupMember:
    """Record whether this person's group met. Only its own people answer, once its week has begun."""
    now = now or timezone.now()
    seat = CoffeeGroupMember.objects.filter(org_id=group.org_id, group=group, person=person).first()
    if seat is None:
        raise Forbidden("Only the people in this group can say whether it met.")
    if met not in Met.values:
        raise ValidationError({"met": ["Answer yes, no or skipped."]})
    if now.astimezone(person.zone).date() < group.round.week_start:
        raise ValidationError({"met": ["You can say whether you met once the week of the round has begun."]})
    seat.met, seat.answered_at = met, now
    seat.save(update_fields=["met", "answered_at"])
    return seat


# --- profiles -------------------------------------------------------------------------------------


def save_profile(person: Person, **sections: str) -> Profile:
    errors = {}
    for key, text in sections.items():
        if key not in {k for k, _, _ in SECTIONS}:
            errors[key] = [f"No section called {key}."]
        elif "\x00" in text:
            errors[key] = ["Text cannot contain NUL characters."]
        elif len(text) > PROFILE_MAX:
            errors[key] = [f"Keep each section under {PROFILE_MAX} characters (this one has {len(text)})."]
    if errors:
        raise ValidationError(errors)
    profile, _ = Profile.objects.get_or_create(org_id=person.org_id, person=person)
    for key, text in sections.items():
        setattr(profile, key, text.strip())
    profile.updated_at = timezone.now()
    profile.save()
    return profile
