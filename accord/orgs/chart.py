"""The organisation chart: who is above a person, who is below, and which teams sit under a team.

Every app that asks "does this viewer manage that person?" walks the chart here, from one query per
organisation, so the rules below hold everywhere:

- A reporting line runs *through* deactivated people. When a middle manager leaves, their reports keep
  `manager_id` until someone reassigns them; the manager above still looks after them meanwhile (checks-in
  participation, follow-through, private goals and pulse scopes all agreed on this except the pulse scope,
  which used to stop at the first deactivated person).
- Whether a deactivated person *counts* is the caller's choice (`active_only`): a leaver's private goals
  stay visible up their line; a leaver's team does not widen anyone's pulse scope.
- Loops cannot be saved (orgs.actions.check_person), but rows written around that rule must not hang a
  request: every walk remembers where it has been.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .models import Person, Team


@dataclass(frozen=True)
class OrgChart:
    """The reporting links of one organisation, read once."""

    manager_of: dict[int, int | None]
    active: frozenset[int]
    team_of: dict[int, int | None]
    reports_of: dict[int, list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, org_id: int) -> OrgChart:
        rows = Person.objects.filter(org_id=org_id).values_list("id", "manager_id", "is_active", "team_id")
        manager_of: dict[int, int | None] = {}
        team_of: dict[int, int | None] = {}
        active: set[int] = set()
        reports_of: dict[int, list[int]] = {}
        for pid, manager_id, is_active, team_id in rows:
            manager_of[pid] = manager_id
            team_of[pid] = team_id
            if is_active:
                active.add(pid)
            if manager_id is not None:
                reports_of.setdefault(manager_id, []).append(pid)
        return cls(manager_of, frozenset(active), team_of, reports_of)

    def managers_above(self, person_id: int, *, active_only: bool = False) -> list[int]:
        """The person's manager, their manager and so on, nearest first (never the person themselves)."""
        chain: list[int] = []
        seen = {person_id}
        current = self.manager_of.get(person_id)
        while current is not None and current not in seen:
            seen.add(current)
            chain.append(current)
            current = self.manager_of.get(current)
        return [pid for pid in chain if pid in self.active] if active_only else chain

    def reports_below(self, person_id: int, *, active_only: bool = False) -> set[int]:
        """Everyone who reports to the person, directly or through others (never the person themselves)."""
        found: set[int] = set()
        todo = list(self.reports_of.get(person_id, []))
        while todo:
            pid = todo.pop()
            if pid in found or pid == person_id:
                continue
            found.add(pid)
            todo.extend(self.reports_of.get(pid, []))
        return found & self.active if active_only else found

    def is_above(self, viewer_id: int, person_id: int) -> bool:
        return viewer_id in self.managers_above(person_id)

    def teams_of(self, people: Iterable[int]) -> set[int]:
        return {t for pid in people if (t := self.team_of.get(pid)) is not None}


def org_chart(org_id: int) -> OrgChart:
    return OrgChart.of(org_id)


def managers_above(person: Person, *, active_only: bool = False) -> list[int]:
    return org_chart(person.org_id).managers_above(person.pk, active_only=active_only)


def reports_below(person: Person, *, active_only: bool = False) -> set[int]:
    # Most people manage nobody: one indexed look-up answers for them without reading the whole chart.
    if not Person.objects.filter(org_id=person.org_id, manager_id=person.pk).exists():
        return set()
    return org_chart(person.org_id).reports_below(person.pk, active_only=active_only)


def is_above(viewer: Person, person: Person) -> bool:
    """Whether `viewer` is anywhere above `person` in the reporting line (same organisation only)."""
    return viewer.org_id == person.org_id and org_chart(person.org_id).is_above(viewer.pk, person.pk)


def team_subtrees(org_id: int, roots: Iterable[int]) -> set[int]:
    """The given teams and every team below them, from one query of the organisation's teams.
    Team ids not in the organisation are dropped."""
    parents = dict(Team.objects.filter(org_id=org_id).values_list("id", "parent_id"))
    children: dict[int, list[int]] = {}
    for tid, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(tid)
    found: set[int] = set()
    todo = [t for t in roots if t in parents]
    while todo:
        tid = todo.pop()
        if tid not in found:
            found.add(tid)
            todo.extend(children.get(tid, []))
    return found


def has_reports(person: Person) -> bool:
    """Whether anyone active reports to the person directly: what makes someone a manager."""
    return Person.objects.filter(org_id=person.org_id, manager=person, is_active=True).exists()


def manages_team(viewer: Person, team: Team) -> bool:
    """Admins, and anyone who manages an active member of the team directly."""
    if viewer.org_id != team.org_id:
        return False
    return (
        viewer.is_admin
        or Person.objects.filter(org_id=team.org_id, team=team, manager=viewer, is_active=True).exists()
    )
