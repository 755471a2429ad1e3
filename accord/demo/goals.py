"""Six months of goals, key results and commitments for the demo company.

The story: three company goals, each department's goals aligned beneath them, and a few people's own
goals (some private: a certification, a talk). Key results move every couple of weeks, some on
track, some stalling. Commitments come every week or two for most people; Support Level 1 keeps
about nine in ten of them by their due date, Sales about two in three, and two people (one in
Sales Americas, one in Support Level 1) have several still open well past their due date, so the
managers' home pages have something that lingers.

Everything comes from `cast.rng("goals")` and dates are offsets from `cast.today`; rows go in with a
handful of bulk inserts (goals level by level, then key results, their history and commitments).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from accord.goals.actions import check_goal, check_key_result, commitment_text_errors
from accord.goals.models import Commitment, CommitmentStatus, Goal, KeyResult, KeyResultUpdate, Level
from accord.lib.tz import to_utc
from accord.orgs.models import Person

from .people import (
    AMERICAS,
    EMEA_APAC,
    ENGINEERING,
    LEADERSHIP,
    LEVEL_1,
    LEVEL_2,
    MOBILE,
    PEOPLE_OPS,
    PLATFORM,
    PRODUCT,
    SALES,
    SUPPORT,
    Cast,
)

HISTORY_DAYS = 182
UPDATE_EVERY = 14

# (title, start, target, unit)
KR = tuple[str, float, float, str]


@dataclass(frozen=True)
class GoalSpec:
    key: str
    title: str
    description: str
    owner: str  # a key person
    team: tuple[str, ...] | None
    parent: str | None
    key_results: tuple[KR, ...]
    pace: float  # how far along the key results get by today (1.0 = on the straight line to the target)


# fmt: off
COMPANY = (
    GoalSpec("revenue", "Grow recurring revenue from agencies and studios",
             "Agencies and studios that build many sites are our best customers: win more, keep them longer.",
             "ceo", LEADERSHIP, None,
             (("Annual recurring revenue", 4.2, 6.0, "million €"),
              ("Net revenue retention", 104, 115, "%")), 0.8),
    GoalSpec("support", "Be the support team customers recommend",
             "Fast, warm, correct answers in the customer's own working hours, wherever they are.",
             "ceo", LEADERSHIP, None,
             (("Customer satisfaction (CSAT)", 86, 93, "%"), ("Median first response", 6, 2, "hours")), 0.9),
    GoalSpec("platform", "Ship a faster, more reliable platform",
             "Sites that load fast and never go down, and an editor that feels instant.",
             "ceo", LEADERSHIP, None,
             (("Uptime", 99.8, 99.95, "%"), ("Editor load time, p95", 3.2, 1.5, "s")), 0.75),
)
DEPARTMENTS = (
    GoalSpec("sales", "Win 60 new agency accounts", "", "sales_head", SALES, "revenue",
             (("New agency accounts", 0, 60, "accounts"), ("Win rate", 18, 25, "%")), 0.7),
    GoalSpec("support_dept", "Answer every customer fast, in their own working hours", "", "support_head",
             SUPPORT, "support",
             (("Tickets answered within 4 working hours", 71, 90, "%"),), 0.95),
    GoalSpec("eng", "Make every page load fast", "", "eng_head", ENGINEERING, "platform",
             (("Pages under 1 s, p75", 62, 90, "%"),
              ("Incidents with customer impact", 9, 2, "per quarter")), 0.8),
    GoalSpec("people", "Hire and onboard the people growth needs",
             "Every new joiner productive and connected within 90 days, wherever they live.",
             "people_head", PEOPLE_OPS, "revenue",
             (("Roles filled", 0, 14, "hires"), ("New joiners who rate onboarding 4+", 70, 90, "%")), 0.85),
)
TEAMS = (
    GoalSpec("americas", "Grow the Americas pipeline", "", "americas_lead", AMERICAS, "sales",
             (("Qualified opportunities", 0, 120, "opportunities"),), 0.65),
    GoalSpec("emea", "Open the APAC market from Sydney", "", "emea_lead", EMEA_APAC, "sales",
             (("APAC agency accounts", 0, 15, "accounts"),
              ("Demos held in APAC hours", 0, 80, "demos")), 0.6),
    GoalSpec("l1", "Solve more on first contact", "", "l1_lead", LEVEL_1, "support_dept",
             (("First-contact resolution", 58, 72, "%"),
              ("Handoffs acknowledged within 1 hour", 64, 95, "%")), 1.0),
    GoalSpec("l2", "Clear the escalation backlog", "", "l2_lead", LEVEL_2, "support_dept",
             (("Open escalations", 140, 40, "tickets"),), 0.85),
    GoalSpec("platform_team", "Zero-downtime deploys", "", "platform_lead", PLATFORM, "eng",
             (("Deploys with downtime", 6, 0, "per month"),
              ("Services on blue-green deploys", 3, 24, "services")), 0.9),
    GoalSpec("product", "Ship the new template gallery", "", "product_lead", PRODUCT, "eng",
             (("Templates live", 0, 40, "templates"), ("Sites started from a template", 22, 45, "%")), 0.7),
    GoalSpec("mobile", "A mobile app rated 4.5 or better", "", "mobile_lead", MOBILE, "eng",
             (("App Store rating", 3.9, 4.5, "stars"), ("Crash-free sessions", 98.1, 99.7, "%")), 0.75),
)
# fmt: on

# Person goals for generated people: (title, private, key result). Drawn for people in these teams.
PERSON_GOALS: dict[tuple[str, ...], tuple[tuple[str, bool, KR], ...]] = {
    AMERICAS: (
        ("Close three agency deals over 50 sites", False, ("Deals over 50 sites", 0, 3, "deals")),
        ("Build a referral habit with existing customers", False, ("Referrals asked for", 0, 30, "asks")),
        ("Get better at discovery calls", True, ("Calls reviewed with my manager", 0, 10, "calls")),
    ),
    EMEA_APAC: (
        ("Run the first APAC agency webinar", False, ("Registrations", 0, 150, "people")),
        ("Learn enough German to open a call in it", True, ("Lessons finished", 0, 40, "lessons")),
    ),
    LEVEL_1: (
        ("Write the refund-dispute runbook", False, ("Runbook sections reviewed", 0, 8, "sections")),
        ("Cut my reopened tickets in half", False, ("Reopened tickets", 12, 6, "per month")),
        ("Mentor a new joiner through their first month", False, ("Pairing sessions held", 0, 8, "sessions")),
    ),
    LEVEL_2: (
        ("Automate the DNS diagnosis", False, ("Checks automated", 0, 12, "checks")),
        ("Get my AWS certification", True, ("Practice exams passed", 0, 4, "exams")),
    ),
    PLATFORM: (
        ("Move the image service to blue-green", False, ("Traffic on the new stack", 0, 100, "%")),
        ("Give a talk at a conference", True, ("Talk proposals sent", 0, 3, "proposals")),
    ),
    PRODUCT: (
        ("Design the template gallery", False, ("Screens signed off", 0, 14, "screens")),
        ("Halve the editor's bundle size", False, ("Editor bundle", 2.4, 1.2, "MB")),
    ),
    MOBILE: (
        ("Fix the top ten crash causes", False, ("Crash causes fixed", 0, 10, "causes")),
        ("Learn Jetpack Compose properly", True, ("Screens ported", 0, 6, "screens")),
    ),
}
PERSON_GOALS_PER_TEAM = 2
# The member a visitor signs in as has goals of their own, one of them private (their manager sees it).
PERSONA_GOALS: dict[str, tuple[tuple[str, bool, KR], ...]] = {
    "l1_member": (
        ("Become the go-to person for billing disputes", False, ("Billing macros written", 0, 6, "macros")),
        ("Prepare for the Level 2 interview", True, ("Level 2 shadow shifts", 0, 6, "shifts")),
    ),
}

# Commitments: (title, definition of done), by department.
WORK: dict[str, tuple[tuple[str, str], ...]] = {
    "Sales": (
        ("Send the proposal to {client}", "Proposal PDF sent and the follow-up call booked."),
        ("Qualify the inbound leads from the webinar", "Every lead marked qualified or not, with a reason."),
        ("Update the pipeline forecast", "Forecast sheet updated and shared in the sales channel."),
        ("Run the pricing demo for {client}", "Demo held, recording and notes attached to the deal."),
        ("Renewal call with {client}", "Call held and the renewal quote sent."),
        ("Write the case study with {client}", "Case study approved by the customer and published."),
    ),
    "Support": (
        ("Write the macro for {topic}", "Macro live in the help desk and announced to both shifts."),
        ("Clear my {topic} backlog", "No ticket of mine on {topic} older than two days."),
        (
            "Update the help-centre article on {topic}",
            "Article updated, screenshots current, reviewed by a peer.",
        ),
        ("Hand over the {topic} escalations", "Handoff note acknowledged by the next region."),
        ("Review five tickets for quality", "Five reviews filed with comments for the agents."),
        ("Record a how-to video on {topic}", "Video uploaded and linked from the article."),
    ),
    "Engineering": (
        ("Ship the fix for {topic}", "Merged, deployed to production and the ticket closed."),
        ("Write the design doc for {topic}", "Doc reviewed by two engineers and the open questions listed."),
        ("Add monitoring for {topic}", "Dashboard and alert in place, runbook linked from the alert."),
        ("Pair with the new joiner on {topic}", "Two sessions held and the notes in the onboarding doc."),
        ("Remove the feature flag for {topic}", "Flag and its dead code removed, released."),
        ("Load-test {topic}", "Results written up with the p95 before and after."),
    ),
    "Leadership": (
        ("Draft the quarterly plan for {topic}", "Plan shared with the leadership team for comments."),
        ("Prepare the board update on {topic}", "Slides sent to the CEO two days before the meeting."),
        ("Run the interview loop for {topic}", "Loop held and the decision written down."),
        (
            "Publish the onboarding checklist for {topic}",
            "Checklist in the handbook and used by the next joiner.",
        ),
    ),
}
CLIENTS = ("Pixel & Co", "Studio Norte", "BrightLeaf", "Harbour Digital", "Kite Agency", "Blue Fern",
           "Maple Works", "Oak & Ink", "Lumen Studio", "Nordlicht Web")  # fmt: skip
TOPICS = {
    "Support": (
        "domain transfers",
        "billing disputes",
        "SSL renewals",
        "form spam",
        "DNS changes",
        "refunds",
        "site migrations",
    ),
    "Engineering": (
        "the image service",
        "the editor autosave",
        "the deploy pipeline",
        "the template API",
        "offline mode",
        "push notifications",
        "the billing webhooks",
        "search indexing",
    ),
    "Leadership": (
        "Q3 hiring",
        "the APAC launch",
        "the pricing change",
        "the support roster",
        "the annual survey",
    ),
}

# Share of commitments done by their due date, by team (a person varies a little around it).
KEPT = {
    LEVEL_1: 0.95,
    LEVEL_2: 0.82,
    SUPPORT: 0.82,
    SALES: 0.66,
    AMERICAS: 0.62,
    EMEA_APAC: 0.68,
    ENGINEERING: 0.8,
    PLATFORM: 0.82,
    PRODUCT: 0.76,
    MOBILE: 0.74,
    LEADERSHIP: 0.8,
    PEOPLE_OPS: 0.84,
}
COMMITTED_SHARE = 0.9  # most people write commitments down; a few never do
DROPPED_SHARE = 0.05
SLIPPING_PEOPLE: tuple[tuple[tuple[str, ...], int], ...] = (
    (AMERICAS, 4),
    (LEVEL_1, 3),
)  # team, extra open commitments past their due date


def _department(path: tuple[str, ...]) -> str:
    top = path[0]
    return {"Sales": "Sales", "Support": "Support", "Engineering": "Engineering"}.get(top, "Leadership")


def _fill(rng: random.Random, texts: tuple[str, str], department: str) -> tuple[str, str]:
    """The title and definition of done of one commitment, about the same client or topic."""
    topic = rng.choice(TOPICS.get(department, TOPICS["Leadership"]))
    client = rng.choice(CLIENTS)

    def fill(text: str) -> str:
        return text.replace("{client}", client).replace("{topic}", topic)

    return fill(texts[0]), fill(texts[1])


def _path(cast: Cast, person: Person) -> tuple[str, ...]:
    return next(path for path, team in cast.teams.items() if team.pk == person.team_id)


def build_goals(cast: Cast) -> None:
    """Create the demo's goals, key results with their history, and commitments."""
    rng = cast.rng("goals")
    started = cast.today - dt.timedelta(days=HISTORY_DAYS)
    paths = {p.pk: _path(cast, p) for p in cast.people}
    goals, paces = _goals(cast, rng, started, paths)
    _key_results(cast, rng, goals, paces, started)
    _commitments(cast, rng, goals, paths)


