"""Periodic coffee-chat work for the scheduler (accord.lib.jobs): rounds, and each person's introduction.

The round runs inside the claim's transaction, so a scheduler that dies mid-round leaves the settings
row due and no half-made round behind.
"""

from __future__ import annotations

import datetime as dt

from accord.lib.jobs import periodic

from .actions import pair_coffee_round, week_after
from .models import CoffeeGroupMember, CoffeeMember, CoffeeRound, CoffeeSettings
from .tasks import send_coffee_intro


@periodic("coffee rounds", CoffeeSettings, "next_round_at")
def run_round(found: CoffeeSettings, now: dt.datetime) -> dt.datetime:
    # An admin who pressed "Run a round now" earlier in the week has already planned this week.
    planned = CoffeeRound.objects.filter(org_id=found.org_id, week_start=week_after(now)).exists()
    if not planned and CoffeeMember.objects.filter(org_id=found.org_id, active=True).exists():
        pair_coffee_round(found.org, now)
    step = dt.timedelta(weeks=found.every_weeks)
    due = found.next_round_at or now
    while due <= now:  # a scheduler that was down for weeks runs one round, not one per missed week
        due += step
    return due


@periodic("coffee introductions", CoffeeGroupMember, "next_email_at", batch=1000)
def send_intro(seat: CoffeeGroupMember, now: dt.datetime) -> dt.datetime | None:
    send_coffee_intro.enqueue(seat_id=seat.pk)
    CoffeeGroupMember.objects.filter(pk=seat.pk).update(emailed_at=now)
    return None
