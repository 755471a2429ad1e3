"""Six months of follow-the-sun handoffs in Support Level 1: Manila → Europe → Bogotá, every weekday.

The chain is the one a support lead would set up: Manila 05:00–13:00, Europe (Berlin time)
06:00–15:00 and Bogotá 08:00–16:00, Monday to Friday, which hands over cleanly all year: Europe's
extra hour absorbs the EU's summer time as an allowed handover overlap on one side or the other.

Each shift's note is written by one of its people in the last minutes of the shift; most are
acknowledged within minutes of the next shift starting, about one in ten late, and a few not at all
until escalated to the next person on hours and, twice, to the team's manager. Items come and go:
most are closed within a shift or two, a few stubborn ones travel for a week.

Everything comes from `cast.rng("handoffs")` and `cast.today`; rows go in with a few bulk inserts.
History stops before midnight UTC of `today`, so nothing is left due for the scheduler.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from accord.handoffs.actions import ShiftIn as Row
from accord.handoffs.actions import save_chain
from accord.handoffs.models import Chain, Entry, Escalation, Handoff, Item, Shift, Status
from accord.handoffs.queries import team_manager
from accord.lib.tz import UTC
from accord.orgs.models import Person

from . import words
from .people import BER, BOG, LEVEL_1, LON, MNL, WAW, Cast

HISTORY_DAYS = 182
LATE_SHARE = 0.09
ESCALATED_SHARE = 0.02
NEW_ITEMS = (0, 1, 1, 1, 2, 2, 3)
STUBBORN_SHARE = 0.03  # new items that refuse to close for a week or so

NEXT_STEPS = (
    "Waiting for the customer to confirm; nudge them if nothing by midday.",
    "Level 2 has the logs; check their reply and update the customer.",
    "Try the fix from the knowledge base, then close if it holds.",
    "Billing approved it; send the confirmation and close.",
    "Reproduce on a test site before writing back.",
    "Call booked with the customer at 10:00 their time.",
    "Escalate to Level 2 if the workaround does not hold.",
    "Draft reply is in the ticket; review and send.",
)
TICKETS = "https://support.wonderful.example/tickets/"


@dataclass
class Open:
    item: Item
    stubborn: int = 0  # shifts it will stay open at least
    history: list[tuple[int, str, str]] = field(default_factory=list)


def _shift_people(cast: Cast) -> dict[str, list[Person]]:
    team = cast.teams[LEVEL_1]
    lead = cast.by_key["l1_lead"]
    members = [p for p in cast.people if p.team_id == team.pk and p.pk != lead.pk]
    return {
        "Manila": [p for p in members if p.timezone == MNL],
        "Europe": [p for p in members if p.timezone in (BER, WAW, LON)],
        "Bogotá": [p for p in members if p.timezone == BOG],
    }


def build_handoffs(cast: Cast) -> Chain:
    rng = cast.rng("handoffs")
    team = cast.teams[LEVEL_1]
    people = _shift_people(cast)
    rows = [
        Row("Manila", MNL, dt.time(5), dt.time(13), "12345", people=[p.pk for p in people["Manila"]]),
        Row("Europe", BER, dt.time(6), dt.time(15), "12345", people=[p.pk for p in people["Europe"]]),
        Row("Bogotá", BOG, dt.time(8), dt.time(16), "12345", people=[p.pk for p in people["Bogotá"]]),
    ]
    start = cast.today - dt.timedelta(days=HISTORY_DAYS)
    chain = save_chain(
        Chain(org=cast.org),
        actor=cast.by_key["l1_lead"],
        team=team,
        name="Support follow-the-sun",
        ack_within=30,
        escalate_after=30,
        shifts=rows,
        today=start,
    )
    shifts = list(Shift.objects.filter(chain=chain).order_by("position"))
    manager = team_manager(team)
    _history(rng, cast, chain, shifts, people, manager, start)
    return chain


def _history(
    rng: random.Random,
    cast: Cast,
    chain: Chain,
    shifts: list[Shift],
    people: dict[str, list[Person]],
    manager: Person | None,
    start: dt.date,
) -> None:
    stop = dt.datetime.combine(cast.today, dt.time(0), tzinfo=UTC)
    # Every occurrence of every shift in time order, each with the shift after it.
    occurrences = []
    for offset in range(HISTORY_DAYS + 1):
        day = start + dt.timedelta(days=offset)
        for i, shift in enumerate(shifts):
            span = shift.hours.span(day)
            if span and span[1] < stop:
                occurrences.append((span[0], day, i, span))
    occurrences.sort()
    handoffs: list[Handoff] = []
    escalations: list[Escalation] = []
    items: list[Item] = []
    entries: list[
        tuple[int, Item, int, str, str, int]
    ] = []  # (handoff index, item, owner, status, next, carried)
    pool: list[Open] = []
    titles, urgent = words.Varied(rng, "handoff item"), words.Varied(rng, "urgent note")
    for _, day, i, (begin, end) in occurrences:
        to = shifts[(i + 1) % len(shifts)]
        receiving = to.hours.next_after(begin)
        if receiving is None or receiving[1] >= stop:
            break
        author = rng.choice(people[shifts[i].name])
        receivers = people[to.name]
        written = end - dt.timedelta(minutes=rng.randint(2, 25))
        starts = receiving[1]
        readable = max(starts, written)
        due = readable + dt.timedelta(minutes=chain.ack_within)
        roll = rng.random()
        stage = 0
        if roll < ESCALATED_SHARE:
            stage = 2 if rng.random() < 0.35 else 1
            wait = dt.timedelta(minutes=rng.randint(35, 55) + (30 if stage == 2 else 0))
        elif roll < ESCALATED_SHARE + LATE_SHARE:
            wait = dt.timedelta(minutes=rng.randint(31, 50))
        else:
            wait = dt.timedelta(minutes=rng.choice([1, 2, 3, 4, 6, 8, 10, 12, 15, 18, 22, 27]))
        handoff = Handoff(
            org=cast.org,
            chain=chain,
            from_shift=shifts[i],
            to_shift=to,
            shift_day=day,
            author=author,
            urgent=words.urgent_note(urgent) if rng.random() < 0.05 else "",
            written_at=written,
            receiving_starts_at=starts,
            ack_due_at=due,
            acknowledged_at=readable + wait,
            acknowledged_by=rng.choice(receivers),
            notified_at=readable,
            escalation_stage=stage,
        )
        if stage:
            first = rng.choice(receivers)
            escalations.append(
                Escalation(org=cast.org, handoff=handoff, stage=1, person=first, created_at=due)
            )
            if stage == 2 and manager is not None:
                later = due + dt.timedelta(minutes=chain.escalate_after)
                escalations.append(
                    Escalation(org=cast.org, handoff=handoff, stage=2, person=manager, created_at=later)
                )
        handoffs.append(handoff)
        index = len(handoffs) - 1
        # Carried items: most close, stubborn ones stay; the owner often moves to the receiving shift.
        still: list[Open] = []
        for o in pool:
            o.item.carried += 1
            closing = o.stubborn <= 0 and rng.random() < 0.8
            o.stubborn -= 1
            if rng.random() < 0.5:
                o.item.owner = rng.choice(receivers)
            o.item.status = (
                Status.CLOSED if closing else rng.choice([Status.OPEN, Status.IN_PROGRESS, Status.WAITING])
            )
            o.item.next_step = "" if closing else rng.choice(NEXT_STEPS)
            o.item.last_handoff = handoff
            o.item.updated_at = written
            if closing:
                o.item.closed_at = written
            entries.append((index, o.item, o.item.owner.pk, o.item.status, o.item.next_step, o.item.carried))
            if not closing:
                still.append(o)
        pool = still
        for _ in range(rng.choice(NEW_ITEMS)):
            item = Item(
                org=cast.org,
                chain=chain,
                title=words.handoff_item(titles),
                owner=rng.choice(receivers + [author]),
                status=rng.choice([Status.OPEN, Status.IN_PROGRESS, Status.WAITING]),
                next_step=rng.choice(NEXT_STEPS),
                links=[f"{TICKETS}{rng.randint(40000, 69999)}"],
                created_in=handoff,
                last_handoff=handoff,
                created_at=written,
                updated_at=written,
            )
            items.append(item)
            stubborn = rng.randint(4, 9) if rng.random() < STUBBORN_SHARE else 0
            pool.append(Open(item, stubborn))
            entries.append((index, item, item.owner.pk, item.status, item.next_step, 0))
    # The chain itself goes through save_chain above; months of hand-offs and their items are history in
    # bulk, dated when they were written, which the hand-off action (stamping the real clock) cannot do.
    Handoff.objects.bulk_create(handoffs)
    for e in escalations:
        e.handoff_id = e.handoff.pk
    Escalation.objects.bulk_create(escalations)
    for item in items:
        item.created_in_id = item.created_in.pk if item.created_in else None
        item.last_handoff_id = item.last_handoff.pk if item.last_handoff else None
    Item.objects.bulk_create(items)
    Entry.objects.bulk_create(
        Entry(
            org=cast.org,
            handoff=handoffs[index],
            item=item,
            title=item.title,
            owner_id=owner,
            status=status,
            next_step=next_step,
            links=item.links,
            carried=carried,
        )
        for index, item, owner, status, next_step, carried in entries
    )
