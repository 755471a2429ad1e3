"""Reads with rules for connection: departments, who sees a group, introductions in everyone's own time,
the admin's round overview, and profiles with hours in the viewer's zone."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from accord.lib.tz import utc_offset_label
from accord.orgs.access import first_or_404
from accord.orgs.models import Organisation, Person, Team

from . import icebreakers, matching
from .models import SECTIONS, CoffeeGroup, CoffeeGroupMember, CoffeeMember, CoffeeRound, Met, Profile

# --- departments ----------------------------------------------------------------------------------


def departments(org: Organisation | int) -> dict[int, str]:
    """Each team's department, by team id, from one query.

    A department is the top-level team a team sits under, or the team itself when it is top-level
    ("Level 1" and "Level 2" both belong to "Support"). One exception: when the organisation has a
    single top-level team that has sub-teams, that team stands for the whole organisation (often it
    is named after it), so its children are the departments and the root's own people count as the
    root's department. People with no team have no department and never count as cross-department.
    """
    org_id = org if isinstance(org, int) else org.pk
    teams = {
        tid: (parent, name)
        for tid, parent, name in Team.objects.filter(org_id=org_id).values_list("id", "parent_id", "name")
    }
    roots = [tid for tid, (parent, _) in teams.items() if parent is None or parent not in teams]
    has_children = {parent for parent, _ in teams.values()}
    level = 1 if len(roots) == 1 and roots[0] in has_children else 0
    found = {}
    for tid in teams:
        chain = [tid]
        while (parent := teams[chain[-1]][0]) is not None and parent in teams and len(chain) <= len(teams):
            chain.append(parent)
        chain.reverse()  # from the top down
        found[tid] = teams[chain[min(level, len(chain) - 1)]][1]
    return found


# --- coffee ---------------------------------------------------------------------------------------


def has_hours(person: Person) -> bool:
    return bool(person.work_days) and person.work_start != person.work_end


def membership(person: Person) -> CoffeeMember | None:
    return CoffeeMember.objects.filter(org_id=person.org_id, person=person, active=True).first()


def status(member: CoffeeMember | None, today: dt.date) -> str:
    if member is None or not member.active:
        return "out"
    if member.paused_until and member.paused_until > today:
        return "paused"
    return "in"


def with_people(groups: QuerySet[CoffeeGroup]) -> QuerySet[CoffeeGroup]:
    seats = CoffeeGroupMember.objects.select_related("person").order_by("id")
    return groups.select_related("round").prefetch_related(Prefetch("members", queryset=seats))


def my_groups(person: Person, limit: int = 12) -> list[CoffeeGroup]:
    found = CoffeeGroup.objects.filter(org_id=person.org_id, members__person=person).order_by(
        "-round__number"
    )
    return list(with_people(found)[:limit])


def may_open(viewer: Person, group: CoffeeGroup) -> bool:
    return viewer.is_admin or any(s.person_id == viewer.pk for s in group.members.all())


# Reading: access_<thing> fetches inside the person's organisation, anything else is Http404 (the same
# as an id that does not exist); pages and the API both call it.
# Acting: permission is checked in the action, every app alike (answer_met refuses anyone outside the
# group, run_round_now anyone but admins); pages and the API turn that refusal into a 404.


def access_coffee_group(person: Person, group_id: int) -> CoffeeGroup:
    """A group `person` may open (one of its people, or an admin)."""
    group = with_people(CoffeeGroup.objects.filter(org_id=person.org_id, pk=group_id)).first()
    if group is None or not may_open(person, group):
        raise Http404("No such coffee chat.")
    return group


def access_round(person: Person, round_id: int) -> CoffeeRound:
    """Any round of the person's organisation: every member sees who was paired, not with whom they
    talked."""
    return first_or_404(CoffeeRound.objects.filter(org_id=person.org_id, pk=round_id), "No such round.")


def access_profile(person: Person, person_id: int) -> Person:
    """An active colleague whose Working-with-me profile `person` may read (any member may)."""
    return first_or_404(
        Person.objects.filter(org_id=person.org_id, pk=person_id, is_active=True), "No such person."
    )


def rounds_of(org_id: int) -> QuerySet[CoffeeRound]:
    """The organisation's rounds, newest first."""
    return CoffeeRound.objects.filter(org_id=org_id).order_by("-number")


