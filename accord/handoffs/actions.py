"""Writes and rules for handoffs: chains and their shifts, writing a handoff, items, acknowledging,
and the scheduled steps (notice at the receiving shift's start, then two escalations).

Errors are ValidationErrors keyed by field; list rows are keyed "shifts.<i>.<field>" and
"items.<i>.<field>" so that the pages put each message next to its field and the API returns them.
Nothing is saved unless everything is valid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accord.lib.refusals import Conflict, Forbidden
from accord.orgs.models import Person, Team, valid_timezones, validate_work_days

from . import queries
from .models import (
    MAX_LINKS,
    MAX_SHIFTS,
    TEXT_MAX,
    TITLE_MAX,
    Chain,
    Entry,
    Escalation,
    Handoff,
    Item,
    Shift,
    ShiftMember,
    Status,
)
from .shifts import ShiftHours, check_chain, shape_errors

# How long after its shift ended a handoff may still be written for it.
WRITE_GRACE = dt.timedelta(hours=12)


class AlreadyWritten(Conflict):
    """This shift's handoff for that day exists; the message says when and by whom."""


# --- chains ------------------------------------------------------------------------------------


@dataclass
class ShiftIn:
    name: str
    timezone: str
    start: dt.time | None
    end: dt.time | None
    days: str
    overnight: bool = False
    people: list[int] = field(default_factory=list)


