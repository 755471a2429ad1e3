"""Reads with rules for check-ins: who sees which team's feed, whose mood, whose participation.

- A team's feed: its members, the team's managers (anyone who manages someone in the team) and admins.
- Blockers: acknowledged and resolved by the team's managers and admins; the person may resolve their own.
- Mood: the person only, unless they shared it; a shared mood is seen by their own manager too. Never
  by admins or teammates.
- Participation (sent ÷ due over the last 30 days): the person, anyone above them in the reporting
  line and admins, with the same numbers and words for all of them (the transparency mirror).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from accord.lib.tz import to_utc
from accord.orgs import chart
from accord.orgs.access import first_or_404
from accord.orgs.chart import manages_team
from accord.orgs.models import Person, Team

from .actions import settings_for
from .models import Blocker, Checkin, CheckinTemplate
from .planning import Rhythm, rhythm_of

WINDOW_DAYS = 30
FEED_PAGE = 30


# --- who may see what -------------------------------------------------------------------------
#
# Reading: the access_<thing> functions below fetch inside the person's organisation and say what the
# person may do; pages and the API both call them. Anything the person may not see is the same Http404
# as an id that does not exist.
# Acting: permission is checked in the action, every app alike: an action names who acts (`by`,
# `actor`) and refuses with PermissionDenied by the same rule the access flags read (blocker_rights,
# manages_team). A page may check a flag first only to answer 404 instead of 403.


@dataclass(frozen=True)
class TeamAccess:
    team: Team
    can_manage: bool  # change the template, acknowledge and resolve the team's blockers


def access_team(person: Person, team_id: int) -> TeamAccess:
    """A team whose check-ins `person` may read: its members, its managers and admins; else Http404."""
    team = first_or_404(Team.objects.filter(org_id=person.org_id, pk=team_id), "No such team.")
    manager = manages_team(person, team)
    if not (manager or person.team_id == team.pk):
        raise Http404("Only the team, its managers and admins see its check-ins.")
    return TeamAccess(team, can_manage=manager)


@dataclass(frozen=True)
class BlockerAccess:
    blocker: Blocker
    can_manage: bool  # acknowledge (and resolve)
    can_resolve: bool


def blocker_rights(person: Person, blocker: Blocker) -> tuple[bool, bool, bool]:
    """(sees, manages, resolves): the team's managers, the author's own manager and admins manage; the
    author resolves their own; the author's teammates only see it."""
    if person.org_id != blocker.org_id:
        return False, False, False
    manager = (
        person.is_admin
        or blocker.person.manager_id == person.pk
        or (blocker.team is not None and manages_team(person, blocker.team))
    )
    own = blocker.person_id == person.pk
    teammate = blocker.team_id is not None and person.team_id == blocker.team_id
    return manager or own or teammate, manager, manager or own


def access_blocker(person: Person, blocker_id: int) -> BlockerAccess:
    """A blocker `person` may see (blocker_rights); else Http404."""
    blocker = (
        Blocker.objects.filter(org_id=person.org_id, pk=blocker_id).select_related("person", "team").first()
    )
    if blocker is None:
        raise Http404("No such blocker.")
    sees, manager, resolves = blocker_rights(person, blocker)
    if not sees:
        raise Http404("Not your team's blocker.")
    return BlockerAccess(blocker, can_manage=manager, can_resolve=resolves)


def access_checkin(person: Person, checkin_id: int) -> Checkin:
    """One of `person`'s own check-ins (nobody answers someone else's); else Http404."""
    checkin = first_or_404(
        Checkin.objects.filter(org_id=person.org_id, person=person, pk=checkin_id).select_related(
            "team", "person", "blocker__person"
        ),
        "No such check-in.",
    )
    return checkin


