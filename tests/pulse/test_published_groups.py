"""Published group results (gate.publish_groups): what the results and trends pages read must be exactly
what the gate computes afresh from the rounds' aggregates.

- On random organisations (hypothesis, no database): every group's stored participation, questions,
  constructs, drivers and comment visibility equal the gate's; a trend over random rounds read from the
  stored totals equals `gate.trend`, its significance test included.
- On the demo: the results page's report and the trends page, for the admin, every manager and a member,
  equal the ones computed afresh (the picker lists a subset of the groups the fresh one lists: the groups
  around the current one, not every group of the organisation).
- Query counts of the results and trends pages do not grow with the number of teams; the heatmap page
  opens folded and unfolds a row on demand (htmx, or a link without JavaScript).
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.orgs.models import Person, Role
from accord.pulse import gate, queries
from accord.pulse.data import RoundData
from accord.pulse.gate import Group
from accord.pulse.models import PublishedGroup, Round
from accord.pulse.results import heatmaps, published, reports, trends
from tests.conftest import login
from tests.factories import PersonFactory, TeamFactory
from tests.pulse.test_published import rounds
from tests.pulse.test_results import NOW, make_program, run_round


def stored_groups(data: RoundData) -> dict[Group, gate.StoredGroup]:
    """Publish, and take the header and every group's row through JSON as the database would."""
    header, _ = gate.publish(data)
    reasons, rows = gate.publish_groups(data)
    header = json.loads(json.dumps({**header, **gate.round_facts(data, reasons)}))
    out = {}
    for row in rows:
        group = reports.parse_group_key(row.key)
        assert group is not None
        out[group] = gate.StoredGroup(group, header, row.body)
    return out


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(data=rounds())
def test_every_groups_stored_results_equal_a_fresh_computation(data):
    stored = stored_groups(data)
    assert list(stored) == gate.family(data)
    visible = set(gate.visible_groups(data, None))
    for group, got in stored.items():
        assert got.participation == gate.participation(data, group, scope=None)
        assert got.question_results == [
            gate.question_result(data, group, q.id, scope=None) for q in data.questions
        ]
        assert got.constructs == {
            c: gate.construct_result(data, group, c, scope=None) for c in gate.round_constructs(data)
        }
        assert got.drivers == gate.drivers(data, group, scope=None)
        assert got.visible_comments == gate.comments_visible(data, group, scope=None)
        assert got.label == group.label(data)
    rows = gate.publish_groups(data)[1]
    assert [r.visible for r in rows] == [g in visible for g in stored]
    assert [r.key for r in rows] == [reports.group_key(g) for g in stored]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(datas=st.lists(rounds(), min_size=2, max_size=3), pick=st.integers(0, 200))
def test_a_trend_from_stored_totals_equals_the_gates_trend(datas, pick):
    for i, data in enumerate(datas):
        data.round_id = i + 1
    last = gate.family(datas[-1])
    group = last[pick % len(last)]
    rounds_ = []
    for data in datas:
        stored = stored_groups(data)
        rounds_.append(
            gate.TrendRound(
                data.round_id,
                data.label,
                gate.effective_k(data),
                tuple(gate.round_constructs(data)),
                stored.get(group),
            )
        )
    for construct in {c for d in datas for c in gate.round_constructs(d)}:
        assert gate.stored_trend(rounds_, construct) == gate.trend(datas, group, construct, scope=None)


# --------------------------------------------------------------------------------------------------
# The demo


def fresh_or_404(build):
    try:
        return build()
    except Http404:
        return "404"


@pytest.mark.django_db
def test_demo_results_and_trends_equal_a_fresh_computation():
    from accord.demo import generate_demo
    from tests.demo.test_demo import TODAY

    org = generate_demo(today=TODAY)
    people = list(Person.objects.filter(org=org, is_active=True))
    viewers = [p for p in people if p.is_admin][:1]
    viewers += [p for p in people if queries.viewer_scope(p) not in (None, "org")]
    viewers += [p for p in people if queries.viewer_scope(p) == "org"][:1]
    assert len(viewers) > 3
    assert all(queries.viewer_scope(p) == queries.chart_scope(p) for p in people)
    checked = 0
    for rnd in list(queries.rounds_of(org))[:4]:
        datas = reports.history(rnd)
        for viewer in viewers:
            scope = queries.viewer_scope(viewer)
            hist = published.history(rnd, scope)
            keys = [None, *(reports.group_key(g) for g in gate.visible_groups(datas[-1], scope)[:6])]
            keys += ["team-999999", "org.band-1-3y", "nonsense"]
            for key in keys:
                want_group = fresh_or_404(lambda k=key, s=scope, d=datas: reports.pick_group(d[-1], s, k))
                picked = fresh_or_404(lambda k=key, h=hist: published.pick(h, k))
                assert (picked if picked in ("404", None) else picked.group) == want_group, (viewer, key)
                if want_group in ("404", None):
                    continue
                got = published.group_report(hist, picked, org)
                want = reports.group_report(rnd, datas, want_group, scope, org)
                assert got == want, (rnd, viewer, key)
                fresh_choices = reports.group_choices(datas, scope, want_group)
                choices = published.group_choices(hist, picked)
                assert choices[0] in fresh_choices or choices[0].key == key
                assert {c.key for c in choices} <= {c.key for c in fresh_choices}
                checked += 1
        program = rnd.program
        datas = reports.program_history(program)
        for viewer in viewers:
            scope = queries.viewer_scope(viewer)
            hist = published.program_history(program, scope)
            for key in [None, *(reports.group_key(g) for g in gate.visible_groups(datas[-1], scope)[:4])]:
                for construct in (None, "enps", "growth", "nothing"):
                    want = fresh_or_404(
                        lambda k=key, c=construct, s=scope, d=datas: trends.trends_page(d, s, k, c)
                    )
                    got = fresh_or_404(lambda k=key, c=construct, h=hist: published.trends_page(h, k, c))
                    if want == "404" or got == "404":
                        assert got == want, (viewer, key, construct)
                        continue
                    assert (got.constructs, got.construct, got.group, got.series) == (
                        want.constructs,
                        want.construct,
                        want.group,
                        want.series,
                    ), (viewer, key, construct)
                    assert {c.key for c in got.groups} <= {c.key for c in want.groups} | {key}
    assert checked > 40


