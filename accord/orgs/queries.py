"""Reads with rules: who sees whom, and what a person's clock says right now."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from accord.lib.tz import Hours, utc_offset_label

from .chart import team_subtrees
from .models import Organisation, Person, Team


def people(org: Organisation) -> QuerySet[Person]:
    """Active people with what every list shows, in a fixed number of queries however many there are."""
    return (
        Person.objects.filter(org=org, is_active=True)
        .select_related("team", "manager")
        .annotate(report_count=Count("reports", filter=Q(reports__is_active=True)))
    )


def team_of(org: Organisation, team_id: int | None) -> Team | None:
    """A team of the organisation by id, or None (another tenant's team is simply not found)."""
    return None if team_id is None else Team.objects.filter(org=org, pk=team_id).first()


def person_of(org: Organisation, person_id: int | None) -> Person | None:
    """An active person of the organisation by id, or None."""
    if person_id is None:
        return None
    return Person.objects.filter(org=org, pk=person_id, is_active=True).first()


def child_teams(team: Team) -> list[Team]:
    return list(Team.objects.filter(org_id=team.org_id, parent=team))


def is_member(user_id: int | None, org_id: int) -> bool:
    """Whether the signed-in user is an active member of that organisation (switching to it)."""
    return (
        user_id is not None and Person.objects.filter(user_id=user_id, org_id=org_id, is_active=True).exists()
    )


def subtree_ids(team: Team) -> list[int]:
    """The team and everything below it, from one query of the org's teams."""
    return sorted(team_subtrees(team.org_id, [team.pk]))


@dataclass
class TreeNode:
    team: Team
    children: list[TreeNode]
    member_count: int
    depth: int
    hidden: int = 0  # sub-teams a folded outline leaves out


def team_tree(org: Organisation) -> list[TreeNode]:
    teams = list(
        Team.objects.filter(org=org)
        .annotate(n=Count("members", filter=Q(members__is_active=True)))
        .order_by("name")
    )
    by_parent: dict[int | None, list[Team]] = {}
    for t in teams:
        by_parent.setdefault(t.parent_id, []).append(t)

    def build(parent: int | None, depth: int) -> list[TreeNode]:
        return [TreeNode(t, build(t.id, depth + 1), t.n, depth) for t in by_parent.get(parent, [])]  # type: ignore[attr-defined]

    return build(None, 0)


# The teams page shows this many levels below each top-level team, and this many top-level teams a page;
# a deeper team is one click away on its parent's page.
OUTLINE_LEVELS = 3
OUTLINE_PAGE = 50


@dataclass
class Outline:
    tree: list[TreeNode]
    page: int
    has_more: bool


def team_outline(org: Organisation, page: int = 1) -> Outline:
    """The top of the team tree: a page of top-level teams and OUTLINE_LEVELS levels below them, with their
    active member counts and, for the deepest shown, how many sub-teams they have. A query per level, so
    its cost is the teams shown, not the organisation's."""
    start = (page - 1) * OUTLINE_PAGE
    roots = list(
        Team.objects.filter(org=org, parent=None).order_by("name", "pk")[start : start + OUTLINE_PAGE + 1]
    )
    has_more = len(roots) > OUTLINE_PAGE
    levels = [roots[:OUTLINE_PAGE]]
    while len(levels) < OUTLINE_LEVELS and levels[-1]:
        above = [t.pk for t in levels[-1]]
        levels.append(list(Team.objects.filter(org=org, parent_id__in=above).order_by("name", "pk")))
    shown = [t for level in levels for t in level]
    counts = dict(
        Person.objects.filter(org=org, is_active=True, team__in=shown)
        .values_list("team_id")
        .annotate(n=Count("id"))
        .values_list("team_id", "n")
    )
    hidden: dict[int, int] = {}
    if levels[-1]:
        hidden = dict(
            Team.objects.filter(org=org, parent__in=levels[-1])
            .values_list("parent_id")
            .annotate(n=Count("id"))
            .values_list("parent_id", "n")
        )
    by_parent: dict[int | None, list[Team]] = {}
    for level in levels[1:]:
        for t in level:
            by_parent.setdefault(t.parent_id, []).append(t)

    def build(teams: list[Team], depth: int) -> list[TreeNode]:
        return [
            TreeNode(
                t, build(by_parent.get(t.pk, []), depth + 1), counts.get(t.pk, 0), depth, hidden.get(t.pk, 0)
            )
            for t in teams
        ]

    return Outline(build(levels[0], 0), page, has_more)


def flatten(nodes: list[TreeNode]) -> list[TreeNode]:
    out: list[TreeNode] = []
    for node in nodes:
        out.append(node)
        out.extend(flatten(node.children))
    return out


@dataclass(frozen=True)
class Clock:
    """What a person's own clock says now, from declared hours only (never from activity)."""

    local: dt.datetime
    offset: str
    working: bool
    next_start: dt.datetime | None

    @property
    def status(self) -> str:
        return "In working hours" if self.working else "Outside working hours"


def hours_of(person: Person) -> Hours:
    return Hours(person.work_start, person.work_end, person.work_days, person.zone)


def clock(person: Person, now: dt.datetime) -> Clock:
    hours = hours_of(person)
    working = hours.is_working(now)
    upcoming = None if working else hours.next_start(now)
    return Clock(
        local=now.astimezone(person.zone),
        offset=utc_offset_label(person.zone, now),
        working=working,
        next_start=upcoming.astimezone(person.zone) if upcoming else None,
    )


def with_clocks(found: list[Person], now: dt.datetime) -> list[Person]:
    for p in found:
        p.clock = clock(p, now)  # type: ignore[attr-defined]
    return found


def can_edit(viewer: Person, person: Person) -> bool:
    """Whose profile `viewer` may change, on the page and over the API: their own; admins anyone's of
    their organisation."""
    return viewer.org_id == person.org_id and (viewer.is_admin or viewer.pk == person.pk)