def _goal(cast: Cast, spec: GoalSpec, parent: Goal | None, started: dt.date) -> Goal:
    return Goal(
        org=cast.org,
        title=spec.title,
        description=spec.description,
        level=Level.COMPANY if spec.parent is None else Level.TEAM,
        team=cast.teams[spec.team] if spec.team else None,
        owner=cast.by_key[spec.owner],
        parent=parent,
        starts_on=started,
        ends_on=cast.today + dt.timedelta(days=90),
        created_at=to_utc(started, dt.time(9, 0), cast.by_key[spec.owner].zone),
    )


def _goals(
    cast: Cast, rng: random.Random, started: dt.date, paths: dict[int, tuple[str, ...]]
) -> tuple[dict[str, Goal], dict[str, tuple[float, tuple[KR, ...], dt.date]]]:
    goals: dict[str, Goal] = {}
    paces: dict[str, tuple[float, tuple[KR, ...], dt.date]] = {}
    # Parents need primary keys first: one insert per level of the tree. Goals, key results and
    # commitments are written in bulk, as history dated months back, which save_goal, add_key_result and
    # create_commitment cannot date; each row passes the same checks those actions make first.
    for level in (COMPANY, DEPARTMENTS, TEAMS):
        made = [(spec, _goal(cast, spec, goals.get(spec.parent or ""), started)) for spec in level]
        for _, goal in made:
            check_goal(goal)
        Goal.objects.bulk_create([g for _, g in made])
        for spec, goal in made:
            goals[spec.key] = goal
            paces[spec.key] = (spec.pace, spec.key_results, started)
    team_goal = {spec.team: goals[spec.key] for spec in TEAMS if spec.team}
    personal: list[tuple[str, Goal, float, tuple[KR, ...], dt.date]] = []

    def add(
        person: Person, path: tuple[str, ...], title: str, private: bool, kr: KR, pace: float, days: int
    ) -> None:
        begun = cast.today - dt.timedelta(days=rng.randint(60, HISTORY_DAYS - 20))
        if person.start_date:  # nobody sets goals before they join
            begun = max(begun, person.start_date + dt.timedelta(days=7))
        goal = Goal(
            org=cast.org,
            title=title,
            level=Level.PERSON,
            team=cast.teams[path],
            owner=person,
            parent=team_goal[path],
            private=private,
            starts_on=begun,
            ends_on=cast.today + dt.timedelta(days=days),
            created_at=to_utc(begun, dt.time(10, 0), person.zone),
        )
        personal.append((f"person-{len(personal)}", goal, pace, (kr,), begun))

    leads = _leads(cast)
    for path, options in PERSON_GOALS.items():
        squad = [p for p in cast.people if paths[p.pk] == path and p.manager_id and p.pk not in leads]
        for person, (title, private, kr) in zip(
            rng.sample(squad, PERSON_GOALS_PER_TEAM), rng.sample(options, PERSON_GOALS_PER_TEAM), strict=True
        ):
            add(person, path, title, private, kr, rng.uniform(0.5, 1.1), rng.choice((30, 60, 90)))
    for key, options in PERSONA_GOALS.items():
        person = cast.by_key[key]
        for title, private, kr in options:
            add(person, paths[person.pk], title, private, kr, rng.uniform(0.7, 1.0), 60)
    for _, goal, *_ in personal:
        check_goal(goal)
    Goal.objects.bulk_create([g for _, g, *_ in personal])
    for key, goal, pace, krs, begun in personal:
        goals[key] = goal
        paces[key] = (pace, krs, begun)
    return goals, paces


