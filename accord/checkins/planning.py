"""When each member is asked and when managers get their digest: the rhythm of one member, planning
check-ins for a whole organisation in bulk, and digest days.

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

from django.db import connection
from django.db.models import IntegerField, Q, Value

from accord.lib.tz import to_utc
from accord.orgs.models import Person

from .models import (
    DEFAULT_DIGEST_TIME,
    DEFAULT_PROMPT_TIME,
    Cadence,
    Checkin,
    CheckinSettings,
    CheckinTemplate,
    Digest,
)

# The planner runs every hour and plans every check-in whose prompt falls within the next day.
PLAN_EVERY = dt.timedelta(hours=1)
PLAN_AHEAD = dt.timedelta(hours=24)
REMINDER_AFTER = dt.timedelta(hours=3)
MIN_OPEN = dt.timedelta(hours=1)
HORIZON_DAYS = 15  # a rhythm with no check-in day in two weeks has none at all


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