def my_group_in(rnd: CoffeeRound, person: Person) -> CoffeeGroup | None:
    return with_people(
        CoffeeGroup.objects.filter(org_id=rnd.org_id, round=rnd, members__person=person)
    ).first()


def slots_of(group: CoffeeGroup) -> list[tuple[dt.datetime, dt.datetime]]:
    return [(dt.datetime.fromisoformat(s), dt.datetime.fromisoformat(e)) for s, e in group.slots]


@dataclass
class Seat:
    person: Person
    department: str
    team_name: str
    met: str
    local_now: dt.datetime
    offset: str
    slots: list[dt.datetime]  # each suggested slot's start in this person's zone


def introduction(group: CoffeeGroup, now: dt.datetime) -> dict[str, Any]:
    """Everything an introduction shows: each person with their local time, every suggested slot in
    every person's own zone, and the question."""
    slots = slots_of(group)
    seats = [
        Seat(
            person=s.person,
            department=s.department,
            team_name=s.team_name,
            met=s.met,
            local_now=now.astimezone(s.person.zone),
            offset=utc_offset_label(s.person.zone, now),
            slots=[start.astimezone(s.person.zone) for start, _ in slots],
        )
        for s in group.members.all()
    ]
    return {
        "group": group,
        "round": group.round,
        "seats": seats,
        "slots": slots,
        "slot_rows": [[(seat, seat.slots[i]) for seat in seats] for i in range(len(slots))],
        "question": icebreakers.text(group.icebreaker),
        "is_trio": len(seats) == 3,
    }


def intro_text(group: CoffeeGroup, person: Person, now: dt.datetime, link: str) -> tuple[str, str]:
    """The introduction email for one person of a group: subject and plain-text body, in their time."""
    data = introduction(group, now)
    others = [s for s in data["seats"] if s.person.pk != person.pk]
    names = " and ".join(s.person.name for s in others)
    lines = [f"Hello {person.name},", "", f"This round of coffee chats you are meeting {names}."]
    for s in others:
        where = (
            f"{s.team_name} ({s.department})" if s.department and s.department != s.team_name else s.team_name
        )
        lines.append(
            f"  - {s.person.name}{', ' + s.person.title if s.person.title else ''}"
            f"{', ' + where if where else ''}: {s.person.timezone}, {s.offset}."
        )
    lines += ["", f"Times in the week of {group.round.week_start:%-d %B} when all of you are at work:"]
    me_index = next(i for i, s in enumerate(data["seats"]) if s.person.pk == person.pk)
    if data["slot_rows"]:
        for row in data["slot_rows"]:
            theirs = "; ".join(
                f"{s.person.name} {row[i][1]:%a %H:%M}" for i, s in enumerate(data["seats"]) if i != me_index
            )
            lines.append(f"  - {row[me_index][1]:%A %-d %B, %H:%M} your time ({theirs})")
    else:
        lines.append("  (none this week: find a time that suits you both)")
    lines += [
        "",
        "Something to start with, if you like:",
        f"  {data['question']}",
        "",
        "One of you sends the invitation; half an hour is plenty. Afterwards, tell us whether you met:",
        link,
        "",
        "You can pause or leave coffee chats at any time on the same page.",
    ]
    subject = f"Coffee chat with {names}"
    return subject, "\n".join(lines) + "\n"


def unmatched_for(rnd: CoffeeRound, viewer: Person) -> tuple[list[dict[str, Any]], int]:
    """Who got no group and why, as `viewer` may read it, and how many paused people were left out.

    Everyone reads why people who wanted a chat got none (that is the round's own account of itself);
    a pause is a personal choice, so only the person and admins see who paused and until when."""
    shown, paused = [], 0
    for row in rnd.unmatched:
        if row.get("paused") and not (viewer.is_admin or row.get("person_id") == viewer.pk):
            paused += 1
        else:
            shown.append(row)
    return shown, paused


GROUPS_PAGE = 100


@dataclass
class RoundPage:
    groups: list[CoffeeGroup]
    page: int
    has_more: bool
    total_groups: int
    people: int

    @property
    def trios(self) -> int:
        # A round makes pairs, and a group of three where one person would be left over.
        return self.people - 2 * self.total_groups


