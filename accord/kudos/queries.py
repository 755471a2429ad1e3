"""Reads with rules: which kudos a person may see, recognition figures, and who celebrates when.

- A kudos: public ones to everyone in the organisation; private ones to the giver, the recipients and,
  when the giver chose so, the recipients' managers at the time of giving. Nobody else, admins included.
- Recognition figures (received and given over a window, and whether someone went unrecognised for
  30 days): the person and their manager only, with the same numbers and words for both (the
  transparency mirror). Never a ranking: figures are only ever shown for one person at a time.
- Celebrations: on the day in the celebrated person's own time zone, unless they opted out.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet

from accord.lib.tz import to_utc
from accord.orgs import chart
from accord.orgs.access import first_or_404
from accord.orgs.models import Person, Team

from .models import SYMBOLS, CompanyValue, Kudos, KudosPreferences, KudosRecipient, Reaction, ReactionKind

FEED_PAGE = 25
WINDOW_DAYS = 90
UNRECOGNISED_DAYS = 30
UPCOMING_DAYS = 7


# --- who sees which kudos ----------------------------------------------------------------------


def visible_kudos(viewer: Person) -> QuerySet[Kudos]:
    involved = KudosRecipient.objects.filter(kudos=OuterRef("pk")).filter(
        Q(person=viewer) | Q(manager=viewer)
    )
    return Kudos.objects.filter(org_id=viewer.org_id).filter(
        Q(public=True) | Q(giver=viewer) | Exists(involved)
    )


def access_kudos(person: Person, kudos_id: int) -> Kudos:
    """Kudos `person` may read (public ones, and private ones they gave, received or, as a recipient's
    manager, were shared); else Http404, the same as an id that does not exist. Pages and the API both
    call this. Acting is checked in the action, as in every app: toggle_reaction refuses anyone who may
    not read the kudos."""
    return first_or_404(
        visible_kudos(person).select_related("giver", "value").filter(pk=kudos_id), "No such kudos."
    )


def active_people(org_id: int, ids: Iterable[int]) -> list[Person]:
    return list(Person.objects.filter(org_id=org_id, is_active=True, pk__in=set(ids)))


def value_of(org_id: int, value_id: int) -> CompanyValue | None:
    return CompanyValue.objects.filter(org_id=org_id, pk=value_id).first()


def all_values(org_id: int) -> QuerySet[CompanyValue]:
    """Every value of the organisation, active first: what admins manage."""
    return CompanyValue.objects.filter(org_id=org_id).order_by("-active", "name")


# Teams a team's kudos page links to: the one above it, its siblings and the ones below, at most this
# many of each (never every team of a large organisation).
NEARBY_TEAMS = 30


def teams_near(team: Team) -> list[Team]:
    """The team above `team`, `team` and its siblings, then its sub-teams: where a reader goes next."""
    same_parent = Team.objects.filter(org_id=team.org_id, parent_id=team.parent_id).order_by("name", "pk")
    below = Team.objects.filter(org_id=team.org_id, parent=team).order_by("name", "pk")
    above = [team.parent] if team.parent_id is not None and team.parent is not None else []
    return [*above, *same_parent[:NEARBY_TEAMS], *below[:NEARBY_TEAMS]]


def report_count(person: Person) -> int:
    return Person.objects.filter(org_id=person.org_id, manager=person, is_active=True).count()


@dataclass(frozen=True)
class ReactionCount:
    kind: str
    label: str
    symbol: str
    count: int
    mine: bool


def feed(
    viewer: Person,
    *,
    team: Team | None = None,
    person: Person | None = None,
    offset: int = 0,
    limit: int = FEED_PAGE,
) -> list[Kudos]:
    """Kudos the viewer may see, newest first, each with its recipients and reactions: four queries
    however many kudos, recipients and reactions there are."""
    found = visible_kudos(viewer).select_related("giver", "value")
    # A team's or a person's kudos start from their recipient rows (an index each), not from the whole
    # feed newest first: EXISTS per kudos read every kudos of the organisation for someone seldom thanked.
    received = KudosRecipient.objects.filter(org_id=viewer.org_id)
    if team is not None:
        found = found.filter(pk__in=received.filter(team=team).values("kudos_id"))
    if person is not None:
        found = found.filter(pk__in=received.filter(person=person).values("kudos_id"))
    page = list(found.order_by("-created_at", "-id")[offset : offset + limit])
    decorate(page, viewer)
    return page


def decorate(page: list[Kudos], viewer: Person) -> None:
    ids = [k.pk for k in page]
    if not ids:
        return
    people: dict[int, list[Person]] = defaultdict(list)
    shared: dict[int, list[str]] = defaultdict(list)
    for r in (
        KudosRecipient.objects.filter(kudos_id__in=ids)
        .select_related("person", "manager")
        .order_by("person__name", "id")
    ):
        people[r.kudos_id].append(r.person)
        if r.manager is not None and r.manager.name not in shared[r.kudos_id]:
            shared[r.kudos_id].append(r.manager.name)
    counts: dict[tuple[int, str], int] = {
        (row["kudos_id"], row["kind"]): row["n"]
        for row in Reaction.objects.filter(kudos_id__in=ids)
        .values("kudos_id", "kind")
        .annotate(n=Count("id"))
    }
    mine = set(Reaction.objects.filter(kudos_id__in=ids, person=viewer).values_list("kudos_id", "kind"))
    for k in page:
        k.people = people[k.pk]  # type: ignore[attr-defined]
        k.shared_with = shared[k.pk]  # type: ignore[attr-defined]
        k.reaction_counts = [  # type: ignore[attr-defined]
            ReactionCount(kind, str(label), SYMBOLS[kind], counts.get((k.pk, kind), 0), (k.pk, kind) in mine)
            for kind, label in ReactionKind.choices
        ]


def audience_words(kudos: Kudos) -> str:
    """Who can read a private kudos, in words, for the badge beside it."""
    if kudos.public:
        return "Everyone in the organisation"
    names = [kudos.giver.name, *(p.name for p in kudos.people)]  # type: ignore[attr-defined]
    names += kudos.shared_with  # type: ignore[attr-defined]
    unique = list(dict.fromkeys(names))
    return "Only " + (", ".join(unique[:-1]) + " and " + unique[-1] if len(unique) > 1 else unique[0])


# --- recognition figures (the transparency mirror) ---------------------------------------------


def sees_recognition(viewer: Person, person: Person) -> bool:
    return viewer.org_id == person.org_id and (viewer.pk == person.pk or person.manager_id == viewer.pk)


@dataclass(frozen=True)
class Recognition:
    days: int
    received: int
    givers: int
    given: int
    thanked: int
    last_received_at: dt.datetime | None
    unrecognised: bool  # nobody recognised them in the last UNRECOGNISED_DAYS


def recognition(person: Person, now: dt.datetime, days: int = WINDOW_DAYS) -> Recognition:
    since = now - dt.timedelta(days=days)
    received = KudosRecipient.objects.filter(org_id=person.org_id, person=person).aggregate(
        received=Count("id", filter=Q(created_at__gte=since)),
        givers=Count("kudos__giver", distinct=True, filter=Q(created_at__gte=since)),
        last=Max("created_at"),
    )
    given = KudosRecipient.objects.filter(
        org_id=person.org_id, kudos__giver=person, created_at__gte=since
    ).aggregate(given=Count("kudos", distinct=True), thanked=Count("person", distinct=True))
    last = received["last"]
    return Recognition(
        days=days,
        received=received["received"],
        givers=received["givers"],
        given=given["given"],
        thanked=given["thanked"],
        last_received_at=last,
        unrecognised=last is None or last < now - dt.timedelta(days=UNRECOGNISED_DAYS),
    )


@dataclass(frozen=True)
class Unrecognised:
    person: Person
    last_received_at: dt.datetime | None


def unrecognised_reports(manager: Person, now: dt.datetime) -> list[Unrecognised]:
    """The manager's direct reports whom nobody has recognised in the last 30 days: two queries."""
    reports = list(Person.objects.filter(org_id=manager.org_id, manager=manager, is_active=True))
    last = dict(
        KudosRecipient.objects.filter(org_id=manager.org_id, person__in=reports)
        .values("person_id")
        .annotate(last=Max("created_at"))
        .values_list("person_id", "last")
    )
    cutoff = now - dt.timedelta(days=UNRECOGNISED_DAYS)
    return [
        Unrecognised(p, last.get(p.pk))
        for p in sorted(reports, key=lambda p: p.name)
        if last.get(p.pk) is None or last[p.pk] < cutoff
    ]