def access_participation(person: Person, person_id: int) -> Person:
    """An active person of the organisation whose participation `person` may read; else Http404."""
    found = Person.objects.filter(org_id=person.org_id, pk=person_id, is_active=True).first()
    if found is None or not sees_participation(person, found):
        raise Http404("Not visible to you.")
    return found


def is_manager(person: Person) -> bool:
    return chart.has_reports(person)


def sees_participation(viewer: Person, person: Person) -> bool:
    if viewer.org_id != person.org_id:
        return False
    return viewer.pk == person.pk or viewer.is_admin or chart.is_above(viewer, person)


def visible_mood(viewer: Person, checkin: Checkin) -> int | None:
    """The mood as `viewer` may see it: their own always; someone else's only if shared with them as
    that person's manager."""
    if checkin.person_id == viewer.pk:
        return checkin.mood
    if checkin.mood_shared and checkin.person.manager_id == viewer.pk:
        return checkin.mood
    return None


# --- the member's own page ----------------------------------------------------------------------


@dataclass(frozen=True)
class Participation:
    sent: int
    due: int
    days: int = WINDOW_DAYS

    @property
    def percent(self) -> int | None:
        return round(100 * self.sent / self.due) if self.due else None

    @property
    def words(self) -> str:
        if not self.due:
            return f"No check-ins were due in the last {self.days} days."
        return f"{self.sent} of {self.due} check-ins sent in the last {self.days} days ({self.percent}%)."


def participation(person: Person, now: dt.datetime, days: int = WINDOW_DAYS) -> Participation:
    """Sent ÷ due over the person's last `days` local days; a check-in is due once it has closed
    (or was sent early). Upcoming and still-open ones don't count against anyone."""
    today = now.astimezone(person.zone).date()
    counts = Checkin.objects.filter(
        org_id=person.org_id, person=person, day__gt=today - dt.timedelta(days=days), day__lte=today
    ).aggregate(
        sent=Count("id", filter=Q(submitted_at__isnull=False)),
        due=Count("id", filter=Q(submitted_at__isnull=False) | Q(closes_at__lte=now)),
    )
    return Participation(sent=counts["sent"], due=counts["due"], days=days)


def my_checkins(person: Person) -> QuerySet[Checkin]:
    """The person's own check-ins, newest first, with what the API shows of each."""
    return (
        Checkin.objects.filter(org_id=person.org_id, person=person)
        .select_related("person", "blocker__person")
        .order_by("-day", "-id")
    )


def current_checkin(person: Person, now: dt.datetime) -> Checkin | None:
    """The check-in to show now: the earliest one not yet closed (today's, or the next planned)."""
    # A check-in still open now is for yesterday at the earliest (local): the day bounds the index range.
    since = now.astimezone(person.zone).date() - dt.timedelta(days=2)
    return (
        Checkin.objects.filter(org_id=person.org_id, person=person, day__gte=since, closes_at__gt=now)
        .select_related("team", "person")
        .order_by("day")
        .first()
    )


def recent_checkins(person: Person, now: dt.datetime, limit: int = 10) -> list[Checkin]:
    return list(
        Checkin.objects.filter(org_id=person.org_id, person=person)
        .filter(Q(submitted_at__isnull=False) | Q(closes_at__lte=now))
        .select_related("blocker")
        .order_by("-day")[:limit]
    )


def template_of(team: Team) -> CheckinTemplate:
    """The team's template, or the defaults unsaved: a page that only shows it must not write it."""
    found = CheckinTemplate.objects.filter(team=team).first()
    return found or CheckinTemplate(team=team, org_id=team.org_id)


def rhythm_for(person: Person) -> Rhythm:
    template = CheckinTemplate.objects.filter(team_id=person.team_id).first() if person.team_id else None
    return rhythm_of(person, settings_for(person).prompt_time, template)


