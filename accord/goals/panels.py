"""Goals and commitments on the home page and on person pages.

The person page follows the transparency mirror: the follow-through figure, its sentence and the
commitments that keep slipping are computed on the person's own clock, so the person, everyone above
them in the reporting line and admins read exactly the same thing; anyone else sees none of it.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accord.orgs.models import Person
from accord.orgs.panels import Context, Waiting

from . import queries
from .models import Commitment, CommitmentStatus


def person_panel(request: HttpRequest, person: Person) -> Context:
    viewer: Person = request.person  # type: ignore[attr-defined]
    now = timezone.now()
    goals = list(
        queries.with_key_results(queries.visible_goals(viewer).filter(owner=person)).order_by("title")
    )
    signals = queries.sees_signals_of(viewer, person)
    if not goals and not signals:
        return None
    return {
        "subject": person,
        "person_goals": goals,
        "show_signals": signals,
        "follow_through": queries.follow_through(person, now) if signals else None,
        "slipping": queries.slipping(person, now) if signals else [],
    }


def home_panel(request: HttpRequest) -> Context:
    me: Person = request.person  # type: ignore[attr-defined]
    now = timezone.now()
    mine = queries.annotate_due(
        Commitment.objects.filter(org_id=me.org_id, owner=me, status=CommitmentStatus.OPEN)
        .select_related("owner")
        .order_by("due_on", "id")[:5],
        now,
    )
    reports = list(Person.objects.filter(org_id=me.org_id, manager=me, is_active=True).order_by("name"))
    rows, total, late = [], None, []
    if reports:
        by_person = queries.follow_through_by_person(reports, now)
        rows = [(p, by_person[p.pk]) for p in reports]
        total = queries.follow_through(reports, now)
        late = queries.slipping(reports, now, limit=20)
    return {
        "my_open": mine,
        "my_follow_through": queries.follow_through(me, now),
        "report_rows": rows,
        "reports_total": total,
        "reports_slipping": late,
    }


def waiting(me: Person) -> list[Waiting]:
    found = []
    for c in queries.commitments_due(me, timezone.now()):
        when = _due_words(c.days_left)  # type: ignore[attr-defined]
        found.append(
            Waiting(
                key="commitment",
                text=f"Commitment due {when}: {c.title}",
                url=reverse("commitments"),
                action="Update the commitment",
            )
        )
    return found


def _due_words(days: int) -> str:
    if days < 0:
        return f"{-days} day{'s' if days < -1 else ''} late"
    return "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"