def has_reports(person: Person) -> bool:
    return chart.has_reports(person)


# --- celebrations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Celebration:
    person: Person
    kind: str  # "birthday" or "anniversary"
    day: dt.date  # the person's own local date of it
    years: int | None = None  # anniversaries: how many years

    @property
    def words(self) -> str:
        if self.kind == "birthday":
            return "Birthday"
        return f"{self.years} year{'s' if self.years != 1 else ''} with us"


def occasion(month: int, day: int, year: int) -> dt.date:
    """The date of a yearly occasion in `year`; 29 February falls on the 28th in common years."""
    if month == 2 and day == 29 and not calendar.isleap(year):
        return dt.date(year, 2, 28)
    return dt.date(year, month, day)


def celebrations_on(person: Person, prefs: KudosPreferences | None, day: dt.date) -> list[Celebration]:
    found = []
    if (
        person.birthday_month
        and person.birthday_day
        and (prefs is None or prefs.celebrate_birthday)
        and occasion(person.birthday_month, person.birthday_day, day.year) == day
    ):
        found.append(Celebration(person, "birthday", day))
    start = person.start_date
    if (
        start is not None
        and (prefs is None or prefs.celebrate_anniversary)
        and day.year > start.year
        and occasion(start.month, start.day, day.year) == day
    ):
        found.append(Celebration(person, "anniversary", day, day.year - start.year))
    return found


