"""One search over people, teams and goals, with each kind's own access rules.

People and teams are visible to every member of the organisation (the directory and team pages show
them all); goals go through goals.queries.visible_goals, so a private goal is found only by those who
could open it. Each kind is one LIMITed query, so the cost does not grow with the organisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from accord.goals.models import Goal
from accord.goals.queries import visible_goals
from accord.lib.text import clean_query
from accord.orgs.models import Person, Team

PER_KIND = 8
MIN_LENGTH = 2  # one letter matches half the organisation and tells nobody anything
MAX_LENGTH = 100


@dataclass
class Found:
    q: str
    people: list[Person] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)

    @property
    def searched(self) -> bool:
        return len(self.q) >= MIN_LENGTH

    @property
    def empty(self) -> bool:
        return not (self.people or self.teams or self.goals)


def search(viewer: Person, raw: str | None, per_kind: int = PER_KIND) -> Found:
    q = clean_query(raw, MAX_LENGTH)
    found = Found(q)
    if not found.searched:
        return found
    found.people = list(
        Person.objects.filter(org_id=viewer.org_id, is_active=True)
        .filter(Q(name__icontains=q) | Q(email__icontains=q))
        .select_related("team")
        .order_by("name", "pk")[:per_kind]
    )
    found.teams = list(
        Team.objects.filter(org_id=viewer.org_id, name__icontains=q)
        .select_related("parent")
        .order_by("name", "pk")[:per_kind]
    )
    goals = visible_goals(viewer).filter(title__icontains=q).select_related("owner", "team")
    found.goals = list(goals.order_by("title", "pk")[:per_kind])
    return found
