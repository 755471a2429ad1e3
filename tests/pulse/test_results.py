"""Pulse results pages: who sees which groups, what is hidden and why, comments and replies, tenancy,
query counts, and numbers checked against hand computations.

Rounds are made through the actions (open_round, submit_answers, close_round), so the pages read the
same aggregates real answering produces. `acme` is a small organisation:

    Product (Maya, who manages everyone below, and Pat)
      Web     6 people (Milo is one)
      Mobile  1 person
    Ops       5 people
    People    Ada, the admin (not asked)

Everyone answers except Maya. With k = 5, Mobile (1) is too small, and Product minus Web would be Pat and
the Mobile person: two people. So the gate hides Web as well, and shows Product (8), Ops (5) and the
whole organisation (13).
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accord.lib.tz import UTC
from accord.orgs.models import Role
from accord.pulse import actions, gate, queries
from accord.pulse.gate import Group
from accord.pulse.models import Comment, Participation, Program, Question, Reply
from accord.pulse.results import reports
from tests.conftest import login
from tests.factories import PersonFactory, TeamFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, 9:00 in London; everyone's tenure is 1-3 years
KEYS = ("trust_task_on_time", "trust_task_double_check", "engagement_worth_time", "enps")
SMALL = "Not shown: fewer than 5 responses"

# Raw answers to KEYS (the second trust item is reverse-worded: 6 - raw counts).
PAT = (4, 2, 5, 9)
WEB = [(5, 1, 4, 10), (4, 2, 4, 8), (4, 2, 5, 9), (3, 3, 3, 6), (5, 1, 4, 7), (4, 2, 5, 9)]
MOBILE = (2, 4, 3, 5)
OPS = [(1, 2, 3, 3), (2, 3, 3, 6), (3, 4, 4, 8), (4, 1, 2, 9), (5, 5, 4, 10)]


def make_program(org, *, teams=(), name="Fortnightly pulse"):
    bank = {q.key: q for q in actions.ensure_bank(org)}
    program = Program(
        org=org, name=name, questions_per_round=3, enps_every_days=7, whole_org=not teams, window_days=5
    )
    return actions.save_program(program, questions=[bank[k] for k in KEYS], teams=list(teams), start=NOW)


def run_round(program, when, answers, comments=None):
    """Open a round at `when`, let each person answer (raw values in KEYS order), and close it."""
    comments = comments or {}
    rnd = actions.open_round(program, when)
    order = {q.key: q for q in rnd.questions.all()}
    for person, values in answers.items():
        participation = Participation.objects.get(round=rnd, person=person)
        actions.submit_answers(
            participation,
            answers={order[k].pk: v for k, v in zip(KEYS, values, strict=True)},
            comment=comments.get(person, ""),
            now=when + dt.timedelta(hours=1),
        )
    actions.close_round(rnd)
    rnd.refresh_from_db()
    return rnd


def build_acme(org, *, commenters=6):
    product = TeamFactory(org=org, name="Product")
    web = TeamFactory(org=org, name="Web", parent=product)
    mobile = TeamFactory(org=org, name="Mobile", parent=product)
    ops = TeamFactory(org=org, name="Ops")
    people_team = TeamFactory(org=org, name="People")
    admin = PersonFactory(org=org, team=people_team, role=Role.ADMIN, name="Ada Admin")
    maya = PersonFactory(org=org, team=product, name="Maya Manager")
    pat = PersonFactory(org=org, team=product, manager=maya, name="Pat Product")
    web_people = [PersonFactory(org=org, team=web, manager=maya) for _ in WEB]
    mobile_person = PersonFactory(org=org, team=mobile, manager=maya, name="Mo Mobile")
    ops_people = [PersonFactory(org=org, team=ops) for _ in OPS]
    program = make_program(org, teams=[product, ops])
    answers = {pat: PAT, mobile_person: MOBILE}
    answers.update(zip(web_people, WEB, strict=True))
    answers.update(zip(ops_people, OPS, strict=True))
    writers = [pat, *web_people][:commenters]
    rnd = run_round(program, NOW, answers, {p: f"Comment number {i}" for i, p in enumerate(writers)})
    return SimpleNamespace(
        org=org,
        product=product,
        web=web,
        mobile=mobile,
        ops=ops,
        admin=admin,
        maya=maya,
        milo=web_people[0],
        mobile_person=mobile_person,
        program=program,
        round=rnd,
    )


@pytest.fixture
def acme(org):
    return build_acme(org)


def build_globex(other_org):
    """Another organisation with a closed round whose results and comments are visible to its admin."""
    team = TeamFactory(org=other_org, name="Sales")
    admin = PersonFactory(org=other_org, team=team, role=Role.ADMIN, name="Gus Globex")
    people = [PersonFactory(org=other_org, team=team) for _ in OPS]
    program = make_program(other_org)
    rnd = run_round(program, NOW, dict(zip(people, OPS, strict=True)), {p: "Globex comment" for p in people})
    comment = Comment.objects.filter(round=rnd).first()
    return SimpleNamespace(org=other_org, admin=admin, program=program, round=rnd, comment=comment)


@pytest.fixture
def globex(other_org):
    return build_globex(other_org)


def key(group):
    return reports.group_key(group)


def page(client, name, **params):
    return client.get(reverse(name), params)


def text_of(response):
    html = response.content.decode()
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", main)))


def group_labels(response):
    return [g.label for g in response.context["groups"]]


# --- who sees what -----------------------------------------------------------------------------


def test_member_sees_only_organisation_wide_groups_and_no_heatmap(client, acme):
    login(client, acme.milo)
    response = page(client, "pulse_results")
    assert response.status_code == 200
    assert group_labels(response) == [
        "Whole organisation",
        "Whole organisation · 1–3 years",
        "Whole organisation · Europe, Middle East and Africa",
    ]
    assert response.context["report"].label == "Whole organisation"
    assert response.context["report"].participation.responded == 13
    assert response.context["report"].can_reply is False
    assert page(client, "pulse_heatmap").status_code == 404
    assert page(client, "pulse_results", group=f"team-{acme.product.pk}").status_code == 404
    assert page(client, "pulse_trends", group=f"team-{acme.ops.pk}").status_code == 404
    assert "Heatmap" not in text_of(response)


def test_manager_sees_their_subtree_groups_only(client, acme):
    assert queries.viewer_scope(acme.maya) == frozenset({acme.product.pk, acme.web.pk, acme.mobile.pk})
    login(client, acme.maya)
    response = page(client, "pulse_results")
    assert group_labels(response) == [
        "Product",
        "Product · 1–3 years",
        "Product · Europe, Middle East and Africa",
    ]
    report = response.context["report"]
    # Eight of nine answered: fewer than 2k, so the rate to the nearest 10% and no counts.
    participation = report.participation
    assert (report.label, participation.invited, participation.responded, participation.rate) == (
        "Product",
        None,
        None,
        0.9,
    )
    for outside in (Group(), Group(acme.ops.pk), Group(region="emea")):
        assert page(client, "pulse_results", group=key(outside)).status_code == 404
    # Inside the subtree but hidden: the page opens and says why, without numbers.
    hidden = page(client, "pulse_results", group=key(Group(acme.web.pk)))
    assert hidden.status_code == 200
    assert hidden.context["report"].participation.hidden == gate.PROTECTED
    heat = page(client, "pulse_heatmap")
    assert [(r.label, r.depth) for r in heat.context["table"].rows] == [
        ("Product", 1),
        ("Web", 2),
        ("Mobile", 2),
    ]


def test_admin_sees_every_group(client, acme):
    login(client, acme.admin)
    response = page(client, "pulse_results")
    assert [label for label in group_labels(response) if "·" not in label] == [
        "Whole organisation",
        "Product",
        "Ops",
    ]
    heat = page(client, "pulse_heatmap")
    assert [(r.label, r.depth) for r in heat.context["table"].rows] == [
        ("Whole organisation", 0),
        ("Product", 1),
        ("Web", 2),
        ("Mobile", 2),
        ("Ops", 1),
        ("People", 1),
    ]


def test_the_one_person_team_and_its_difference_from_the_parent_are_hidden(client, acme):
    login(client, acme.admin)
    mobile = page(client, "pulse_results", group=key(Group(acme.mobile.pk))).context["report"]
    assert mobile.participation.hidden == "Not shown: fewer than 5 people invited"
    assert {c.hidden for c in mobile.constructs} == {SMALL}
    assert mobile.enps.hidden == SMALL
    # Product minus Web would be Pat and the Mobile person: so Web is hidden wherever Product shows.
    product = page(client, "pulse_results", group=key(Group(acme.product.pk))).context["report"]
    web = page(client, "pulse_results", group=key(Group(acme.web.pk))).context["report"]
    assert product.participation.hidden is None
    assert web.participation.hidden == gate.PROTECTED
    for p, w in zip(product.constructs, web.constructs, strict=True):
        assert p.hidden is None and w.hidden == gate.PROTECTED
        for pq, wq in zip(p.questions, w.questions, strict=True):
            assert pq.hidden is None and wq.hidden == gate.PROTECTED
    assert web.enps.hidden == gate.PROTECTED
    # Nothing any viewer sees separates Product from Web: no visible group is Web or Mobile, sliced or not.
    data = queries.round_data(acme.round)
    for scope in (None, queries.viewer_scope(acme.maya), "org"):
        assert {g.team for g in gate.visible_groups(data, scope)} <= {None, acme.product.pk, acme.ops.pk}


def test_hidden_results_never_say_how_many_answered(client, acme):
    login(client, acme.admin)
    for group in (Group(acme.mobile.pk), Group(acme.web.pk), Group(acme.mobile.pk, band="1-3y")):
        response = page(client, "pulse_results", group=key(group))
        report = response.context["report"]
        reasons = [report.participation.hidden, report.enps.hidden, report.drivers_hidden]
        reasons += [c.hidden for c in report.constructs] + [
            q.hidden for c in report.constructs for q in c.questions
        ]
        assert all(r for r in reasons)
        for reason in reasons:
            assert set(re.findall(r"\d+", reason)) <= {"5", "30"}, reason
        text = text_of(response)
        assert "people invited answered" not in text


# --- numbers -------------------------------------------------------------------------------------


def test_results_page_numbers_match_the_answers(client, acme):
    login(client, acme.admin)
    report = page(client, "pulse_results", group=key(Group(acme.ops.pk))).context["report"]
    assert (report.participation.invited, report.participation.responded, report.participation.rate) == (
        None,
        None,
        1.0,
    )
    trust, engagement = report.constructs
    # Ops scored trust: on time 1,2,3,4,5 and re-check (6 - raw) 4,3,2,5,1: 30 / 10, favourable 4 of 10.
    # Five people, fewer than 2k: rounded figures and no count.
    assert (trust.label, trust.mean, trust.favourable, trust.n) == ("Task-based trust", 3.0, 0.4, None)
    assert (trust.rounded, trust.text) == (True, "3.0")
    assert (engagement.mean, engagement.favourable) == (16 / 5, 2 / 5)
    # Five answers: below 2k, so no distribution for a team of five.
    assert [q.distribution for q in trust.questions] == [None, None]
    # eNPS 3, 6, 8, 9, 10: two promoters, one passive, two detractors.
    assert (report.enps.enps.score, report.enps.enps.promoters, report.enps.enps.detractors) == (
        0.0,
        0.4,
        0.4,
    )
    assert report.drivers is None
    assert report.drivers_hidden == gate.DRIVERS_SMALL
    # The organisation has 13 answers: at least 2k and not unanimous, so its distribution shows.
    org = page(client, "pulse_results").context["report"]
    on_time = org.constructs[0].questions[0]
    assert [(b.label, b.count) for b in on_time.distribution] == [
        ("Strongly disagree", 1),
        ("Disagree", 2),
        ("Neither agree nor disagree", 2),
        ("Agree", 5),
        ("Strongly agree", 3),
    ]


def test_heatmap_values_equal_the_means_computed_by_hand(client, acme):
    login(client, acme.admin)
    response = page(client, "pulse_heatmap")
    table = response.context["table"]
    assert [c.key for c in table.columns] == ["trust_task", "engagement", "enps"]
    rows = {r.label: r for r in table.rows}
    ops = [c.value for c in rows["Ops"].cells]
    product = [c.value for c in rows["Product"].cells]
    trust_ops = (1 + 2 + 3 + 4 + 5 + 4 + 3 + 2 + 5 + 1) / 10
    engagement_ops = (3 + 3 + 4 + 2 + 4) / 5
    assert ops == [trust_ops, engagement_ops, 0.0]
    trust_product = sum(a + (6 - b) for a, b, _, _ in [PAT, MOBILE, *WEB]) / 16
    engagement_product = sum(c for _, _, c, _ in [PAT, MOBILE, *WEB]) / 8
    promoters = sum(e >= 9 for *_, e in [PAT, MOBILE, *WEB])
    detractors = sum(e <= 6 for *_, e in [PAT, MOBILE, *WEB])
    # Eight people: rounded (3.875 -> 3.9, 4.125 -> 4.1, eNPS 25 -> 30, halves upwards).
    assert (trust_product, engagement_product, 100 * (promoters - detractors) / 8) == (3.875, 4.125, 25)
    assert product == [3.9, 4.1, 30.0]
    assert [c.band for c in rows["Ops"].cells] == ["watch", "watch", "ok"]
    assert [c.hidden for c in rows["Mobile"].cells] == [SMALL, SMALL, SMALL]
    assert [c.hidden for c in rows["Web"].cells] == [gate.PROTECTED] * 3
    html = response.content.decode()
    # Every shown value is printed as well as coloured; a hidden one is "—" with its reason as text.
    assert '<td class="num heat-cell band-watch" title="Task-based trust: 3.0, worth watching">3.0' in html
    assert (
        f'title="{SMALL}"><span aria-hidden="true">—</span><span class="visually-hidden">{SMALL}</span>'
        in html
    )


def test_heatmap_slices_by_tenure_and_region(client, acme):
    login(client, acme.admin)
    response = page(client, "pulse_heatmap", construct="engagement", team=key(Group(acme.ops.pk)))
    slices = response.context["slices"]
    assert (slices.label, slices.base) == ("Engagement", "Ops")
    assert [(s.label, s.mean, s.hidden) for s in slices.by_band] == [
        ("Under 1 year", None, SMALL),
        ("1–3 years", 3.2, None),
        ("Over 3 years", None, SMALL),
    ]
    assert [(s.label, s.hidden) for s in slices.by_region] == [
        ("Americas", SMALL),
        ("Europe, Middle East and Africa", None),
        ("Asia-Pacific", SMALL),
    ]
    assert page(client, "pulse_heatmap", construct="growth").status_code == 404
    login(client, acme.maya)
    assert page(client, "pulse_heatmap", team=key(Group(acme.ops.pk))).status_code == 404


def test_trends_show_the_change_in_words(client, acme):
    # A second round a fortnight later in which Ops lose trust in delivery.
    people = {p.pk: p for p in acme.org.people.all()}
    ops = [p for p in people.values() if p.team_id == acme.ops.pk]
    worse = [(1, 5, 3, 3), (1, 2, 3, 6), (4, 5, 4, 8), (1, 5, 2, 9), (5, 4, 4, 10)]
    run_round(acme.program, NOW + dt.timedelta(days=14), dict(zip(ops, worse, strict=True)))
    login(client, acme.admin)
    response = page(client, "pulse_trends", group=key(Group(acme.ops.pk)), construct="trust_task")
    series = response.context["series"]
    assert [(r.label, r.score.mean) for r in series.rows] == [
        ("Round 1 · 2 Mar 2026", 3.0),
        ("Round 2 · 16 Mar 2026", 2.1),
    ]
    expected = gate.trend(
        [queries.round_data(r) for r in reversed(list(queries.rounds_of(acme.org)))],
        Group(acme.ops.pk),
        "trust_task",
        scope=None,
    ).change
    assert series.change == expected
    # Two rounds of five: the words only, no p-value, and the difference of the figures as shown.
    assert (expected.words, expected.p_value, expected.delta) == ("not significant", None, -0.9)
    html = response.content.decode()
    assert f'role="img" aria-label="{series.summary}"' in html
    assert f"latest change, Round 1 to Round 2: {expected.words}" in series.summary
    assert html.count("<circle") == 2 and html.count("<polyline") == 1
    assert f"Latest change: {expected.words}" in text_of(response)
    # The results page says the same, measured from the previous round.
    report = page(client, "pulse_results", group=key(Group(acme.ops.pk))).context["report"]
    assert (report.constructs[0].change.words, report.constructs[0].change_since) == (
        expected.words,
        "Round 1 · 2 Mar 2026",
    )


# --- comments and replies ------------------------------------------------------------------------


def test_comments_hidden_below_the_comment_threshold(client, org):
    acme = build_acme(org, commenters=4)
    login(client, acme.admin)
    for group in (Group(), Group(acme.product.pk)):
        response = page(client, "pulse_results", group=key(group))
        assert response.context["report"].comments is None
        assert "Comment number" not in response.content.decode()
        assert "Not shown: comments appear only when at least 5 people in the group commented" in text_of(
            response
        )


def test_comments_shown_at_the_threshold_in_stored_order(client, acme):
    stored = [c.text for c in sorted(Comment.objects.filter(round=acme.round), key=lambda c: c.pk)]
    assert sorted(stored) == [f"Comment number {i}" for i in range(6)]
    login(client, acme.maya)
    response = page(client, "pulse_results")
    assert [c.text for c in response.context["report"].comments] == stored
    html = response.content.decode()
    positions = [html.index(text) for text in stored]
    assert positions == sorted(positions)
    assert html.count('name="text"') == 6  # a reply form under each comment, for the manager


def test_manager_reply_reaches_the_author_on_my_feedback(client, acme):
    comment = Comment.objects.get(
        round=acme.round, thread_key=actions.thread_key(acme.milo.pk, acme.round.pk)
    )
    login(client, acme.maya)
    url = reverse("pulse_comment_reply", args=[comment.pk])
    response = client.post(
        url, {"text": "Thanks, let's fix the handoffs.", "group": key(Group(acme.product.pk))}
    )
    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('pulse_results')}?round={acme.round.pk}&group=team-{acme.product.pk}#comment-{comment.pk}"
    )
    assert [(r.manager, r.text, r.from_author) for r in Reply.objects.filter(comment=comment)] == [
        (acme.maya, "Thanks, let's fix the handoffs.", False)
    ]
    assert client.post(url, {"text": "  "}).status_code == 302  # an empty reply is refused, not saved
    assert Reply.objects.filter(comment=comment).count() == 1
    login(client, acme.milo)
    feedback = text_of(client.get(reverse("pulse_feedback")))
    assert "Maya Manager" in feedback and "Thanks, let's fix the handoffs." in feedback
    # And the reply shows under the comment on the results page.
    login(client, acme.admin)
    assert "Thanks, let's fix the handoffs." in text_of(
        page(client, "pulse_results", group=key(Group(acme.product.pk)))
    )


def test_a_member_posting_a_reply_gets_404(client, acme):
    comment = Comment.objects.filter(round=acme.round).first()
    login(client, acme.milo)
    assert client.post(reverse("pulse_comment_reply", args=[comment.pk]), {"text": "Hi"}).status_code == 404
    assert not Reply.objects.exists()


def test_a_manager_cannot_reply_outside_their_teams_or_below_the_threshold(client, org):
    acme = build_acme(org, commenters=4)
    comment = Comment.objects.filter(round=acme.round).first()
    login(client, acme.maya)
    assert client.post(reverse("pulse_comment_reply", args=[comment.pk]), {"text": "Hi"}).status_code == 404
    login(client, acme.admin)
    assert client.post(reverse("pulse_comment_reply", args=[comment.pk]), {"text": "Hi"}).status_code == 404
    assert not Reply.objects.exists()


# --- tenancy and rounds --------------------------------------------------------------------------


def test_another_organisations_round_and_comment_are_404_everywhere(client, acme, globex):
    for viewer in (acme.admin, acme.maya, acme.milo):
        login(client, viewer)
        assert page(client, "pulse_results", round=globex.round.pk).status_code == 404
        assert page(client, "pulse_results", program=globex.program.pk).status_code == 404
        assert page(client, "pulse_trends", program=globex.program.pk).status_code == 404
        assert page(client, "pulse_heatmap", round=globex.round.pk).status_code == 404
        reply = client.post(reverse("pulse_comment_reply", args=[globex.comment.pk]), {"text": "Hi"})
        assert reply.status_code == 404
    assert not Reply.objects.exists()
    # Their own admin does see it.
    login(client, globex.admin)
    assert page(client, "pulse_results", round=globex.round.pk).status_code == 200


def test_bad_ids_and_keys_are_404(client, acme):
    login(client, acme.admin)
    for params in (
        {"round": "x"},
        {"round": "0"},
        {"round": str(2**70)},
        {"group": "team-x"},
        {"group": "nonsense"},
        {"group": "org.band-1-3y.band-1-3y"},
        {"group": "org.band-forever"},
    ):
        assert page(client, "pulse_results", **params).status_code == 404, params


def test_an_open_round_has_no_results_yet(client, org):
    team = TeamFactory(org=org)
    admin = PersonFactory(org=org, team=team, role=Role.ADMIN)
    people = [PersonFactory(org=org, team=team) for _ in range(5)]
    program = make_program(org)
    rnd = actions.open_round(program, NOW)
    for person in people:
        p = Participation.objects.get(round=rnd, person=person)
        actions.submit_answers(
            p, answers={q.pk: 4 for q in Question.objects.filter(rounds=rnd)}, comment="", now=NOW
        )
    actions.mix_pool(rnd, force=True)
    login(client, admin)
    response = page(client, "pulse_results")
    assert response.context["round"] is None
    assert "No results yet" in text_of(response)
    assert page(client, "pulse_results", round=rnd.pk).status_code == 404
    assert page(client, "pulse_heatmap").status_code == 200
    assert page(client, "pulse_trends").status_code == 200


def test_pulse_home_links_to_results(client, acme):
    login(client, acme.milo)
    assert f'href="{reverse("pulse_results")}"' in client.get(reverse("pulse_home")).content.decode()


# --- query counts --------------------------------------------------------------------------------


def one_team_round(org, size):
    team = TeamFactory(org=org, name="Everyone")
    admin = PersonFactory(org=org, team=team, role=Role.ADMIN)
    people = [PersonFactory(org=org, team=team) for _ in range(size)]
    answers = {p: (1 + i % 5, 1 + (i + 2) % 5, 1 + (i + 1) % 5, i % 11) for i, p in enumerate(people)}
    rnd = run_round(make_program(org), NOW, answers, {p: f"Comment {i}" for i, p in enumerate(people[:5])})
    actions.reply_as_manager(Comment.objects.filter(round=rnd).first(), admin, "Thank you.")
    return admin


def test_results_page_queries_do_not_grow_with_respondents(client, org, other_org, django_assert_num_queries):
    small, large = one_team_round(org, 5), one_team_round(other_org, 40)
    login(client, small)
    with CaptureQueriesContext(connection) as measured:
        response = page(client, "pulse_results")
    assert response.context["report"].participation.rate == 0.8  # five of six (the admin did not answer)
    assert response.context["report"].comments is not None
    login(client, large)
    with django_assert_num_queries(len(measured)):
        response = page(client, "pulse_results")
    assert response.context["report"].participation.responded == 40
    assert response.context["report"].participation.rounded is False
    assert len(response.context["report"].comments) == 5


def test_earlier_rounds_cost_no_query_of_their_own(client, org):
    admin = one_team_round(org, 5)
    first = queries.rounds_of(org).get()
    people = list(org.people.exclude(pk=admin.pk))
    answers = {p: (2, 1, 4, 7) if i % 2 else (4, 4, 2, 9) for i, p in enumerate(people)}
    second = run_round(first.program, NOW + dt.timedelta(days=14), answers, {p: "Again" for p in people})
    actions.reply_as_manager(Comment.objects.filter(round=second).first(), admin, "Thank you.")
    login(client, admin)
    page(client, "pulse_results")  # the session settles
    with CaptureQueriesContext(connection) as one:
        page(client, "pulse_results", round=first.pk)
    with CaptureQueriesContext(connection) as two:
        response = page(client, "pulse_results", round=second.pk)
    assert response.context["report"].constructs[0].change_since == "Round 1 · 2 Mar 2026"
    # Every round's stored results are read together (one query per kind, whatever the number of rounds).
    assert len(two) == len(one)


def run_round_without_enps(program, when, people):
    """A round three days after an eNPS round (eNPS is asked at most weekly here), answered by `people`."""
    rnd = actions.open_round(program, when)
    asked = list(rnd.questions.all())
    assert "enps" not in {q.key for q in asked}
    for person in people:
        participation = Participation.objects.get(round=rnd, person=person)
        actions.submit_answers(
            participation, answers={q.pk: 3 for q in asked}, comment="", now=when + dt.timedelta(hours=1)
        )
    actions.close_round(rnd)
    return rnd


def test_results_and_trends_open_on_enps(client, acme):
    later = run_round_without_enps(
        acme.program, NOW + dt.timedelta(days=3), acme.org.people.filter(team=acme.ops)
    )
    assert reports.result_rounds(acme.org).first() == later  # the newest round did not ask eNPS
    login(client, acme.admin)
    # With no round chosen, the results open on the latest round that asked eNPS, not on the newest.
    assert page(client, "pulse_results").context["round"] == acme.round
    # A round asked for is still the one shown.
    assert page(client, "pulse_results", round=later.pk).context["round"] == later
    # Trends open on eNPS, not on the first theme asked.
    trends = page(client, "pulse_trends")
    assert trends.context["construct"] == "enps"
    assert [row.score.value is not None for row in trends.context["series"].rows][0]
