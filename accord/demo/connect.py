"""Coffee chats and "Working with me" profiles for the demo company.

Most people opted in to coffee chats; a few paused or left. Eight fortnightly rounds ran through the
same matching code as a live round (accord.connect.matching), the latest one for the current week, and
people said whether they met: most did, some didn't, a few skipped. Most people wrote a profile,
assembled from the sentences below, which were written for this demo; the three sign-in personas have
their own, written whole. Everything is drawn from `cast.rng("connect")` and dated from `cast.today`.
"""

from __future__ import annotations

import datetime as dt
import random

from accord.connect import matching
from accord.connect.actions import REASONS, Taker, next_round_time, store_round
from accord.connect.models import CoffeeGroupMember, CoffeeMember, CoffeeRound, CoffeeSettings, Profile
from accord.connect.queries import departments
from accord.orgs.models import Person

from .people import Cast

ROUNDS = 8
EVERY = dt.timedelta(weeks=2)
OPT_IN_SHARE = 0.8
PROFILE_SHARE = 0.8

PERSONA_PROFILES = {
    "l1_member": {
        "how_i_work": "I do my best thinking in the first two hours of my day, before the Manila handoff "
        "lands. Afternoons are for the queue and for pairing on odd tickets.",
        "reach_me": "Chat for anything about a customer, email for everything else. I answer within an hour "
        "while I'm working; after 17:00 Bogotá time I'm offline and I don't check.",
        "feedback": "Straight away and in private, please, even when it's small. I'd rather fix something on "
        "Tuesday than hear about it in a 1:1 two weeks later.",
        "misunderstood": "I go quiet in big calls. It isn't boredom: I'm listening, and I'll write "
        "my thoughts up afterwards.",
        "help_me": "Add the ticket link and what you've already tried. It saves us both a round trip across "
        "time zones.",
    },
    "l1_lead": {
        "how_i_work": "Mornings in Berlin are for my team across Europe; late afternoons overlap "
        "with Bogotá, so I keep those open for calls. I block Wednesday mornings for planning.",
        "reach_me": "Tag me in the team channel for anything urgent. For everything else, add it to our 1:1 "
        "agenda and I'll see it before we talk.",
        "feedback": "Tell me directly, in writing if that's easier for you. I'll always thank you for it, "
        "even if I need a day to think.",
        "misunderstood": "I ask a lot of questions. That's me trying to understand, not doubting your work.",
        "help_me": "When you raise a blocker, say what you need from me: a decision, a contact, or just "
        "air cover.",
    },
    "people_admin": {
        "how_i_work": "I batch my writing in the morning and keep the afternoons for conversations, which "
        "suits a company spread from Sydney to Los Angeles.",
        "reach_me": "Email is best for anything personal; it stays between us. For quick questions, chat is "
        "fine and I reply the same day.",
        "feedback": "Specific and soon. Examples help me more than adjectives.",
        "misunderstood": "I'm not the policy police. If a process doesn't fit your team, tell me and we'll "
        "change it.",
        "help_me": "Answer the pulse surveys honestly. The numbers only help if they're real.",
    },
}

