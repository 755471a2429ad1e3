"""Writes and rules for async check-ins: when each member is asked, planning in bulk, submitting,
blockers, templates and settings.

Time rules (every time is the member's own wall clock, converted with lib/tz.to_utc, so DST is
resolved as documented there):
- a member is asked on their check-in days: every working day (daily teams), or once a week on the
  team's weekday, or on the member's first working day after it when they don't work that day;
- at their chosen local time (default 09:00);
- reminded once, 3 hours later or halfway to closing, whichever comes first (none if under an hour is
  left);
- the check-in closes at the end of their working day (at least an hour after the prompt); later
  submissions are refused.

Planning is separate from sending. `plan_checkins` creates the coming day's check-ins for a whole
organisation in a few bulk statements, moving each member's planning cursor (next_prompt_at) on;
the scheduler then claims each check-in's `next_send_at` row by row to send its prompt and reminder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import IntegerField, Q, Value
from django.utils import timezone

from accord.lib.tz import to_utc
from accord.orgs.models import Organisation, Person, Team

from .models import (
    ANSWER_MAX,
    DEFAULT_DIGEST_TIME,
    DEFAULT_PROMPT_TIME,
    MAX_QUESTIONS,
    QUESTION_MAX,
    Blocker,
    Cadence,
    Checkin,
    CheckinSchedule,
    CheckinSettings,
    CheckinTemplate,
    Digest,
    default_questions,
)

# The planner runs every hour and plans every check-in whose prompt falls within the next day.
PLAN_EVERY = dt.timedelta(hours=1)
PLAN_AHEAD = dt.timedelta(hours=24)
REMINDER_AFTER = dt.timedelta(hours=3)
MIN_OPEN = dt.timedelta(hours=1)
HORIZON_DAYS = 15  # a rhythm with no check-in day in two weeks has none at all


class CheckinClosed(Exception):
    """The check-in can no longer be submitted; the message says why, in the person's own time.
    `reason` is "sent" (already sent) or "closed" (past the end of the working day)."""

    def __init__(self, message: str, reason: str = "closed") -> None:
        super().__init__(message)
        self.reason = reason


# --- the rhythm: which days, which times ------------------------------------------------------


@dataclass(frozen=True)
class Rhythm:
    """Everything that decides when one member is asked: their zone, hours, days and their team's cadence."""

    zone: ZoneInfo
    prompt_time: dt.time
    work_start: dt.time
    work_end: dt.time
    work_days: str
    cadence: str = Cadence.DAILY
    weekday: int = 1

    def works(self, day: dt.date) -> bool:
        return str(day.isoweekday()) in self.work_days

    def is_checkin_day(self, day: dt.date) -> bool:
        if not self.works(day):
            return False
        if self.cadence == Cadence.DAILY:
            return True
        # Weekly: the team's weekday, or the member's first working day after it that week.
        since = (day.isoweekday() - self.weekday) % 7
        return not any(self.works(day - dt.timedelta(days=back)) for back in range(1, since + 1))

    def next_day(self, start: dt.date) -> dt.date | None:
        """The first check-in day on or after `start`."""
        for offset in range(HORIZON_DAYS):
            day = start + dt.timedelta(days=offset)
            if self.is_checkin_day(day):
                return day
        return None

    def times(self, day: dt.date) -> tuple[dt.datetime, dt.datetime | None, dt.datetime]:
        """(prompt, reminder or None, closing) of the check-in for local `day`, in UTC."""
        prompt = to_utc(day, self.prompt_time, self.zone)
        end_day = day if self.work_end > self.work_start else day + dt.timedelta(days=1)
        closes = max(to_utc(end_day, self.work_end, self.zone), prompt + MIN_OPEN)
        gap = closes - prompt
        reminder = prompt + min(REMINDER_AFTER, gap / 2) if gap > MIN_OPEN else None
        return prompt, reminder, closes

    def first_prompt(self, now: dt.datetime) -> dt.datetime | None:
        """The first check-in to plan from `now`: today's if it is still open for an hour or more
        (asked at once when its time has passed), else the next one."""
        day = self.next_day(now.astimezone(self.zone).date())
        while day is not None:
            prompt, _, closes = self.times(day)
            if prompt >= now or now <= closes - MIN_OPEN:
                return prompt
            day = self.next_day(day + dt.timedelta(days=1))
        return None

    def local_day(self, at: dt.datetime) -> dt.date:
        return at.astimezone(self.zone).date()