def next_prompt(person: Person, now: dt.datetime) -> dt.datetime | None:
    """When the person will next be asked: a planned check-in not yet sent, else the planner's cursor,
    else (before their first planning) the first prompt their rhythm gives."""
    since = now.astimezone(person.zone).date() - dt.timedelta(days=2)
    planned = (
        Checkin.objects.filter(
            org_id=person.org_id, person=person, day__gte=since, prompt_at__gt=now, submitted_at__isnull=True
        )
        .order_by("day")
        .values_list("prompt_at", flat=True)
        .first()
    )
    if planned is not None:
        return planned
    found = settings_for(person)
    if found.next_prompt_at is not None and found.next_prompt_at > now:
        return found.next_prompt_at
    if not person.team_id:
        return None
    rhythm = rhythm_for(person)
    prompt = rhythm.first_prompt(now)
    if (
        prompt is not None
        and Checkin.objects.filter(org_id=person.org_id, person=person, day=rhythm.local_day(prompt)).exists()
    ):
        day = rhythm.next_day(rhythm.local_day(prompt) + dt.timedelta(days=1))
        prompt = to_utc(day, rhythm.prompt_time, rhythm.zone) if day else None
    return prompt


def open_commitments(person: Person) -> list:  # type: ignore[type-arg]
    from accord.goals.models import Commitment, CommitmentStatus

    return list(
        Commitment.objects.filter(org_id=person.org_id, owner=person, status=CommitmentStatus.OPEN).order_by(
            "due_on", "id"
        )
    )


# --- teams, blockers, digests -------------------------------------------------------------------


def team_feed(team: Team, *, offset: int = 0, limit: int = FEED_PAGE) -> list[Checkin]:
    """Sent check-ins of the team, newest first, in one query however many members."""
    return list(
        Checkin.objects.filter(org_id=team.org_id, team=team, submitted_at__isnull=False)
        .select_related("person", "blocker", "blocker__acknowledged_by", "blocker__resolved_by")
        .order_by("-submitted_at", "-id")[offset : offset + limit]
    )


def open_blockers(team: Team) -> QuerySet[Blocker]:
    return (
        Blocker.objects.filter(org_id=team.org_id, team=team, resolved_at__isnull=True)
        .select_related("person", "checkin", "acknowledged_by")
        .order_by("created_at", "id")
    )


def blockers_of_reports(manager: Person) -> list[Blocker]:
    """Unresolved blockers of the manager's direct reports, oldest first."""
    return list(
        Blocker.objects.filter(
            org_id=manager.org_id, person__manager=manager, person__is_active=True, resolved_at__isnull=True
        )
        .select_related("person", "checkin", "acknowledged_by")
        .order_by("created_at", "id")
    )


@dataclass
class DigestData:
    reports: list[Person]
    checkins: list[Checkin]
    blockers: list[Blocker]
    since: dt.datetime
    until: dt.datetime

    @property
    def sent_by(self) -> set[int]:
        return {c.person_id for c in self.checkins}


def digest(manager: Person, since: dt.datetime, until: dt.datetime) -> DigestData:
    reports = list(
        Person.objects.filter(org_id=manager.org_id, manager=manager, is_active=True).order_by("name")
    )
    checkins = list(
        Checkin.objects.filter(
            org_id=manager.org_id,
            person__in=[r.pk for r in reports],
            submitted_at__gt=since,
            submitted_at__lte=until,
        )
        .select_related("person")
        .order_by("person__name", "submitted_at")
    )
    return DigestData(reports, checkins, blockers_of_reports(manager), since, until)


def checkin_to_send(person: Person, now: dt.datetime) -> Checkin | None:
    """Today's check-in when it has been asked and not yet sent."""
    found = current_checkin(person, now)
    if found is None or found.prompt_at > now or found.submitted_at is not None:
        return None
    return found


def blockers_to_acknowledge(manager: Person) -> list[Blocker]:
    """Blockers of the manager's direct reports that nobody has acknowledged yet, oldest first."""
    return [b for b in blockers_of_reports(manager) if b.acknowledged_at is None]