# Sentences per section; a profile takes one or two from each section it fills in.
PHRASES: dict[str, tuple[str, ...]] = {
    "how_i_work": (
        "I'm sharpest in the morning, so I guard those hours for focused work.",
        "I like a written brief before a call; I think better when I've read something first.",
        "I work in short bursts with breaks in between, and I get more done that way.",
        "Long stretches without meetings are where my best work happens.",
        "I think out loud. A quick call to talk something through often saves me a day.",
        "I keep a running list of what I'm on and share it every Monday.",
        "I prefer to start with a rough draft and improve it with others rather than polish alone.",
        "Afternoons are my deep-work time; mornings go to the inbox and the team.",
        "I like clear owners and deadlines, even for small things.",
        "Music on, notifications off: that's how most of my week goes.",
        "I work best with a clear goal for the week and freedom in how I get there.",
        "I keep Fridays light so I can tidy up loose ends and plan ahead.",
        "I do my most careful work late in my day, once the messages calm down.",
        "I like to understand the why before I start; a sentence of context goes a long way.",
        "I plan my week on Sunday evening and try hard not to reshuffle it.",
        "I pair a lot. Two heads on a hard problem beat one every time for me.",
    ),
    "reach_me": (
        "Chat for quick things, email for anything that needs a considered answer.",
        "I reply within a few hours during my working day; outside it, I'm really off.",
        "If it's urgent, call me. If it can wait a day, write it down.",
        "Please put the question in the first message; I'll answer it without needing a hello first.",
        "I check messages at the start and end of my day, and around lunch.",
        "Tag me in the thread rather than messaging me privately, so others can learn from the answer.",
        "Book time in my calendar freely: if a slot is open, it's yours.",
        "I'm slow on email but quick on chat.",
        "During the overlap with the Americas I'm in calls, so expect replies after that.",
        "A short voice note is fine too; I listen on my walk.",
        "I mute notifications during focus blocks, so give me an hour or two.",
        "For anything that needs a decision, a short doc beats a long thread.",
        "My status in the calendar is accurate: if it says focus, I'm really heads down.",
    ),
    "feedback": (
        "In private and soon. Small comments often beat one big conversation.",
        "In writing first, so I can think about it, then let's talk.",
        "Direct is good. You won't offend me by being clear.",
        "I like to hear what went well too, so I know what to keep doing.",
        "In our 1:1 is ideal, unless it can't wait.",
        "Please give me an example; it helps me see what you mean.",
        "Tell me face to face on a call rather than in a long message.",
        "I appreciate a heads-up if something's bothering you before it becomes a big deal.",
        "Give me a day to respond; my first reaction is rarely my best one.",
        "Please don't save it up for a review. Small and often suits me.",
        "I'd rather hear it from you than from someone else.",
    ),
    "misunderstood": (
        "I can be brief in writing. It isn't coldness, just speed.",
        "My camera is often off. I'm still listening closely.",
        "I say no to meetings so that I can say yes to the work.",
        "I'm quiet in large groups but I have plenty to say one to one.",
        "When I push back it's to test the idea, not the person.",
        "I leave on time. It's how I stay good at this for the long run.",
        "I ask for things in writing because my memory for spoken details is poor, not because I doubt you.",
        "I'm not always online at odd hours; the timestamps are scheduled sends.",
        "I laugh a lot in calls, even when the topic is serious. It's just how I cope with stress.",
        "I take a while to reply to big questions because I want to get the answer right.",
        "My short messages are just short; there's no mood hidden in them.",
        "I say when I don't know something. It's not a lack of confidence.",
    ),
    "help_me": (
        "Share context early, even if it's half-formed.",
        "Tell me what you need from me, and by when.",
        "Write down decisions made in calls I couldn't join because of time zones.",
        "Ask me about my corner of the product; I love explaining it.",
        "Send me the agenda before a meeting so I can come prepared.",
        "Flag when something I own is slipping, before it's late.",
        "Keep threads in one place, so I don't lose track across channels.",
        "Invite me to demos from other teams; I like seeing what everyone is building.",
        "If you're blocked on me, nudge me; I won't mind.",
        "Tell me early if a deadline looks unrealistic, so we can change the plan together.",
        "Link to the source rather than pasting screenshots; I like to dig in myself.",
        "Say hello outside work topics now and then. It makes the distance smaller.",
    ),
}
SECTION_KEYS = tuple(PHRASES)
# A line some people add about their corner of the company.
BY_DEPARTMENT: dict[str, tuple[str, ...]] = {
    "Support": (
        "On queue days I keep chat open; the deep work waits until after the handoff.",
        "I write up every odd ticket the same day, while I still remember the details.",
        "Weekends on the rota mean my week can start on a Sunday, so check my days before booking.",
    ),
    "Engineering": (
        "I prefer small pull requests and quick reviews to one big change at the end.",
        "When I'm on call my focus time disappears, so plans that week are loose.",
        "I sketch on paper before I write code, so a whiteboard call suits me well.",
    ),
    "Sales": (
        "My calendar follows my customers' time zones, so my quiet hours move around.",
        "After a run of demos I need an hour to write notes before the next call.",
        "The end of the quarter is hectic; earlier in the month I have more time to help.",
    ),
    "Leadership": (
        "Most of my week is conversations, so I protect Friday mornings for writing.",
        "I read everything sent to me, even when I only answer with a thumbs up.",
    ),
    "": ("I keep my calendar up to date, so trust what it shows.",),
}
HOURS_LINES = (
    "My day runs {start}–{end} {city} time.",
    "I'm around from {start} to {end} in {city}.",
    "I start at {start} and finish at {end}, {city} time, and I stick to it.",
)


