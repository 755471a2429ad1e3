"""The org chart page: the team tree a level at a time.

A 12,000-team organisation cannot be drawn at once, so the page opens on the top two levels and each
deeper team is unfolded on demand. Every fold costs a fixed number of queries for the teams it shows
(their sub-team counts, member counts and managers, grouped), never a read of the whole tree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count

from .models import Organisation, Person, Team

OPEN_LEVELS = 2  # levels shown unfolded when the page opens
MANAGERS_SHOWN = 2


@dataclass
class ChartNode:
    team: Team
    member_count: int
    sub_team_count: int
    managers: list[Person]
    children: list[ChartNode] = field(default_factory=list)

    @property
    def folded(self) -> bool:
        return self.sub_team_count > 0 and not self.children


def nodes_under(org: Organisation, parents: list[int] | None, only: int | None = None) -> list[ChartNode]:
    """The teams whose parent is one of `parents` (the top-level teams when None), each with its direct
    member count, how many sub-teams it has, and its managers: the people who manage most of its members
    directly (what orgs.chart.manages_team counts as managing a team)."""
    rows = Team.objects.filter(org=org)
    rows = rows.filter(parent__isnull=True) if parents is None else rows.filter(parent_id__in=parents)
    if only is not None:
        rows = rows.filter(pk=only)
    teams = list(rows.order_by("name", "pk"))
    ids = [t.pk for t in teams]
    if not ids:
        return []
    sub_teams = dict(
        Team.objects.filter(org=org, parent_id__in=ids)
        .values("parent_id")
        .annotate(n=Count("pk"))
        .values_list("parent_id", "n")
    )
    members: Counter[int] = Counter()
    managed: dict[int, Counter[int]] = {}
    # Counted here rather than with GROUP BY: without planner statistics SQLite answers a grouped query
    # for one team through the (org, manager) index, reading every person of the organisation.
    members_of = Person.objects.filter(org=org, team_id__in=ids, is_active=True).order_by()
    for team_id, manager_id in members_of.values_list("team_id", "manager_id"):
        members[team_id] += 1
        if manager_id is not None:
            managed.setdefault(team_id, Counter())[manager_id] += 1
    top = {tid: [m for m, _ in c.most_common(MANAGERS_SHOWN)] for tid, c in managed.items()}
    wanted = {m for ms in top.values() for m in ms}
    people = {p.pk: p for p in Person.objects.filter(org=org, pk__in=wanted, is_active=True)}
    return [
        ChartNode(
            team=t,
            member_count=members[t.pk],
            sub_team_count=sub_teams.get(t.pk, 0),
            managers=[people[m] for m in top.get(t.pk, []) if m in people],
        )
        for t in teams
    ]


def opened(org: Organisation, root: Team | None, levels: int = OPEN_LEVELS) -> list[ChartNode]:
    """The chart from `root` (the whole organisation when None): `levels` levels unfolded, the rest folded.
    A root team is itself the one top node, with its sub-teams below."""
    top = nodes_under(org, None) if root is None else _node_of(org, root)
    frontier = top
    for _ in range(levels - 1):
        parents = [n.team.pk for n in frontier if n.sub_team_count]
        if not parents:
            break
        below = nodes_under(org, parents)
        by_parent: dict[int | None, list[ChartNode]] = {}
        for n in below:
            by_parent.setdefault(n.team.parent_id, []).append(n)
        for n in frontier:
            n.children = by_parent.get(n.team.pk, [])
        frontier = below
    return top


def _node_of(org: Organisation, team: Team) -> list[ChartNode]:
    return nodes_under(org, [team.parent_id] if team.parent_id else None, only=team.pk)