def round_page(rnd: CoffeeRound, page: int) -> RoundPage:
    """A page of a round's groups with their people, and the round's totals counted in the database: a
    round of 10,000 people is 5,000 groups, which no page lists at once."""
    start = (page - 1) * GROUPS_PAGE
    found = with_people(CoffeeGroup.objects.filter(org_id=rnd.org_id, round=rnd)).order_by("id")
    shown = list(found[start : start + GROUPS_PAGE + 1])
    has_more = len(shown) > GROUPS_PAGE
    shown = shown[:GROUPS_PAGE]
    if page == 1 and not has_more:
        total, people = len(shown), sum(len(g.members.all()) for g in shown)
    else:
        total = CoffeeGroup.objects.filter(org_id=rnd.org_id, round=rnd).count()
        people = CoffeeGroupMember.objects.filter(org_id=rnd.org_id, group__round=rnd).count()
    return RoundPage(shown, page, has_more, total, people)


@dataclass
class RoundFigures:
    round: CoffeeRound
    groups: int
    people: int
    met_groups: int
    answered_groups: int
    new_cross: dict[tuple[str, str], int]

    @property
    def met_share(self) -> float | None:
        return self.met_groups / self.answered_groups if self.answered_groups else None

    @property
    def new_cross_total(self) -> int:
        return sum(self.new_cross.values())


# The cross-department pairs of the given rounds' groups that had never shared a group in an earlier
# round, counted per round and department pair in the database: the page reads a few rows, not every
# seat of the organisation's history. Each pair's earlier rounds are found through the seat index on
# (org, person), so the work follows the shown rounds' seats, not the organisation's whole history.
NEW_CROSS_SQL = """
SELECT g.round_id, a.department, b.department, COUNT(*)
FROM connect_coffeegroupmember a
JOIN connect_coffeegroupmember b ON b.group_id = a.group_id AND b.person_id > a.person_id
JOIN connect_coffeegroup g ON g.id = a.group_id
JOIN connect_coffeeround r ON r.id = g.round_id
WHERE a.org_id = %s AND g.round_id IN ({rounds})
  AND a.department <> '' AND b.department <> '' AND a.department <> b.department
  AND NOT EXISTS (
    SELECT 1
    FROM connect_coffeegroupmember a2
    JOIN connect_coffeegroupmember b2 ON b2.group_id = a2.group_id AND b2.person_id = b.person_id
    JOIN connect_coffeegroup g2 ON g2.id = a2.group_id
    JOIN connect_coffeeround r2 ON r2.id = g2.round_id
    WHERE a2.org_id = %s AND a2.person_id = a.person_id AND r2.number < r.number
  )
GROUP BY g.round_id, a.department, b.department
"""


