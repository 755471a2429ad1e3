"""Goals and commitments pages: privacy, rules with errors next to their field, the mirror, query counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accord.goals.models import Commitment, CommitmentStatus, Goal, KeyResult, KeyResultUpdate, Level
from accord.lib.tz import UTC
from accord.orgs.models import Role
from tests.conftest import login
from tests.factories import PersonFactory, TeamFactory
from tests.factories.goals import day, make_commitment, make_goal, make_kr, make_update

pytestmark = pytest.mark.django_db

# 20:00 UTC on 10 March 2025: already 07:00 on 11 March in Sydney.
EVENING_UTC = dt.datetime(2025, 3, 10, 20, 0, tzinfo=UTC)


def field_errors(response, field):
    return response.context["form"].errors.get(field, [])


def tree_titles(response):
    def walk(nodes):
        for n in nodes:
            yield n.goal.title
            yield from walk(n.children)

    return sorted(walk(response.context["tree"]))


# --- the alignment tree and privacy -----------------------------------------------------------


@pytest.fixture
def chain(org, team, manager, member, admin):
    """boss → manager → member, a peer of the member, and goals at every level (one of them private)."""
    boss = PersonFactory(org=org, team=team, name="Bo Boss")
    manager.manager = boss
    manager.save()
    peer = PersonFactory(org=org, team=team, name="Pat Peer")
    company = make_goal(org, title="Company goal", level=Level.COMPANY, owner=admin, team=None)
    team_goal = make_goal(org, title="Team goal", level=Level.TEAM, owner=manager, team=team, parent=company)
    public = make_goal(org, title="Member's public goal", owner=member, parent=team_goal)
    private = make_goal(org, title="Member's private goal", owner=member, parent=team_goal, private=True)
    return {
        "boss": boss,
        "peer": peer,
        "company": company,
        "team": team_goal,
        "public": public,
        "private": private,
    }


@pytest.mark.parametrize(
    ("viewer", "sees"),
    # The goal's owner, their manager, the manager's manager, admins and organisation owners; not a peer.
    [("member", True), ("manager", True), ("boss", True), ("admin", True), ("owner", True), ("peer", False)],
)
def test_private_goals_show_only_to_owner_the_line_above_and_admins(
    client, chain, member, manager, admin, owner, viewer, sees
):
    people = {"member": member, "manager": manager, "admin": admin, "owner": owner} | chain
    login(client, people[viewer])

    titles = tree_titles(client.get(reverse("goals")))
    detail = client.get(reverse("goal", args=[chain["private"].pk]))

    assert ("Member's private goal" in titles) is sees
    assert "Member's public goal" in titles
    assert detail.status_code == (200 if sees else 404)


def test_tree_is_company_then_team_then_person(as_member, chain):
    tree = as_member.get(reverse("goals")).context["tree"]
    assert [(n.goal.title, n.depth) for n in tree] == [("Company goal", 0)]
    assert [n.goal.title for n in tree[0].children] == ["Team goal"]
    assert [n.goal.title for n in tree[0].children[0].children] == [
        "Member's private goal",
        "Member's public goal",
    ]


def test_filter_mine_keeps_ancestors_as_context(as_member, chain, org, team, manager):
    make_goal(org, title="Manager's own goal", owner=manager, parent=chain["team"])
    response = as_member.get(reverse("goals"), {"show": "mine"})
    tree = response.context["tree"]

    assert tree_titles(response) == [
        "Company goal",
        "Member's private goal",
        "Member's public goal",
        "Team goal",
    ]
    assert tree[0].context and tree[0].children[0].context
    assert [n.context for n in tree[0].children[0].children] == [False, False]


def test_filter_my_team(client, chain, org, member):
    other_team = TeamFactory(org=org, name="Sales")
    seller = PersonFactory(org=org, team=other_team)
    make_goal(org, title="Seller's goal", owner=seller)
    login(client, member)

    everything = tree_titles(client.get(reverse("goals"), {"show": "all"}))
    mine = tree_titles(client.get(reverse("goals"), {"show": "team"}))

    assert "Seller's goal" in everything
    assert "Seller's goal" not in mine
    assert "Member's public goal" in mine


def test_goal_page_shows_key_results_history_and_a_sparkline(as_member, member, org):
    goal = make_goal(org, title="Faster replies", owner=member)
    kr = make_kr(goal, title="Median reply", start=6, target=2, current=3, unit="hours", confidence=80)
    for i, v in enumerate([6, 5, 3]):
        make_update(kr, v, at=dt.datetime(2025, 1, 1 + i, tzinfo=UTC))

    page = as_member.get(reverse("goal", args=[goal.pk])).content.decode()

    assert "<polyline" in page
    assert "75%" in page  # 6 → 3 of the way to 2 is three quarters
    assert "3 hours" in page and "target 2 hours" in page
    assert "History (3 updates)" in page


# --- creating and editing goals ---------------------------------------------------------------


def goal_data(**overrides):
    data = {"title": "Ship it", "description": "", "level": "person", "team": "", "owner": "", "parent": ""}
    data.update({k: str(v) for k, v in overrides.items()})
    return data


def test_member_sets_their_own_goal_and_it_takes_their_team(as_member, member, team):
    response = as_member.post(reverse("goal_new"), goal_data(owner=member.pk))

    goal = Goal.objects.get()
    assert response.status_code == 302
    assert (goal.title, goal.owner, goal.team, goal.level) == ("Ship it", member, team, "person")


def test_empty_title_is_refused_next_to_the_field(as_member, member):
    response = as_member.post(reverse("goal_new"), goal_data(title="   ", owner=member.pk))

    assert field_errors(response, "title") == ["Give the goal a title."]
    assert Goal.objects.count() == 0


def test_member_cannot_set_company_goals(as_member, member):
    response = as_member.post(reverse("goal_new"), goal_data(level="company", owner=member.pk))

    assert field_errors(response, "level") == ["Only admins can set company goals."]
    assert Goal.objects.count() == 0


def test_member_cannot_set_goals_for_someone_else(as_member, manager):
    response = as_member.post(reverse("goal_new"), goal_data(owner=manager.pk))

    assert field_errors(response, "owner") == ["Choose yourself or someone who reports to you."]
    assert Goal.objects.count() == 0


def test_manager_sets_a_goal_for_a_report(as_manager, member):
    response = as_manager.post(reverse("goal_new"), goal_data(owner=member.pk))
    assert response.status_code == 302
    assert Goal.objects.get().owner == member


@pytest.mark.parametrize("field", ["team", "owner", "parent"])
def test_ids_from_another_organisation_are_field_errors(as_admin, admin, other_org, outsider, field):
    foreign = {
        "team": outsider.team_id,
        "owner": outsider.pk,
        "parent": make_goal(other_org, owner=outsider).pk,
    }[field]
    data = goal_data(level="team", team=admin.team_id, owner=admin.pk) | {field: str(foreign)}

    response = as_admin.post(reverse("goal_new"), data)

    expected = {
        "team": "Choose a team of this organisation.",
        "owner": "Choose an owner from this organisation.",
        "parent": "Choose a goal of this organisation that you can see.",
    }[field]
    assert field_errors(response, field) == [expected]
    assert Goal.objects.filter(org=admin.org).count() == 0


def test_a_goal_cannot_align_to_itself_or_beneath_itself(as_admin, admin, org, team):
    top = make_goal(org, title="Top", level=Level.TEAM, team=team, owner=admin)
    middle = make_goal(org, title="Middle", level=Level.TEAM, team=team, owner=admin, parent=top)
    bottom = make_goal(org, title="Bottom", level=Level.TEAM, team=team, owner=admin, parent=middle)
    message = ["A goal cannot be aligned to itself or to a goal aligned beneath it."]

    for parent in (top, bottom):
        data = goal_data(title="Top", level="team", team=team.pk, owner=admin.pk, parent=parent.pk)
        response = as_admin.post(reverse("goal_edit", args=[top.pk]), data)
        assert field_errors(response, "parent") == message

    top.refresh_from_db()
    assert top.parent_id is None


def test_a_company_goal_cannot_align_beneath_a_person_goal(as_admin, admin, org):
    person_goal = make_goal(org, owner=admin)
    response = as_admin.post(reverse("goal_new"), goal_data(level="company", parent=person_goal.pk))
    assert field_errors(response, "parent") == [
        "A company goal can align only to a goal at the same or a higher level (this one is a person goal)."
    ]


def test_manager_edits_a_report_goal_but_a_peer_cannot(client, org, team, manager, member):
    goal = make_goal(org, title="Old", owner=member)
    peer = PersonFactory(org=org, team=team)
    login(client, peer)
    assert client.get(reverse("goal_edit", args=[goal.pk])).status_code == 404
    login(client, manager)
    response = client.post(reverse("goal_edit", args=[goal.pk]), goal_data(title="New", owner=member.pk))
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.title == "New"


# --- key results and progress -----------------------------------------------------------------


def test_add_a_key_result_and_its_first_history_entry(as_member, member, org):
    goal = make_goal(org, owner=member)
    response = as_member.post(
        reverse("goal_key_result_new", args=[goal.pk]),
        {"title": "NPS", "start": "20", "target": "40", "unit": "", "confidence": "60"},
    )
    assert response.status_code == 302
    kr = KeyResult.objects.get()
    assert (kr.title, kr.start, kr.target, kr.current, kr.confidence) == ("NPS", 20, 40, 20, 60)
    assert list(kr.updates.values_list("value", "confidence", "note")) == [(20.0, 60, "Key result set")]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"start": "5", "target": "5"},
            "target",
            "The target must differ from the start, or there is nothing to measure.",
        ),
        ({"confidence": "101"}, "confidence", "Confidence is a percentage: a whole number from 0 to 100."),
        ({"confidence": "-1"}, "confidence", "Confidence is a percentage: a whole number from 0 to 100."),
        ({"title": " "}, "title", "Give the key result a title."),
    ],
)
def test_key_result_rules_are_refused_next_to_the_field(as_member, member, org, data, field, message):
    goal = make_goal(org, owner=member)
    post = {"title": "NPS", "start": "0", "target": "10", "unit": "", "confidence": "50"} | data

    response = as_member.post(reverse("goal_key_result_new", args=[goal.pk]), post)

    assert response.status_code == 200
    assert response.context["kr_form"].errors[field] == [message]
    assert KeyResult.objects.count() == 0
    assert message in response.content.decode()


def test_record_progress_keeps_history(as_member, member, org):
    goal = make_goal(org, owner=member)
    kr = make_kr(goal, start=0, target=10)
    url = reverse("key_result_progress", args=[kr.pk])

    response = as_member.post(
        url, {f"kr{kr.pk}-value": "4", f"kr{kr.pk}-confidence": "55", f"kr{kr.pk}-note": "Good week"}
    )

    assert response.status_code == 302
    kr.refresh_from_db()
    assert (kr.current, kr.confidence, kr.percent) == (4, 55, 40)
    assert list(KeyResultUpdate.objects.values_list("value", "confidence", "note", "by")) == [
        (4.0, 55, "Good week", member.pk)
    ]


@pytest.mark.parametrize("confidence", ["101", "-5"])
def test_progress_with_confidence_outside_0_to_100_saves_nothing(as_member, member, org, confidence):
    goal = make_goal(org, owner=member)
    kr = make_kr(goal, start=0, target=10, current=2)
    response = as_member.post(
        reverse("key_result_progress", args=[kr.pk]),
        {f"kr{kr.pk}-value": "9", f"kr{kr.pk}-confidence": confidence, f"kr{kr.pk}-note": ""},
    )
    form = next(r["form"] for r in response.context["rows"] if r["kr"].pk == kr.pk)
    assert form.errors["confidence"] == ["Confidence is a percentage: a whole number from 0 to 100."]
    kr.refresh_from_db()
    assert (kr.current, KeyResultUpdate.objects.count()) == (2, 0)


def test_owner_of_a_team_goal_records_progress_though_not_a_manager(as_member, member, org, team):
    goal = make_goal(org, level=Level.TEAM, team=team, owner=member)
    kr = make_kr(goal)
    response = as_member.post(
        reverse("key_result_progress", args=[kr.pk]), {f"kr{kr.pk}-value": "3", f"kr{kr.pk}-confidence": "70"}
    )
    assert response.status_code == 302
    # ...but may not add key results to it: only people who may edit the goal do.
    response = as_member.post(
        reverse("goal_key_result_new", args=[goal.pk]),
        {"title": "X", "start": "0", "target": "1", "confidence": "5"},
    )
    assert response.status_code == 404


# --- commitments ------------------------------------------------------------------------------


def commitment_data(owner, **overrides):
    data = {
        "title": "Write the runbook",
        "definition_of_done": "Merged and linked",
        "due_on": "2025-03-11",
        "owner": owner.pk,
        "goal": "",
    }
    data.update(overrides)
    return data


@time_machine.travel(EVENING_UTC, tick=False)
def test_due_date_in_the_past_is_judged_in_the_owners_zone(client, org, team):
    sydney = PersonFactory(org=org, team=team, timezone="Australia/Sydney")
    login(client, sydney)

    # 10 March is still today in UTC, but already yesterday in Sydney.
    response = client.post(reverse("commitment_new"), commitment_data(sydney, due_on="2025-03-10"))
    assert field_errors(response, "due_on") == [
        "The due date is in the past: it is already 11 March 2025 in your time zone (Australia/Sydney)."
    ]
    assert Commitment.objects.count() == 0

    response = client.post(reverse("commitment_new"), commitment_data(sydney, due_on="2025-03-11"))
    assert response.status_code == 302
    assert Commitment.objects.get().due_on == day("2025-03-11")


@time_machine.travel(EVENING_UTC, tick=False)
def test_a_manager_adds_a_commitment_for_a_report_in_their_zone(as_manager, member, manager):
    member.timezone = "America/Los_Angeles"  # still 10 March, 13:00 there
    member.save()
    response = as_manager.post(reverse("commitment_new"), commitment_data(member, due_on="2025-03-10"))
    assert response.status_code == 302
    made = Commitment.objects.get()
    assert (made.owner, made.created_by, made.due_on) == (member, manager, day("2025-03-10"))


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("title", "Say what you will deliver."),
        ("definition_of_done", "Say how everyone will know it is done."),
    ],
)
def test_empty_commitment_text_is_refused(as_member, member, field, message):
    response = as_member.post(
        reverse("commitment_new"), commitment_data(member, due_on="2099-01-01", **{field: "  "})
    )
    assert field_errors(response, field) == [message]
    assert Commitment.objects.count() == 0


def test_member_cannot_commit_for_someone_else(as_member, manager):
    response = as_member.post(reverse("commitment_new"), commitment_data(manager, due_on="2099-01-01"))
    assert field_errors(response, "owner") == ["Choose yourself or someone who reports to you."]
    assert Commitment.objects.count() == 0


def test_a_goal_of_another_organisation_is_a_field_error(as_member, member, other_org, outsider):
    foreign = make_goal(other_org, owner=outsider)
    response = as_member.post(
        reverse("commitment_new"), commitment_data(member, due_on="2099-01-01", goal=foreign.pk)
    )
    assert field_errors(response, "goal") == ["Choose a goal of this organisation that you can see."]
    assert Commitment.objects.count() == 0


@time_machine.travel(EVENING_UTC, tick=False)
def test_marking_done_sets_done_on_to_the_owners_local_date(client, org, team):
    sydney = PersonFactory(org=org, team=team, timezone="Australia/Sydney")
    c = make_commitment(sydney, day("2025-03-11"))
    login(client, sydney)

    response = client.post(reverse("commitment_status", args=[c.pk]), {"status": "done"})

    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.status, c.done_on) == ("done", day("2025-03-11"))  # Sydney's date, not UTC's 10 March


def test_only_the_owner_marks_done_but_the_manager_may_drop(as_manager, member):
    c = make_commitment(member, day("2099-01-01"))
    response = as_manager.post(reverse("commitment_status", args=[c.pk]), {"status": "done"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Only Milo Member, who owns this commitment, can mark it done."
    ]
    c.refresh_from_db()
    assert c.status == "open"

    as_manager.post(reverse("commitment_status", args=[c.pk]), {"status": "dropped"})
    c.refresh_from_db()
    assert (c.status, c.done_on) == ("dropped", None)


def test_a_peer_cannot_touch_a_commitment(client, org, team, member):
    peer = PersonFactory(org=org, team=team)
    c = make_commitment(member, day("2099-01-01"))
    login(client, peer)
    assert client.post(reverse("commitment_status", args=[c.pk]), {"status": "dropped"}).status_code == 404
    assert client.get(reverse("commitments"), {"who": member.pk}).status_code == 404


def test_reopening_clears_done_on(as_member, member):
    c = make_commitment(member, day("2025-01-01"), status=CommitmentStatus.DONE, done_on=day("2025-01-01"))
    as_member.post(reverse("commitment_status", args=[c.pk]), {"status": "open"})
    c.refresh_from_db()
    assert (c.status, c.done_on) == ("open", None)


def test_unsafe_next_is_ignored(as_member, member):
    c = make_commitment(member, day("2099-01-01"))
    response = as_member.post(
        reverse("commitment_status", args=[c.pk]), {"status": "dropped", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("commitments")


@time_machine.travel(EVENING_UTC, tick=False)
def test_commitments_page_open_first_with_days_on_the_owners_clock(as_member, member):
    make_commitment(
        member, day("2025-03-01"), status=CommitmentStatus.DONE, done_on=day("2025-03-01"), title="Done"
    )
    make_commitment(member, day("2025-03-12"), title="Later")
    make_commitment(member, day("2025-03-08"), title="Late")
    make_commitment(member, day("2025-03-10"), title="Today")

    response = as_member.get(reverse("commitments"))

    assert [(c.title, c.days_left) for c in response.context["open"]] == [
        ("Late", -2),
        ("Today", 0),
        ("Later", 2),
    ]
    assert [c.title for c in response.context["closed"]] == ["Done"]
    page = response.content.decode()
    assert "2 days overdue" in page and "due today" in page and "due in 2 days" in page


def test_manager_filters_reports_commitments(as_manager, member, org, team, manager):
    other = PersonFactory(org=org, team=team, manager=manager, name="Ola Other")
    make_commitment(member, day("2099-01-01"), title="Milo's")
    make_commitment(other, day("2099-01-02"), title="Ola's")
    make_commitment(manager, day("2099-01-03"), title="Mine")

    def titles(who):
        return [c.title for c in as_manager.get(reverse("commitments"), {"who": who}).context["open"]]

    assert titles("me") == ["Mine"]
    assert titles("reports") == ["Milo's", "Ola's"]
    assert titles(str(other.pk)) == ["Ola's"]


# --- the person page: the transparency mirror -------------------------------------------------


def follow_through_html(page: str) -> str:
    """The follow-through figure, its sentence and the slipping list, as the person page renders them."""
    found = re.search(r'<h3 id="ft-person-h">.*?(?=<p><a href)', page, re.S)
    return found.group(0) if found else ""


@time_machine.travel(EVENING_UTC, tick=False)
def test_person_page_shows_the_same_follow_through_to_the_person_and_their_manager(
    client, org, team, manager, member, admin
):
    member.timezone = "Australia/Sydney"
    member.save()
    boss = PersonFactory(org=org, team=team)
    manager.manager = boss
    manager.save()
    peer = PersonFactory(org=org, team=team)
    make_commitment(member, day("2025-03-01"), status=CommitmentStatus.DONE, done_on=day("2025-03-01"))
    make_commitment(member, day("2025-03-02"), status=CommitmentStatus.DONE, done_on=day("2025-03-04"))
    make_commitment(member, day("2025-03-10"), title="Overdue in Sydney")
    url = reverse("person", args=[member.pk])

    seen = {}
    for who in (member, manager, boss, admin, peer):
        login(client, who)
        seen[who.name] = follow_through_html(client.get(url).content.decode())

    mine = seen[member.name]
    assert "1 of 3 commitments done by their due date in the last 90 days" in mine
    assert "33%" in mine
    assert "Overdue in Sydney" in mine and "1 day overdue" in mine
    assert seen[manager.name] == mine
    assert seen[boss.name] == mine
    assert seen[admin.name] == mine
    assert seen[peer.name] == ""
    login(client, peer)
    page = client.get(url).content.decode()
    assert "commitments done by" not in page and "Overdue in Sydney" not in page


def test_person_page_shows_goals_to_peers_but_not_private_ones(client, org, team, member):
    make_goal(org, title="Public one", owner=member)
    make_goal(org, title="Secret one", owner=member, private=True)
    peer = PersonFactory(org=org, team=team)
    login(client, peer)
    page = client.get(reverse("person", args=[member.pk])).content.decode()
    assert "Public one" in page and "Secret one" not in page


@time_machine.travel(EVENING_UTC, tick=False)
def test_home_panel_shows_a_manager_reports_follow_through_and_what_slips(as_manager, member, manager):
    make_commitment(member, day("2025-03-01"), status=CommitmentStatus.DONE, done_on=day("2025-03-01"))
    make_commitment(member, day("2025-02-20"), title="Slipping thing")

    page = as_manager.get(reverse("home")).content.decode()

    assert "Your reports&#x27; follow-through" in page or "Your reports' follow-through" in page
    assert "1 of 2 commitments done by their due date in the last 90 days" in page
    assert "Slipping thing" in page and "18 days overdue" in page


def test_home_panel_for_someone_without_reports_shows_only_their_own(as_member, member):
    page = as_member.get(reverse("home")).content.decode()
    assert "No commitments fell due in the last 90 days." in page
    assert "Your reports" not in page


# --- query counts -----------------------------------------------------------------------------


def count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


def test_goals_page_costs_the_same_for_one_and_fifty_goals(
    client, org, team, manager, member, django_assert_num_queries
):
    login(client, member)
    client.get(reverse("goals"))  # warm the session
    top = make_goal(org, title="Top", level=Level.COMPANY, owner=manager)
    make_kr(top)
    # Milo manages someone from the start: someone who manages nobody is answered without reading the
    # reporting chart (orgs.chart.reports_below), one query fewer, which is not what is measured here.
    PersonFactory(org=org, team=team, manager=member)
    one = count_queries(client, reverse("goals"))
    for i in range(48):
        owner = PersonFactory(org=org, team=team, manager=member if i % 2 else manager)
        goal = make_goal(org, owner=owner, parent=top, private=i % 5 == 0)
        make_kr(goal)
        make_kr(goal, title="Second")
    with django_assert_num_queries(one):
        response = client.get(reverse("goals"))
    assert len(tree_titles(response)) == 1 + 48 - 5  # private goals of the manager's reports stay hidden


@pytest.mark.parametrize("who", ["me", "reports"])
def test_commitments_page_costs_the_same_for_one_and_fifty(
    client, org, team, manager, member, who, django_assert_num_queries
):
    login(client, manager)
    client.get(reverse("commitments"))
    owner = manager if who == "me" else member
    make_commitment(owner, day("2099-01-01"), goal=make_goal(org, owner=owner))
    one = count_queries(client, reverse("commitments"), {"who": who})
    people = (
        [owner]
        if who == "me"
        else [owner] + [PersonFactory(org=org, team=team, manager=manager) for _ in range(4)]
    )
    for i in range(49):
        status = CommitmentStatus.DONE if i % 3 == 0 else CommitmentStatus.OPEN
        make_commitment(
            people[i % len(people)], day("2025-01-01") + dt.timedelta(days=i), status=status,
            done_on=day("2025-01-01") if status == CommitmentStatus.DONE else None,
            goal=make_goal(org, owner=people[i % len(people)]),
        )  # fmt: skip
    with django_assert_num_queries(one):
        response = client.get(reverse("commitments"), {"who": who})
    assert len(response.context["open"]) + len(response.context["closed"]) == 50


def test_admin_sees_anyones_commitments_by_link(as_admin, member):
    make_commitment(member, day("2099-01-01"), title="Milo's")
    response = as_admin.get(reverse("commitments"), {"who": member.pk})
    assert [c.title for c in response.context["open"]] == ["Milo's"]


def test_owner_role_is_admin_for_goals(client, owner, org):
    assert owner.role == Role.OWNER
    login(client, owner)
    response = client.post(reverse("goal_new"), goal_data(level="company", title="North star"))
    assert response.status_code == 302
    assert Goal.objects.get(org=org).level == "company"


def test_commitment_form_reports_every_missing_field_at_once(as_member, member):
    # Title, definition of done and date all blank: one submit names all three, not one per submit.
    response = as_member.post(
        reverse("commitment_new"), commitment_data(member, title="", definition_of_done="", due_on="")
    )
    assert response.status_code == 200
    assert field_errors(response, "title") == ["Say what you will deliver."]
    assert field_errors(response, "definition_of_done") == ["Say how everyone will know it is done."]
    assert field_errors(response, "due_on") == ["This field is required."]
    assert Commitment.objects.count() == 0
