"""Published results: the heatmap and its slices, stored when a round is published and read back through
the gate, must be exactly what the gate computes afresh from the round's aggregates.

- On random organisations (hypothesis, no database): `gate.publish` then `published_heatmap`,
  `published_slices` and `Published.default_group` equal `heatmap`, `slices` and `reports.default_group`
  for admins, members and random sets of managed teams.
- Through the database: the heatmap page and endpoint read the stored rows (a fixed number of queries
  whatever the number of teams); a round with no stored rows, a stale stamp, or answers mixed in after
  publishing is never read: it is "being prepared" until the republish task has run (tests/pulse/
  test_republish.py); stored rows never cross organisations.
- On the demo: every closed round's page, for the admin and every manager, equals the page built from a
  fresh computation, down to the rendered HTML.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.http import Http404
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.orgs.models import Person, Role
from accord.pulse import actions, gate, queries
from accord.pulse.data import REGIONS, TENURE_BANDS, RoundData
from accord.pulse.gate import Group
from accord.pulse.models import MixingPool, Participation, PublishedRound, PublishedRow, Round
from accord.pulse.publishing import republish_round
from accord.pulse.results import heatmaps, reports
from tests.api_client import Api
from tests.conftest import login
from tests.factories import PersonFactory, TeamFactory
from tests.pulse.test_gate import ENPS, Q1, Q2, Q3, build_round
from tests.pulse.test_gate import Person as Respondent
from tests.pulse.test_results import KEYS, NOW, build_acme, make_program, run_round

# --------------------------------------------------------------------------------------------------
# The reference: the heatmap page exactly as it was built before results were published, from a fresh
# computation on the round's data (heatmaps.heatmap_page of the previous version, verbatim but for k).


def fresh_page(data: RoundData, scope, construct=None, team_key=None) -> heatmaps.HeatmapPage:
    table = heatmaps.heatmap_table(data, scope)
    keys = [c.key for c in table.columns]
    chosen = construct or (keys[0] if keys else "")
    if keys and chosen not in keys:
        raise Http404("That theme was not asked in this round.")
    team = reports.pick_group(data, scope, team_key or (table.rows[0].key if table.rows else ""))
    if team is not None and team.sliced:
        raise Http404("Slices are of a whole team or the whole organisation.")
    slices = heatmaps.slice_table(data, scope, chosen, team.team) if team is not None and chosen else None
    return heatmaps.HeatmapPage(
        table, chosen, reports.group_key(team) if team is not None else "", slices, gate.effective_k(data)
    )


def outcome(build):
    """What a page shows, or that it is a 404."""
    try:
        return build()
    except Http404:
        return "404"


# --------------------------------------------------------------------------------------------------
# Random organisations, no database


def stored(data: RoundData):
    """Publish, and take header and rows through JSON as the database would."""
    header, rows = gate.publish(data)
    return gate.Published(json.loads(json.dumps(header))), rows


def rows_for(rows: list[gate.RowToStore], scope) -> list[tuple]:
    """The rows a viewer reads (as queries.published_rows selects them): by position ranges."""
    if scope is None:
        chosen = rows
    elif scope == "org":
        chosen = [r for r in rows if r.pos == -1]
    else:
        roots = [r for r in rows if r.team in scope and r.pos >= 0]
        chosen = [r for r in rows if r.pos >= 0 and any(x.pos <= r.pos < x.end for x in roots)]
    return [(r.team, r.depth, r.label, r.first_visible, r.heat) for r in sorted(chosen, key=lambda r: r.pos)]


@st.composite
def rounds(draw) -> RoundData:
    n_teams = draw(st.integers(1, 10))
    tree: dict[int, int | None] = {}
    for t in range(1, n_teams + 1):
        tree[t] = None if t == 1 else draw(st.sampled_from([*tree, None]))
    questions = draw(
        st.lists(st.sampled_from([Q1, Q2, Q3, ENPS]), min_size=1, max_size=4, unique_by=lambda q: q.id)
    )
    bands = [*TENURE_BANDS, "unusual"]  # a value outside the known bands becomes a slice of its own
    crowd = []
    for team in [*tree, None, 99]:  # 99: a team that is not in the round's tree
        for _ in range(draw(st.integers(0, 9 if team in tree else 2))):
            answers = {}
            for q in questions:
                value = draw(st.one_of(st.none(), st.integers(0 if q is ENPS else 1, 10 if q is ENPS else 5)))
                if value is not None:
                    answers[q.id] = value
            crowd.append(
                Respondent(team, draw(st.sampled_from(bands)), draw(st.sampled_from(REGIONS)), answers)
            )
    return build_round(tree, crowd, questions=questions, k=draw(st.sampled_from([3, 5])))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(data=rounds(), picks=st.lists(st.sets(st.integers(1, 11), max_size=3), min_size=1, max_size=3))
def test_published_results_equal_a_fresh_computation(data, picks):
    pub, rows = stored(data)
    for scope in [None, "org", *(frozenset(p) for p in picks)]:
        chosen = rows_for(rows, scope)
        assert gate.published_heatmap(pub, chosen) == gate.heatmap(data, scope)
        assert pub.default_group((r[0], r[3]) for r in chosen) == reports.default_group(data, scope)
    assert len(rows) == len(data.tree) + 1
    for row in rows:
        for construct in gate.round_constructs(data):
            assert gate.published_slices(pub, row.team, row.slices, construct) == gate.slices(
                data, None, construct, row.team
            )


def test_published_cells_hold_counts_and_sums_never_people():
    crowd = [Respondent(1, answers={1: v, 9: 10 - v}) for v in (1, 2, 3, 4, 5, 5, 4, 3, 2, 1)]
    crowd += [Respondent(2, answers={1: 3})]  # one person in a sub-team: hidden there, counted above
    data = build_round({1: None, 2: 1}, crowd, questions=[Q1, ENPS])
    header, rows = gate.publish(data)
    by_team = {r.team: [json.loads(cell) for cell in r.heat.split("\t")] for r in rows}
    trust, enps = by_team[1]
    assert trust == [11, 33, 4]  # answers, sum of scores, favourable answers (the 4s and 5s)
    assert enps["n"] == 10 and enps["dist"] is None  # heatmap cells never carry a distribution
    assert [header["reasons"][code] for code in by_team[2]] == [
        "Not shown: fewer than 5 responses",
        "Not shown: fewer than 5 responses",  # nobody answered eNPS there: the same words (rule 1)
    ]


def test_a_subtree_is_a_range_of_positions():
    tree = {1: None, 2: 1, 3: 2, 4: 1, 5: None}
    data = build_round(tree, [Respondent(t, answers={1: 3}) for t in tree for _ in range(6)], questions=[Q1])
    _, rows = stored(data)
    where = {r.team: (r.pos, r.end, r.depth) for r in rows}
    assert where[None] == (-1, 5, 0)
    assert [r.team for r in sorted(rows, key=lambda r: r.pos)] == [None, 1, 2, 3, 4, 5]
    assert where[1] == (0, 4, 1) and where[2] == (1, 3, 2) and where[5] == (4, 5, 1)


# --------------------------------------------------------------------------------------------------
# Through the database

pytestmark_db = pytest.mark.django_db
HEATMAP = reverse("pulse_heatmap")
PAGE = "pulse/results_heatmap.html"


@pytest.fixture
def acme(org):
    return build_acme(org)


def key(team):
    return reports.group_key(Group(team.pk))


def api_heatmap(person, rnd):
    response = Api(person).get(f"/api/pulse/rounds/{rnd.pk}/heatmap")
    assert response.status_code == 200
    return response.json()


@pytestmark_db
def test_page_and_endpoint_read_the_published_rows(client, acme):
    rnd = acme.round
    data = queries.round_data(Round.objects.get(pk=rnd.pk))
    for viewer, scope in ((acme.admin, None), (acme.maya, queries.viewer_scope(acme.maya))):
        for construct in (None, "trust_task", "enps", "growth"):
            for team in (None, "org", key(acme.web), key(acme.ops), "team-999999", "team-x", "org.band-1-3y"):
                got = outcome(lambda c=construct, t=team, s=scope: heatmaps.heatmap_page(rnd, s, c, t))
                want = outcome(lambda c=construct, t=team, s=scope: fresh_page(data, s, c, t))
                assert got == want, (viewer, construct, team)
        login(client, viewer)
        response = client.get(HEATMAP, {"round": rnd.pk})
        assert response.status_code == 200
        assert response.context["table"] == heatmaps.heatmap_table(data, scope)
    body = api_heatmap(acme.admin, rnd)
    table = heatmaps.heatmap_table(data, None)
    assert [r["group"]["key"] for r in body["rows"]] == [r.key for r in table.rows]
    assert [r["group"]["label"] for r in body["rows"]] == [r.label for r in table.rows]
    for row, out in zip(table.rows, body["rows"], strict=True):
        for cell, got in zip(row.cells, out["cells"], strict=True):
            if cell.hidden:
                assert got == {"suppressed": True, "reason": cell.hidden}
            else:
                assert got["value"] == cell.value and got["favourable"] == cell.favourable


@pytestmark_db
def test_closing_a_round_publishes_its_rows(acme):
    rnd = Round.objects.get(pk=acme.round.pk)
    assert rnd.published.stamp == gate.results_stamp(rnd.min_group_size)
    teams = {r.team_id_snapshot for r in PublishedRow.objects.filter(round=rnd)}
    assert teams == {None, *(int(t) for t in rnd.team_tree)}
    assert set(PublishedRow.objects.filter(round=rnd).values_list("org_id", flat=True)) == {acme.org.pk}


@pytestmark_db
def test_a_round_published_before_results_were_stored_is_published_by_the_republish_task(acme):
    rnd = acme.round
    expected = heatmaps.heatmap_page(rnd, None, None, None)
    PublishedRow.objects.filter(round=rnd).delete()
    PublishedRound.objects.filter(round=rnd).delete()
    again = queries.rounds_of(acme.org).get(pk=rnd.pk)
    with pytest.raises(queries.ResultsPreparing):  # a read never publishes
        heatmaps.heatmap_page(again, None, None, None)
    assert not PublishedRow.objects.filter(round=rnd).exists()
    republish_round.call(round_id=rnd.pk)
    assert heatmaps.heatmap_page(again, None, None, None) == expected
    assert PublishedRow.objects.filter(round=rnd).count() == len(again.team_tree) + 1
    assert PublishedRound.objects.get(round=rnd).stamp == gate.results_stamp(rnd.min_group_size)


@pytestmark_db
def test_stale_rows_are_never_read_but_published_again_by_the_task(acme):
    rnd = acme.round
    expected = heatmaps.heatmap_page(rnd, None, None, None)
    # Rows from older rules (or tampered with): every cell claims 5 answers averaging 1.
    PublishedRow.objects.filter(round=rnd).update(heat="\t".join(["[5,5,0]"] * 3))
    PublishedRound.objects.filter(round=rnd).update(stamp="2020-01/old-rules")
    again = queries.rounds_of(acme.org).get(pk=rnd.pk)
    with pytest.raises(queries.ResultsPreparing):
        heatmaps.heatmap_page(again, None, None, None)
    republish_round.call(round_id=rnd.pk)
    assert heatmaps.heatmap_page(again, None, None, None) == expected
    assert not PublishedRow.objects.filter(round=rnd, heat="\t".join(["[5,5,0]"] * 3)).exists()


@pytestmark_db
def test_answers_mixed_in_after_publishing_are_published_again_before_being_read(org):
    team = TeamFactory(org=org, name="Everyone")
    admin = PersonFactory(org=org, team=team, role=Role.ADMIN)
    crowd = [PersonFactory(org=org, team=team) for _ in range(7)]
    program = make_program(org)
    rnd = actions.open_round(program, NOW)
    order = {q.key: q for q in rnd.questions.all()}
    for i, person in enumerate(crowd):
        actions.submit_answers(
            Participation.objects.get(round=rnd, person=person),
            answers={order[k].pk: v for k, v in zip(KEYS, (1 + i % 5, 1 + i % 4, 3, i), strict=True)},
            comment="",
            now=NOW,
        )
        if i == 4:
            assert actions.mix_pool(rnd, force=True) == 5  # as at closing: the whole pool
    assert MixingPool.objects.filter(round=rnd).count() == 2
    actions.publish_round(rnd)  # published without the last two (as if they arrived late)
    before = heatmaps.heatmap_page(queries.rounds_of(org).get(pk=rnd.pk), None, None, None)
    # Two trust items, five people: rounded, (5+4+3+2+5 + 1+2+3+4+5) / 10.
    assert (before.table.rows[0].cells[0].n, before.table.rows[0].cells[0].mean) == (None, 3.4)
    actions.mix_pool(rnd, force=True)
    assert PublishedRound.objects.get(round=rnd).stamp == ""
    with pytest.raises(queries.ResultsPreparing):
        heatmaps.heatmap_page(queries.rounds_of(org).get(pk=rnd.pk), None, None, None)
    assert [r.pk for r in actions.republish([queries.rounds_of(org).get(pk=rnd.pk)])] == [rnd.pk]
    after = heatmaps.heatmap_page(queries.rounds_of(org).get(pk=rnd.pk), None, None, None)
    assert (after.table.rows[0].cells[0].n, after.table.rows[0].cells[0].mean) == (None, 3.1)
    assert admin.is_admin


@pytestmark_db
def test_stored_rows_never_cross_organisations(client, acme, other_org):
    other_team = TeamFactory(org=other_org, name="Sales")
    other_admin = PersonFactory(org=other_org, team=other_team, role=Role.ADMIN)
    others = [PersonFactory(org=other_org, team=other_team) for _ in range(6)]
    other_round = run_round(make_program(other_org), NOW, {p: (1, 5, 1, 0) for p in others})
    # A row of the other organisation pointed at acme's round (a bug or a bad restore) is never read:
    # rows are chosen by organisation as well as by round.
    stray = PublishedRow.objects.filter(round=other_round, team_id_snapshot=other_team.pk).get()
    stray.round_id = acme.round.pk
    stray.pos = 9999
    stray.save()
    rows = queries.published_rows(acme.round, None)
    assert len(rows) == len(acme.round.team_tree) + 1
    assert "Sales" not in {r[2] for r in rows}
    assert queries.published_slices(acme.round, other_team.pk) is None
    assert not queries.published_team_exists(acme.round, other_team.pk)
    # And across the wire: another organisation's round is a 404 on the page and the endpoint.
    login(client, other_admin)
    assert client.get(HEATMAP, {"round": acme.round.pk}).status_code == 404
    assert Api(other_admin).get(f"/api/pulse/rounds/{acme.round.pk}/heatmap").status_code == 404


@pytestmark_db
def test_a_manager_reads_only_their_subtrees_even_with_nested_teams(acme):
    rnd = acme.round
    data = queries.round_data(Round.objects.get(pk=rnd.pk))
    for scope in (
        frozenset({acme.product.pk, acme.web.pk}),  # a team and one inside it: no row twice
        frozenset({acme.web.pk, acme.ops.pk}),
        frozenset({acme.mobile.pk}),
        frozenset({999999}),
    ):
        rows = queries.published_rows(rnd, scope)
        assert [r[0] for r in rows] == [row.group.team for row in gate.heatmap(data, scope).rows]


def teams_round(org, n_teams):
    """An organisation of n_teams teams under one parent, six people answering in each."""
    top = TeamFactory(org=org, name="Company")
    admin = PersonFactory(org=org, team=top, role=Role.ADMIN)
    manager = PersonFactory(org=org, team=top, name="Manager")
    answers = {}
    for i in range(n_teams):
        team = TeamFactory(org=org, name=f"Team {i}", parent=top)
        for j in range(6):
            answers[PersonFactory(org=org, team=team, manager=manager)] = (1 + j % 5, 2, 3 + j % 3, 7 + j % 4)
    run_round(make_program(org), NOW, answers)
    return admin, manager


@pytestmark_db
def test_heatmap_page_queries_do_not_grow_with_teams(client, org, other_org, django_assert_num_queries):
    small = teams_round(org, 1)
    large = teams_round(other_org, 12)
    for which in (0, 1):  # the admin, then the manager of every team
        login(client, small[which])
        client.get(HEATMAP)  # the session settles
        with CaptureQueriesContext(connection) as measured:
            response = client.get(HEATMAP)
        count = len(measured)  # now: the connection's query log is a bounded deque
        assert len(response.context["table"].rows) == (3 if which == 0 else 1)
        login(client, large[which])
        client.get(HEATMAP)
        with django_assert_num_queries(count):
            response = client.get(HEATMAP)
        assert len(response.context["table"].rows) == (14 if which == 0 else 12)


# --------------------------------------------------------------------------------------------------
# The demo


@pytestmark_db
def test_demo_pages_equal_a_fresh_computation_down_to_the_html():
    from accord.demo import generate_demo
    from tests.demo.test_demo import TODAY

    org = generate_demo(today=TODAY)
    viewers = [p for p in Person.objects.filter(org=org, is_active=True) if p.is_admin][:1]
    viewers += [p for p in Person.objects.filter(org=org, is_active=True) if queries.viewer_scope(p) != "org"]
    assert len(viewers) > 2
    request = RequestFactory().get("/")
    request.user = viewers[0].user
    checked = 0
    for rnd in queries.rounds_of(org):
        data = queries.round_data(Round.objects.get(pk=rnd.pk))
        for viewer in viewers:
            scope = queries.viewer_scope(viewer)
            got = heatmaps.heatmap_page(rnd, scope, None, None)
            want = fresh_page(data, scope)
            assert got == want, (rnd, viewer)
            context = {"round": rnd, "programs": [], "rounds": [], "program": None}
            assert render_to_string(
                "pulse/results_heatmap.html", {**context, **vars(got)}
            ) == render_to_string("pulse/results_heatmap.html", {**context, **vars(want)})
            checked += 1
    assert checked > 20
