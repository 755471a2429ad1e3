"""Reads with rules for handoffs.

Who may do what (the same on pages and in the API):
- read chains, handoffs, items and metrics: everyone in the organisation. A handoff is working
  knowledge of the team's queue, not a per-person signal, and support leads in other teams need it;
- set up or change a chain: the team's managers (anyone who manages someone in the team) and admins;
- write a handoff: only people of the outgoing shift;
- acknowledge: people of the receiving shift, and the team's managers and admins (who may clear a
  note on the shift's behalf, e.g. when the shift is short-staffed);
- update an item between handoffs: people of any of the chain's shifts, the team's managers, admins.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accord.orgs.access import first_or_404
from accord.orgs.chart import manages_team
from accord.orgs.models import Organisation, Person, Team
from accord.orgs.queries import hours_of, subtree_ids

from .models import Chain, Escalation, Handoff, Item, Shift, ShiftMember, Status

HISTORY = 20  # handoffs per page of a chain's history
WINDOWS = (30, 90, 180)
CARRIED_TOO_LONG = 2


def team_manager(team: Team) -> Person | None:
    """The team's manager for escalations: whoever most of its active members report to (ties: the
    earliest person), never someone inactive."""
    counts = Counter(
        Person.objects.filter(team=team, is_active=True, manager__is_active=True).values_list(
            "manager_id", flat=True
        )
    )
    if not counts:
        return None
    best = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return Person.objects.get(pk=best)


def chains(org: Organisation) -> QuerySet[Chain]:
    return (
        Chain.objects.filter(org=org)
        .select_related("team")
        .prefetch_related(Prefetch("shifts", queryset=Shift.objects.order_by("position")))
        .order_by("team__name", "name")
    )


def shifts_of(chain: Chain) -> list[Shift]:
    return list(
        Shift.objects.filter(chain=chain)
        .prefetch_related(Prefetch("members", queryset=ShiftMember.objects.select_related("person")))
        .order_by("position")
    )


def my_shifts(viewer: Person, chain: Chain) -> list[Shift]:
    return list(Shift.objects.filter(chain=chain, members__person=viewer).order_by("position"))


def receiving_shift(chain: Chain, shift: Shift) -> Shift:
    """The shift after `shift` in the chain; the last hands back to the first."""
    ordered = list(Shift.objects.filter(chain=chain).order_by("position"))
    index = next(i for i, s in enumerate(ordered) if s.pk == shift.pk)
    return ordered[(index + 1) % len(ordered)]


def may_acknowledge(viewer: Person, handoff: Handoff) -> bool:
    if viewer.org_id != handoff.org_id:
        return False
    if ShiftMember.objects.filter(shift_id=handoff.to_shift_id, person=viewer).exists():
        return True
    return manages_team(viewer, handoff.chain.team)


def may_update_items(viewer: Person, chain: Chain) -> bool:
    if viewer.org_id != chain.org_id:
        return False
    return ShiftMember.objects.filter(shift__chain=chain, person=viewer).exists() or manages_team(
        viewer, chain.team
    )


# --- access -----------------------------------------------------------------------------------
#
# Reading: every member of the organisation reads its chains and handoffs. The access_<thing> functions
# fetch inside the person's organisation (anything else is Http404, like an id that does not exist) and
# say what the person may do; pages and the API both call them.
# Acting: permission is checked in the action, every app alike (save_chain, write_handoff, acknowledge,
# update_item take the actor and refuse with PermissionDenied by these same rules). Pages use the flags
# to hide what the actor could not do, or to answer 404 instead of 403.


@dataclass(frozen=True)
class ChainAccess:
    chain: Chain
    viewer: Person

    @cached_property
    def can_manage(self) -> bool:
        """Change the chain's shifts: the team's managers and admins."""
        return manages_team(self.viewer, self.chain.team)

    @cached_property
    def can_update_items(self) -> bool:
        return may_update_items(self.viewer, self.chain)


def access_chain(person: Person, chain_id: int) -> ChainAccess:
    found = first_or_404(
        Chain.objects.filter(org_id=person.org_id, pk=chain_id).select_related("team"), "No such chain."
    )
    return ChainAccess(found, person)


@dataclass(frozen=True)
class HandoffAccess:
    handoff: Handoff
    viewer: Person

    @cached_property
    def can_acknowledge(self) -> bool:
        return may_acknowledge(self.viewer, self.handoff)


def access_handoff(person: Person, handoff_id: int, *, with_entries: bool = False) -> HandoffAccess:
    rows = Handoff.objects.filter(org_id=person.org_id, pk=handoff_id).select_related(
        "chain__team", "from_shift", "to_shift", "author", "acknowledged_by"
    )
    if with_entries:  # what the API returns with every handoff
        rows = rows.prefetch_related("entries")
    found = first_or_404(rows, "No such handoff.")
    return HandoffAccess(found, person)


@dataclass(frozen=True)
class ItemAccess:
    item: Item
    viewer: Person

    @cached_property
    def can_update(self) -> bool:
        return may_update_items(self.viewer, self.item.chain)


def access_item(person: Person, item_id: int) -> ItemAccess:
    found = (
        Item.objects.filter(org_id=person.org_id, pk=item_id).select_related("chain__team", "owner").first()
    )
    if found is None:
        raise Http404("No such item.")
    return ItemAccess(found, person)


def managed_teams(person: Person) -> list[Team]:
    """Teams whose chains `person` may set up: every team for admins, else the teams they manage."""
    teams = Team.objects.filter(org_id=person.org_id).order_by("name")
    if person.is_admin:
        return list(teams)
    return list(teams.filter(members__manager=person, members__is_active=True).distinct())


def may_set_up_chains(person: Person) -> bool:
    """Whether managed_teams would name any team, without reading them: every team for an admin is the
    whole organisation's list."""
    if person.is_admin:
        return Team.objects.filter(org_id=person.org_id).exists()
    managed = Team.objects.filter(org_id=person.org_id, members__manager=person, members__is_active=True)
    return managed.exists()


