"""Reads that carry rules: who sees which goals, who may change them, and follow-through.

Follow-through is about promises, never activity: of the commitments that fell due in a window, the
share done by their due date. "Fell due" and "today" are always judged in the owner's own time zone:
a commitment due today in Sydney is not yet due, whatever the date is in UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Case, Count, F, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone

from accord.orgs import chart
from accord.orgs.access import first_or_404
from accord.orgs.models import Person, Team

from .models import Commitment, CommitmentStatus, Goal, KeyResult, KeyResultUpdate, Level

WINDOW_DAYS = 90
LEVEL_RANK: dict[str, int] = {Level.COMPANY: 0, Level.TEAM: 1, Level.PERSON: 2}


# --- people around a person -------------------------------------------------------------------


def reports_below(person: Person) -> set[int]:
    """Everyone who reports to `person`, directly or through others, deactivated people included: a
    leaver's private goals stay visible up their line (see orgs.chart)."""
    return chart.reports_below(person)


def sees_signals_of(viewer: Person, person: Person) -> bool:
    """Follow-through and commitments: the person, anyone above them in the reporting line, admins."""
    if viewer.org_id != person.org_id:
        return False
    return viewer.pk == person.pk or viewer.is_admin or chart.is_above(viewer, person)


def managed_team_ids(person: Person, below: set[int] | None = None) -> set[int]:
    """Teams whose goals a manager may set: their own team and its sub-teams (when they have reports),
    and the teams of everyone below them."""
    org = chart.org_chart(person.org_id)
    below = org.reports_below(person.pk) if below is None else below
    if not below:
        return set()
    roots = org.teams_of(below)
    if person.team_id:
        roots.add(person.team_id)
    return chart.team_subtrees(person.org_id, roots)


# --- goals ------------------------------------------------------------------------------------


def visible_goals(viewer: Person, *, include_archived: bool = False) -> QuerySet[Goal]:
    """Goals `viewer` may see: every goal of the organisation, except private ones, which only their
    owner, the people above the owner in the reporting line, and admins see."""
    found = Goal.objects.filter(org_id=viewer.org_id)
    if not include_archived:
        found = found.filter(archived=False)
    if viewer.is_admin:
        return found
    return found.filter(Q(private=False) | Q(owner_id__in=[viewer.pk, *reports_below(viewer)]))


def can_see_goal(viewer: Person, goal: Goal) -> bool:
    if goal.org_id != viewer.org_id:
        return False
    if not goal.private or viewer.is_admin or goal.owner_id == viewer.pk:
        return True
    return goal.owner_id is not None and goal.owner_id in reports_below(viewer)


def goal_rights_error(
    actor: Person, *, level: str, team: Team | None, owner: Person | None
) -> tuple[str, str] | None:
    """Why `actor` may not hold a goal of this level, team and owner, as (field, message); None if they may.

    Admins: any goal. Managers: team goals of the teams they lead, and goals of people below them.
    Everyone: their own person-level goals.
    """
    if actor.is_admin:
        return None
    if level == Level.COMPANY:
        return "level", "Only admins can set company goals."
    below = reports_below(actor)
    if level == Level.TEAM:
        if team is not None and team.pk not in managed_team_ids(actor, below):
            return "team", "You can set team goals only for a team you lead."
        if owner is not None and owner.pk != actor.pk and owner.pk not in below:
            return "owner", "A team goal you set must be owned by you or by someone who reports to you."
        return None
    if owner is not None and owner.pk != actor.pk and owner.pk not in below:
        return "owner", "You can set goals only for yourself or for people who report to you."
    return None


def can_edit_goal(actor: Person, goal: Goal) -> bool:
    if goal.org_id != actor.org_id or not can_see_goal(actor, goal):
        return False
    return goal_rights_error(actor, level=goal.level, team=goal.team, owner=goal.owner) is None


def can_record_progress(actor: Person, goal: Goal) -> bool:
    """Whoever may edit the goal, and its owner (a team goal may be owned by someone who is not a manager)."""
    return (goal.owner_id == actor.pk and goal.org_id == actor.org_id) or can_edit_goal(actor, goal)


# --- access -----------------------------------------------------------------------------------
#
# Reading: the access_<thing> functions fetch inside the person's organisation and say what the person
# may do; pages and the API both call them. Anything the person may not see raises Http404, the same as
# an id that does not exist (the API words it as "No such … in this organisation").
# Acting: permission is checked in the action, every app alike (check_goal_rights, may_commit_for, the
# checks in add_key_result and record_progress), by the same rule functions the flags read; here it
# also depends on the values written (level, team, owner), which only the action sees. A page checks a
# flag first only to answer 404 instead of 403.


