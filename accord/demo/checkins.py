"""Six months of async check-ins for the demo company, with blockers and a few missed days.

Engineering and Support check in daily, on each person's own working days; Sales and People Ops
weekly on Mondays, Leadership weekly on Fridays. Almost everyone takes part (two people never
have): most send nearly every check-in, a few skip more often. About one check-in in twelve names a
blocker; the lead acknowledges it in their own working hours, soon after it arrives, and most are resolved
within days. What arrived after the lead's last working hours is still open, and so is the latest blocker
in the manager persona's team, so her home page and team feed have something to act on. Moods are given about
half the time and shared with the manager by some people only. Commitments the goals demo marked
done show up in the check-in of the day they were done.

Everything comes from `cast.rng("checkins")`, times from each person's own zone and hours (through
the same Rhythm the scheduler uses) and dates from `cast.today`. History stops yesterday (local);
today's check-ins are planned by the real planner as of midnight UTC, so the output depends only on
`today`. Rows go in with a handful of bulk inserts.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

from accord.checkins.actions import ensure_schedule
from accord.checkins.models import (
    Blocker,
    Cadence,
    Checkin,
    CheckinSettings,
    CheckinTemplate,
    Digest,
    default_questions,
)
from accord.checkins.planning import Rhythm, plan_checkins
from accord.lib.tz import UTC
from accord.orgs.models import Person
from accord.orgs.queries import hours_of

from . import words
from .people import ENGINEERING, LEADERSHIP, PEOPLE_OPS, SALES, SUPPORT, Cast

HISTORY_DAYS = 182
NEVER_SHARE = 2  # people who never check in
BLOCKER_SHARE = 0.08
MOOD_SHARE = 0.5
SHARES_MOOD = 0.35  # of people: share their mood with their manager

# (department, cadence, weekly day)
CADENCE: dict[tuple[str, ...], tuple[str, int]] = {
    ENGINEERING: (Cadence.DAILY, 1),
    SUPPORT: (Cadence.DAILY, 1),
    SALES: (Cadence.WEEKLY, 1),
    PEOPLE_OPS: (Cadence.WEEKLY, 1),
    LEADERSHIP: (Cadence.WEEKLY, 5),
}


class Texts:
    """The composers of check-in answers for one demo, so no answer is pasted around (words.LIMITS)."""

    def __init__(self, rng: random.Random) -> None:
        self.done = words.Varied(rng, "checkin answer")
        self.next = words.Varied(rng, "checkin answer")
        self.blocker = words.Varied(rng, "blocker")
        self.mates: list[str] = ["a teammate"]


def _department(cast: Cast, person: Person) -> tuple[str, ...]:
    for path, team in cast.teams.items():
        if team.pk == person.team_id:
            return path[:1]
    return ENGINEERING


def build_checkins(cast: Cast) -> None:
    """Create the demo's check-in templates, settings and six months of check-ins and blockers."""
    rng = cast.rng("checkins")
    org = cast.org
    ensure_schedule(org, now=dt.datetime.combine(cast.today, dt.time(0), tzinfo=UTC))
    templates = _templates(cast)
    people = [p for p in cast.people if p.team_id is not None]
    skippers = set(rng.sample([p.pk for p in people if p.manager_id], NEVER_SHARE))
    settings = {p.pk: _settings(rng, p) for p in people}
    CheckinSettings.objects.bulk_create(settings.values())
    done_on = _done_commitments(cast)

    checkins: list[Checkin] = []
    blockers: list[tuple[Checkin, str]] = []
    texts = Texts(rng)
    for person in people:
        if person.pk in skippers:
            continue
        template = templates[person.team_id]  # type: ignore[index]
        rhythm = Rhythm(
            person.zone,
            settings[person.pk].prompt_time,
            person.work_start,
            person.work_end,
            person.work_days,
            template.cadence,
            template.weekday,
        )
        dept = _department(cast, person)[0]
        # How often this person sends their check-in: most nearly always, a few often skip.
        rate = rng.choice([0.97, 0.95, 0.93, 0.9, 0.9, 0.85, 0.8, 0.7, 0.55])
        shares = rng.random() < SHARES_MOOD
        mood_base = rng.choice([3, 4, 4, 4, 5])
        first = max(cast.today - dt.timedelta(days=HISTORY_DAYS), person.start_date or cast.today)
        mates = [p.name.split(" ")[0] for p in people if p.team_id == person.team_id and p.pk != person.pk]
        texts.mates = mates or ["a teammate"]
        day = first
        while day < cast.today:
            if rhythm.is_checkin_day(day):
                checkin, blocker = _one(
                    rng, cast, person, rhythm, day, rate, dept, shares, mood_base, done_on, template, texts
                )
                checkins.append(checkin)
                if blocker:
                    blockers.append((checkin, blocker))
            day += dt.timedelta(days=1)
    # Six months of check-ins in bulk: submit_checkin refuses a check-in past its closing time, which every
    # one of these is by design (history), and one call per check-in would be some ten thousand saves.
    Checkin.objects.bulk_create(checkins, batch_size=500)
    _blockers(rng, cast, blockers)
    # Today's check-ins and everyone's cursor, by the real planner, as of midnight UTC.
    plan_checkins(org.pk, dt.datetime.combine(cast.today, dt.time(0), tzinfo=UTC))


def _templates(cast: Cast) -> dict[int, CheckinTemplate]:
    made = {}
    for path, team in cast.teams.items():
        cadence, weekday = CADENCE.get(path[:1], (Cadence.DAILY, 1))
        made[team.pk] = CheckinTemplate(
            org=cast.org, team=team, questions=default_questions(), cadence=cadence, weekday=weekday
        )
    # Not through save_template: it replans the team's members at once, before their settings and the
    # history below exist; the default questions and a cadence from Cadence are what that action accepts.
    CheckinTemplate.objects.bulk_create(made.values())
    return made