def my_chain_ids(person: Person) -> set[int]:
    return set(
        Chain.objects.filter(org_id=person.org_id, shifts__members__person=person).values_list(
            "id", flat=True
        )
    )


def shift_of(chain: Chain, shift_id: int) -> Shift | None:
    return Shift.objects.filter(chain=chain, pk=shift_id).first()


def active_people(org_id: int) -> list[Person]:
    return list(Person.objects.filter(org_id=org_id, is_active=True).order_by("name"))


def shift_candidates(team: Team, chain: Chain) -> list[Person]:
    """Who a chain's shifts may hold: active people of the team and its sub-teams, and whoever is on
    the chain already."""
    return list(
        Person.objects.filter(org_id=team.org_id, is_active=True)
        .filter(Q(team_id__in=subtree_ids(team)) | Q(handoff_shifts__shift__chain_id=chain.pk or 0))
        .distinct()
        .order_by("name")
    )


def chain_people(chain: Chain) -> QuerySet[Person]:
    """Active people on the chain's shifts."""
    return (
        Person.objects.filter(org_id=chain.org_id, is_active=True, handoff_shifts__shift__chain=chain)
        .distinct()
        .order_by("name")
    )


def handoffs_of(chain: Chain) -> QuerySet[Handoff]:
    return (
        Handoff.objects.filter(org_id=chain.org_id, chain=chain)
        .prefetch_related("entries")
        .order_by("-written_at", "-id")
    )


def next_on_hours(shift: Shift, now: dt.datetime, skip: set[int] | None = None) -> Person | None:
    """Who in the shift is inside their declared working hours now (in the shift's order), else whose
    hours start soonest. Declared hours only: nothing here knows or asks who is online."""
    people = [
        m.person
        for m in ShiftMember.objects.filter(shift=shift, person__is_active=True).select_related("person")
        if m.person_id not in (skip or set())
    ]
    for person in people:
        if hours_of(person).is_working(now):
            return person
    upcoming = [(start, p.pk, p) for p in people if (start := hours_of(p).next_start(now)) is not None]
    return min(upcoming)[2] if upcoming else None


# --- pages -------------------------------------------------------------------------------------


def handoff_list(chain: Chain) -> QuerySet[Handoff]:
    return (
        Handoff.objects.filter(org_id=chain.org_id, chain=chain)
        .select_related("from_shift", "to_shift", "author", "acknowledged_by")
        .annotate(n_entries=Count("entries", distinct=True))
        .order_by("-written_at", "-id")
    )


def open_items(chain: Chain) -> QuerySet[Item]:
    return (
        Item.objects.filter(org_id=chain.org_id, chain=chain, closed_at__isnull=True)
        .select_related("owner")
        .order_by("-carried", "created_at", "id")
    )


