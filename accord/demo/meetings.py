"""Six months of 1:1s for the demo company: a series for every manager with each direct report.

Most pairs meet weekly, some every two weeks, a few monthly, at an hour inside both people's working
hours where one exists. How often 1:1s get skipped, and how reliably action items get closed, varies
by manager, so the health figures tell different stories. The next meeting of every series is still to
come, with a few agenda items already on it, and open action items sit on it as the scheduler would
have carried them. Everything is drawn from `cast.rng("meetings")` and dated from `cast.today`.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from accord.lib.tz import to_utc
from accord.meetings.actions import next_occurrence, occurrence
from accord.meetings.bank import QUESTIONS
from accord.meetings.models import (
    ActionItem,
    AgendaItem,
    Cadence,
    Meeting,
    MeetingStatus,
    OneOnOneSeries,
    PrivateNote,
)
from accord.meetings.queries import inside_hours
from accord.orgs.models import Person

from .people import Cast

HISTORY = dt.timedelta(days=183)

TOPICS = (
    "Status of the handoff notes between shifts",
    "Feedback on last week's customer escalation",
    "Plans for my time off next month",
    "How the new on-call rota feels so far",
    "Training budget: which course is worth it?",
    "Priorities for the next two weeks",
    "The ticket backlog from the weekend",
    "Career path: what would senior look like for me?",
    "Writing up the runbook for billing issues",
    "Pairing with someone from Level 2",
    "Review of my goals for the quarter",
    "Meeting load: can we drop one recurring call?",
    "Kudos for the release team",
    "A customer call that went badly, and what I'd do differently",
    "Hiring: joining interview panels",
    "Working hours during the daylight-saving change",
    "Tooling that slows me down every day",
    "Ideas for the team offsite",
)
ACTIONS = (
    "Draft the runbook outline and share it for comments",
    "Book the course and send the invoice to People Ops",
    "Ask Level 2 for a pairing session next week",
    "Write down the handoff checklist and pin it in the channel",
    "Send the summary of the escalation to the account owner",
    "Block two focus mornings a week in the calendar",
    "Introduce them to the product lead for the roadmap question",
    "Propose a new slot for the weekly sync that suits Manila",
    "Look into the flaky deploy check and report back",
    "Share three examples of senior-level work from the team",
    "Check the training budget for this quarter",
    "Update the goal's key results with the new numbers",
    "Follow up with finance about the tool licence",
    "Prepare two slides for the all-hands",
)
NOTES = (
    "Seemed tired; ask about workload again next time.",
    "Good energy today. Follow up on the career question.",
    "Remember to mention the kudos from the customer.",
    "I should be clearer about what I expect on the runbook.",
)


def _slot_hour(manager: Person, report: Person, weekday: int, today: dt.date) -> dt.time:
    """The first half hour of the manager's day that also sits inside the report's working hours."""
    zone = ZoneInfo(manager.timezone)
    day = today + dt.timedelta(days=(weekday - today.isoweekday()) % 7)
    start = dt.datetime.combine(day, manager.work_start)
    end = dt.datetime.combine(day, manager.work_end)
    at = start + dt.timedelta(minutes=30)
    while at + dt.timedelta(minutes=30) <= end:
        utc = to_utc(day, at.time(), zone)
        if inside_hours(report, utc, utc + dt.timedelta(minutes=30)):
            return at.time()
        at += dt.timedelta(minutes=30)
    return (start + dt.timedelta(hours=1)).time()  # no overlap: the report takes an early or late call


def build_meetings(cast: Cast) -> None:
    rng = cast.rng("meetings")
    org = cast.org
    now = dt.datetime.combine(cast.today, dt.time(0), tzinfo=dt.UTC)
    managers = [p for p in cast.people if cast.reports(p)]
    pairs: list[tuple[OneOnOneSeries, float, float]] = []
    for manager in managers:
        # Each manager has their own habits: how often 1:1s slip, and how reliably actions get done.
        skip_rate = rng.choice((0.03, 0.08, 0.12, 0.2, 0.35))
        close_rate = rng.choice((0.5, 0.7, 0.85, 0.95))
        working_days = [int(d) for d in manager.work_days if d in "12345"] or [2]
        for report in cast.reports(manager):
            cadence = rng.choices((Cadence.WEEKLY, Cadence.FORTNIGHTLY, Cadence.MONTHLY), weights=(6, 3, 1))[
                0
            ]
            weekday = rng.choice([d for d in working_days if d in (2, 3, 4)] or working_days)
            series = OneOnOneSeries(
                org=org,
                manager=manager,
                report=report,
                cadence=cadence,
                weekday=weekday,
                start_time=_slot_hour(manager, report, weekday, cast.today),
                duration_minutes=rng.choice((30, 30, 30, 45, 60)),
                timezone=manager.timezone,
                starts_on=cast.today,
                created_at=now - HISTORY,
            )
            first = (now - HISTORY).date()
            series.starts_on = first + dt.timedelta(days=(weekday - first.isoweekday()) % 7)
            pairs.append((series, skip_rate, close_rate))
    OneOnOneSeries.objects.bulk_create([s for s, _, _ in pairs])

    meetings: list[Meeting] = []
    plan: list[tuple[OneOnOneSeries, list[Meeting], float, float]] = []
    for series, skip_rate, close_rate in pairs:
        own: list[Meeting] = []
        day = series.starts_on - dt.timedelta(days=1)
        while True:
            day = next_occurrence(series, day)
            start, end = occurrence(series, day)
            if start > now:
                status = MeetingStatus.SCHEDULED
            elif now - start < dt.timedelta(days=10) and rng.random() < 0.15:
                status = MeetingStatus.SCHEDULED  # nobody has marked last week's yet
            else:
                status = MeetingStatus.SKIPPED if rng.random() < skip_rate else MeetingStatus.HELD
            own.append(
                Meeting(
                    org=org,
                    series=series,
                    scheduled_at=start,
                    ends_at=end,
                    status=status,
                    marked_at=end if status != MeetingStatus.SCHEDULED else None,
                    created_at=start - dt.timedelta(days=7),
                )
            )
            if start > now:
                break
        series.next_meeting_at = own[-1].ends_at
        meetings.extend(own)
        plan.append((series, own, skip_rate, close_rate))
    Meeting.objects.bulk_create(meetings)
    OneOnOneSeries.objects.bulk_update([s for s, _, _ in pairs], ["next_meeting_at"])

    agenda: list[AgendaItem] = []
    actions: list[ActionItem] = []
    notes: list[PrivateNote] = []
    for series, own, _, close_rate in plan:
        people = (series.manager, series.report)
        latest = own[-1]
        for index, meeting in enumerate(own):
            upcoming = meeting is latest
            if meeting.status == MeetingStatus.SKIPPED:
                continue
            for _ in range(rng.randint(1, 2) if upcoming else rng.randint(1, 3)):
                text = rng.choice(TOPICS) if rng.random() < 0.75 else rng.choice(QUESTIONS).text
                agenda.append(
                    AgendaItem(
                        org=org,
                        meeting=meeting,
                        author=rng.choice(people),
                        text=text,
                        done=meeting.status == MeetingStatus.HELD,
                        created_at=meeting.scheduled_at - dt.timedelta(days=rng.randint(1, 5)),
                    )
                )
            if meeting.status == MeetingStatus.HELD and rng.random() < 0.55:
                for _ in range(rng.randint(1, 2)):
                    actions.append(_action(rng, series, meeting, own[index:], latest, close_rate, now))
            if meeting.status == MeetingStatus.HELD and rng.random() < 0.2:
                author = rng.choice(people)
                notes.append(
                    PrivateNote(
                        org=org,
                        meeting=meeting,
                        author=author,
                        text=rng.choice(NOTES),
                        updated_at=meeting.ends_at,
                    )
                )
    AgendaItem.objects.bulk_create(agenda, batch_size=2000)
    ActionItem.objects.bulk_create(actions, batch_size=2000)
    PrivateNote.objects.bulk_create(notes, batch_size=2000)


def _action(
    rng: random.Random,
    series: OneOnOneSeries,
    meeting: Meeting,
    after: list[Meeting],
    latest: Meeting,
    close_rate: float,
    now: dt.datetime,
) -> ActionItem:
    created = meeting.ends_at
    owner = series.report if rng.random() < 0.7 else series.manager
    due_on = (created + dt.timedelta(days=rng.choice((3, 7, 10, 14)))).date()
    later = [m for m in after[1:] if m.scheduled_at <= now]
    if later and rng.random() < close_rate:
        # Done at (or just before) one of the next meetings; it sat on each meeting until then.
        closed_in = rng.choice(later[:3])
        return ActionItem(
            org=series.org,
            series=series,
            raised_in=meeting,
            meeting=closed_in,
            owner=owner,
            text=rng.choice(ACTIONS),
            due_on=due_on,
            carried=after.index(closed_in),
            created_at=created,
            done_at=closed_in.scheduled_at - dt.timedelta(hours=rng.randint(1, 48)),
        )
    return ActionItem(
        org=series.org,
        series=series,
        raised_in=meeting,
        meeting=latest,
        owner=owner,
        text=rng.choice(ACTIONS),
        due_on=due_on,
        carried=after.index(latest),
        created_at=created,
    )
