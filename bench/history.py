"""The other apps' history for bench/pages.py: a reporting line and, in bulk, what goals, check-ins, kudos,
1:1s, handoffs, recurring meetings, coffee chats and profiles hold after months of use."""

from __future__ import annotations

import argparse
import datetime as dt
import random
from collections.abc import Iterator
from typing import Any


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
    counts["check-ins"] = counts["blockers"] = 0

    def save_checkins(rows: list[Any]) -> None:
        """A batch of check-ins, then a blocker on about 3% of the answered ones (which need their ids)."""
        counts["check-ins"] += bulk(Checkin, rows)
        counts["blockers"] += bulk(
            Blocker,
            (
                Blocker(
                    org_id=org_id,
                    checkin_id=c.pk,
                    person_id=c.person_id,
                    team_id=c.team_id,
                    text="Waiting for access.",
                )
                for c in rows
                if c.submitted_at and rng.random() < 0.03
            ),
        )

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
            save_checkins(checkins)
            checkins = []
    save_checkins(checkins)
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