def build_connect(cast: Cast) -> None:
    rng = cast.rng("connect")
    org = cast.org
    people = cast.people
    persona_ids = {cast.by_key[k].pk for k in ("l1_member", "l1_lead", "people_admin")}
    _profiles(cast, rng)

    members = [p for p in people if p.pk in persona_ids or rng.random() < OPT_IN_SHARE]
    left = rng.sample([p for p in members if p.pk not in persona_ids], 2)
    paused = rng.sample([p for p in members if p.pk not in persona_ids and p not in left], 3)
    today = cast.today
    this_monday = today - dt.timedelta(days=today.weekday())
    first_run = dt.datetime.combine(this_monday - dt.timedelta(days=4), dt.time(12), tzinfo=dt.UTC)
    runs = [first_run - EVERY * (ROUNDS - 1 - i) for i in range(ROUNDS)]
    joined = runs[0] - dt.timedelta(days=7)
    pause_ends = {p.pk: this_monday + dt.timedelta(days=rng.choice((10, 24, 38))) for p in paused}
    CoffeeMember.objects.bulk_create(
        [
            CoffeeMember(
                org=org, person=p, joined_at=joined, active=p not in left, paused_until=pause_ends.get(p.pk)
            )
            for p in members
        ]
    )
    settings = CoffeeSettings.objects.create(
        org=org, next_round_at=next_round_time(dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC))
    )
    dept = departments(org)
    by_id = {p.pk: Taker.of(p) for p in people}
    recent_rounds: list[set[tuple[int, int]]] = []
    met_before: set[tuple[int, int]] = set()
    asked: dict[int, list[int]] = {}
    for number, ran_at in enumerate(runs, start=1):
        week_start = ran_at.date() + dt.timedelta(days=8 - ran_at.isoweekday())
        # Those who left did so before the last two rounds; pauses cover the latest round only.
        taking_part = [p for p in members if not (p in left and number > ROUNDS - 2)]
        unmatched: list[dict[str, object]] = []
        candidates = []
        for p in taking_part:
            if p in paused and number == ROUNDS:
                reason = f"paused until {pause_ends[p.pk]:%-d %B %Y}"
                unmatched.append({"person_id": p.pk, "name": p.name, "reason": reason})
                continue
            candidates.append(by_id[p.pk].candidate(dept))
        recent = set().union(*recent_rounds[-settings.avoid_rounds :]) if recent_rounds else set()
        result = matching.match(
            candidates,
            week_start,
            recent=recent,
            met_before=met_before - recent,
            cross_department=settings.cross_department_weight,
            seed=f"demo/{number}",
        )
        for pid, code in result.unmatched.items():
            reason = REASONS[code].format(n=settings.avoid_rounds)
            unmatched.append({"person_id": pid, "name": by_id[pid].name, "reason": reason})
        unmatched.sort(key=lambda row: str(row["name"]))
        recent_asked = {pid: set(qs[-settings.avoid_rounds :]) for pid, qs in asked.items()}
        rnd = store_round(
            org,
            settings,
            number,
            week_start,
            ran_at,
            result,
            unmatched,
            by_id,
            dept,
            recent_asked,
            send=False,
            seed="demo",
        )
        this_round = set()
        for ids in result.groups:
            for i, a in enumerate(ids):
                for b in ids[i + 1 :]:
                    this_round.add(matching.pair_key(a, b))
        recent_rounds.append(this_round)
        met_before |= this_round
        _feedback(rnd, rng, latest=number == ROUNDS, today=today, asked=asked)