@dataclass(frozen=True)
class GoalAccess:
    goal: Goal
    viewer: Person

    # Computed on first use: a page that only reads the goal pays no query for them.
    @cached_property
    def can_edit(self) -> bool:
        return can_edit_goal(self.viewer, self.goal)

    @cached_property
    def can_record_progress(self) -> bool:
        return can_record_progress(self.viewer, self.goal)


def access_goal(person: Person, goal_id: int) -> GoalAccess:
    """A goal `person` may see (archived ones too); else Http404."""
    goal = Goal.objects.filter(org_id=person.org_id, pk=goal_id).first()
    if goal is None or not can_see_goal(person, goal):
        raise Http404("No such goal.")
    return GoalAccess(goal, person)


def access_key_result(person: Person, key_result_id: int) -> tuple[KeyResult, GoalAccess]:
    """A key result of a goal `person` may see, with that goal's access; else Http404."""
    kr = first_or_404(KeyResult.objects.filter(org_id=person.org_id, pk=key_result_id), "No such key result.")
    access = access_goal(person, kr.goal_id)
    kr.goal = access.goal
    return kr, access


def access_signals_person(person: Person, person_id: int) -> Person:
    """An active person whose commitments and follow-through `person` may see (themselves, anyone below
    them, anyone for admins); else Http404. The API used to accept deactivated people here, the page
    did not: leavers' commitments are no longer listed either way."""
    found = Person.objects.filter(org_id=person.org_id, pk=person_id, is_active=True).first()
    if found is None or not sees_signals_of(person, found):
        raise Http404("No such person.")
    return found


def access_commitment(person: Person, commitment_id: int) -> Commitment:
    """A commitment whose owner's signals `person` may see; else Http404."""
    found = Commitment.objects.filter(org_id=person.org_id, pk=commitment_id).select_related("owner").first()
    if found is None or not sees_signals_of(person, found.owner):
        raise Http404("No such commitment.")
    return found


def direct_reports(person: Person) -> list[Person]:
    return list(Person.objects.filter(org_id=person.org_id, manager=person, is_active=True).order_by("name"))


def active_reports_below(person: Person) -> list[Person]:
    """Active people below `person`, by name: whose commitments a manager reads together."""
    below = reports_below(person)
    return list(Person.objects.filter(org_id=person.org_id, pk__in=below, is_active=True).order_by("name"))


def key_results_with_history(goal: Goal) -> list[KeyResult]:
    return list(
        KeyResult.objects.filter(org_id=goal.org_id, goal=goal)
        .prefetch_related(
            Prefetch("updates", queryset=KeyResultUpdate.objects.select_related("by").order_by("at", "id"))
        )
        .order_by("id")
    )


GOALS_PAGE = 50


@dataclass
class GoalsPage:
    tree: list[GoalNode]
    page: int
    has_more: bool


def goals_page(viewer: Person, show: str, page: int) -> GoalsPage:
    """One page of the goals `viewer` may see ("all", their "team"'s or "mine"), company goals first, as an
    alignment tree: the page's goals with their key results, and the goals above them (greyed, without
    key results) for context. Its cost is the page's goals and their ancestors, never the organisation's."""
    found = visible_goals(viewer)
    if show == "mine":
        found = found.filter(owner=viewer)
    elif show == "team":
        if not viewer.team_id:
            return GoalsPage([], 1, False)
        found = found.filter(Q(team_id=viewer.team_id) | Q(owner__team_id=viewer.team_id))
    rank = Case(*(When(level=level, then=Value(n)) for level, n in LEVEL_RANK.items()), default=Value(3))
    ordered = found.annotate(rank=rank).order_by("rank", Lower("title"), "pk")
    start = (page - 1) * GOALS_PAGE
    shown = list(with_key_results(ordered)[start : start + GOALS_PAGE + 1])
    has_more = len(shown) > GOALS_PAGE
    shown = shown[:GOALS_PAGE]
    loaded = {g.pk: g for g in shown}
    # Ancestors for context, a level per query (alignment is a few levels deep); a stored cycle ends
    # because a goal is fetched once.
    wanted = {g.parent_id for g in shown if g.parent_id is not None} - loaded.keys()
    while wanted:
        above = list(visible_goals(viewer).select_related("owner", "team").filter(pk__in=wanted))
        loaded.update((g.pk, g) for g in above)
        wanted = {g.parent_id for g in above if g.parent_id is not None} - loaded.keys()
    return GoalsPage(goal_tree(loaded.values(), {g.pk for g in shown}), page, has_more)


