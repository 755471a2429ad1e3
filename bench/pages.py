#!/usr/bin/env python3
"""Every main page of a 100,000-person organisation, timed as full responses for three viewers.

    .venv/bin/python bench/pages.py                                        # full size (many minutes)
    .venv/bin/python bench/pages.py --people 10000 --teams 1200 --rounds 4 \
        --db /tmp/accord-bench-pages-small.sqlite3                         # a quick try
    .venv/bin/python bench/pages.py --reuse --repeat 20                    # time again, no rebuild

1. Builds the organisation with bench/heatmap.py's builder (imported, not copied): the team tree, the
   people, --rounds fortnightly pulse rounds with their sealed tallies, the latest one published as
   closing does. Then gives it a reporting line (every team's first person leads it and reports to the
   lead of the nearest team above; everyone else reports to their team's lead) and the other apps'
   history at realistic volumes (see build_history): goals with key results, commitments, check-ins with
   blockers and templates, kudos with recipients and reactions, 1:1 series with meetings, notes, agenda
   and action items, handoff chains with shifts, handoffs and items, recurring meetings with
   occurrences, coffee rounds with groups, working-with-me profiles.
2. Signs in three viewers: a member of a leaf team, the lead of a level-3 team (a manager of its whole
   subtree) and the admin (the root team's lead).
3. Times every main page for each viewer through django.test.Client, as full responses (middleware,
   view, template), with the database connection closed before each request so every request opens its
   own, as the server does (CONN_MAX_AGE 0 on SQLite). One untimed request first (it must answer 200),
   then --repeat timed ones; p50/p95 and the HTML size are printed per page and viewer. A page whose
   first request takes over --slow seconds is timed twice only, so a run finishes.
4. The reference, measured in the same run between the pages: a minimal view returning a fixed page
   through the same middleware for the signed-in member. Each page's p95 is also printed as a multiple
   of the reference's p50.

The last line is `worst page p95 ms: <number>`: the slowest page's p95 over the three viewers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import random
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import heatmap  # noqa: E402  (bench/heatmap.py: the organisation's builder)

SEED = 20260414
REFERENCE_HTML = "<!doctype html><title>Reference</title><p>" + "A fixed page. " * 200 + "</p>"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    p.add_argument("--people", type=int, default=100_000, help="people in the organisation (100000)")
    p.add_argument("--teams", type=int, default=12_000, help="teams, about (12000)")
    p.add_argument("--levels", type=int, default=6, help="levels of the team tree (6)")
    p.add_argument("--rounds", type=int, default=26, help="pulse rounds, every 14 days (26)")
    p.add_argument("--questions", type=int, default=8, help="scored questions per round (8)")
    p.add_argument("--response", type=float, default=0.70, help="share of people answering a round (0.70)")
    p.add_argument("--days", type=int, default=10, help="working days of check-in history (10)")
    p.add_argument("--repeat", type=int, default=10, help="timed requests of each page per viewer (10)")
    p.add_argument("--slow", type=float, default=2.0, help="seconds over which a page is timed twice only")
    p.add_argument(
        "--db",
        default="/tmp/accord-bench-pages.sqlite3",
        help="throwaway SQLite file (recreated unless --reuse)",
    )
    p.add_argument(
        "--reuse", action="store_true", help="keep the database of an earlier run with the same sizes"
    )
    p.add_argument("--only", default="", help="comma-separated page names to time (all)")
    p.add_argument("--seed", type=int, default=SEED, help=f"random seed ({SEED})")
    args = p.parse_args(argv)
    if args.levels < 3 or args.teams < args.levels or args.people < 10 or args.rounds < 1:
        p.error("need at least 10 people, 3 levels, one round, and at least as many teams as levels")
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    # heatmap.build_org reads these.
    args.fresh_repeat = 1
    return args


# --------------------------------------------------------------------------------------------------
# Build


def batched(rows: Iterator[Any] | list[Any], size: int = 5000) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def bulk(model: Any, rows: Iterator[Any] | list[Any]) -> int:
    """Insert rows in batches of bulk_create, each batch its own transaction.

    History is written in bulk, not through the apps' actions: the actions are one person's one write
    (validation, notifications, scheduling jobs), millions of them would take hours, and what the pages
    cost depends on the rows they read, not on how the rows were made."""
    from django.db import transaction

    n = 0
    for chunk in batched(rows):
        with transaction.atomic():
            model.objects.bulk_create(chunk)
        n += len(chunk)
    return n


def build_reporting_line(org_id: int, rng: random.Random) -> dict[str, Any]:
    """Every team's first person leads it; a lead reports to the nearest lead above, everyone else to
    their team's lead. The root team's lead is the admin."""
    from django.db import connection, transaction

    from accord.orgs.models import Person, Role, Team

    parent_of = dict(Team.objects.filter(org_id=org_id).values_list("id", "parent_id"))
    people = list(Person.objects.filter(org_id=org_id).order_by("id").values_list("id", "team_id"))
    lead: dict[int, int] = {}
    members: dict[int, list[int]] = {}
    for pid, team in people:
        lead.setdefault(team, pid)
        members.setdefault(team, []).append(pid)

    def lead_above(team: int | None) -> int | None:
        while team is not None:
            team = parent_of.get(team)
            if team is not None and team in lead:
                return lead[team]
        return None

    root = next(t for t, p in parent_of.items() if p is None)
    if root not in lead:  # the admin leads the root team even if the builder put nobody in it
        first = people[0][0]
        old = next(t for pid, t in people if pid == first)
        Person.objects.filter(pk=first).update(team_id=root)
        members[old].remove(first)
        if lead.get(old) == first:
            del lead[old]
            if members[old]:
                lead[old] = members[old][0]
        lead[root] = first
        members.setdefault(root, []).insert(0, first)
    manager_of: dict[int, int | None] = {}
    for team, pids in members.items():
        for pid in pids:
            manager_of[pid] = lead_above(team) if pid == lead.get(team) else lead.get(team)
    rows = [(m, pid) for pid, m in manager_of.items() if m is not None]
    with transaction.atomic(), connection.cursor() as cur:
        cur.executemany(f"UPDATE {Person._meta.db_table} SET manager_id = %s WHERE id = %s", rows)
    admin = lead[root]
    Person.objects.filter(pk=admin).update(role=Role.ADMIN)
    return {
        "lead": lead,
        "members": members,
        "manager_of": manager_of,
        "parent_of": parent_of,
        "admin": admin,
    }


def build_history(
    org_id: int, line: dict[str, Any], args: argparse.Namespace, rng: random.Random
) -> dict[str, int]:
    """The other apps' history, sized by the organisation (per 100,000 people, roughly): 12,000 team
    goals with 36,000 key results, 300,000 commitments, check-ins on half the teams for --days working
    days (500,000), 200,000 kudos, 100,000 1:1 series with 6 meetings each, notes, agenda and action
    items, 240 handoff chains with 60 days of handoffs, 2,000 recurring meetings, 20,000 coffee members
    over 10 rounds, 10,000 working-with-me profiles."""
    from django.utils import timezone

    from accord.checkins.models import Blocker, Checkin, CheckinTemplate
    from accord.connect.models import CoffeeGroup, CoffeeGroupMember, CoffeeMember, CoffeeRound, Profile
    from accord.goals.models import Commitment, CommitmentStatus, Goal, KeyResult, Level
    from accord.handoffs.models import Chain, Handoff, Item, Shift, ShiftMember
    from accord.kudos.models import CompanyValue, Kudos, KudosRecipient, Reaction
    from accord.meetings.models import (
        ActionItem,
        AgendaItem,
        Meeting,
        MeetingStatus,
        OneOnOneSeries,
        PrivateNote,
    )
    from accord.orgs.models import Person
    from accord.rhythm.models import Attendee, Occurrence, RecurringMeeting

    now = timezone.now().replace(microsecond=0)
    today = now.date()
    lead, members, manager_of = line["lead"], line["members"], line["manager_of"]
    team_of = {pid: t for t, pids in members.items() for pid in pids}
    everyone = sorted(team_of)
    zone_of = dict(Person.objects.filter(org_id=org_id).values_list("id", "timezone"))
    counts: dict[str, int] = {}

    # Goals: one per team with three key results; commitments, three per person, some done.
    teams = sorted(members)
    goals = [
        Goal(
            org_id=org_id,
            title=f"Team goal {i + 1}",
            level=Level.TEAM,
            team_id=t,
            owner_id=lead[t],
            starts_on=today - dt.timedelta(days=60),
            ends_on=today + dt.timedelta(days=30),
        )
        for i, t in enumerate(teams)
    ]
    counts["goals"] = bulk(Goal, goals)
    counts["key results"] = bulk(
        KeyResult,
        (
            KeyResult(
                org_id=org_id, goal_id=g.pk, title=f"Measure {k + 1}", target=100, current=rng.randint(0, 100)
            )
            for g in goals
            for k in range(3)
        ),
    )
    goal_of_team = {g.team_id: g.pk for g in goals}
    counts["commitments"] = bulk(
        Commitment,
        (
            Commitment(
                org_id=org_id,
                owner_id=pid,
                title=f"Ship part {k + 1}",
                definition_of_done="Merged.",
                due_on=today + dt.timedelta(days=7 * k - 7),
                goal_id=goal_of_team.get(team_of[pid]),
                status=CommitmentStatus.DONE if k == 0 else CommitmentStatus.OPEN,
                done_on=today - dt.timedelta(days=8) if k == 0 else None,
            )
            for pid in everyone
            for k in range(3)
        ),
    )
    del goals

    # Check-ins: half of the teams use them, daily, for the last --days working days.
    checkin_teams = [t for t in teams if rng.random() < 0.5]
    counts["check-in templates"] = bulk(
        CheckinTemplate, (CheckinTemplate(org_id=org_id, team_id=t) for t in checkin_teams)
    )
    days = []
    d = today
    while len(days) < args.days:
        d -= dt.timedelta(days=1)
        if d.weekday() < 5:
            days.append(d)
    checkins: list[Any] = []
    n_checkins = n_blockers = 0
    for t in checkin_teams:
        for pid in members[t]:
            for day in days:
                at = timezone.make_aware(dt.datetime.combine(day, dt.time(9)), dt.UTC)
                answered = rng.random() < 0.8
                checkins.append(
                    Checkin(
                        org_id=org_id,
                        person_id=pid,
                        team_id=t,
                        day=day,
                        prompt_at=at,
                        closes_at=at + dt.timedelta(hours=20),
                        submitted_at=at + dt.timedelta(hours=1) if answered else None,
                        answers=[
                            {"q": "What did you get done?", "a": "Reviewed the plan."},
                            {"q": "What's next?", "a": "Write the tests."},
                        ]
                        if answered
                        else [],
                        mood=rng.randint(2, 5) if answered else None,
                    )
                )
        if len(checkins) > 20000:
            n_checkins += bulk(Checkin, checkins)
            n_blockers += bulk(
                Blocker,
                (
                    Blocker(
                        org_id=org_id,
                        checkin_id=c.pk,
                        person_id=c.person_id,
                        team_id=c.team_id,
                        text="Waiting for access.",
                    )
                    for c in checkins
                    if c.submitted_at and rng.random() < 0.03
                ),
            )
            checkins = []
    n_checkins += bulk(Checkin, checkins)
    n_blockers += bulk(
        Blocker,
        (
            Blocker(
                org_id=org_id,
                checkin_id=c.pk,
                person_id=c.person_id,
                team_id=c.team_id,
                text="Waiting for access.",
            )
            for c in checkins
            if c.submitted_at and rng.random() < 0.03
        ),
    )
    counts["check-ins"], counts["blockers"] = n_checkins, n_blockers
    del checkins

    # Kudos: two per person over six months, mostly to a teammate, some to anyone; reactions.
    values = CompanyValue.objects.bulk_create(
        CompanyValue(org_id=org_id, name=n) for n in ("Own it", "Be kind", "Ship often", "Learn out loud")
    )
    n_people = len(everyone)
    kudos_rows = []
    for pid in everyone:
        for _ in range(2):
            kudos_rows.append(
                Kudos(
                    org_id=org_id,
                    giver_id=pid,
                    message="Thank you for the help with the release.",
                    value_id=rng.choice(values).pk,
                    public=rng.random() < 0.9,
                    created_at=now - dt.timedelta(minutes=rng.randint(0, 180 * 24 * 60)),
                )
            )
    kudos_rows.sort(key=lambda k: k.created_at)
    counts["kudos"] = bulk(Kudos, kudos_rows)

    def recipient(giver: int) -> int:
        team = members[team_of[giver]]
        if len(team) > 1 and rng.random() < 0.7:
            other = rng.choice(team)
            if other != giver:
                return other
        other = everyone[rng.randrange(n_people)]
        return other if other != giver else everyone[(everyone.index(giver) + 1) % n_people]

    counts["kudos recipients"] = bulk(
        KudosRecipient,
        (
            KudosRecipient(
                org_id=org_id,
                kudos_id=k.pk,
                person_id=r,
                team_id=team_of[r],
                manager_id=manager_of.get(r),
                created_at=k.created_at,
            )
            for k in kudos_rows
            for r in {recipient(k.giver_id) for _ in range(1 + (rng.random() < 0.3))}
        ),
    )
    counts["reactions"] = bulk(
        Reaction,
        (
            Reaction(org_id=org_id, kudos_id=k.pk, person_id=everyone[rng.randrange(n_people)], kind="heart")
            for k in kudos_rows
            if rng.random() < 0.5
        ),
    )
    del kudos_rows

    # 1:1s: every person with their manager, weekly; four past meetings with notes, agenda and an action
    # item each, two ahead.
    pairs = [(m, pid) for pid, m in manager_of.items() if m is not None]
    n_series = n_meetings = n_items = 0
    for chunk in batched(pairs, 5000):
        series = [
            OneOnOneSeries(
                org_id=org_id,
                manager_id=m,
                report_id=r,
                start_time=dt.time(10),
                timezone=zone_of[m],
                weekday=rng.randint(0, 4),
                starts_on=today - dt.timedelta(days=90),
                next_meeting_at=now + dt.timedelta(days=rng.randint(1, 7)),
            )
            for m, r in chunk
        ]
        n_series += bulk(OneOnOneSeries, series)
        meetings = [
            Meeting(
                org_id=org_id,
                series_id=s.pk,
                scheduled_at=s.next_meeting_at + dt.timedelta(days=7 * w),
                ends_at=s.next_meeting_at + dt.timedelta(days=7 * w, minutes=30),
                status=MeetingStatus.HELD if w < 0 else MeetingStatus.SCHEDULED,
                notes="We talked about the roadmap and the next release." if w < 0 else "",
            )
            for s in series
            for w in range(-4, 2)
        ]
        n_meetings += bulk(Meeting, meetings)
        by_series = {s.pk: s for s in series}
        past = [m for m in meetings if m.status == MeetingStatus.HELD]
        n_items += bulk(
            AgendaItem,
            (
                AgendaItem(
                    org_id=org_id,
                    meeting_id=m.pk,
                    author_id=by_series[m.series_id].report_id,
                    text="Career plans",
                    done=True,
                )
                for m in past
            ),
        )
        n_items += bulk(
            PrivateNote,
            (
                PrivateNote(
                    org_id=org_id,
                    meeting_id=m.pk,
                    author_id=by_series[m.series_id].manager_id,
                    text="Follow up on the training budget.",
                )
                for m in past
            ),
        )
        # Six meetings per series, in order: the first of the two ahead is the fifth.
        upcoming = {s.pk: meetings[6 * i + 4].pk for i, s in enumerate(series)}
        n_items += bulk(
            ActionItem,
            (
                ActionItem(
                    org_id=org_id,
                    series_id=m.series_id,
                    raised_in_id=m.pk,
                    meeting_id=upcoming[m.series_id],
                    owner_id=by_series[m.series_id].report_id,
                    text="Send the draft.",
                    done_at=now if rng.random() < 0.7 else None,
                )
                for m in past
            ),
        )
    counts["1:1 series"], counts["1:1 meetings"], counts["agenda, notes, action items"] = (
        n_series,
        n_meetings,
        n_items,
    )

    # Handoffs: 2% of the leaf teams run a follow-the-sun chain of three shifts, 60 days of handoffs.
    leaves = [t for t in teams if t not in set(line["parent_of"].values())]
    chain_teams = rng.sample(leaves, max(1, len(leaves) // 50))
    n_handoffs = 0
    for t in chain_teams:
        chain = Chain.objects.create(org_id=org_id, team_id=t, name="Support")
        shifts = Shift.objects.bulk_create(
            Shift(
                org_id=org_id, chain=chain, position=i, name=n, timezone=z, start=dt.time(8), end=dt.time(16)
            )
            for i, (n, z) in enumerate(
                (
                    ("Sydney", "Australia/Sydney"),
                    ("Berlin", "Europe/Berlin"),
                    ("New York", "America/New_York"),
                )
            )
        )
        people = members[t]
        # Two people a shift where the team has them (a person is on a shift once).
        ShiftMember.objects.bulk_create(
            ShiftMember(org_id=org_id, shift=s, person_id=pid, position=k)
            for i, s in enumerate(shifts)
            for k, pid in enumerate(dict.fromkeys(people[(i + k) % len(people)] for k in range(2)))
        )
        handoffs = []
        for back in range(60, 0, -1):
            day = today - dt.timedelta(days=back)
            for i in range(3):
                at = timezone.make_aware(dt.datetime.combine(day, dt.time(8 * i)), dt.UTC)
                handoffs.append(
                    Handoff(
                        org_id=org_id,
                        chain=chain,
                        from_shift=shifts[i],
                        to_shift=shifts[(i + 1) % 3],
                        shift_day=day,
                        author_id=people[i % len(people)],
                        written_at=at,
                        receiving_starts_at=at + dt.timedelta(hours=1),
                        ack_due_at=at + dt.timedelta(hours=2),
                        acknowledged_at=at + dt.timedelta(minutes=30),
                    )
                )
        n_handoffs += bulk(Handoff, handoffs)
        Item.objects.bulk_create(
            Item(
                org_id=org_id,
                chain=chain,
                title=f"Ticket {k + 1}",
                owner_id=people[k % len(people)],
                created_in=handoffs[-1 - k],
                last_handoff=handoffs[-1],
            )
            for k in range(8)
        )
    counts["handoff chains"], counts["handoffs"] = len(chain_teams), n_handoffs

    # Recurring meetings: one for every team with sub-teams and for a fifth of the leaf teams, weekly,
    # the team's members attending, ten past occurrences.
    meeting_teams = [t for t in teams if t not in leaves or rng.random() < 0.2][: max(1, len(everyone) // 50)]
    rms = [
        RecurringMeeting(
            org_id=org_id,
            name="Team sync",
            organiser_id=lead[t],
            weekday=rng.randint(0, 4),
            duration_minutes=30,
            timezone=zone_of[lead[t]],
            rotation=["09:00", "16:00"],
            starts_on=today - dt.timedelta(days=90),
        )
        for t in meeting_teams
    ]
    counts["recurring meetings"] = bulk(RecurringMeeting, rms)
    counts["attendees"] = bulk(
        Attendee,
        (
            Attendee(org_id=org_id, meeting_id=rm.pk, person_id=pid)
            for rm, t in zip(rms, meeting_teams, strict=True)
            for pid in members[t][:30]
        ),
    )
    counts["occurrences"] = bulk(
        Occurrence,
        (
            Occurrence(
                org_id=org_id,
                meeting_id=rm.pk,
                starts_at=now - dt.timedelta(days=7 * w),
                ends_at=now - dt.timedelta(days=7 * w, minutes=-30),
                local_start="09:00",
            )
            for rm in rms
            for w in range(1, 11)
        ),
    )

    # Coffee: a fifth of the people opted in, ten fortnightly rounds of pairs.
    coffee = [pid for pid in everyone if rng.random() < 0.2]
    counts["coffee members"] = bulk(
        CoffeeMember, (CoffeeMember(org_id=org_id, person_id=pid) for pid in coffee)
    )
    n_seats = 0
    for r in range(10, 0, -1):
        week = today - dt.timedelta(days=today.weekday() + 14 * r)
        rnd = CoffeeRound.objects.create(
            org_id=org_id,
            number=11 - r,
            week_start=week,
            ran_at=timezone.make_aware(dt.datetime.combine(week, dt.time(6)), dt.UTC),
        )
        shuffled = coffee[:]
        rng.shuffle(shuffled)
        pairs_c = [shuffled[i : i + 2] for i in range(0, len(shuffled) - 1, 2)]
        groups = [
            CoffeeGroup(org_id=org_id, round=rnd, icebreaker=rng.randint(0, 9), slots=[], overlap_minutes=60)
            for _ in pairs_c
        ]
        bulk(CoffeeGroup, groups)
        n_seats += bulk(
            CoffeeGroupMember,
            (
                CoffeeGroupMember(
                    org_id=org_id, group_id=g.pk, person_id=pid, team_name=f"team {team_of[pid]}"
                )
                for g, pair in zip(groups, pairs_c, strict=True)
                for pid in pair
            ),
        )
    counts["coffee seats"] = n_seats
    counts["profiles"] = bulk(
        Profile,
        (
            Profile(org_id=org_id, person_id=pid, how_i_work="Mornings for deep work.")
            for pid in everyone
            if rng.random() < 0.1
        ),
    )
    return counts


def build(args: argparse.Namespace, db_path: Path) -> dict[str, Any]:
    import duckdb
    from django.core.management import call_command
    from django.db import connection, connections

    from accord.pulse.actions import publish_round
    from accord.pulse.models import Round

    rng = random.Random(args.seed)
    clock = heatmap.Clock()
    call_command("migrate", verbosity=0)
    org = heatmap.build_org(args, rng)
    duck_path = db_path.with_suffix(".duckdb")
    duck_path.unlink(missing_ok=True)
    con = duckdb.connect(str(duck_path))
    heatmap.build_raw(con, args, org)
    heatmap.build_aggregates(con, org, args.rounds)
    con.close()
    duck_path.unlink(missing_ok=True)
    t_pulse = clock()
    print(f"build: organisation and {args.rounds} pulse rounds in {t_pulse:.1f} s", flush=True)
    connection.ensure_connection()
    connection.connection.execute("PRAGMA synchronous=OFF")  # build only; closed below
    line = build_reporting_line(org["org_id"], rng)
    counts = build_history(org["org_id"], line, args, rng)
    t_hist = clock() - t_pulse
    print(
        "build: history " + ", ".join(f"{n:,} {what}" for what, n in counts.items()) + f" in {t_hist:.1f} s",
        flush=True,
    )
    connections.close_all()
    rnd = Round.objects.get(program__org_id=org["org_id"], number=args.rounds)
    t0 = time.perf_counter()
    publish_round(rnd)
    print(f"build: published the latest round in {time.perf_counter() - t0:.1f} s", flush=True)
    # What the hourly housekeeping does: SQLite's planner statistics (ANALYZE) for the new tables.
    from accord.delivery.jobs import refresh_planner_statistics

    t0 = time.perf_counter()
    refresh_planner_statistics()
    print(f"build: planner statistics (housekeeping's PRAGMA optimize) in {time.perf_counter() - t0:.1f} s")
    viewers = pick_viewers(org["org_id"], line, org["depth_of"])
    connections.close_all()
    return viewers


def pick_viewers(org_id: int, line: dict[str, Any], depth_of: dict[int, int]) -> dict[str, Any]:
    """The admin, the lead of a middling level-3 team, and a member of a leaf team under it."""
    lead, members, parent_of = line["lead"], line["members"], line["parent_of"]
    children: dict[int, list[int]] = {}
    for t, p in parent_of.items():
        if p is not None:
            children.setdefault(p, []).append(t)

    def subtree(t: int) -> list[int]:
        out, todo = [], [t]
        while todo:
            x = todo.pop()
            out.append(x)
            todo.extend(children.get(x, []))
        return out

    level3 = sorted(
        (t for t, d in depth_of.items() if d == 2 and t in lead), key=lambda t: (len(subtree(t)), t)
    )
    team3 = level3[len(level3) // 2]
    leaf = next(t for t in sorted(subtree(team3)) if t not in children and len(members.get(t, [])) > 1)
    member = members[leaf][1]
    return {"admin": line["admin"], "manager": lead[team3], "member": member, "manager_team": team3}


# --------------------------------------------------------------------------------------------------
# Timing


def reference_urls() -> None:
    """The app's URLs plus the reference page: a fixed response behind the same middleware."""
    import types

    from django.conf import settings
    from django.http import HttpResponse
    from django.urls import include, path

    def reference(request: Any) -> HttpResponse:
        return HttpResponse(REFERENCE_HTML)

    module = types.ModuleType("bench_pages_urls")
    module.urlpatterns = [path("bench-reference/", reference), path("", include("accord.urls"))]  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__