def _settings(rng: random.Random, person: Person) -> CheckinSettings:
    start = dt.datetime.combine(dt.date(2000, 1, 3), person.work_start)
    offset = rng.choice([0, 0, 0, 0, 30, 30, 60, 90])  # most are asked as they start; some a bit later
    return CheckinSettings(
        org_id=person.org_id,
        person=person,
        prompt_time=(start + dt.timedelta(minutes=offset)).time(),
        digest=rng.choice([Digest.DAILY, Digest.DAILY, Digest.WEEKLY]),
    )


def _done_commitments(cast: Cast) -> dict[tuple[int, dt.date], list[dict[str, Any]]]:
    """Commitments the goals demo marked done, by (owner, local day), if it ran first."""
    from accord.goals.models import Commitment, CommitmentStatus

    found: dict[tuple[int, dt.date], list[dict[str, Any]]] = defaultdict(list)
    for pk, owner_id, title, day in Commitment.objects.filter(
        org=cast.org, status=CommitmentStatus.DONE, done_on__isnull=False
    ).values_list("id", "owner_id", "title", "done_on"):
        if day is not None:
            found[(owner_id, day)].append({"id": pk, "title": title, "status": "done"})
    return found


def _one(
    rng: random.Random,
    cast: Cast,
    person: Person,
    rhythm: Rhythm,
    day: dt.date,
    rate: float,
    dept: str,
    shares: bool,
    mood_base: int,
    done_on: dict[tuple[int, dt.date], list[dict[str, Any]]],
    template: CheckinTemplate,
    texts: Texts,
) -> tuple[Checkin, str]:
    prompt, reminder, closes = rhythm.times(day)
    checkin = Checkin(
        org=cast.org,
        person=person,
        team_id=person.team_id,
        day=day,
        prompt_at=prompt,
        reminder_at=reminder,
        closes_at=closes,
        prompts_sent=2 if reminder else 1,
    )
    if rng.random() >= rate:
        return checkin, ""  # missed: asked, reminded, closed unsent
    window = (closes - prompt).total_seconds()
    after = dt.timedelta(seconds=rng.uniform(0.02, 0.6) * window)
    checkin.submitted_at = prompt + after
    if reminder is None or checkin.submitted_at < reminder:
        checkin.prompts_sent = 1
    blocker = words.blocker(texts.blocker, dept) if rng.random() < BLOCKER_SHARE else ""
    said = [
        words.checkin_done(texts.done, dept, texts.mates),
        words.checkin_next(texts.next, dept, texts.mates),
        blocker,
    ]
    checkin.answers = [
        {"key": q["key"], "question": q["text"], "answer": text, "blocker": bool(q.get("blocker"))}
        for q, text in zip(template.questions, said, strict=False)
    ]
    checkin.commitment_updates = done_on.get((person.pk, day), [])
    if rng.random() < MOOD_SHARE:
        checkin.mood = max(1, min(5, mood_base + rng.choice([-2, -1, 0, 0, 0, 1]) - (1 if blocker else 0)))
        checkin.mood_shared = shares
    return checkin, blocker


def acknowledged_at(lead: Person, submitted: dt.datetime, rng: random.Random) -> dt.datetime:
    """When a lead reads a blocker: within an hour or two of it arriving in their working hours, or soon
    after their next working day starts (a blocker sent at night waits for the morning, not for a week)."""
    hours = hours_of(lead)
    seen = submitted + dt.timedelta(minutes=rng.randint(10, 150))
    if hours.is_working(submitted) and hours.is_working(seen):
        return seen
    start = hours.next_start(submitted) or submitted + dt.timedelta(hours=12)
    return start + dt.timedelta(minutes=rng.randint(15, 120))


def _blockers(rng: random.Random, cast: Cast, found: list[tuple[Checkin, str]]) -> None:
    """Leads acknowledge blockers in their own working hours, soon after they arrive; what arrived after
    the lead's last working hours before `now` is still open. The story adds one for the manager persona:
    the latest blocker in Lena's team is not acknowledged yet, whatever day the demo starts."""
    managers = {p.pk: p.manager for p in cast.people}
    now = dt.datetime.combine(cast.today, dt.time(0), tzinfo=UTC)  # where the history stops
    lena = cast.by_key["l1_lead"]
    waiting = max(
        (c for c, _ in found if managers.get(c.person_id) == lena),
        key=lambda c: c.submitted_at or now,
        default=None,
    )
    rows = []
    for checkin, text in found:
        assert checkin.submitted_at is not None
        lead = managers.get(checkin.person_id) or checkin.person
        blocker = Blocker(
            org=cast.org,
            checkin=checkin,
            person_id=checkin.person_id,
            team_id=checkin.team_id,
            text=text,
            created_at=checkin.submitted_at,
        )
        seen = acknowledged_at(lead, checkin.submitted_at, rng)
        if seen < now and checkin is not waiting:
            blocker.acknowledged_by, blocker.acknowledged_at = lead, seen
            # Most are resolved within a few days, by the lead or the person themselves.
            done = seen + dt.timedelta(hours=rng.uniform(1, 96))
            if done < now and rng.random() < 0.9:
                blocker.resolved_by = rng.choice([lead, checkin.person])
                blocker.resolved_at = done
        rows.append(blocker)
    Blocker.objects.bulk_create(rows, batch_size=500)