def _leads(cast: Cast) -> set[int]:
    return {p.pk for p in cast.by_key.values()}


def _key_results(
    cast: Cast,
    rng: random.Random,
    goals: dict[str, Goal],
    paces: dict[str, tuple[float, tuple[KR, ...], dt.date]],
    started: dt.date,
) -> None:
    rows: list[tuple[KeyResult, list[tuple[float, int, dt.date]]]] = []
    for key, goal in goals.items():
        pace, krs, begun = paces[key]
        assert goal.owner is not None
        for title, start, target, unit in krs:
            history = _history(rng, start, target, pace, begun, cast.today)
            value, confidence, _ = history[-1]
            kr = KeyResult(
                org=cast.org,
                goal=goal,
                title=title,
                start=start,
                target=target,
                current=value,
                unit=unit,
                confidence=confidence,
            )
            rows.append((kr, history))
    for kr, _ in rows:
        check_key_result(kr)
    KeyResult.objects.bulk_create([kr for kr, _ in rows])
    updates = []
    for kr, history in rows:
        owner = kr.goal.owner
        assert owner is not None
        for i, (value, confidence, day) in enumerate(history):
            updates.append(
                KeyResultUpdate(
                    org=cast.org,
                    key_result=kr,
                    value=value,
                    confidence=confidence,
                    note="Key result set" if i == 0 else _note(rng, value, history[i - 1][0], kr),
                    by=owner,
                    at=to_utc(day, dt.time(16, 0), owner.zone),
                )
            )
    KeyResultUpdate.objects.bulk_create(updates)


