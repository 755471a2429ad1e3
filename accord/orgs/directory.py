"""The people directory: one page of people at a time, filtered in the database.

A 100,000-person organisation must answer as fast as a small one, so nothing here reads the whole
organisation: the page's rows come from an ordered, indexed query with LIMIT/OFFSET, report counts are
asked for the page's people only, and the team filter offers the top levels of the tree (deeper teams
are reached from the org chart or search, which link here with ?team=).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.utils.functional import cached_property

from .chart import team_subtrees
from .models import Organisation, Person, Team

PAGE_SIZE = 50
FILTER_DEPTH = 3  # levels of the team tree offered in the directory's team filter
MAX_QUERY = 100
ZONES_CACHE_SECONDS = 300
COUNT_CAP = 1_000  # a search longer than any name or email finds nobody anyway


@dataclass(frozen=True)
class Filters:
    q: str = ""
    team: Team | None = None
    zone: str = ""
    manager: Person | None = None

    @property
    def any(self) -> bool:
        return bool(self.q or self.team or self.zone or self.manager)


def matching(org: Organisation, f: Filters) -> QuerySet[Person]:
    found = Person.objects.filter(org=org, is_active=True)
    if f.q:
        q = f.q[:MAX_QUERY]
        found = found.filter(
            Q(name__icontains=q) | Q(email__icontains=q) | Q(title__icontains=q) | Q(location__icontains=q)
        )
    if f.team is not None:
        found = found.filter(team_id__in=sorted(team_subtrees(org.pk, [f.team.pk])))
    if f.zone:
        found = found.filter(timezone=f.zone)
    if f.manager is not None:
        found = found.filter(manager=f.manager)
    return found.order_by("name", "pk")


def with_report_counts(people: list[Person]) -> list[Person]:
    """Direct reports of each listed person, asked for these people only (one grouped query)."""
    if not people:
        return people
    counts = dict(
        Person.objects.filter(org_id=people[0].org_id, manager_id__in=[p.pk for p in people], is_active=True)
        .values("manager_id")
        .annotate(n=Count("pk"))
        .values_list("manager_id", "n")
    )
    for p in people:
        p.report_count = counts.get(p.pk, 0)  # type: ignore[attr-defined]
    return people


class SearchPaginator(Paginator):
    """Counts at most COUNT_CAP matches: a text search is a scan, and a count of every match of a common
    string would read the whole organisation where the page itself stops after PAGE_SIZE."""

    @cached_property
    def count(self) -> int:
        return self.object_list[: COUNT_CAP + 1].count()  # type: ignore[attr-defined,no-any-return,index]


def page_of(org: Organisation, f: Filters, number: int) -> Page:
    """One page of the directory; a number past the end gives the last page, as Paginator.get_page does.
    With a text search the count stops at COUNT_CAP (the page says "more than")."""
    kind = SearchPaginator if f.q else Paginator
    paginator = kind(matching(org, f).select_related("team", "manager"), PAGE_SIZE)
    page = paginator.get_page(number)
    page.object_list = with_report_counts(list(page.object_list))
    return page


@dataclass(frozen=True)
class TeamOption:
    team: Team
    depth: int


def filter_teams(org: Organisation, chosen: Team | None) -> list[TeamOption]:
    """The top FILTER_DEPTH levels of the team tree in tree order, one query per level, plus the chosen
    team if it sits deeper (so the filter still shows what is applied)."""
    levels: list[list[Team]] = []
    parents: list[int] | None = None
    for _ in range(FILTER_DEPTH):
        rows = Team.objects.filter(org=org)
        rows = rows.filter(parent__isnull=True) if parents is None else rows.filter(parent_id__in=parents)
        level = list(rows.order_by("name"))
        if not level:
            break
        levels.append(level)
        parents = [t.pk for t in level]
    by_parent: dict[int | None, list[Team]] = {}
    for level in levels:
        for t in level:
            by_parent.setdefault(t.parent_id, []).append(t)
    out: list[TeamOption] = []

    def walk(parent: int | None, depth: int) -> None:
        for t in by_parent.get(parent, []):
            out.append(TeamOption(t, depth))
            walk(t.pk, depth + 1)

    walk(None, 0)
    if chosen is not None and all(o.team.pk != chosen.pk for o in out):
        out.append(TeamOption(chosen, 0))
    return out


def zones_in_use(org: Organisation) -> list[str]:
    """The time zones people of the organisation declare, read from the (org, timezone) index and kept
    for a few minutes: the list changes when someone moves, not between two page views. A leaver's zone
    may linger in the list; filtering by it simply finds nobody."""
    key = f"orgs:zones:{org.pk}"
    found = cache.get(key)
    if found is None:
        found = list(
            Person.objects.filter(org=org).order_by("timezone").values_list("timezone", flat=True).distinct()
        )
        cache.set(key, found, ZONES_CACHE_SECONDS)
    return list(found)
