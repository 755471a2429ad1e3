"""The demo organisation, "Wonderful Websites Inc.": about a hundred people in a dozen time zones.

`generate_demo` is the single entry point. It builds the people first (`people.py`); each later
domain (goals, check-ins, pulses ...) adds a module here with a `build_<domain>(cast)` function that
draws from `cast.rng("<domain>")` and creates its history relative to `cast.today`, and gets one
call below. The output depends only on `now` (or `today`, read as noon UTC of that day), so tests and
screenshots are repeatable, and it is built so that the one-click personas have something to do on
whatever day of the week, and at whatever hour, the demo is started.

Demo accounts share `DEMO_PASSWORD`. It is public by design: only ever generate the demo on an
install that runs in demo mode (ACCORD_DEMO), never beside real data.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from accord.orgs.models import Organisation

from . import checkins, connect, goals, handoffs, meetings, people, plans, pulse, rhythm
from . import kudos as kudos_demo

DEMO_ORG_NAME = "Wonderful Websites Inc."
DEMO_ORG_SLUG = "wonderful-websites"
DEMO_PASSWORD = "accord-demo"

# Who the one-click sign-in buttons sign in as:
#   member  – Tomás Ortega, Support Level 1 in Bogotá, reports to the manager below;
#   manager – Lena Fischer, Support Level 1 lead in Berlin, fourteen reports from Manila to Bogotá;
#   admin   – Grace Mensah, People Operations Partner in London, role admin.
DEMO_ACCOUNTS: dict[str, str] = {persona: people.key_email(key) for persona, key in people.PERSONAS.items()}


def generate_demo(
    *, today: dt.date | None = None, now: dt.datetime | None = None, password: str = DEMO_PASSWORD
) -> Organisation:
    """Create the demo organisation, or return it untouched if it already exists.

    `now` is the moment the demo is started (default: the real clock); `today` alone means noon UTC of
    that day. History ends before `now`; what is open or due (a pulse round, today's check-ins, the next
    1:1s) is open or due at `now`."""
    existing = Organisation.objects.filter(slug=DEMO_ORG_SLUG).first()
    if existing is not None:
        return existing
    if now is None:
        now = dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC) if today is not None else timezone.now()
    now = now.astimezone(dt.UTC)
    today = now.date()
    # One hash for everyone: hashing is deliberately slow, and a hundred of them would take seconds.
    password_hash = make_password(password)
    try:
        with transaction.atomic():
            org = Organisation.objects.create(name=DEMO_ORG_NAME, slug=DEMO_ORG_SLUG)
            cast = people.build_people(org, today=today, password_hash=password_hash, now=now)
            # Later domains build on the cast here, each in its own module.
            pulse.build_pulse(cast)
            goals.build_goals(cast)
            checkins.build_checkins(cast)
            # Recurring meetings first: 1:1s are placed around them.
            rhythm.build_rhythm(cast)
            meetings.build_meetings(cast)
            kudos_demo.build_kudos(cast)
            handoffs.build_handoffs(cast)
            connect.build_connect(cast)
            plans.build_plans(cast)
    except IntegrityError:
        # Another process created the organisation between our check and our insert.
        existing = Organisation.objects.filter(slug=DEMO_ORG_SLUG).first()
        if existing is None:
            raise
        return existing
    return org