def overview(org: Organisation, limit: int = 12) -> tuple[list[RoundFigures], list[tuple[str, str]]]:
    """Per round (oldest first, the last `limit`): groups, meeting rate, and the new cross-department
    connections it made, by department pair. A connection is new when those two people had never been
    in a group together before; a group met when at least one of its people answered "yes". Two
    aggregate queries over the shown rounds, whatever the size of the organisation and its history."""
    rounds = list(CoffeeRound.objects.filter(org=org).order_by("-number")[:limit])[::-1]
    if not rounds:
        return [], []
    figures = {r.pk: RoundFigures(r, 0, 0, 0, 0, defaultdict(int)) for r in rounds}
    # From the groups (their (org, round) index) to their seats: filtering the seats by org instead
    # would read the whole history's seats first.
    counted = (
        CoffeeGroup.objects.filter(org=org, round__in=list(figures))
        .values("round_id")
        .annotate(
            n_groups=Count("id", distinct=True),
            n_people=Count("members"),
            n_answered=Count("id", filter=~Q(members__met=""), distinct=True),
            n_met=Count("id", filter=Q(members__met=Met.YES), distinct=True),
        )
        .order_by()
    )
    for row in counted:
        f = figures[row["round_id"]]
        f.groups, f.people = row["n_groups"], row["n_people"]
        f.answered_groups, f.met_groups = row["n_answered"], row["n_met"]
    sql = NEW_CROSS_SQL.format(rounds=", ".join(["%s"] * len(figures)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [org.pk, *figures, org.pk])
        for round_id, one, other, n in cursor.fetchall():
            pair = (one, other) if one < other else (other, one)
            figures[round_id].new_cross[pair] += n  # type: ignore[index]
    shown = list(figures.values())
    pairs = sorted({p for f in shown for p in f.new_cross})
    return shown, pairs


# --- profiles -------------------------------------------------------------------------------------


def profile_of(person: Person) -> Profile | None:
    return Profile.objects.filter(org_id=person.org_id, person=person).first()


def sections(profile: Profile | None) -> list[dict[str, str]]:
    return [
        {"key": key, "heading": heading, "prompt": prompt, "text": getattr(profile, key) if profile else ""}
        for key, heading, prompt in SECTIONS
    ]


PROFILES_PAGE = 50


@dataclass
class ProfilePage:
    rows: list[dict[str, Any]]
    page: int
    has_more: bool
    people: int  # everyone active who matches
    written: int  # of the organisation's active people, those who wrote theirs


def profile_directory(org: Organisation, q: str = "", page: int = 1) -> ProfilePage:
    """One page of everyone active (by name), with their profile if they wrote one: a fixed number of
    queries, and rows for the page only, however many people there are."""
    people = Person.objects.filter(org=org, is_active=True).select_related("team").order_by("name", "pk")
    if q:
        people = people.filter(name__icontains=q)
    start = (page - 1) * PROFILES_PAGE
    shown = list(people[start : start + PROFILES_PAGE + 1])
    has_more = len(shown) > PROFILES_PAGE
    shown = shown[:PROFILES_PAGE]
    written = {p.person_id: p for p in Profile.objects.filter(org=org, person__in=shown)}
    rows = []
    for person in shown:
        profile = written.get(person.pk)
        if profile is not None and profile.is_empty:
            profile = None
        excerpt = ""
        if profile:
            excerpt = next((getattr(profile, k) for k, _, _ in SECTIONS if getattr(profile, k)), "")
        rows.append({"person": person, "profile": profile, "excerpt": excerpt})
    not_empty = Q()
    for key, _, _ in SECTIONS:
        not_empty |= ~Q(**{key: ""})
    n_written = Profile.objects.filter(not_empty, org=org, person__is_active=True).count()
    total = start + len(shown) if not has_more and shown else people.count()
    return ProfilePage(rows, page, has_more, total, n_written)


@dataclass
class HoursView:
    day: dt.date  # their next working day (their local date)
    theirs: tuple[dt.datetime, dt.datetime]  # in their zone
    yours: tuple[dt.datetime, dt.datetime]  # the same stretch in the viewer's zone
    shared: list[tuple[dt.datetime, dt.datetime]]  # this week's common working hours, in the viewer's zone

    @staticmethod
    def label(span: tuple[dt.datetime, dt.datetime]) -> str:
        """'Tue 09:00–17:00', or 'Mon 23:30–Tue 07:30' when the stretch crosses midnight there."""
        start, end = span
        tail = f"{end:%H:%M}" if start.date() == end.date() else f"{end:%a %H:%M}"
        return f"{start:%a %H:%M}–{tail}"

    @property
    def theirs_label(self) -> str:
        return self.label(self.theirs)

    @property
    def yours_label(self) -> str:
        return self.label(self.yours)


def hours_view(person: Person, viewer: Person, now: dt.datetime) -> HoursView | None:
    """Their working hours on their next working day, in their zone and in the viewer's, and what the two
    of them share over the next seven days (DST as it really falls on each date)."""
    if not has_hours(person):
        return None
    from accord.orgs.queries import hours_of

    hours = hours_of(person)
    local = now.astimezone(person.zone).date()
    span = None
    for offset in range(8):
        span = hours.window(local + dt.timedelta(days=offset))
        if span and span[1] > now:
            break
    if span is None:
        return None
    shared: list[tuple[dt.datetime, dt.datetime]] = []
    if viewer.pk != person.pk and has_hours(viewer):
        start = now.astimezone(dt.UTC).date()
        sigs = [(p.timezone, p.work_start, p.work_end, p.work_days) for p in (person, viewer)]
        for s, e in matching.shared_windows(sigs, start):
            begin, end = matching.to_datetime(start, s), matching.to_datetime(start, e)
            if end > now and begin < now + dt.timedelta(days=7):
                shared.append((begin.astimezone(viewer.zone), end.astimezone(viewer.zone)))
    return HoursView(
        day=span[0].astimezone(person.zone).date(),
        theirs=(span[0].astimezone(person.zone), span[1].astimezone(person.zone)),
        yours=(span[0].astimezone(viewer.zone), span[1].astimezone(viewer.zone)),
        shared=sorted(shared),
    )