def sign_in(person_id: int) -> Any:
    from django.test import Client

    from accord.accounts.models import User
    from accord.orgs.models import Person

    person = Person.objects.get(pk=person_id)
    if person.user_id is None:
        user = User.objects.create_user(email=f"bench-viewer-{person.pk}@bench.invalid", password=None)
        Person.objects.filter(pk=person.pk).update(user=user)
    else:
        user = person.user
    client = Client()
    client.force_login(user)
    return client


def pages_of(role: str, v: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, URL) of every main page as this viewer reaches it."""
    from accord.connect.models import CoffeeRound
    from accord.handoffs.models import Chain
    from accord.meetings.models import Meeting, OneOnOneSeries
    from accord.orgs.models import Person
    from accord.rhythm.models import RecurringMeeting

    me = Person.objects.get(pk=v[role])
    other = Person.objects.filter(org_id=me.org_id, manager_id=me.pk).order_by(
        "id"
    ).first() or Person.objects.get(pk=me.manager_id)
    team = v["manager_team"] if role == "manager" else me.team_id
    series = (
        OneOnOneSeries.objects.filter(org_id=me.org_id, report_id=me.pk).first()
        or OneOnOneSeries.objects.filter(org_id=me.org_id, manager_id=me.pk).first()
    )
    meeting = Meeting.objects.filter(series=series).order_by("scheduled_at").first() if series else None
    rm = RecurringMeeting.objects.filter(org_id=me.org_id).order_by("id").first()
    chain = Chain.objects.filter(org_id=me.org_id).order_by("id").first()
    coffee = CoffeeRound.objects.filter(org_id=me.org_id).order_by("-number").first()
    pages = [
        ("home", "/"),
        ("person (self)", f"/people/{me.pk}/"),
        ("person (other)", f"/people/{other.pk}/"),
        ("team", f"/teams/{team}/"),
        ("teams", "/teams/"),
        ("people directory", "/people/"),
        ("goals", "/goals/"),
        ("commitments", "/commitments/"),
        ("check-ins", "/checkins/"),
        ("check-ins team", f"/checkins/team/{team}/"),
        ("kudos", "/kudos/"),
        ("kudos team", f"/kudos/team/{team}/"),
        ("kudos give", "/kudos/give/"),
        ("1:1s", "/one-on-ones/"),
        ("1:1 series", f"/one-on-ones/{series.pk}/" if series else ""),
        ("1:1 meeting", f"/one-on-ones/meeting/{meeting.pk}/" if meeting else ""),
        ("time now", "/time/"),
        ("time map", "/time/map/"),
        ("meetings", "/time/meetings/"),
        ("meeting", f"/time/meetings/{rm.pk}/" if rm else ""),
        ("charter", f"/teams/{team}/charter/"),
        ("coffee", "/coffee/"),
        ("working with me", "/working-with-me/"),
        ("handoffs", "/handoffs/"),
        ("handoff chain", f"/handoffs/chains/{chain.pk}/" if chain else ""),
        ("pulse", "/pulse/"),
        ("pulse results", "/pulse/results/"),
        ("pulse heatmap", "/pulse/results/heatmap/" if role != "member" else ""),
        ("pulse trends", "/pulse/results/trends/"),
        ("pulse feedback", "/pulse/feedback/"),
        ("settings notifications", "/settings/notifications/"),
        ("settings tokens", "/settings/tokens/"),
        ("kudos settings", "/kudos/settings/"),
    ]
    if role == "manager":
        pages.append(("kudos my team", "/kudos/my-team/"))
    if role == "admin":
        pages += [
            ("coffee settings", "/coffee/settings/"),
            ("coffee round", f"/coffee/rounds/{coffee.pk}/" if coffee else ""),
            ("pulse programs", "/pulse/programs/"),
            ("pulse settings", "/pulse/settings/"),
        ]
    return [(n, u) for n, u in pages if u]


def one_request(client: Any, url: str) -> tuple[float, int, int]:
    from django.db import connections

    connections.close_all()  # the server opens a connection per request (CONN_MAX_AGE 0)
    gc.collect()
    t0 = time.perf_counter()
    response = client.get(url, secure=True)
    body = b"".join(response) if response.streaming else response.content
    elapsed = time.perf_counter() - t0
    return elapsed, response.status_code, len(body)


def pct(runs: list[float], q: float) -> float:
    if len(runs) == 1:
        return runs[0]
    ordered = sorted(runs)
    k = (len(ordered) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    db_path = Path(args.db).resolve()
    meta_path = Path(str(db_path) + ".json")
    params = {
        k: getattr(args, k)
        for k in ("people", "teams", "levels", "rounds", "questions", "response", "days", "seed")
    }
    reuse = args.reuse and db_path.exists() and meta_path.exists()
    if args.reuse and not reuse:
        print("--reuse: no earlier database found; building it", flush=True)
    if not reuse:
        for suffix in ("", "-wal", "-shm", ".json"):
            Path(str(db_path) + suffix).unlink(missing_ok=True)
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ.setdefault("SECRET_KEY", "bench-pages-not-a-secret")
    heatmap.setup_django(db_path)
    from django.core.management import call_command
    from django.db import connections

    print(
        f"Accord pages benchmark: {args.people:,} people, about {args.teams:,} teams over "
        f"{args.levels} levels, "
        f"{args.rounds} pulse rounds, {args.days} days of check-ins (seed {args.seed}); database {db_path}",
        flush=True,
    )
    if reuse:
        stored = json.loads(meta_path.read_text())
        if stored["params"] != params:
            raise SystemExit("--reuse: the database was built with other sizes; run without --reuse")
        call_command("migrate", verbosity=0)
        from accord.delivery.jobs import refresh_planner_statistics

        refresh_planner_statistics()  # as the hourly housekeeping would have since the build
        viewers = stored["viewers"]
        print("build: reused the database of an earlier run")
    else:
        t0 = time.perf_counter()
        viewers = build(args, db_path)
        meta_path.write_text(json.dumps({"params": params, "viewers": viewers}))
        print(f"build: {time.perf_counter() - t0:.1f} s in all", flush=True)
    connections.close_all()
    reference_urls()
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    from accord.orgs.models import Person

    for role in ("member", "manager", "admin"):
        p = Person.objects.select_related("team").get(pk=viewers[role])
        below = Person.objects.filter(manager_id=p.pk).count()
        print(
            f"viewer {role}: person {p.pk} in {p.team.name if p.team else 'no team'}, {below} direct reports"
        )

    clients = {role: sign_in(viewers[role]) for role in ("member", "manager", "admin")}
    reference_runs: list[float] = []

    def reference_once() -> None:
        elapsed, status, _ = one_request(clients["member"], "/bench-reference/")
        assert status == 200, status
        reference_runs.append(elapsed)

    for _ in range(3):
        reference_once()
    reference_runs.clear()
    rows: list[tuple[str, str, float, float, int, int]] = []
    failures: list[str] = []
    for role in ("member", "manager", "admin"):
        client = clients[role]
        for name, url in pages_of(role, viewers):
            if only and name not in only:
                continue
            first, status, size = one_request(client, url)
            if status != 200:
                failures.append(f"{role} {name} {url}: HTTP {status}")
                continue
            runs = []
            for _ in range(args.repeat if first < args.slow else 2):
                reference_once()
                elapsed, status, size = one_request(client, url)
                runs.append(elapsed)
            rows.append((role, name, pct(runs, 0.5), pct(runs, 0.95), size, len(runs)))
            print(
                f"{role:8} {name:24} p50 {pct(runs, 0.5) * 1000:8.1f} ms  "
                f"p95 {pct(runs, 0.95) * 1000:8.1f} ms  "
                f"{size / 1024:9.1f} KiB  ({len(runs)} runs) {url}",
                flush=True,
            )
    ref50, ref95 = pct(reference_runs, 0.5), pct(reference_runs, 0.95)
    print(
        f"reference (a fixed {len(REFERENCE_HTML):,}-byte page through the same middleware, signed in, "
        f"{len(reference_runs)} runs between the pages): p50 {ref50 * 1000:.1f} ms, p95 {ref95 * 1000:.1f} ms"
    )
    print("pages by p95, as multiples of the reference's p50:")
    for role, name, _p50, p95, size, _n in sorted(rows, key=lambda r: -r[3])[:15]:
        print(f"  {p95 / ref50:8.1f}x  {role:8} {name:24} p95 {p95 * 1000:8.1f} ms  {size / 1024:9.1f} KiB")
    for f in failures:
        print(f"not 200: {f}")
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (1, 5, 15 min)")
    worst = max((r[3] for r in rows), default=float("nan"))
    print(f"worst page p95 ms: {worst * 1000:.1f}")


if __name__ == "__main__":
    main()
