"""Handoff chains, made through the actions the pages use."""

from __future__ import annotations

import datetime as dt

from accord.handoffs.actions import ItemIn, ShiftIn, save_chain, write_handoff
from accord.handoffs.models import Chain, Shift

AT = dt.datetime(2026, 1, 14, 16, 50, tzinfo=dt.UTC)  # Wednesday, end of the London day shift
WEDNESDAY = AT.date()


def make_chain(
    org, team, actor, shifts, *, name="Support", ack_within=30, escalate_after=30, today=WEDNESDAY
):
    """A chain of `shifts` (ShiftIn rows) for `team`, saved through the action the chain page uses."""
    return save_chain(
        Chain(org=org),
        actor=actor,
        team=team,
        name=name,
        ack_within=ack_within,
        escalate_after=escalate_after,
        shifts=shifts,
        today=today,
    )


def round_the_clock(org, team, actor, day_people, night_people, *, at=AT):
    """A London day/night chain and the handoff the day shift wrote at `at`, one item for the night."""
    chain = make_chain(
        org,
        team,
        actor,
        [
            ShiftIn(
                "Day", "Europe/London", dt.time(5), dt.time(17), "1234567", people=[p.pk for p in day_people]
            ),
            ShiftIn(
                "Night",
                "Europe/London",
                dt.time(17),
                dt.time(5),
                "1234567",
                overnight=True,
                people=[p.pk for p in night_people],
            ),
        ],
        name="Round the clock",
        today=at.date(),
    )
    day = Shift.objects.get(chain=chain, name="Day")
    item = ItemIn(None, "Refund stuck", night_people[0].pk)
    handoff = write_handoff(chain, day_people[0], from_shift=day, items=[item], now=at)
    return chain, handoff
