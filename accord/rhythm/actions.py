"""Writes for recurring meetings (rotation, burden log) and team charters, with the rules they keep."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accord.lib.tz import to_utc
from accord.orgs.chart import manages_team
from accord.orgs.models import Organisation, Person, Team, valid_timezones
from accord.orgs.queries import hours_of

from . import fairness
from .models import (
    MAX_MEETING_MINUTES,
    Acknowledgement,
    Attendee,
    Burden,
    Channel,
    Charter,
    Occurrence,
    RecurringMeeting,
)

# --- recurring meetings -------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingSpec:
    name: str
    people: Sequence[Person]
    weekday: int
    duration_minutes: int
    timezone: str


def check_meeting_spec(org: Organisation, spec: MeetingSpec) -> None:
    """Every rule a recurring meeting keeps, as field errors shared by the page and the API."""
    errors: dict[str, list[str]] = {}
    if not spec.name.strip():
        errors["name"] = ["Give the meeting a name."]
    if not spec.people:
        errors["people"] = ["Choose at least one person for the meeting."]
    elif any(p.org_id != org.pk or not p.is_active for p in spec.people):
        errors["people"] = ["Everyone in the meeting must be an active member of this organisation."]
    if not 1 <= spec.duration_minutes <= MAX_MEETING_MINUTES:
        errors["duration_minutes"] = ["A meeting lasts from 1 minute to 8 hours (480 minutes)."]
    if spec.weekday not in range(1, 8):
        errors["weekday"] = ["Pick a weekday, 1 (Monday) to 7 (Sunday)."]
    if spec.timezone not in valid_timezones():
        errors["timezone"] = [f"“{spec.timezone}” is not a known IANA time zone, for example Europe/Berlin."]
    if errors:
        raise ValidationError(errors)


def next_weekday(after: dt.date, weekday: int) -> dt.date:
    """The first `weekday` (ISO) on or after `after`."""
    return after + dt.timedelta(days=(weekday - after.isoweekday()) % 7)


def suggestions(
    found: Sequence[Person], *, weekday: int, duration: int, zone: ZoneInfo, now: dt.datetime
) -> tuple[dt.date, list[fairness.Slot]]:
    """Ranked slots for the next such weekday in `zone`: the date the costs are worked out for."""
    day = next_weekday(now.astimezone(zone).date(), weekday)
    people = [fairness.PersonHours(p.pk, hours_of(p)) for p in found]
    return day, fairness.suggest(people, day, zone, duration)


def occurrence_start(meeting: RecurringMeeting, index: int) -> tuple[dt.datetime, str]:
    """The UTC start of the meeting's `index`-th occurrence and the rotation slot it uses."""
    slot = meeting.rotation[index % len(meeting.rotation)]
    day = meeting.starts_on + dt.timedelta(weeks=index)
    at = dt.time.fromisoformat(slot)
    return to_utc(day, at, ZoneInfo(meeting.timezone)), slot