def with_key_results(goals: QuerySet[Goal]) -> QuerySet[Goal]:
    return goals.select_related("owner", "team").prefetch_related(
        Prefetch("key_results", queryset=KeyResult.objects.order_by("id"))
    )


@dataclass
class GoalNode:
    goal: Goal
    children: list[GoalNode]
    depth: int
    # A goal shown only because something beneath it matched the filter.
    context: bool = False


def goal_tree(goals: Iterable[Goal], matched: set[int] | None = None) -> list[GoalNode]:
    """The alignment tree of `goals` (company, then team, then person goals at each level).

    A goal whose parent is not among `goals` (not visible, archived or filtered out) becomes a root.
    With `matched`, only those goals and their ancestors are kept; the ancestors are marked as context.
    """
    by_id = {g.pk: g for g in goals}
    keep = set(by_id)
    if matched is not None:
        keep = set()
        for gid in matched:
            current: int | None = gid
            while current is not None and current in by_id and current not in keep:
                keep.add(current)
                current = by_id[current].parent_id
    children: dict[int | None, list[Goal]] = {}
    for g in by_id.values():
        if g.pk not in keep:
            continue
        parent = g.parent_id if g.parent_id in keep else None
        children.setdefault(parent, []).append(g)

    def order(g: Goal) -> tuple[int, str, int]:
        return LEVEL_RANK.get(g.level, 3), g.title.lower(), g.pk

    def build(parent: int | None, depth: int, seen: frozenset[int]) -> list[GoalNode]:
        nodes = []
        for g in sorted(children.get(parent, []), key=order):
            if g.pk in seen:  # a stored cycle would never come from the actions, but must not hang a page
                continue
            nodes.append(
                GoalNode(
                    goal=g,
                    children=build(g.pk, depth + 1, seen | {g.pk}),
                    depth=depth,
                    context=matched is not None and g.pk not in matched,
                )
            )
        return nodes

    return build(None, 0, frozenset())


def goal_descendant_ids(goal: Goal) -> set[int]:
    """Goals aligned beneath `goal`, at any depth, from one query."""
    links = Goal.objects.filter(org_id=goal.org_id).values_list("id", "parent_id")
    children: dict[int, list[int]] = {}
    for gid, parent in links:
        if parent is not None:
            children.setdefault(parent, []).append(gid)
    found: set[int] = set()
    todo = list(children.get(goal.pk, []))
    while todo:
        gid = todo.pop()
        if gid not in found:
            found.add(gid)
            todo.extend(children.get(gid, []))
    return found


# --- time -------------------------------------------------------------------------------------


