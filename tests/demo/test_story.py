"""The demo tells a story a manager recognises (issue 13): each promise asserted on one generated demo.

The demo is built once for the module (about 20 s), on a Wednesday morning in March, when the United
States has moved its clocks and Europe has not yet: the week in which calendars go wrong.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest
from django.test import override_settings
from django.urls import reverse

from accord.accounts.models import User
from accord.checkins.models import Blocker, Checkin
from accord.connect.models import CoffeeGroup
from accord.connect.queries import departments, overview
from accord.demo import DEMO_ACCOUNTS, generate_demo, people, words
from accord.handoffs.models import Handoff, Item
from accord.kudos.models import Kudos
from accord.meetings.models import ActionItem, AgendaItem, Meeting, OneOnOneSeries, PrivateNote
from accord.meetings.queries import health, inside_hours
from accord.orgs.models import Organisation, Person, Team
from accord.orgs.queries import hours_of
from accord.pulse.models import Comment, Reply
from accord.rhythm.models import Occurrence

NOW = dt.datetime(2026, 3, 11, 9, 30, tzinfo=dt.UTC)  # a Wednesday

pytestmark = pytest.mark.django_db

QUIET = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
}


def delete_demo(org: Organisation) -> None:
    Team.objects.filter(org=org).update(parent=None)  # Team.parent is PROTECT
    org.delete()
    User.objects.filter(email__endswith="@wonderful.example").delete()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(**QUIET):
        org = generate_demo(now=NOW)
        yield org
        delete_demo(org)


def persona(org: Organisation, which: str) -> Person:
    return Person.objects.get(org=org, email=DEMO_ACCOUNTS[which])


# --- No recycled text -----------------------------------------------------------------------------


def texts_by_kind(org: Organisation) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for answers in Checkin.objects.filter(org=org, submitted_at__isnull=False).values_list(
        "answers", flat=True
    ):
        for a in answers:
            if a["answer"] and not a["blocker"]:
                found[f"checkin answer: {a['key']}"].append(a["answer"])
    found["blocker"] = list(Blocker.objects.filter(org=org).values_list("text", flat=True))
    found["pulse comment"] = list(Comment.objects.filter(org=org).values_list("text", flat=True))
    found["comment reply"] = list(Reply.objects.filter(org=org).values_list("text", flat=True))
    found["kudos"] = list(Kudos.objects.filter(org=org).values_list("message", flat=True))
    found["agenda item"] = list(AgendaItem.objects.filter(org=org).values_list("text", flat=True))
    found["action item"] = list(ActionItem.objects.filter(org=org).values_list("text", flat=True))
    found["private note"] = list(PrivateNote.objects.filter(org=org).values_list("text", flat=True))
    found["handoff item"] = list(Item.objects.filter(org=org).values_list("title", flat=True))
    found["urgent note"] = list(
        Handoff.objects.filter(org=org).exclude(urgent="").values_list("urgent", flat=True)
    )
    return found


def test_no_text_is_pasted_around_more_than_its_kind_allows(demo):
    found = texts_by_kind(demo)
    assert len(found["checkin answer: q1"]) > 4000 and len(found["kudos"]) > 300  # a real volume
    assert found["pulse comment"] and found["comment reply"] and found["urgent note"]
    for kind, texts in found.items():
        limit = words.LIMITS[kind.split(":")[0]]
        text, times = Counter(texts).most_common(1)[0]
        assert times <= limit, f"{kind}: {text!r} appears {times} times (at most {limit})"


# --- Calendars ------------------------------------------------------------------------------------


def test_nobody_has_two_meetings_at_once(demo):
    busy: dict[int, list[tuple[dt.datetime, dt.datetime, str]]] = defaultdict(list)
    for m in Meeting.objects.filter(org=demo).select_related("series"):
        for pk in (m.series.manager_id, m.series.report_id):
            busy[pk].append((m.scheduled_at, m.ends_at, f"1:1 {m.series_id}"))
    for o in Occurrence.objects.filter(meeting__org=demo).prefetch_related("meeting__attendees"):
        for a in o.meeting.attendees.all():
            busy[a.person_id].append((o.starts_at, o.ends_at, o.meeting.name))
    assert len(busy) > 80
    for pk, spans in busy.items():
        spans.sort()
        for (_, end, what), (start, _, other) in zip(spans, spans[1:], strict=False):
            assert end <= start, f"person {pk}: {what} and {other} overlap at {start}"


def test_one_on_ones_sit_inside_both_peoples_working_hours(demo):
    series = list(OneOnOneSeries.objects.filter(org=demo).select_related("manager", "report"))
    reports = Person.objects.filter(org=demo, manager__isnull=False).select_related("manager")
    # Only a pair whose hours can never meet for an hour (all year) may meet outside one's hours.
    seasons = people.seasons_of(NOW.date())
    apart = {
        (p.manager_id, p.pk)
        for p in reports
        if min(people.overlap(p, p.manager, d) for d in seasons) < people.MIN_SHARED
    }
    assert {(s.manager_id, s.report_id) for s in series} == {(p.manager_id, p.pk) for p in reports}
    assert len(apart) <= 5
    for s in series:
        if (s.manager_id, s.report_id) in apart:
            continue
        for m in Meeting.objects.filter(series=s):
            for person in (s.manager, s.report):
                assert inside_hours(person, m.scheduled_at, m.ends_at), (person.name, m.scheduled_at)


# --- Blockers and 1:1 health ----------------------------------------------------------------------


def test_blockers_are_acknowledged_soon_in_the_leads_working_hours(demo):
    blockers = list(Blocker.objects.filter(org=demo).select_related("acknowledged_by"))
    seen = [b for b in blockers if b.acknowledged_at is not None]
    assert len(seen) > 0.9 * len(blockers) > 100
    for b in seen:
        hours = hours_of(b.acknowledged_by)
        assert hours.is_working(b.acknowledged_at)
        # Read the same working day, or early on the lead's next one (weekends and four-day weeks).
        assert b.acknowledged_at - b.created_at < dt.timedelta(days=4)
    # What is still open arrived in the last few days: nothing is left to rot.
    open_ones = [b for b in blockers if b.acknowledged_at is None]
    assert open_ones and all(NOW - b.created_at < dt.timedelta(days=4) for b in open_ones)


def test_a_green_health_badge_never_sits_over_an_action_carried_for_weeks(demo):
    series = list(OneOnOneSeries.objects.filter(org=demo))
    found = health(demo, [s.pk for s in series], NOW)
    levels = Counter(h.level for h in found.values())
    assert levels["ok"] and (levels["warn"] or levels["bad"])  # health still tells different stories
    carried = ActionItem.objects.filter(org=demo, done_at__isnull=True, carried__gt=3)
    assert carried.exists()  # some pairs do let actions linger...
    for item in carried:
        assert found[item.series_id].level != "ok", (item.text, item.carried)  # ...and it shows


# --- Coffee ---------------------------------------------------------------------------------------


def test_coffee_figures_vary_and_pairs_cross_zones_and_departments(demo):
    figures, _ = overview(demo)
    assert len(figures) == 8
    assert len({f.groups for f in figures}) >= 3
    shares = [round(f.met_share, 2) for f in figures if f.met_share is not None]
    assert len(set(shares)) >= 4
    dept = departments(demo)
    groups = list(CoffeeGroup.objects.filter(org=demo).prefetch_related("members__person"))
    zones = [len({m.person.timezone for m in g.members.all()}) > 1 for g in groups]
    across = [len({dept.get(m.person.team_id) for m in g.members.all()}) > 1 for g in groups]
    assert sum(zones) > 0.6 * len(groups)
    assert sum(across) > 0.6 * len(groups)


# --- Pulse results ----------------------------------------------------------------------------------


def test_the_latest_results_show_enps_to_the_hr_admin(demo, client):
    client.force_login(persona(demo, "admin").user)
    response = client.get(reverse("pulse_results"))
    assert response.status_code == 200
    report = response.context["report"]
    assert report.group.team is None  # the whole organisation
    assert report.enps is not None and not report.enps.hidden, report.enps


def test_the_latest_results_show_the_organisations_tenure_and_region_slices(demo, client):
    client.force_login(persona(demo, "admin").user)
    response = client.get(reverse("pulse_heatmap"), {"team": "org"})
    assert response.status_code == 200
    slices = response.context["slices"]
    assert any(not s.hidden for s in slices.by_band)
    assert any(not s.hidden for s in slices.by_region)


def test_the_manager_persona_reads_and_answers_an_anonymous_comment(demo, client):
    lena = persona(demo, "manager")
    client.force_login(lena.user)
    shown = []
    for rnd in Comment.objects.filter(org=demo).values_list("round_id", flat=True).distinct():
        response = client.get(reverse("pulse_results"), {"round": rnd, "group": f"team-{lena.team_id}"})
        if response.status_code == 200 and "report" in response.context:
            shown += response.context["report"].comments or []
    assert shown, "no comment is visible to the Level 1 lead in any round"
    comment = shown[0]
    response = client.post(reverse("pulse_comment_reply", args=[comment.pk]), {"text": "Thank you, noted."})
    assert response.status_code == 302
    assert Reply.objects.filter(comment=comment, manager=lena, text="Thank you, noted.").exists()
