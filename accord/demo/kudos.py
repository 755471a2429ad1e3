"""Six months of kudos for the demo company, and celebrations to show on the day it is generated.

Kudos mostly stay inside a team (teammates, and managers thanking their reports), with a steady share
across departments: support thanking engineering for a fix, sales thanking support for saving an
account. About a quarter are private, half of those shared with the recipient's manager. Most carry
one of the company's values, and public ones gather a few reactions from the people around them.

Two of Lena Fischer's reports have gone unrecognised for over a month, so her team view has something
to say; one of Tomás Ortega's teammates has a birthday today and another a work anniversary. Everything
is drawn from `cast.rng("kudos")` and dated from `cast.today`.
"""

from __future__ import annotations

import datetime as dt
import random

from accord.kudos.actions import ensure_schedule, give_kudos, plan_celebrations, save_value
from accord.kudos.models import CompanyValue, Kudos, KudosPreferences, Reaction, ReactionKind
from accord.lib.tz import UTC, to_utc
from accord.orgs.models import Person

from . import words
from .people import Cast, years_before

HISTORY_DAYS = 182
PER_WORKING_DAY = (1, 5)  # kudos given across the company on a weekday, drawn uniformly
PRIVATE_SHARE = 0.25
SHARED_WITH_MANAGER = 0.5
WITH_VALUE = 0.7
CROSS_TEAM = 0.3
QUIET_DAYS = 40  # the quiet reports' last kudos is older than this
TOP_UP_DAYS = 25  # everyone else was thanked at least once in this many days
BIRTHDAY_OPT_OUT = 0.05
# A planned kudos: when, giver, recipients, words, and a fixed visibility ("" means drawn at random).
Planned = tuple[dt.datetime, Person, list[Person], str, str]
PUBLIC, PRIVATE, SHARED = "public", "private", "shared with the manager"

VALUES = (
    ("Customers first", "We start from what the customer is trying to get done."),
    ("Write it down", "Decisions, handoffs and how-tos live in writing, so every time zone can find them."),
    ("Small steps, shipped", "Ship a small useful thing today rather than a big perfect thing later."),
    ("Lift each other", "Teach, unblock and cover for each other without being asked."),
    ("Own the outcome", "Finish what we start, and say early when something will slip."),
)


def _department(cast: Cast, person: Person) -> str:
    for path, team in cast.teams.items():
        if team.pk == person.team_id:
            return path[0]
    return "Leadership"


def build_kudos(cast: Cast) -> None:
    rng = cast.rng("kudos")
    org = cast.org
    # Through the values page's action: a handful of rows, and its checks (length, one name once) hold.
    values = [save_value(CompanyValue(org=org), name=name, description=text) for name, text in VALUES]
    people = [p for p in cast.people if p.team_id is not None]
    by_team: dict[int, list[Person]] = {}
    for p in people:
        by_team.setdefault(p.team_id, []).append(p)  # type: ignore[arg-type]
    member, lead = cast.by_key["l1_member"], cast.by_key["l1_lead"]
    team_l1 = [p for p in cast.reports(lead) if p.pk != member.pk]
    quiet = {p.pk for p in rng.sample(team_l1, 2)}
    quiet_since = cast.today - dt.timedelta(days=QUIET_DAYS)

    planned: list[Planned] = []
    said = words.Varied(rng, "kudos")
    for days_ago in range(HISTORY_DAYS, 0, -1):
        day = cast.today - dt.timedelta(days=days_ago)
        if day.isoweekday() > 5:
            continue
        for _ in range(rng.randint(*PER_WORKING_DAY)):
            giver = rng.choice(people)
            deeds, recipients = _pick(rng, cast, giver, by_team, people)
            if not recipients or (day >= quiet_since and any(r.pk in quiet for r in recipients)):
                continue
            text = words.kudos(said, deeds, _first_name(recipients))
            at = to_utc(day, _hour(rng, giver), giver.zone)
            planned.append((at, giver, recipients, text, ""))
    planned += _for_the_personas(cast, member, lead)
    planned += _nobody_forgotten(rng, cast, planned, by_team, quiet, said)
    _save(rng, cast, planned, values, people)
    celebrating = _celebrations_today(rng, cast, team_l1, quiet)
    ensure_schedule(org, now=dt.datetime.combine(cast.today, dt.time(0), tzinfo=UTC))
    plan_celebrations(org.pk, dt.datetime.combine(cast.today, dt.time(0), tzinfo=UTC))
    # The two planted today keep their celebrations: the visitor is meant to see them.
    opted_out = [p.pk for p in people if rng.random() < BIRTHDAY_OPT_OUT and p.pk not in celebrating]
    KudosPreferences.objects.filter(org=org, person_id__in=opted_out).update(celebrate_birthday=False)