def _prefs(people: list[Person]) -> dict[int, KudosPreferences]:
    return {p.person_id: p for p in KudosPreferences.objects.filter(person__in=[p.pk for p in people])}


def celebrating(people: Iterable[Person], now: dt.datetime) -> list[Celebration]:
    """Who celebrates today, each by the date on their own clock at `now`."""
    found = list(people)
    prefs = _prefs(found)
    out = []
    for p in found:
        out += celebrations_on(p, prefs.get(p.pk), now.astimezone(p.zone).date())
    return sorted(out, key=lambda c: (c.person.name, c.kind))


def coming_up(people: Iterable[Person], now: dt.datetime, days: int = UPCOMING_DAYS) -> list[Celebration]:
    """Celebrations in the next `days` days after each person's own today."""
    found = list(people)
    prefs = _prefs(found)
    out = []
    for p in found:
        today = now.astimezone(p.zone).date()
        for ahead in range(1, days + 1):
            out += celebrations_on(p, prefs.get(p.pk), today + dt.timedelta(days=ahead))
    return sorted(out, key=lambda c: (c.day, c.person.name, c.kind))


def began_between(people: Iterable[Person], since: dt.datetime, until: dt.datetime) -> list[Celebration]:
    """Celebrations whose day began (local midnight of the person celebrated) in (since, until]. A digest
    covering back-to-back windows so names each celebration once, whatever the zones and DST."""
    found = list(people)
    prefs = _prefs(found)
    out = []
    for p in found:
        day, last = since.astimezone(p.zone).date(), until.astimezone(p.zone).date()
        while day <= last:
            if since < to_utc(day, dt.time(0, 0), p.zone) <= until:
                out += celebrations_on(p, prefs.get(p.pk), day)
            day += dt.timedelta(days=1)
    return sorted(out, key=lambda c: (c.day, c.person.name, c.kind))


def celebration_circle(person: Person) -> QuerySet[Person]:
    """Whose celebrations a person hears about: their teammates and their direct reports."""
    circle = Q(manager=person)
    if person.team_id:
        circle |= Q(team_id=person.team_id)
    return (
        Person.objects.filter(org_id=person.org_id, is_active=True)
        .filter(circle)
        .exclude(pk=person.pk)
        .select_related("team")
    )


def team_members(team: Team) -> QuerySet[Person]:
    return Person.objects.filter(org_id=team.org_id, team=team, is_active=True)
