"""Six months of async check-ins for the demo company, with blockers and a few missed days.

Engineering and Support check in daily, on each person's own working days; Sales and People Ops
weekly on Mondays, Leadership weekly on Fridays. Almost everyone takes part (two people never
have): most send nearly every check-in, a few skip more often. About one check-in in twelve names a
blocker; older ones were acknowledged and resolved by the team lead, the last fortnight's are partly
still open, so managers' home pages and team feeds have something to act on. Moods are given about
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

from .people import ENGINEERING, LEADERSHIP, PEOPLE_OPS, SALES, SUPPORT, Cast

HISTORY_DAYS = 182
NEVER_SHARE = 2  # people who never check in
BLOCKER_SHARE = 0.08
MOOD_SHARE = 0.5
SHARES_MOOD = 0.35  # of people: share their mood with their manager
OPEN_DAYS = 14  # blockers younger than this may still be open

# (department, cadence, weekly day)
CADENCE: dict[tuple[str, ...], tuple[str, int]] = {
    ENGINEERING: (Cadence.DAILY, 1),
    SUPPORT: (Cadence.DAILY, 1),
    SALES: (Cadence.WEEKLY, 1),
    PEOPLE_OPS: (Cadence.WEEKLY, 1),
    LEADERSHIP: (Cadence.WEEKLY, 5),
}

DONE = {
    "Engineering": [
        "Merged the deploy pipeline cleanup; builds are four minutes faster.",
        "Finished the template editor's undo history and wrote the tests.",
        "Paired with Kathmandu on the flaky upload test; it's fixed.",
        "Reviewed three PRs and shipped the billing page copy changes.",
        "Rolled out the new CDN config to 10% of sites, no errors so far.",
        "Wrote the design doc for offline mode in the app and shared it for async review.",
        "Closed the Android crash on older phones (it was the image cache).",
        "Migrated the staging database to the new cluster.",
    ],
    "Support": [
        "Cleared the billing queue; 42 tickets, median first reply under an hour.",
        "Wrote the handoff note for Manila with the three open escalations.",
        "Turned the DNS how-to into a help-centre article.",
        "Handled the weekend backlog with Ramon's team.",
        "Escalated the domain-transfer bug to Level 2 with a full reproduction.",
        "Updated the macros for refund requests.",
    ],
    "Sales": [
        "Demo with the Lisbon agency went well; proposal goes out Thursday.",
        "Closed the renewal with Northwind Studio (3 years).",
        "Qualified six inbound leads; two are worth a call.",
        "Updated the pipeline forecast for the quarter.",
        "Ran the partner webinar: 80 sign-ups, 35 attended.",
    ],
    "People Ops": [
        "Onboarding plan for the two new support hires is ready.",
        "Published the updated parental leave policy.",
        "Shortlisted candidates for the Platform role.",
        "Sent the pulse results summary to all managers.",
    ],
    "Leadership": [
        "Board pack drafted and shared for comments.",
        "Quarterly planning: the three company goals are agreed.",
        "Met the two finalists for the finance lead role.",
    ],
}
NEXT = {
    "Engineering": [
        "Finish the rollout to 50% and watch the error rates.",
        "Start on the export API; first the pagination.",
        "Code review day, then the performance budget for the editor.",
        "Write the runbook for the new database cluster.",
    ],
    "Support": [
        "Work through the Level 2 escalations from last night.",
        "Shadow a new colleague on the morning shift.",
        "Draft the article on custom domains.",
    ],
    "Sales": [
        "Follow up with the agencies from the webinar.",
        "Prepare the pricing proposal for the Berlin studio.",
        "Pipeline review with Marcus.",
    ],
    "People Ops": ["Interviews for the Platform role.", "Plan the next onboarding cohort."],
    "Leadership": ["Planning review with department heads.", "All-hands in both time slots."],
}
BLOCKERS = {
    "Engineering": [
        "Waiting on a security review before I can merge the auth change.",
        "Staging has been down since this morning; can't test the migration.",
        "Need a decision on whether offline mode ships in this release.",
        "Blocked on API keys for the new payment provider.",
    ],
    "Support": [
        "The Manila handoff arrived without the customer history for the outage tickets.",
        "I don't have access to the billing admin to issue refunds.",
        "Two escalations have had no answer from Level 2 for three days.",
    ],
    "Sales": [
        "Legal hasn't reviewed the agency contract yet; the customer is waiting.",
        "Need a discount approval above 20% for the Lisbon deal.",
    ],
    "People Ops": ["Waiting on budget sign-off for the two new roles."],
    "Leadership": ["Need the finance numbers for the board pack."],
}


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
        day = first
        while day < cast.today:
            if rhythm.is_checkin_day(day):
                checkin, blocker = _one(
                    rng, cast, person, rhythm, day, rate, dept, shares, mood_base, done_on, template
                )
                checkins.append(checkin)
                if blocker:
                    blockers.append((checkin, blocker))
            day += dt.timedelta(days=1)
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
    blocker = rng.choice(BLOCKERS.get(dept, BLOCKERS["Engineering"])) if rng.random() < BLOCKER_SHARE else ""
    texts = [
        rng.choice(DONE.get(dept, DONE["Engineering"])),
        rng.choice(NEXT.get(dept, NEXT["Engineering"])),
        blocker,
    ]
    checkin.answers = [
        {"key": q["key"], "question": q["text"], "answer": text, "blocker": bool(q.get("blocker"))}
        for q, text in zip(template.questions, texts, strict=False)
    ]
    checkin.commitment_updates = done_on.get((person.pk, day), [])
    if rng.random() < MOOD_SHARE:
        checkin.mood = max(1, min(5, mood_base + rng.choice([-2, -1, 0, 0, 0, 1]) - (1 if blocker else 0)))
        checkin.mood_shared = shares
    return checkin, blocker


def _blockers(rng: random.Random, cast: Cast, found: list[tuple[Checkin, str]]) -> None:
    managers = {p.pk: p.manager for p in cast.people}
    midnight = dt.datetime.combine(cast.today, dt.time(0), tzinfo=UTC)
    rows = []
    for checkin, text in found:
        assert checkin.submitted_at is not None
        lead = managers.get(checkin.person_id) or checkin.person
        age = (cast.today - checkin.day).days
        blocker = Blocker(
            org=cast.org,
            checkin=checkin,
            person_id=checkin.person_id,
            team_id=checkin.team_id,
            text=text,
            created_at=checkin.submitted_at,
        )
        state = rng.random()
        # Old blockers were almost all seen and resolved; the last fortnight's are partly still open.
        if age > OPEN_DAYS:
            acknowledged, resolved = state < 0.99, state < 0.97
        elif age > 2:
            acknowledged, resolved = state < 0.85, state < 0.55
        else:
            acknowledged, resolved = state < 0.4, False
        if acknowledged:
            blocker.acknowledged_by = lead
            blocker.acknowledged_at = checkin.submitted_at + dt.timedelta(hours=rng.uniform(0.5, 20))
        if resolved and blocker.acknowledged_at is not None:
            blocker.resolved_by = rng.choice([lead, checkin.person])
            blocker.resolved_at = min(
                blocker.acknowledged_at + dt.timedelta(days=rng.uniform(0.2, 4)), midnight
            )
            blocker.acknowledged_at = min(blocker.acknowledged_at, blocker.resolved_at)
        rows.append(blocker)
    Blocker.objects.bulk_create(rows, batch_size=500)