def _history(
    rng: random.Random, start: float, target: float, pace: float, begun: dt.date, today: dt.date
) -> list[tuple[float, int, dt.date]]:
    """A value every two weeks or so from `begun` to (nearly) today, heading for the target at `pace`."""
    span_days = max((today - begun).days, 1)
    whole = isinstance(start, int) and isinstance(target, int) and abs(target - start) >= 5
    out: list[tuple[float, int, dt.date]] = [(float(start), 70, begun)]
    day = begun + dt.timedelta(days=rng.randint(UPDATE_EVERY - 3, UPDATE_EVERY + 3))
    confidence = 70
    while day < today:
        elapsed = (day - begun).days / span_days
        # Progress heads for `pace` of the way to the target by today, with some noise.
        share = min(1.0, max(0.0, pace * elapsed + rng.uniform(-0.05, 0.05)))
        value = start + (target - start) * share
        value = round(value) if whole else round(value, 2)
        # Confidence follows where the line is heading: on pace for the target reads about 85 %.
        heading = share / max(elapsed, 0.15)
        aim = max(15.0, min(95.0, 100 * heading - 15 + rng.uniform(-5, 5)))
        confidence = round(0.6 * confidence + 0.4 * aim)
        out.append((float(value), confidence, day))
        day += dt.timedelta(days=rng.randint(UPDATE_EVERY - 3, UPDATE_EVERY + 3))
    return out