def local_today(person: Person, now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(person.zone).date()


def _todays(people: list[Person], today_in_their_zone: dt.date | dt.datetime | None) -> dict[int, dt.date]:
    """Each person's own date today. A date is taken as everyone's local today; a moment (or now) is
    read on each person's own clock."""
    if isinstance(today_in_their_zone, dt.datetime):
        if timezone.is_naive(today_in_their_zone):
            raise ValueError("Give an aware datetime, or the date that is today in their zone.")
        return {p.pk: today_in_their_zone.astimezone(p.zone).date() for p in people}
    if isinstance(today_in_their_zone, dt.date):
        return {p.pk: today_in_their_zone for p in people}
    now = timezone.now()
    return {p.pk: now.astimezone(p.zone).date() for p in people}


def _by_day(todays: dict[int, dt.date]) -> dict[dt.date, list[int]]:
    grouped: dict[dt.date, list[int]] = {}
    for pid, day in todays.items():
        grouped.setdefault(day, []).append(pid)
    return grouped


# --- follow-through ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowThrough:
    """Commitments done by their due date (`kept`) over commitments that fell due (`due`) in the window."""

    kept: int
    due: int
    window_days: int = WINDOW_DAYS

    @property
    def share(self) -> float | None:
        return self.kept / self.due if self.due else None

    @property
    def percent(self) -> int | None:
        return None if self.share is None else round(self.share * 100)

    @property
    def sentence(self) -> str:
        if not self.due:
            return f"No commitments fell due in the last {self.window_days} days."
        if self.due == 1:
            return f"{self.kept} of 1 commitment done by its due date in the last {self.window_days} days"
        return (
            f"{self.kept} of {self.due} commitments done by their due date "
            f"in the last {self.window_days} days"
        )

    @property
    def tone(self) -> str:
        """A badge colour for the share: ok from 80 %, warn from 60 %, bad below."""
        if self.share is None:
            return ""
        return "ok" if self.share >= 0.8 else "warn" if self.share >= 0.6 else "bad"

    def __add__(self, other: FollowThrough) -> FollowThrough:
        return FollowThrough(self.kept + other.kept, self.due + other.due, self.window_days)


def _as_people(person_or_people: Person | Iterable[Person]) -> list[Person]:
    if isinstance(person_or_people, Person):
        return [person_or_people]
    return list(person_or_people)


def follow_through_by_person(
    person_or_people: Person | Iterable[Person],
    today_in_their_zone: dt.date | dt.datetime | None = None,
    window_days: int = WINDOW_DAYS,
) -> dict[int, FollowThrough]:
    """Follow-through of each person, in one query however many people.

    A commitment counts when its due date lies between today − `window_days` and yesterday in its
    owner's zone and it was not dropped; it is kept when it was done on or before its due date.
    """
    people = _as_people(person_or_people)
    results = {p.pk: FollowThrough(0, 0, window_days) for p in people}
    if not people:
        return results
    window = Q()
    for today, ids in _by_day(_todays(people, today_in_their_zone)).items():
        window |= Q(
            owner_id__in=ids,
            due_on__gte=today - dt.timedelta(days=window_days),
            due_on__lte=today - dt.timedelta(days=1),
        )
    rows = (
        Commitment.objects.filter(org_id=people[0].org_id)
        .filter(window)
        .exclude(status=CommitmentStatus.DROPPED)
        .order_by()
        .values("owner_id")
        .annotate(
            due=Count("id"),
            kept=Count("id", filter=Q(status=CommitmentStatus.DONE, done_on__lte=F("due_on"))),
        )
    )
    for row in rows:
        results[row["owner_id"]] = FollowThrough(row["kept"], row["due"], window_days)
    return results


def follow_through(
    person_or_people: Person | Iterable[Person],
    today_in_their_zone: dt.date | dt.datetime | None = None,
    window_days: int = WINDOW_DAYS,
) -> FollowThrough:
    """Follow-through of a person, or of a group (a team) as the sum over its members.

    `today_in_their_zone`: the date that is today where they are, or a moment (default: now) that
    is read on each person's own clock, which is what a group spread over time zones needs.
    """
    total = FollowThrough(0, 0, window_days)
    for result in follow_through_by_person(person_or_people, today_in_their_zone, window_days).values():
        total = total + result
    return total


# --- commitments ------------------------------------------------------------------------------


def annotate_due(commitments: Iterable[Commitment], now: dt.datetime | None = None) -> list[Commitment]:
    """Give each commitment `days_left` (negative when overdue) on its owner's own clock.

    The owner must already be loaded (select_related), so this costs no query.
    """
    now = now or timezone.now()
    found = list(commitments)
    for c in found:
        c.days_left = (c.due_on - local_today(c.owner, now)).days  # type: ignore[attr-defined]
    return found


def slipping(
    person_or_people: Person | Iterable[Person],
    today_in_their_zone: dt.date | dt.datetime | None = None,
    limit: int = 50,
) -> list[Commitment]:
    """Commitments that keep slipping: still open after their due date in the owner's zone, oldest first."""
    people = _as_people(person_or_people)
    if not people:
        return []
    todays = _todays(people, today_in_their_zone)
    late = Q()
    for today, ids in _by_day(todays).items():
        late |= Q(owner_id__in=ids, due_on__lt=today)
    found = list(
        Commitment.objects.filter(org_id=people[0].org_id, status=CommitmentStatus.OPEN)
        .filter(late)
        .select_related("owner", "goal")
        .order_by("due_on", "id")[:limit]
    )
    for c in found:
        c.days_late = (todays[c.owner_id] - c.due_on).days  # type: ignore[attr-defined]
    return found


def commitments_of(owner_ids: Iterable[int], org_id: int) -> QuerySet[Commitment]:
    return Commitment.objects.filter(org_id=org_id, owner_id__in=list(owner_ids)).select_related(
        "owner", "goal", "created_by"
    )


# A commitment shows as due on the home page from this many days before its date (and once late).
DUE_SOON_DAYS = 2


def commitments_due(person: Person, now: dt.datetime, days: int = DUE_SOON_DAYS) -> list[Commitment]:
    """The person's open commitments due within `days` on their own clock, or late; soonest first."""
    last = local_today(person, now) + dt.timedelta(days=days)
    return annotate_due(
        Commitment.objects.filter(
            org_id=person.org_id, owner=person, status=CommitmentStatus.OPEN, due_on__lte=last
        )
        .select_related("owner")
        .order_by("due_on", "id"),
        now,
    )