def occurrence_index_after(meeting: RecurringMeeting, moment: dt.datetime) -> int:
    """The index of the first occurrence that starts after `moment`."""
    local = moment.astimezone(ZoneInfo(meeting.timezone)).date()
    index = max(0, (local - meeting.starts_on).days // 7 - 1)
    while occurrence_start(meeting, index)[0] <= moment:
        index += 1
    return index


def _apply(meeting: RecurringMeeting, spec: MeetingSpec, now: dt.datetime) -> None:
    zone = ZoneInfo(spec.timezone)
    day, ranked = suggestions(
        spec.people, weekday=spec.weekday, duration=spec.duration_minutes, zone=zone, now=now
    )
    meeting.name = spec.name.strip()
    meeting.weekday = spec.weekday
    meeting.duration_minutes = spec.duration_minutes
    meeting.timezone = spec.timezone
    meeting.rotation = [s.label for s in fairness.rotation(ranked)]
    # A new rotation starts its cycle at the next occurrence; what was logged before stays logged.
    meeting.starts_on = day
    meeting.next_log_at = occurrence_start(meeting, 0)[0]
    if meeting.next_log_at <= now:
        meeting.starts_on = day + dt.timedelta(weeks=1)
        meeting.next_log_at = occurrence_start(meeting, 0)[0]


def _set_people(meeting: RecurringMeeting, people: Sequence[Person]) -> None:
    Attendee.objects.filter(org_id=meeting.org_id, meeting=meeting).exclude(
        person__in=[p.pk for p in people]
    ).delete()
    have = set(Attendee.objects.filter(meeting=meeting).values_list("person_id", flat=True))
    Attendee.objects.bulk_create(
        Attendee(org_id=meeting.org_id, meeting=meeting, person=p) for p in people if p.pk not in have
    )


def create_meeting(
    org: Organisation, *, organiser: Person, spec: MeetingSpec, now: dt.datetime | None = None
) -> RecurringMeeting:
    now = now or timezone.now()
    check_meeting_spec(org, spec)
    meeting = RecurringMeeting(org=org, organiser=organiser)
    _apply(meeting, spec, now)
    with transaction.atomic():
        meeting.save()
        _set_people(meeting, spec.people)
    return meeting


def update_meeting(
    meeting: RecurringMeeting,
    spec: MeetingSpec,
    now: dt.datetime | None = None,
    *,
    actor: Person | None = None,
) -> None:
    """`actor` is None for the demo and the command line, which act with the machine owner's authority."""
    now = now or timezone.now()
    if actor is not None and not may_change_meeting(actor, meeting):
        raise PermissionDenied("Only the organiser and admins change a meeting.")
    check_meeting_spec(meeting.org, spec)
    _apply(meeting, spec, now)
    with transaction.atomic():
        meeting.save()
        _set_people(meeting, spec.people)


def may_change_meeting(viewer: Person, meeting: RecurringMeeting) -> bool:
    return viewer.is_admin or viewer.pk == meeting.organiser_id


def log_occurrences(meeting: RecurringMeeting, now: dt.datetime) -> dt.datetime | None:
    """Write every occurrence that has started by `now` to the burden log, with each attendee's cost
    from their hours at that moment; returns when the next one starts (the scheduler stores it, with
    its claim). Safe to repeat."""
    if not meeting.rotation or meeting.next_log_at is None:
        return None
    people = [
        fairness.PersonHours(a.person_id, hours_of(a.person))
        for a in Attendee.objects.filter(org_id=meeting.org_id, meeting=meeting, person__is_active=True)
        .select_related("person")
        .order_by("person_id")
    ]
    index = occurrence_index_after(meeting, meeting.next_log_at - dt.timedelta(seconds=1))
    burdens = []
    while True:
        start, slot = occurrence_start(meeting, index)
        if start > now:
            break
        end = start + dt.timedelta(minutes=meeting.duration_minutes)
        occurrence, created = Occurrence.objects.get_or_create(
            org_id=meeting.org_id,
            meeting=meeting,
            starts_at=start,
            defaults={"ends_at": end, "local_start": slot},
        )
        if created and people:
            calendar = fairness.Calendar(people, (start, end))
            costs = calendar.slot(dt.time.fromisoformat(slot), start, meeting.duration_minutes)
            burdens += [
                Burden(
                    org_id=meeting.org_id,
                    occurrence=occurrence,
                    person_id=c.person_id,
                    outside_minutes=c.outside,
                    night_minutes=c.night,
                )
                for c in costs.costs
            ]
        index += 1
    Burden.objects.bulk_create(burdens)
    return start


def catch_up_log(meeting: RecurringMeeting, now: dt.datetime) -> None:
    """Log what has started and move the meeting's due time on, outside the scheduler (the demo)."""
    meeting.next_log_at = log_occurrences(meeting, now)
    meeting.save(update_fields=["next_log_at"])


# --- charters -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelRow:
    purpose: str
    channel: str
    response_time: str


@dataclass(frozen=True)
class CharterText:
    sync_decisions: str
    async_decisions: str
    escalation: str
    meeting_norms: str
    channels: Sequence[ChannelRow]


def check_charter(text: CharterText) -> None:
    errors: dict[str, list[str]] = {}
    for row in text.channels:
        if not (row.purpose.strip() and row.channel.strip() and row.response_time.strip()):
            errors.setdefault("channels", []).append(
                "Each channel row needs what it is for, the channel and the expected response time."
            )
            break
    if not any(
        [text.sync_decisions, text.async_decisions, text.escalation, text.meeting_norms, text.channels]
    ):
        errors["__all__"] = ["Write at least one part of the charter."]
    if errors:
        raise ValidationError(errors)


def save_charter(
    team: Team, text: CharterText, *, actor: Person, material: bool, now: dt.datetime | None = None
) -> Charter:
    """Create or change a team's charter. A material change asks everyone but its author to read it again.
    Only the team's managers and admins may (the rule of `queries.can_edit_charter`, which pages read)."""
    if not manages_team(actor, team):
        raise PermissionDenied("Only the team's managers and admins change its charter.")
    check_charter(text)
    now = now or timezone.now()
    with transaction.atomic():
        charter = Charter.objects.select_for_update().filter(org_id=team.org_id, team=team).first()
        if charter is None:
            charter = Charter(org_id=team.org_id, team=team, version=1)
        elif material:
            charter.version += 1
        charter.sync_decisions = text.sync_decisions.strip()
        charter.async_decisions = text.async_decisions.strip()
        charter.escalation = text.escalation.strip()
        charter.meeting_norms = text.meeting_norms.strip()
        charter.updated_at = now
        charter.updated_by = actor
        charter.save()
        Channel.objects.filter(org_id=team.org_id, charter=charter).delete()
        Channel.objects.bulk_create(
            Channel(
                org_id=team.org_id,
                charter=charter,
                purpose=row.purpose.strip(),
                channel=row.channel.strip(),
                response_time=row.response_time.strip(),
                position=i,
            )
            for i, row in enumerate(text.channels)
        )
        # Whoever wrote this version has read it.
        acknowledge_charter(charter, actor, now)
    return charter


def acknowledge_charter(charter: Charter, person: Person, now: dt.datetime | None = None) -> Acknowledgement:
    """The person has read the charter's current version (anyone in the organisation may)."""
    ack, _ = Acknowledgement.objects.update_or_create(
        org_id=charter.org_id,
        charter=charter,
        person=person,
        defaults={"version": charter.version, "acknowledged_at": now or timezone.now()},
    )
    return ack