def _note(rng: random.Random, value: float, before: float, kr: KeyResult) -> str:
    if value == before:
        return rng.choice(("No change this fortnight.", "Stalled: waiting on another team.", ""))
    towards = (value - before) * (kr.target - kr.start) > 0
    if towards:
        return rng.choice(("Good fortnight.", "Moving.", "", "Steady progress.", "Ahead of plan this time."))
    return rng.choice(("Slipped back a little.", "Worse than hoped; we know why.", ""))


def _commitments(
    cast: Cast, rng: random.Random, goals: dict[str, Goal], paths: dict[int, tuple[str, ...]]
) -> None:
    team_goal = {g.team_id: g for g in goals.values() if g.level == Level.TEAM}
    own_goal = {g.owner_id: g for g in goals.values() if g.level == Level.PERSON}
    slippers: dict[int, int] = {}
    leads = _leads(cast)
    for slipping_team, extra in SLIPPING_PEOPLE:
        squad = [
            p
            for p in cast.people
            if paths[p.pk] == slipping_team
            and p.pk not in leads
            and _joined_before(p, cast.today, HISTORY_DAYS)
        ]
        slippers[rng.choice(squad).pk] = extra
    rows: list[Commitment] = []
    for person in cast.people:
        if person.pk not in slippers and rng.random() > COMMITTED_SHARE:
            continue
        path = paths[person.pk]
        department = _department(path)
        kept_share = max(0.3, min(0.98, KEPT[path] + rng.gauss(0, 0.05)))
        if person.pk in slippers:
            kept_share -= 0.15
        goal_choices = [g for g in (team_goal.get(person.team_id), own_goal.get(person.pk)) if g is not None]
        due = cast.today - dt.timedelta(days=HISTORY_DAYS - rng.randint(5, 14))
        if person.start_date:  # a first commitment a week or two after joining
            due = max(due, person.start_date + dt.timedelta(days=rng.randint(7, 14)))
        while due <= cast.today + dt.timedelta(days=21):
            rows.append(_commitment(cast, rng, person, department, due, kept_share, goal_choices))
            due += dt.timedelta(days=rng.randint(6, 16))
        for _ in range(slippers.get(person.pk, 0)):
            late = cast.today - dt.timedelta(days=rng.randint(4, 45))
            c = _commitment(cast, rng, person, department, late, 0.0, goal_choices)
            c.status, c.done_on = CommitmentStatus.OPEN, None
            rows.append(c)
    for c in rows:
        if errors := commitment_text_errors(c.title, c.definition_of_done):
            raise ValidationError(errors)
    Commitment.objects.bulk_create(rows)