def rhythm_of(person: Person, prompt_time: dt.time, template: CheckinTemplate | None) -> Rhythm:
    return Rhythm(
        zone=person.zone,
        prompt_time=prompt_time,
        work_start=person.work_start,
        work_end=person.work_end,
        work_days=person.work_days,
        cadence=template.cadence if template else Cadence.DAILY,
        weekday=template.weekday if template else 1,
    )


# --- schedule, templates and settings ---------------------------------------------------------


def ensure_schedule(org: Organisation, now: dt.datetime | None = None) -> CheckinSchedule:
    """The organisation's planner row; the scheduler plans check-ins only for organisations that have one."""
    found, _ = CheckinSchedule.objects.get_or_create(
        org=org, defaults={"next_plan_at": now or timezone.now()}
    )
    return found


def template_for(team: Team) -> CheckinTemplate:
    """The team's template, made with the defaults the first time anyone needs it."""
    found, _ = CheckinTemplate.objects.get_or_create(team=team, defaults={"org_id": team.org_id})
    return found


def settings_for(person: Person) -> CheckinSettings:
    found = CheckinSettings.objects.filter(person=person).first()
    return found or CheckinSettings(org_id=person.org_id, person=person)


def check_questions(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Clean a question list ({text, blocker}) into stored form, or raise field errors."""
    errors: dict[str, list[str]] = {}
    clean = []
    for q in questions:
        text = str(q.get("text", "")).strip()
        if not text:
            continue
        if len(text) > QUESTION_MAX:
            errors.setdefault("questions", []).append(f"Keep each question under {QUESTION_MAX} characters.")
            break
        clean.append({"text": text, "blocker": bool(q.get("blocker"))})
    if not clean and "questions" not in errors:
        errors["questions"] = ["Keep at least one question."]
    elif len(clean) > MAX_QUESTIONS:
        errors["questions"] = [f"Ask at most {MAX_QUESTIONS} questions: check-ins should take a minute."]
    elif sum(1 for q in clean if q["blocker"]) > 1:
        errors["questions"] = ["Only one question can be the blockers question."]
    if errors:
        raise ValidationError(errors)
    return [{"key": f"q{i}", **q} for i, q in enumerate(clean, start=1)]


def save_template(
    template: CheckinTemplate,
    *,
    questions: list[dict[str, Any]],
    cadence: str,
    weekday: int | None,
    enabled: bool,
    now: dt.datetime | None = None,
) -> CheckinTemplate:
    """Change a team's questions and cadence; a new cadence replans the team's members at once."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    try:
        clean = check_questions(questions)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if cadence not in Cadence.values:
        errors["cadence"] = ["Choose daily or weekly."]
    out_of_range = weekday is not None and not 1 <= weekday <= 7
    if out_of_range or (cadence == Cadence.WEEKLY and weekday is None):
        errors["weekday"] = ["Choose a day of the week, Monday (1) to Sunday (7)."]
    if errors:
        raise ValidationError(errors)
    replan = (
        template.pk is None
        or template.cadence != cadence
        or (weekday is not None and template.weekday != weekday)
        or template.enabled != enabled
    )
    template.questions = clean
    template.cadence = cadence
    if weekday is not None:
        template.weekday = weekday
    template.enabled = enabled
    template.updated_at = now
    with transaction.atomic():
        template.save()
        if replan:
            members = Person.objects.filter(org_id=template.org_id, team_id=template.team_id, is_active=True)
            replan_people(template.org_id, list(members.values_list("id", flat=True)), now)
    return template


def check_prompt_time(person: Person, at: dt.time) -> None:
    if at.tzinfo is not None:
        raise ValidationError({"prompt_time": ["Give a local time without an offset, e.g. 09:00."]})
    latest = (dt.datetime.combine(dt.date(2000, 1, 1), person.work_end) - MIN_OPEN).time()
    if person.work_end > person.work_start and at > latest:
        raise ValidationError(
            {
                "prompt_time": [
                    f"Pick a time at least an hour before your working day ends "
                    f"({person.work_end:%H:%M}): {latest:%H:%M} at the latest."
                ]
            }
        )


def set_prompt_time(person: Person, at: dt.time, now: dt.datetime | None = None) -> CheckinSettings:
    """Ask `person` at `at` their time from now on; today's check-in moves too if not yet asked."""
    now = now or timezone.now()
    check_prompt_time(person, at)
    with transaction.atomic():
        found = settings_for(person)
        found.prompt_time = at
        found.save()
        replan_people(person.org_id, [person.pk], now)
    found.refresh_from_db()
    return found


def set_digest(
    person: Person, *, digest: str, at: dt.time, now: dt.datetime | None = None
) -> CheckinSettings:
    now = now or timezone.now()
    if digest not in Digest.values:
        raise ValidationError({"digest": ["Choose every working day, once a week or never."]})
    found = settings_for(person)
    found.digest = digest
    found.digest_time = at
    found.next_digest_at = None if digest == Digest.OFF else next_digest_time(person, found, now)
    found.save()
    return found


def replan_people(org_id: int, person_ids: list[int], now: dt.datetime) -> int:
    """Forget planned check-ins not yet asked nor answered, restart each cursor from `now`, plan again."""
    if not person_ids:
        return 0
    Checkin.objects.filter(
        org_id=org_id,
        person_id__in=person_ids,
        prompt_at__gt=now,
        prompts_sent=0,
        submitted_at__isnull=True,
    ).delete()
    CheckinSettings.objects.filter(org_id=org_id, person_id__in=person_ids).update(next_prompt_at=None)
    return plan_checkins(org_id, now, person_ids=person_ids)


# --- planning in bulk -------------------------------------------------------------------------


def plan_checkins(
    org_id: int,
    now: dt.datetime,
    *,
    ahead: dt.timedelta = PLAN_AHEAD,
    person_ids: Iterable[int] | None = None,
    new_after: int | None = None,
) -> int:
    """Create every check-in of the organisation whose prompt falls before `now + ahead`; returns how many.

    A few statements however many members: reads of the templates, of the members who have no
    settings yet and of the members whose cursor is due; one INSERT of check-ins and one of settings;
    one UPDATE moving the cursors on (each executed for many rows at once). Members who cannot be
    asked (no team, no sign-in, a paused team) are looked at again a day later.

    `new_after`: look for members without settings only among person ids above it (the hourly runs);
    None looks at everyone, and also gives new managers their digest time (the daily run).
    """
    horizon = now + ahead
    only = list(person_ids) if person_ids is not None else None
    templates = {
        t["team_id"]: (t["cadence"], t["weekday"], t["enabled"])
        for t in CheckinTemplate.objects.filter(org_id=org_id).values(
            "team_id", "cadence", "weekday", "enabled"
        )
    }
    fields = ("timezone", "work_start", "work_end", "work_days", "team_id", "is_active", "user_id")
    people = Person.objects.filter(org_id=org_id)
    if only is not None:
        people = people.filter(pk__in=only)
    if new_after is not None:
        people = people.filter(pk__gt=new_after)

    # Members never planned before get settings now, created with their cursor already moved on.
    fresh = people.filter(
        is_active=True, user__isnull=False, team__isnull=False, checkin_settings__isnull=True
    ).values_list(_NULL, "id", _NULL, _NULL, *fields)
    due = CheckinSettings.objects.filter(org_id=org_id).filter(
        Q(next_prompt_at__lte=horizon) | Q(next_prompt_at__isnull=True)
    )
    if only is not None:
        due = due.filter(person_id__in=only)
    due_rows = due.values_list(
        "id", "person_id", "next_prompt_at", "prompt_time", *(f"person__{f}" for f in fields)
    ).order_by("person_id")

    writer = _Writer(org_id)
    # Most members share a rhythm with many others, and a cursor with everyone of that rhythm: the
    # local-time maths (and reading stored times) runs once per distinct value, not once per member.
    read = _Reader()
    rhythms: dict[tuple[Any, ...], Rhythm] = {}
    firsts: dict[tuple[Any, ...], dt.datetime | None] = {}
    days: dict[tuple[Any, ...], _Day] = {}
    for row in (*_raw(fresh), *_raw(due_rows)):
        (
            settings_id,
            person_id,
            stored_cursor,
            stored_time,
            zone,
            start,
            end,
            work_days,
            team_id,
            active,
            user_id,
        ) = row
        cursor = seen = read.moment(stored_cursor)
        prompt_time = DEFAULT_PROMPT_TIME if stored_time is None else read.time(stored_time)
        cadence, weekday, enabled = templates.get(team_id, (Cadence.DAILY, 1, True))
        if not (active and user_id and team_id and enabled):
            cursor = max(cursor or now, now) + dt.timedelta(days=1)  # look again tomorrow
        else:
            key = (zone, prompt_time, start, end, work_days, cadence, weekday)
            rhythm = rhythms.get(key)
            if rhythm is None:
                rhythm = rhythms[key] = Rhythm(
                    read.zone(zone),
                    prompt_time,
                    read.time(start),
                    read.time(end),
                    work_days,
                    cadence,
                    weekday,
                )
            if cursor is None:
                if key not in firsts:
                    firsts[key] = rhythm.first_prompt(now)
                cursor = firsts[key]
            while cursor is not None and cursor <= horizon:
                planned = days.get((key, cursor))
                if planned is None:
                    planned = days[(key, cursor)] = _Day.of(rhythm, cursor, writer)
                if planned.is_day and planned.closes > now:
                    writer.checkins.append((person_id, team_id, *planned.row))
                cursor = planned.following
            if cursor is None:  # no check-in day at all (a weekly day nobody works): look again tomorrow
                cursor = now + dt.timedelta(days=1)
        if settings_id is None:
            writer.settings.append((person_id, writer.moment(cursor)))
        elif cursor != seen:
            writer.moves.append((writer.moment(cursor), settings_id, stored_cursor))
    writer.write()
    if new_after is None:
        _start_digests(org_id, now, only)
    return len(writer.checkins)


_NULL = Value(None, output_field=IntegerField())


def _raw(queryset: Any) -> list[tuple[Any, ...]]:
    """The rows of a values_list query as the database returns them, without the ORM's per-value
    conversion (the planner reads each distinct stored time once, through _Reader)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class _Reader:
    """Stored values back into Python, each distinct value parsed once: SQLite returns text, PostgreSQL
    returns datetime and time objects already."""

    def __init__(self) -> None:
        self._moments: dict[Any, dt.datetime | None] = {None: None}
        self._times: dict[Any, dt.time] = {}
        self._zones: dict[str, ZoneInfo] = {}

    def moment(self, value: Any) -> dt.datetime | None:
        found = self._moments.get(value)
        if found is None and value is not None:
            if isinstance(value, dt.datetime):
                found = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
            else:
                found = dt.datetime.fromisoformat(str(value)).replace(tzinfo=dt.UTC)
            self._moments[value] = found
        return found

    def time(self, value: Any) -> dt.time:
        found = self._times.get(value)
        if found is None:
            found = self._times[value] = (
                value if isinstance(value, dt.time) else dt.time.fromisoformat(str(value))
            )
        return found

    def zone(self, name: str) -> ZoneInfo:
        found = self._zones.get(name)
        if found is None:
            found = self._zones[name] = ZoneInfo(name)
        return found


@dataclass(frozen=True)
class _Day:
    """One rhythm's check-in for one cursor: whether that local day is a check-in day, its closing,
    the next cursor, and its stored values ready for the database."""

    is_day: bool
    closes: dt.datetime
    following: dt.datetime | None
    row: tuple[Any, ...]

    @classmethod
    def of(cls, rhythm: Rhythm, cursor: dt.datetime, writer: _Writer) -> _Day:
        day = rhythm.local_day(cursor)
        prompt, reminder, closes = rhythm.times(day)
        following_day = rhythm.next_day(day + dt.timedelta(days=1))
        following = to_utc(following_day, rhythm.prompt_time, rhythm.zone) if following_day else None
        if following is not None and following <= cursor:
            following = None  # cannot happen with real zones; never loop
        ops = writer.ops
        stored_prompt = writer.moment(prompt)
        row = (
            ops.adapt_datefield_value(day),
            stored_prompt,
            writer.moment(reminder),
            writer.moment(closes),
            stored_prompt,
        )
        return cls(rhythm.is_checkin_day(day), closes, following, row)


class _Writer:
    """The planner's three bulk statements, as plain INSERT/UPDATE executed for many rows at once.

    The ORM's bulk_create prepares every value of every row through its field (microseconds each,
    seconds for a large organisation); here each distinct time is adapted once and the statement is
    prepared once. Values go through the connection's own adapters, so SQLite and PostgreSQL store
    exactly what the ORM would.
    """

    def __init__(self, org_id: int) -> None:
        self.org_id = org_id
        self.ops = connection.ops
        self.checkins: list[tuple[Any, ...]] = []
        self.settings: list[tuple[Any, ...]] = []
        self.moves: list[tuple[Any, ...]] = []
        self._moments: dict[dt.datetime | None, Any] = {None: None}

    def moment(self, value: dt.datetime | None) -> Any:
        found = self._moments.get(value, self)
        if found is self:
            found = self._moments[value] = self.ops.adapt_datetimefield_value(value)
        return found

    def write(self) -> None:
        qn = self.ops.quote_name
        with connection.cursor() as cursor:
            if self.checkins:
                fixed = _constants(
                    Checkin, prompts_sent=0, answers=[], commitment_updates=[], mood_shared=False
                )
                columns = [
                    "org",
                    "person",
                    "team",
                    "day",
                    "prompt_at",
                    "reminder_at",
                    "closes_at",
                    "next_send_at",
                ]
                # In person order, the unique (org, person, day) index fills from one end to the other.
                self.checkins.sort(key=lambda row: row[0])
                cursor.executemany(
                    _insert_sql(Checkin, columns + list(fixed)),
                    [(self.org_id, *row, *fixed.values()) for row in self.checkins],
                )
            if self.settings:
                fixed = _constants(
                    CheckinSettings,
                    prompt_time=DEFAULT_PROMPT_TIME,
                    digest=Digest.DAILY,
                    digest_time=DEFAULT_DIGEST_TIME,
                )
                cursor.executemany(
                    _insert_sql(CheckinSettings, ["org", "person", "next_prompt_at", *fixed]),
                    [(self.org_id, *row, *fixed.values()) for row in self.settings],
                )
            table, column = qn(CheckinSettings._meta.db_table), qn("next_prompt_at")
            # Conditional, like a claim: a member whose cursor changed meanwhile keeps theirs.
            moved = [m for m in self.moves if m[2] is not None]
            if moved:
                cursor.executemany(
                    f"UPDATE {table} SET {column} = %s WHERE {qn('id')} = %s AND {column} = %s", moved
                )
            unset = [m[:2] for m in self.moves if m[2] is None]
            if unset:
                cursor.executemany(
                    f"UPDATE {table} SET {column} = %s WHERE {qn('id')} = %s AND {column} IS NULL", unset
                )


def _constants(model: type[Any], **values: Any) -> dict[str, Any]:
    """Values every planned row shares, prepared once through their fields for this database."""
    return {
        name: model._meta.get_field(name).get_db_prep_save(value, connection)
        for name, value in values.items()
    }


def _insert_sql(model: type[Any], fields: list[str]) -> str:
    qn = connection.ops.quote_name
    columns = ", ".join(qn(model._meta.get_field(f).column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    # Planning twice (two planners, a replan) never doubles a day: the unique constraint wins quietly.
    return f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING"


# --- digests ------------------------------------------------------------------------------------


def digest_day(person: Person, day: dt.date, digest: str) -> bool:
    """Daily: every working day. Weekly: the working day before the longest gap (the weekend's eve)."""
    days = person.work_days
    if str(day.isoweekday()) not in days:
        return False
    if digest == Digest.DAILY:
        return True

    def gap(weekday: int) -> tuple[int, int]:
        ahead = next(n for n in range(1, 8) if str((weekday - 1 + n) % 7 + 1) in days)
        return ahead, weekday

    return max((int(d) for d in days), key=gap) == day.isoweekday()


def next_digest_time(person: Person, found: CheckinSettings, now: dt.datetime) -> dt.datetime | None:
    if found.digest == Digest.OFF:
        return None
    zone = person.zone
    today = now.astimezone(zone).date()
    for offset in range(HORIZON_DAYS):
        day = today + dt.timedelta(days=offset)
        if digest_day(person, day, found.digest):
            at = to_utc(day, found.digest_time, zone)
            if at > now:
                return at
    return None


def _start_digests(org_id: int, now: dt.datetime, only: list[int] | None) -> None:
    """Give a digest time to people who manage someone and have none yet (new managers)."""
    managers = Person.objects.filter(org_id=org_id, manager__isnull=False)
    if only is not None:
        managers = managers.filter(manager_id__in=only)
    waiting = (
        CheckinSettings.objects.filter(
            org_id=org_id,
            next_digest_at__isnull=True,
            person__is_active=True,
            person_id__in=managers.values("manager_id"),
        )
        .exclude(digest=Digest.OFF)
        .select_related("person")
    )
    for found in waiting:
        at = next_digest_time(found.person, found, now)
        if at is not None:
            CheckinSettings.objects.filter(pk=found.pk, next_digest_at__isnull=True).update(next_digest_at=at)


# --- submitting ---------------------------------------------------------------------------------


def _local(at: dt.datetime, person: Person) -> str:
    local = at.astimezone(person.zone)
    return f"{local:%H:%M} on {local:%A} {local.day} {local:%B}"


def submit_checkin(
    checkin: Checkin,
    *,
    answers: dict[str, str],
    mood: int | None = None,
    share_mood: bool = False,
    commitments: dict[int, str] | None = None,
    now: dt.datetime | None = None,
) -> Checkin:
    """Send a check-in: the answers to the team's questions, an optional mood, and commitment updates.

    A non-empty answer to the blockers question becomes a Blocker for the team's managers. Refused
    (CheckinClosed) once sent or after closing; bad input is a ValidationError naming the field.
    """
    from accord.goals.actions import set_commitment_status
    from accord.goals.models import Commitment, CommitmentStatus

    now = now or timezone.now()
    person = checkin.person
    if checkin.submitted_at is not None:
        raise CheckinClosed("You have already sent this check-in. Thank you!", "sent")
    if now >= checkin.closes_at:
        raise CheckinClosed(
            f"This check-in closed at {_local(checkin.closes_at, person)}, the end of your working day, "
            "so it can no longer be sent. The next one will come on your next check-in day."
        )
    questions = template_for(checkin.team).questions if checkin.team else default_questions()
    errors: dict[str, list[str]] = {}
    known = {q["key"] for q in questions}
    unknown = sorted(set(answers) - known)
    if unknown:
        errors["answers"] = [f"These are not questions of this check-in: {', '.join(unknown)}."]
    written = [
        {
            "key": q["key"],
            "question": q["text"],
            "answer": str(answers.get(q["key"], "")).strip(),
            "blocker": bool(q.get("blocker")),
        }
        for q in questions
    ]
    for row in written:
        if len(row["answer"]) > ANSWER_MAX:
            errors[f"answers.{row['key']}"] = [f"Keep each answer under {ANSWER_MAX} characters."]
    if not any(row["answer"] for row in written) and "answers" not in errors:
        errors["answers"] = ["Answer at least one question."]
    if mood is not None and (isinstance(mood, bool) or not 1 <= mood <= 5):
        errors["mood"] = ["A mood goes from 1 (rough) to 5 (great), or leave it out."]
    wanted = commitments or {}
    mine = {
        c.pk: c for c in Commitment.objects.filter(org_id=checkin.org_id, owner=person, pk__in=list(wanted))
    }
    missing = sorted(set(wanted) - set(mine))
    if missing:
        errors["commitments"] = ["Only your own commitments can be updated from your check-in."]
    elif any(s not in CommitmentStatus.values for s in wanted.values()):
        errors["commitments"] = ["A commitment's status is open, done or dropped."]
    if errors:
        raise ValidationError(errors)

    updates = []
    with transaction.atomic():
        sent = Checkin.objects.filter(pk=checkin.pk, submitted_at__isnull=True).update(
            submitted_at=now, next_send_at=None
        )
        if sent != 1:
            raise CheckinClosed("You have already sent this check-in. Thank you!", "sent")
        for pk, status in wanted.items():
            commitment = mine[pk]
            if commitment.status == status:
                continue
            commitment.owner = person
            set_commitment_status(commitment, actor=person, status=status, now=now)
            updates.append({"id": pk, "title": commitment.title, "status": status})
        checkin.submitted_at = now
        checkin.next_send_at = None
        checkin.answers = written
        checkin.commitment_updates = updates
        checkin.mood = mood
        checkin.mood_shared = bool(share_mood and mood is not None)
        checkin.save(update_fields=["answers", "commitment_updates", "mood", "mood_shared"])
        blocker_text = next((row["answer"] for row in written if row["blocker"] and row["answer"]), "")
        if blocker_text and not _nothing(blocker_text):
            Blocker.objects.create(
                org_id=checkin.org_id,
                checkin=checkin,
                person=person,
                team_id=checkin.team_id,
                text=blocker_text,
                created_at=now,
            )
    return checkin


NOTHING = {
    "no",
    "none",
    "nope",
    "nothing",
    "n/a",
    "na",
    "-",
    "—",
    "nothing blocking",
    "no blockers",
    "all good",
}


def _nothing(text: str) -> bool:
    """“None”, “n/a”, “no blockers”: an answer that says there is no blocker."""
    return text.strip().strip(".!").lower() in NOTHING


# --- blockers -----------------------------------------------------------------------------------


def acknowledge_blocker(blocker: Blocker, *, by: Person, now: dt.datetime | None = None) -> Blocker:
    now = now or timezone.now()
    if blocker.resolved_at is None and blocker.acknowledged_at is None:
        Blocker.objects.filter(pk=blocker.pk, acknowledged_at__isnull=True).update(
            acknowledged_by=by, acknowledged_at=now
        )
        blocker.refresh_from_db()
    return blocker


def resolve_blocker(blocker: Blocker, *, by: Person, now: dt.datetime | None = None) -> Blocker:
    now = now or timezone.now()
    if blocker.resolved_at is None:
        changes: dict[str, Any] = {"resolved_by": by, "resolved_at": now}
        if blocker.acknowledged_at is None:
            changes.update(acknowledged_by=by, acknowledged_at=now)
        Blocker.objects.filter(pk=blocker.pk, resolved_at__isnull=True).update(**changes)
        blocker.refresh_from_db()
    return blocker
