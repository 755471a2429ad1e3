"""Periodic plan work for the scheduler (accord.lib.jobs): one kind of due row, `PlanNotice.next_send_at`.

A notice is claimed once (the claim clears `next_send_at`), so however often the scheduler runs, and
however many schedulers there are, each goes out at most once; the email task and the history line
commit with the claim. A plan that stopped lingering meanwhile (closed, outcomes recorded, an extension
acknowledged) sends nothing.
"""

from __future__ import annotations

import datetime as dt

from accord.lib.jobs import periodic

from .actions import notice_is_due, record_notice
from .models import PlanNotice
from .tasks import send_plan_notice


@periodic("plan notices", PlanNotice, "next_send_at")
def send_notice(notice: PlanNotice, now: dt.datetime) -> None:
    if notice_is_due(notice):
        send_plan_notice.enqueue(notice_id=notice.pk)
        record_notice(notice, now)
    return None