def _joined_before(person: Person, today: dt.date, days: int) -> bool:
    return person.start_date is None or person.start_date <= today - dt.timedelta(days=days)


def _working_day(person: Person, day: dt.date) -> dt.date:
    """The same day or the one before that the person works: nobody promises something for a Sunday."""
    for back in range(7):
        candidate = day - dt.timedelta(days=back)
        if str(candidate.isoweekday()) in person.work_days:
            return candidate
    return day


def _commitment(
    cast: Cast,
    rng: random.Random,
    person: Person,
    department: str,
    due: dt.date,
    kept_share: float,
    goal_choices: list[Goal],
) -> Commitment:
    title, done_when = _fill(rng, rng.choice(WORK[department]), department)
    due = _working_day(person, due)
    # Written down a few days to a few weeks ahead, never after today nor before the person joined.
    made = min(due - dt.timedelta(days=rng.randint(4, 18)), cast.today)
    if person.start_date:
        made = max(made, person.start_date)
    by = person.manager if person.manager is not None and rng.random() < 0.15 else person
    status, done_on = CommitmentStatus.OPEN, None
    draw = rng.random()
    if due < cast.today:
        if draw < DROPPED_SHARE:
            status = CommitmentStatus.DROPPED
        elif rng.random() < kept_share:
            status, done_on = CommitmentStatus.DONE, max(made, due - dt.timedelta(days=rng.randint(0, 3)))
        else:
            late = due + dt.timedelta(days=rng.randint(1, 12))
            recent = (cast.today - due).days <= 21
            if late < cast.today and not (recent and rng.random() < 0.5):
                status, done_on = CommitmentStatus.DONE, late
    elif draw < 0.1:
        status, done_on = CommitmentStatus.DONE, cast.today - dt.timedelta(days=rng.randint(0, 2))
        done_on = max(done_on, made)
    return Commitment(
        org=cast.org,
        owner=person,
        title=title,
        definition_of_done=done_when,
        due_on=due,
        goal=rng.choice(goal_choices) if goal_choices and rng.random() < 0.4 else None,
        status=status,
        done_on=done_on,
        created_by=by,
        created_at=to_utc(made, dt.time(11, 0), person.zone),
    )