# --------------------------------------------------------------------------------------------------
# Costs that do not grow with the organisation


def teams_round(org, n_teams, depth=1):
    """n_teams teams under one parent (each a chain of `depth` teams), six people answering in each."""
    top = TeamFactory(org=org, name="Company")
    admin = PersonFactory(org=org, team=top, role=Role.ADMIN)
    manager = PersonFactory(org=org, team=top, name="Manager")
    member = PersonFactory(org=org, team=top, name="Member")
    answers = {}
    for i in range(n_teams):
        parent = top
        for level in range(depth):
            team = TeamFactory(org=org, name=f"Team {i}.{level}", parent=parent)
            for j in range(6):
                answers[PersonFactory(org=org, team=team, manager=manager)] = (
                    1 + j % 5,
                    2,
                    3 + j % 3,
                    7 + j % 4,
                )
            parent = team
    run_round(make_program(org), NOW, answers)
    return admin, manager, member


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["pulse_results", "pulse_trends", "pulse_heatmap"])
def test_results_pages_queries_do_not_grow_with_teams(
    client, org, other_org, name, django_assert_num_queries
):
    small = teams_round(org, 1)
    large = teams_round(other_org, 12, depth=6)
    url = reverse(name)
    for which in (0, 1, 2):  # the admin, the manager of every team, a member
        if name == "pulse_heatmap" and which == 2:
            continue  # members have no heatmap
        login(client, small[which])
        client.get(url)  # the session settles
        with CaptureQueriesContext(connection) as measured:
            response = client.get(url)
        count = len(measured)  # before the response is let go (request_finished resets the log)
        assert response.status_code == 200
        login(client, large[which])
        client.get(url)
        with django_assert_num_queries(count):
            response = client.get(url)
        assert response.status_code == 200
    assert PublishedGroup.objects.filter(org=other_org).count() > 12 * 6


@pytest.mark.django_db
def test_the_heatmap_opens_folded_and_unfolds_a_row_on_demand(client, org):
    admin, manager, _ = teams_round(org, 2, depth=7)  # Company, then two chains of 7 teams
    rnd = queries.rounds_of(org).get()
    login(client, admin)
    url = reverse("pulse_heatmap")
    page = client.get(url, {"round": rnd.pk})
    rows = page.context["table"].rows
    # The organisation, Company and three levels below it: the rest is folded.
    assert [r.level for r in rows] == [0, 1, 2, 3, 4, 2, 3, 4]
    deepest = rows[4]
    assert page.context["folded"] == {deepest.key, rows[7].key}
    html = page.content.decode()
    assert f'hx-get="{url}?round={rnd.pk}&amp;unfold={deepest.key}"' in html
    # htmx: the row again, and its one child team
    part = client.get(url, {"round": rnd.pk, "unfold": deepest.key}, HTTP_HX_REQUEST="true")
    assert part.status_code == 200
    assert [r.key for r in part.context["table"].rows][:1] == [deepest.key]
    assert [r.level for r in part.context["table"].rows] == [4, 5]
    assert "<html" not in part.content.decode()
    # Without JavaScript: the row's link opens it in the page.
    opened = client.get(url, {"round": rnd.pk, "open": deepest.key})
    assert len(opened.context["table"].rows) == len(rows) + 1
    assert f"&amp;open={deepest.key}" in opened.content.decode()
    # A team that is not a row of the viewer, or not a team key: 404.
    assert client.get(url, {"round": rnd.pk, "unfold": "team-999999"}).status_code == 404
    assert client.get(url, {"round": rnd.pk, "open": "nonsense"}).status_code == 404
    # The API still lists every row.
    assert len(heatmaps.heatmap_page(rnd, None, None, None).table.rows) == 2 * 7 + 2
    # A manager's page folds from their own top rows.
    login(client, manager)
    page = client.get(url, {"round": rnd.pk})
    assert min(r.level for r in page.context["table"].rows) == 0
    assert Round.objects.filter(pk=rnd.pk).exists()


@pytest.mark.django_db
def test_the_viewers_scope_walks_the_reporting_line_like_the_org_chart(org):
    top = TeamFactory(org=org, name="Company")
    sub = TeamFactory(org=org, name="Sub", parent=top)
    boss = PersonFactory(org=org, team=top)
    middle = PersonFactory(org=org, team=top, manager=boss, is_active=False)  # left; reports stay
    worker = PersonFactory(org=org, team=sub, manager=middle)
    leaver = PersonFactory(org=org, team=TeamFactory(org=org, name="Gone"), manager=boss, is_active=False)
    loop_a = PersonFactory(org=org, team=top)
    loop_b = PersonFactory(org=org, team=sub, manager=loop_a)
    Person.objects.filter(pk=loop_a.pk).update(manager=loop_b)  # written around the rule: no hang
    for person in Person.objects.filter(org=org):
        assert queries.viewer_scope(person) == queries.chart_scope(person), person
    assert queries.viewer_scope(boss) == frozenset({sub.pk})  # through the leaver; not the leaver's team
    assert queries.viewer_scope(worker) == "org"
    assert leaver.manager_id == boss.pk
