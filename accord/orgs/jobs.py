"""Periodic work of the orgs app, run by the scheduler (accord.lib.jobs)."""

from __future__ import annotations

import datetime as dt

from accord.lib.jobs import periodic

from .models import Organisation
from .tasks import housekeep_org


@periodic("org housekeeping", Organisation, "next_housekeeping_at")
def org_housekeeping(org: Organisation, now: dt.datetime) -> dt.datetime:
    # Enqueued inside the claim's transaction: the task row and the new due time commit together.
    housekeep_org.enqueue(org_id=org.id)
    return now + dt.timedelta(days=1)
