from __future__ import annotations

import datetime as dt

from .models import Heartbeat


def beat(name: str, at: dt.datetime) -> None:
    """Record that `name` finished a round of work at `at` (one cheap upsert on its own row)."""
    Heartbeat.objects.update_or_create(name=name, defaults={"at": at})