def _feedback(
    rnd: CoffeeRound, rng: random.Random, *, latest: bool, today: dt.date, asked: dict[int, list[int]]
) -> None:
    seats = list(CoffeeGroupMember.objects.filter(group__round=rnd).select_related("group"))
    by_group: dict[int, list[CoffeeGroupMember]] = {}
    for seat in seats:
        by_group.setdefault(seat.group_id, []).append(seat)
        asked.setdefault(seat.person_id, []).append(seat.group.icebreaker)
    week_days = (today - rnd.week_start).days
    # Answers grouped by (answer, day) so that a round costs a handful of UPDATEs, not one per seat.
    answers: dict[tuple[str, dt.date], list[int]] = {}
    for group_seats in by_group.values():
        if latest and (week_days < 1 or rng.random() < 0.6):
            continue  # this week's chats are mostly still to come
        draw = rng.random()
        outcome = "yes" if draw < 0.7 else "no" if draw < 0.88 else "skipped" if draw < 0.95 else ""
        day = min(rnd.week_start + dt.timedelta(days=rng.choice((1, 2, 4))), today)
        for seat in group_seats:
            if outcome and rng.random() < 0.85:  # not everyone gets round to answering
                answers.setdefault((outcome, day), []).append(seat.pk)
    seats_of_round = CoffeeGroupMember.objects.filter(group__round=rnd)
    seats_of_round.update(emailed_at=rnd.ran_at)
    for (outcome, day), ids in sorted(answers.items()):
        at = dt.datetime.combine(day, dt.time(15), tzinfo=dt.UTC)
        CoffeeGroupMember.objects.filter(pk__in=ids).update(met=outcome, answered_at=at)


def _profiles(cast: Cast, rng: random.Random) -> None:
    rows = []
    for person in cast.people:
        written = _persona_profile(cast, person)
        if written is None:
            if rng.random() >= PROFILE_SHARE:
                continue
            written = {}
            # Some people fill in every section, others only the ones they care about.
            keys = SECTION_KEYS if rng.random() < 0.5 else rng.sample(SECTION_KEYS, rng.randint(2, 4))
            for key in keys:
                written[key] = " ".join(rng.sample(PHRASES[key], rng.choice((1, 2, 2))))
            if "how_i_work" in written and rng.random() < 0.6:
                department = cast_department(person)
                written["how_i_work"] += " " + rng.choice(BY_DEPARTMENT.get(department, BY_DEPARTMENT[""]))
            if "reach_me" in written and rng.random() < 0.5:
                city = person.location.split(",")[0] or person.timezone
                written["reach_me"] = (
                    rng.choice(HOURS_LINES).format(
                        start=f"{person.work_start:%H:%M}", end=f"{person.work_end:%H:%M}", city=city
                    )
                    + " "
                    + written["reach_me"]
                )
        rows.append(
            Profile(
                org=cast.org,
                person=person,
                updated_at=dt.datetime.combine(
                    cast.today - dt.timedelta(days=rng.randint(3, 160)), dt.time(10), tzinfo=dt.UTC
                ),
                **written,
            )
        )
    # In bulk, dated months back; the texts come from words.py within the profile form's limits.
    Profile.objects.bulk_create(rows)


def cast_department(person: Person) -> str:
    team = person.team
    while team is not None and team.parent is not None:
        team = team.parent
    return team.name if team else ""


def _persona_profile(cast: Cast, person: Person) -> dict[str, str] | None:
    for key, text in PERSONA_PROFILES.items():
        if cast.by_key[key].pk == person.pk:
            return text
    return None