def pending_for(person: Person, now: dt.datetime) -> list[Handoff]:
    """Notes waiting for `person`'s shift to acknowledge, whose receiving shift has started or starts
    within the hour (a note written early is worth reading early)."""
    return list(
        Handoff.objects.filter(
            org_id=person.org_id,
            to_shift__members__person=person,
            acknowledged_at__isnull=True,
            receiving_starts_at__lte=now + dt.timedelta(hours=1),
            receiving_starts_at__gte=now - dt.timedelta(days=3),
        )
        .select_related("chain", "from_shift", "to_shift", "author")
        .annotate(n_entries=Count("entries", distinct=True))
        .order_by("receiving_starts_at")
    )


# Where pending_now keeps its answer on the Person object: the home page shows the same notes twice,
# in its "waiting for you" list and in the handoff panel, from one read.
_PENDING_NOW = "_handoffs_pending_now"


def pending_now(person: Person) -> list[Handoff]:
    """pending_for now, read once per Person object. The signed-in person is loaded afresh for each
    request (accord/orgs/middleware.py), so this is once per request; jobs and the API call pending_for."""
    found: list[Handoff] | None = person.__dict__.get(_PENDING_NOW)
    if found is None:
        found = pending_for(person, timezone.now())
        person.__dict__[_PENDING_NOW] = found
    return found


@dataclass(frozen=True)
class Metrics:
    days: int
    handoffs: int
    acknowledged: int
    median_ack: dt.timedelta | None
    p90_ack: dt.timedelta | None
    late: int
    unacknowledged: int
    escalations: int
    carried_too_long: int  # items carried more than two shifts in the window (open or since closed)
    open_carried_too_long: int


def percentile(values: list[float], p: float) -> float:
    """Linear interpolation between closest ranks (the 'inclusive' method), p in [0, 100]."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(p) - 1] if p < 100 else ordered[-1]


def metrics(chain: Chain, now: dt.datetime, days: int = 90) -> Metrics:
    """Four queries whatever the number of handoffs."""
    since = now - dt.timedelta(days=days)
    rows = list(
        Handoff.objects.filter(org_id=chain.org_id, chain=chain, written_at__gte=since).values_list(
            "receiving_starts_at", "written_at", "ack_due_at", "acknowledged_at"
        )
    )
    # Counted from when the receiving shift could first read it (Handoff.readable_from).
    waits = [
        max((ack - max(start, written)).total_seconds(), 0.0)
        for start, written, _, ack in rows
        if ack is not None
    ]
    late = sum(1 for _, _, due, ack in rows if ack is not None and ack > due)
    unacked = sum(1 for _, _, due, ack in rows if ack is None and due <= now)
    escalations = Escalation.objects.filter(
        org_id=chain.org_id, handoff__chain=chain, created_at__gte=since
    ).count()
    carried = Item.objects.filter(org_id=chain.org_id, chain=chain, carried__gt=CARRIED_TOO_LONG)
    in_window = carried.filter(Q(closed_at__isnull=True) | Q(closed_at__gte=since)).count()
    still_open = carried.filter(closed_at__isnull=True).exclude(status=Status.CLOSED).count()
    return Metrics(
        days=days,
        handoffs=len(rows),
        acknowledged=len(waits),
        median_ack=dt.timedelta(seconds=statistics.median(waits)) if waits else None,
        p90_ack=dt.timedelta(seconds=percentile(waits, 90)) if waits else None,
        late=late,
        unacknowledged=unacked,
        escalations=escalations,
        carried_too_long=in_window,
        open_carried_too_long=still_open,
    )


def ack_words(handoff: Handoff) -> str:
    """How soon it was acknowledged, counted as the metrics count it."""
    if handoff.acknowledged_at is None:
        return ""
    if handoff.acknowledged_at <= handoff.readable_from:
        return "before the shift started"
    return f"{minutes(handoff.time_to_ack)} after it could be read"


def minutes(value: dt.timedelta | None) -> str:
    """'7 min', '1 h 05 min', or an en dash for nothing to show."""
    if value is None:
        return "–"
    total = round(value.total_seconds() / 60)
    if total < 60:
        return f"{total} min"
    return f"{total // 60} h {total % 60:02d} min"
