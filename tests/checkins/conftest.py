"""Helpers for check-in tests: members in a zone, and a scheduler driven through time."""

from __future__ import annotations

import datetime as dt

import time_machine

from accord.checkins.actions import ensure_schedule
from accord.lib import jobs
from tests.factories import PersonFactory


def member_in(org, team, zone, **kw):
    kw.setdefault("name", f"Someone in {zone}")
    return PersonFactory(org=org, team=team, timezone=zone, **kw)


def drive(inbox, start, end, step=dt.timedelta(minutes=15)):
    """Tick the scheduler every `step` from `start` to `end` (inclusive); return (tick time, message)
    for every email that arrived, in order. `inbox` is the smtp fixture or django.core.mail."""
    jobs.load_jobs()
    ensure_schedule_for_all()
    seen = len(_messages(inbox))
    arrived = []
    at = start
    while at <= end:
        with time_machine.travel(at, tick=False):
            jobs.tick()
        messages = _messages(inbox)
        arrived.extend((at, m) for m in messages[seen:])
        seen = len(messages)
        at += step
    return arrived


def ensure_schedule_for_all():
    from accord.orgs.models import Organisation

    for org in Organisation.objects.all():
        ensure_schedule(org, now=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))


def _messages(inbox):
    return inbox.messages if hasattr(inbox, "messages") else inbox.outbox


def subject(message) -> str:
    return message["Subject"] if hasattr(message, "get_content") else message.subject


def to(message) -> str:
    return message["To"] if hasattr(message, "get_content") else message.to[0]


def body(message) -> str:
    return message.get_content() if hasattr(message, "get_content") else message.body