def save_chain(
    chain: Chain,
    *,
    actor: Person,
    team: Team,
    name: str,
    ack_within: int,
    escalate_after: int,
    shifts: Sequence[ShiftIn],
    today: dt.date | None = None,
) -> Chain:
    """Create or change a chain and all its shifts at once; the chain is checked as a whole first."""
    if team.org_id != actor.org_id or not queries.manages_team(actor, team):
        raise Forbidden("Only the team's managers and admins set up its handoff chain.")
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        errors["name"] = ["Give the chain a name, e.g. “Support follow-the-sun”."]
    elif len(name) > 120:
        errors["name"] = ["Keep the name under 120 characters."]
    elif Chain.objects.filter(org_id=team.org_id, team=team, name=name).exclude(pk=chain.pk).exists():
        errors["name"] = ["This team already has a chain with that name."]
    if not 5 <= ack_within <= 24 * 60:
        errors["ack_within"] = ["Between 5 minutes and 24 hours (1440 minutes)."]
    if not 5 <= escalate_after <= 24 * 60:
        errors["escalate_after"] = ["Between 5 minutes and 24 hours (1440 minutes)."]
    hours: list[ShiftHours] = []
    allowed = set(Person.objects.filter(org_id=team.org_id, is_active=True).values_list("id", flat=True))
    names: set[str] = set()
    for i, row in enumerate(shifts):
        row_errors = _shift_errors(row, allowed, names)
        for key, messages in row_errors.items():
            errors[f"shifts.{i}.{key}"] = messages
        if not row_errors and row.start is not None and row.end is not None:
            zone = ZoneInfo(row.timezone)
            hours.append(ShiftHours(row.name.strip(), zone, row.start, row.end, row.days, row.overnight))
        names.add(row.name.strip().casefold())
    if len(shifts) < 2:
        errors["shifts"] = ["A follow-the-sun chain needs at least two shifts."]
    elif len(shifts) > MAX_SHIFTS:
        errors["shifts"] = [f"At most {MAX_SHIFTS} shifts."]
    elif len(hours) == len(shifts):
        problems = check_chain(hours, today)
        if problems:
            errors["shifts"] = [p.message for p in problems]
    if chain.pk and not errors:
        removed = Shift.objects.filter(chain=chain, position__gte=len(shifts))
        if Handoff.objects.filter(Q(from_shift__in=removed) | Q(to_shift__in=removed)).exists():
            errors["shifts"] = ["A shift that already has handoffs cannot be removed; rename or re-time it."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        chain.org_id, chain.team, chain.name = team.org_id, team, name
        chain.ack_within, chain.escalate_after = ack_within, escalate_after
        chain.save()
        existing = {s.position: s for s in Shift.objects.filter(chain=chain)}
        Shift.objects.filter(chain=chain, position__gte=len(shifts)).delete()
        for i, row in enumerate(shifts):
            shift = existing.get(i) or Shift(org_id=chain.org_id, chain=chain, position=i)
            shift.name, shift.timezone = row.name.strip(), row.timezone
            shift.start, shift.end = row.start, row.end  # type: ignore[assignment]
            shift.overnight, shift.days = row.overnight, row.days
            shift.save()
            # The order given is the order escalation asks people in (among those on hours).
            ShiftMember.objects.filter(shift=shift).exclude(person_id__in=row.people).delete()
            have = {m.person_id: m for m in ShiftMember.objects.filter(shift=shift)}
            for n, pid in enumerate(row.people):
                if pid in have:
                    have[pid].position = n
            ShiftMember.objects.bulk_update(have.values(), ["position"])
            ShiftMember.objects.bulk_create(
                ShiftMember(org_id=chain.org_id, shift=shift, person_id=pid, position=n)
                for n, pid in enumerate(row.people)
                if pid not in have
            )
    return chain


def _shift_errors(row: ShiftIn, allowed: set[int], names: set[str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    name = row.name.strip()
    if not name:
        errors["name"] = ["Name the shift, e.g. “Manila”."]
    elif len(name) > 60:
        errors["name"] = ["Keep the name under 60 characters."]
    elif name.casefold() in names:
        errors["name"] = ["Two shifts of one chain cannot share a name."]
    if row.timezone not in valid_timezones():
        errors["timezone"] = [f"“{row.timezone}” is not a known IANA time zone (for example Asia/Manila)."]
    if row.start is None:
        errors["start"] = ["When does the shift start (local time)?"]
    if row.end is None:
        errors["end"] = ["When does the shift end (local time)?"]
    if (
        row.start is not None
        and row.end is not None
        and (shape := shape_errors(row.start, row.end, row.overnight))
    ):
        errors["end"] = shape
    try:
        validate_work_days(row.days)
    except ValidationError as exc:
        errors["days"] = exc.messages
    if not row.people:
        errors["people"] = ["Each shift needs at least one person to write and receive handoffs."]
    elif len(set(row.people)) != len(row.people) or not set(row.people) <= allowed:
        errors["people"] = ["Choose active people of this organisation, each once."]
    return errors


# --- writing a handoff -------------------------------------------------------------------------


@dataclass
class ItemIn:
    """One row of a handoff: an existing item (item_id) being carried, or a new one."""

    item_id: int | None
    title: str
    owner_id: int | None
    status: str = Status.OPEN
    next_step: str = ""
    links: list[str] = field(default_factory=list)


def check_links(links: Sequence[str]) -> tuple[list[str], list[str]]:
    """(clean links, errors): http(s) URLs only, at most MAX_LINKS."""
    check = URLValidator(schemes=["http", "https"])
    clean, errors = [], []
    for raw in links:
        link = raw.strip()
        if not link:
            continue
        try:
            check(link)
        except ValidationError:
            errors.append(f"“{link[:80]}” is not a web address (it should start with https://).")
            continue
        clean.append(link)
    if len(clean) > MAX_LINKS:
        errors.append(f"At most {MAX_LINKS} links per item.")
    return clean, errors


def _item_errors(row: ItemIn, owners: set[int], known: dict[int, Item]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if row.item_id is not None and row.item_id not in known:
        errors["item"] = ["This item is not open in this chain any more."]
    title = row.title.strip()
    if not title and row.item_id is None:
        errors["title"] = ["Say what the item is."]
    elif len(title) > TITLE_MAX:
        errors["title"] = [f"Keep the title under {TITLE_MAX} characters."]
    if row.owner_id is None:
        errors["owner"] = ["Every item needs exactly one owner: choose who has it now."]
    elif row.owner_id not in owners:
        errors["owner"] = ["The owner must be an active person in this organisation."]
    if row.status not in Status.values:
        errors["status"] = [f"Status must be one of: {', '.join(Status.values)}."]
    if len(row.next_step) > TEXT_MAX:
        errors["next_step"] = [f"Keep the next step under {TEXT_MAX} characters."]
    _, link_errors = check_links(row.links)
    if link_errors:
        errors["links"] = link_errors
    return errors


def outgoing_occurrence(shift: Shift, now: dt.datetime) -> tuple[dt.date, dt.datetime, dt.datetime] | None:
    """The occurrence of `shift` a handoff written now belongs to: the one running, or one that ended
    less than WRITE_GRACE ago."""
    found = shift.hours.current_or_last(now)
    if found is None or now - found[2] > WRITE_GRACE:
        return None
    return found


def write_handoff(
    chain: Chain,
    author: Person,
    *,
    from_shift: Shift,
    items: Sequence[ItemIn],
    urgent: str = "",
    now: dt.datetime | None = None,
) -> Handoff:
    """Write the outgoing shift's note. Every open item of the chain travels with it: those listed are
    updated (or closed), the rest are carried as they are; new rows become new items."""
    now = now or timezone.now()
    if (
        from_shift.chain_id != chain.pk
        or not ShiftMember.objects.filter(shift=from_shift, person=author).exists()
    ):
        raise Forbidden("Only people of the outgoing shift write its handoff.")
    occurrence = outgoing_occurrence(from_shift, now)
    errors: dict[str, list[str]] = {}
    if occurrence is None:
        errors["from_shift"] = [
            f"{from_shift.name} has not been on in the last {WRITE_GRACE.seconds // 3600} hours: "
            "write the handoff at the end of the shift."
        ]
    if len(urgent) > TEXT_MAX:
        errors["urgent"] = [f"Keep it under {TEXT_MAX} characters."]
    known = {i.pk: i for i in Item.objects.filter(chain=chain, closed_at__isnull=True)}
    owners = set(Person.objects.filter(org_id=chain.org_id, is_active=True).values_list("id", flat=True))
    seen: set[int] = set()
    for n, row in enumerate(items):
        for key, messages in _item_errors(row, owners, known).items():
            errors[f"items.{n}.{key}"] = messages
        if row.item_id is not None:
            if row.item_id in seen:
                errors[f"items.{n}.item"] = ["This item is listed twice."]
            seen.add(row.item_id)
    if occurrence is not None:
        existing = Handoff.objects.filter(chain=chain, from_shift=from_shift, shift_day=occurrence[0]).first()
        if existing is not None:
            raise AlreadyWritten(
                f"The {from_shift.name} handoff for {occurrence[0]:%A %-d %B} was already written by "
                f"{existing.author.name}."
            )
    if errors:
        raise ValidationError(errors)
    assert occurrence is not None
    day, out_start, _ = occurrence
    to_shift = queries.receiving_shift(chain, from_shift)
    receiving = to_shift.hours.next_after(out_start)
    if receiving is None:
        raise ValidationError({"from_shift": [f"{to_shift.name} has no working day in the coming week."]})
    starts = receiving[1]
    due = max(starts, now) + dt.timedelta(minutes=chain.ack_within)
    with transaction.atomic():
        handoff = Handoff.objects.create(
            org_id=chain.org_id,
            chain=chain,
            from_shift=from_shift,
            to_shift=to_shift,
            shift_day=day,
            author=author,
            urgent=urgent.strip(),
            written_at=now,
            receiving_starts_at=starts,
            ack_due_at=due,
            # The notice goes out when the receiving shift starts (at once if it already has).
            next_step_at=max(starts, now),
        )
        listed = {row.item_id: row for row in items if row.item_id is not None}
        entries = []
        for item in known.values():
            change = listed.get(item.pk)
            if change is not None:
                _apply(item, change, now)
            item.carried += 1
            item.last_handoff = handoff
            item.updated_at = now
            entries.append(_entry(handoff, item))
        Item.objects.bulk_update(
            list(known.values()),
            [
                "title",
                "owner",
                "status",
                "next_step",
                "links",
                "carried",
                "last_handoff",
                "updated_at",
                "closed_at",
            ],
        )
        for row in items:
            if row.item_id is None:
                item = Item(
                    org_id=chain.org_id, chain=chain, created_in=handoff, last_handoff=handoff, created_at=now
                )
                _apply(item, row, now)
                item.save()
                entries.append(_entry(handoff, item))
        Entry.objects.bulk_create(entries)
    return handoff


def _apply(item: Item, row: ItemIn, now: dt.datetime) -> None:
    if row.title.strip():
        item.title = row.title.strip()
    item.owner_id = row.owner_id  # type: ignore[assignment]
    item.status = row.status
    item.next_step = row.next_step.strip()
    item.links = check_links(row.links)[0]
    item.updated_at = now
    item.closed_at = now if row.status == Status.CLOSED else None


def _entry(handoff: Handoff, item: Item) -> Entry:
    return Entry(
        org_id=handoff.org_id,
        handoff=handoff,
        item=item,
        title=item.title,
        owner_id=item.owner_id,
        status=item.status,
        next_step=item.next_step,
        links=item.links,
        carried=item.carried,
    )


def update_item(
    item: Item, actor: Person, changes: dict[str, object], now: dt.datetime | None = None
) -> Item:
    """Re-assign, update or close an item between handoffs. The owner can change but never be empty."""
    now = now or timezone.now()
    if not queries.may_update_items(actor, item.chain):
        raise Forbidden("Only people of the chain's shifts and the team's managers change its items.")
    row = ItemIn(
        item_id=item.pk if item.closed_at is None else None,
        title=str(changes.get("title", item.title)),
        owner_id=changes.get("owner_id", item.owner_id),  # type: ignore[arg-type]
        status=str(changes.get("status", item.status)),
        next_step=str(changes.get("next_step", item.next_step)),
        links=list(changes.get("links", item.links)),  # type: ignore[call-overload]
    )
    owners = set(Person.objects.filter(org_id=item.org_id, is_active=True).values_list("id", flat=True))
    errors = _item_errors(row, owners, {item.pk: item})
    errors.pop("item", None)
    if "title" in changes and not row.title.strip():
        errors["title"] = ["Say what the item is."]
    if errors:
        raise ValidationError(errors)
    _apply(item, row, now)
    item.save()
    return item


# --- acknowledging and escalating --------------------------------------------------------------


def acknowledge(handoff: Handoff, person: Person, now: dt.datetime | None = None) -> Handoff:
    """One click from the receiving shift (or a manager). A second click changes nothing."""
    now = now or timezone.now()
    if not queries.may_acknowledge(person, handoff):
        raise Forbidden("Only people of the receiving shift and the team's managers acknowledge it.")
    # A conditional update: two people clicking at once leave the first one's name.
    Handoff.objects.filter(pk=handoff.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=person, next_step_at=None
    )
    handoff.refresh_from_db()
    return handoff


@dataclass(frozen=True)
class Step:
    """What the scheduler does for a due handoff: who to tell, and when to look again."""

    kind: str  # "notice", "escalate" or "done"
    stage: int
    recipients: list[Person]
    next_at: dt.datetime | None


def due_step(handoff: Handoff, now: dt.datetime) -> Step:
    """Decide the next step of an unacknowledged handoff (pure reads; `run_step` writes)."""
    if handoff.acknowledged_at is not None:
        return Step("done", handoff.escalation_stage, [], None)
    chain = handoff.chain
    if handoff.notified_at is None and now < handoff.ack_due_at:
        people = [
            m.person
            for m in ShiftMember.objects.filter(
                shift_id=handoff.to_shift_id, person__is_active=True
            ).select_related("person")
        ]
        return Step("notice", 0, people, handoff.ack_due_at)
    if handoff.escalation_stage == 0:
        found = queries.next_on_hours(handoff.to_shift, now)
        later = max(handoff.ack_due_at, now) + dt.timedelta(minutes=chain.escalate_after)
        return Step("escalate", 1, [found] if found else [], later)
    if handoff.escalation_stage == 1:
        manager = queries.team_manager(chain.team)
        if manager is None:
            admins = list(
                Person.objects.filter(org_id=handoff.org_id, is_active=True, role__in=["admin", "owner"])
            )
            return Step("escalate", 2, admins[:1], None)
        return Step("escalate", 2, [manager], None)
    return Step("done", handoff.escalation_stage, [], None)


def record_step(handoff: Handoff, step: Step, now: dt.datetime) -> None:
    if step.kind == "notice":
        Handoff.objects.filter(pk=handoff.pk).update(notified_at=now)
    elif step.kind == "escalate":
        Handoff.objects.filter(pk=handoff.pk).update(escalation_stage=step.stage)
        Escalation.objects.bulk_create(
            Escalation(org_id=handoff.org_id, handoff=handoff, stage=step.stage, person=p, created_at=now)
            for p in step.recipients
        )
