"""The organisation chart: who is above a person, who is below, and which teams sit under a team.

Every app that asks "does this viewer manage that person?" walks the chart here, so the rules below hold
everywhere. A walk reads only the line above a person or the people below them, in one query (a
recursive CTE): what a check costs does not grow with the organisation.

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

from django.db import connection

from .models import Person, Team

PERSON = Person._meta.db_table
TEAM = Team._meta.db_table

# Walks run in the database (recursive CTEs), so a check costs what the reporting line above a person, or
# the people below them, hold: never one read of the whole organisation. UNION (not UNION ALL) drops a
# row already found, which is what ends a walk around a loop saved around the rules.
UP_SQL = f"""
WITH RECURSIVE up(id) AS (
    SELECT id FROM {PERSON} WHERE id = %s AND org_id = %s
    UNION
    SELECT p.manager_id FROM {PERSON} p JOIN up ON p.id = up.id WHERE p.manager_id IS NOT NULL
)
SELECT p.id, p.manager_id, p.is_active FROM {PERSON} p WHERE p.org_id = %s AND p.id IN (SELECT id FROM up)
"""
DOWN_SQL = f"""
WITH RECURSIVE down(id) AS (
    SELECT id FROM {PERSON} WHERE org_id = %s AND manager_id = %s
    UNION
    SELECT p.id FROM {PERSON} p JOIN down ON p.manager_id = down.id WHERE p.org_id = %s
)
SELECT p.id, p.is_active, p.team_id FROM {PERSON} p WHERE p.org_id = %s AND p.id IN (SELECT id FROM down)
"""
SUBTREE_SQL = f"""
WITH RECURSIVE below(id) AS (
    SELECT id FROM {TEAM} WHERE org_id = %s AND id IN ({{roots}})
    UNION
    SELECT t.id FROM {TEAM} t JOIN below ON t.parent_id = below.id WHERE t.org_id = %s
)
SELECT id FROM below
"""


@dataclass
class OrgChart:
    """The reporting links of one organisation, read as far as each question needs (the line above a
    person, the people below them) and remembered for the rest of the request's questions."""

    org_id: int
    manager_of: dict[int, int | None] = field(default_factory=dict)
    active: set[int] = field(default_factory=set)
    team_of: dict[int, int | None] = field(default_factory=dict)
    walked_up: set[int] = field(default_factory=set)

    @classmethod
    def of(cls, org_id: int) -> OrgChart:
        return cls(org_id)

    def _walk_up(self, person_id: int) -> None:
        if person_id in self.walked_up:
            return
        with connection.cursor() as cursor:
            cursor.execute(UP_SQL, [person_id, self.org_id, self.org_id])
            for pid, manager_id, is_active in cursor.fetchall():
                self.manager_of[pid] = manager_id
                self.walked_up.add(pid)
                if is_active:
                    self.active.add(pid)

    def managers_above(self, person_id: int, *, active_only: bool = False) -> list[int]:
        """The person's manager, their manager and so on, nearest first (never the person themselves)."""
        self._walk_up(person_id)
        chain: list[int] = []
        seen = {person_id}
        current = self.manager_of.get(person_id)
        while current is not None and current not in seen and current in self.manager_of:
            seen.add(current)
            chain.append(current)
            current = self.manager_of.get(current)
        return [pid for pid in chain if pid in self.active] if active_only else chain

    def reports_below(self, person_id: int, *, active_only: bool = False) -> set[int]:
        """Everyone who reports to the person, directly or through others (never the person themselves)."""
        found: set[int] = set()
        with connection.cursor() as cursor:
            cursor.execute(DOWN_SQL, [self.org_id, person_id, self.org_id, self.org_id])
            for pid, is_active, team_id in cursor.fetchall():
                if pid == person_id:
                    continue
                self.team_of[pid] = team_id
                if is_active:
                    self.active.add(pid)
                if not active_only or is_active:
                    found.add(pid)
        return found

    def is_above(self, viewer_id: int, person_id: int) -> bool:
        return viewer_id in self.managers_above(person_id)

    def teams_of(self, people: Iterable[int]) -> set[int]:
        wanted = set(people)
        missing = wanted - self.team_of.keys()
        if missing:
            rows = Person.objects.filter(org_id=self.org_id, id__in=missing).values_list("id", "team_id")
            self.team_of.update(rows)
        return {t for pid in wanted if (t := self.team_of.get(pid)) is not None}


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
    """The given teams and every team below them, from one query that reads only those teams.
    Team ids not in the organisation are dropped."""
    wanted = sorted({int(t) for t in roots})
    if not wanted:
        return set()
    sql = SUBTREE_SQL.format(roots=", ".join(["%s"] * len(wanted)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [org_id, *wanted, org_id])
        return {row[0] for row in cursor.fetchall()}


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