def _hour(rng: random.Random, person: Person) -> dt.time:
    start = person.work_start.hour * 60 + person.work_start.minute
    end = person.work_end.hour * 60 + person.work_end.minute
    minute = rng.randrange(start + 30, max(start + 31, end - 15))
    return dt.time(minute // 60, minute % 60)


def _first_name(recipients: list[Person]) -> str:
    return " and ".join(p.name.split(" ")[0] for p in recipients[:2])


def _pick(
    rng: random.Random, cast: Cast, giver: Person, by_team: dict[int, list[Person]], people: list[Person]
) -> tuple[tuple[str, ...], list[Person]]:
    """What the giver thanks someone for (the deeds to compose from), and whom."""
    reports = cast.reports(giver)
    if reports and rng.random() < 0.3:
        return words.MANAGER_DEEDS, [rng.choice(reports)]
    if rng.random() < CROSS_TEAM:
        others = [p for p in people if p.team_id != giver.team_id]
        chosen = rng.choice(others)
        return words.ACROSS_DEEDS, [chosen]
    mates = [p for p in by_team[giver.team_id] if p.pk != giver.pk]  # type: ignore[index]
    if not mates:
        return (), []
    count = min(len(mates), rng.choices((1, 2, 3), weights=(80, 15, 5))[0])
    return words.DEEDS.get(_department(cast, giver), words.DEEDS["Leadership"]), rng.sample(mates, count)


def _nobody_forgotten(
    rng: random.Random,
    cast: Cast,
    planned: list[Planned],
    by_team: dict[int, list[Person]],
    quiet: set[int],
    said: words.Varied,
) -> list[Planned]:
    """Good managers and teammates notice: everyone but the quiet two was thanked in the last month."""
    since = cast.today - dt.timedelta(days=TOP_UP_DAYS)
    recent = {r.pk for at, _, chosen, _, _ in planned if at.date() >= since for r in chosen}
    extra: list[Planned] = []
    for person in (p for team in by_team.values() for p in team):
        if person.pk in recent or person.pk in quiet:
            continue
        mates = [p for p in by_team[person.team_id] if p.pk != person.pk]  # type: ignore[index]
        giver = (
            person.manager
            if person.manager and rng.random() < 0.5
            else (rng.choice(mates) if mates else None)
        )
        if giver is None:
            continue
        day = cast.today - dt.timedelta(days=rng.randint(1, TOP_UP_DAYS))
        deeds = (
            words.MANAGER_DEEDS
            if giver.pk == person.manager_id
            else words.DEEDS.get(_department(cast, giver), words.DEEDS["Leadership"])
        )
        text = words.kudos(said, deeds, _first_name([person]))
        extra.append((to_utc(day, _hour(rng, giver), giver.zone), giver, [person], text, ""))
    return extra


def _for_the_personas(cast: Cast, member: Person, lead: Person) -> list[Planned]:
    """A few written by hand, so that the people a visitor signs in as have a story to show."""
    level_2 = cast.by_key["l2_lead"]
    product = cast.by_key["product_lead"]
    day = cast.today

    def at(days_ago: int, person: Person) -> dt.datetime:
        return to_utc(day - dt.timedelta(days=days_ago), dt.time(11, 15), person.zone)

    return [
        (
            at(9, lead),
            lead,
            [member],
            "Tomás, your notes on the refund workflow are now the team's playbook. "
            "Thank you for writing them down so clearly.",
            PUBLIC,
        ),
        (
            at(4, level_2),
            level_2,
            [member],
            "Thank you for the calm handover on the broken-checkout escalation. "
            "You made my night shift much easier.",
            SHARED,
        ),
        (
            at(2, product),
            product,
            [member],
            "Your bug report on the template picker was so precise that we fixed it in an hour. Thank you!",
            PRIVATE,
        ),
        (
            at(1, member),
            member,
            [level_2],
            "Ramon, thanks for staying on past your shift to walk me through the database timeout case.",
            PUBLIC,
        ),
    ]


def _save(
    rng: random.Random,
    cast: Cast,
    planned: list[Planned],
    values: list[CompanyValue],
    people: list[Person],
) -> None:
    org = cast.org
    # Given through the kudos page's action, dated when they were given: its checks (recipients active
    # and in the organisation, not the giver, the message's length, an active value) hold for the demo.
    kudos: list[Kudos] = []
    for at, giver, chosen, text, visibility in planned:
        public, shared = rng.random() >= PRIVATE_SHARE, False
        if visibility:
            public, shared = visibility == PUBLIC, visibility == SHARED
        elif not public:
            shared = rng.random() < SHARED_WITH_MANAGER
        value = rng.choice(values) if rng.random() < WITH_VALUE else None
        kudos.append(
            give_kudos(
                giver,
                recipients=chosen,
                message=text,
                value=value,
                public=public,
                share_with_manager=shared,
                now=at,
            )
        )
    reactions = []
    now = dt.datetime.combine(cast.today, dt.time(0), tzinfo=UTC)
    for k, (at, giver, chosen, _, _) in zip(kudos, planned, strict=True):
        # Reactions: from the recipients' and giver's teams on public kudos; the recipient on private ones.
        # Written in bulk: toggle_reaction stamps the real clock, and the demo's reactions are history
        # (the reactors are drawn from those who can read the kudos, the rule toggle_reaction checks).
        if k.public:
            near = [p for p in people if p.team_id in {giver.team_id, *(c.team_id for c in chosen)}]
            reactors = rng.sample(near, min(len(near), rng.randint(0, 7)))
        else:
            reactors = [chosen[0]] if rng.random() < 0.6 else []
        for person in reactors:
            for kind in rng.sample(ReactionKind.values, rng.choice((1, 1, 1, 2))):
                when = min(at + dt.timedelta(hours=rng.randint(1, 30)), now)
                reactions.append(Reaction(org=org, kudos=k, person=person, kind=kind, created_at=when))
    Reaction.objects.bulk_create(reactions, batch_size=1000)


def _celebrations_today(rng: random.Random, cast: Cast, team_l1: list[Person], quiet: set[int]) -> set[int]:
    """A birthday and a work anniversary today in Tomás's team, for people whose own date is today
    at most hours either side of midnight UTC (Europe)."""
    near = [p for p in team_l1 if p.pk not in quiet and p.timezone.startswith("Europe/")]
    birthday, anniversary = rng.sample(near or team_l1, 2)
    birthday.birthday_month, birthday.birthday_day = cast.today.month, cast.today.day
    # Four or five years: over three at every pulse round, as the rest of Level 1 (people.FOUNDING_WAVE).
    anniversary.start_date = years_before(cast.today, rng.randint(4, 5))
    Person.objects.bulk_update([birthday, anniversary], ["birthday_month", "birthday_day", "start_date"])
    return {birthday.pk, anniversary.pk}
