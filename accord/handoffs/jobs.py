"""Periodic handoff work for the scheduler (accord.lib.jobs): one kind of due row, `Handoff.next_step_at`.

Each claim decides one step (actions.due_step): the notice to the receiving shift at its start, the
first escalation once the acknowledgement is overdue, the second after a further interval. The email
task and the recorded step commit with the claim, so two schedulers never escalate twice and a
scheduler that dies mid-step leaves the row due.
"""

from __future__ import annotations

import datetime as dt

from accord.lib.jobs import periodic

from .actions import due_step, record_step
from .models import Handoff
from .tasks import send_handoff_escalation, send_handoff_notice


@periodic("handoff steps", Handoff, "next_step_at")
def run_handoff_step(handoff: Handoff, now: dt.datetime) -> dt.datetime | None:
    step = due_step(handoff, now)
    ids = [p.pk for p in step.recipients]
    if step.kind == "notice" and ids:
        send_handoff_notice.enqueue(handoff_id=handoff.pk, person_ids=ids)
    elif step.kind == "escalate" and ids:
        send_handoff_escalation.enqueue(handoff_id=handoff.pk, stage=step.stage, person_ids=ids)
    record_step(handoff, step, now)
    if step.next_at is not None and step.next_at <= now:
        # Overdue already (e.g. the scheduler was down): the next step runs on the next tick.
        return now + dt.timedelta(seconds=1)
    return step.next_at
