"""The anonymity gate (accord.pulse.gate): unit tests of each rule, and attack tests.

The attack tests build random small organisations, read every number any viewer (admin, each manager,
members) can get through the gate's public functions, and then attack them the way a curious viewer
would: with exact linear algebra over the cells (team, tenure band, region), subtracting and adding
visible counts and sums to isolate people. Through the gate nothing below k people can be isolated and
no person's answer is recovered; through `naive_visible_groups` ("hide groups under k", nothing else),
kept here for that purpose, the same attack recovers a person's exact answer, which shows the attack
can fail.

No database: RoundData is built by `build_round`, which aggregates per cell as production does.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from accord.pulse import gate
from accord.pulse.bank import score
from accord.pulse.data import REGIONS, TENURE_BANDS, Cell, DriverSums, QuestionInfo, RoundData, Stat
from accord.pulse.gate import (
    PROTECTED,
    ConstructResult,
    Group,
    NotInScope,
    ParticipationResult,
    QuestionResult,
    Suppressed,
)
from accord.pulse.stats import enps, enps_change, relative_weights, welch

Q1 = QuestionInfo(1, "task_on_time", "Work arrives on time.", "trust_task", "agree5", False)
Q2 = QuestionInfo(2, "task_chase", "I have to chase work.", "trust_task", "agree5", True)
Q3 = QuestionInfo(3, "engaged", "My work is worth my time.", "engagement", "agree5", False)
ENPS = QuestionInfo(9, "enps", "Would you recommend us?", "enps", "nps11", False)
QUESTIONS = [Q1, Q2, Q3]


@dataclass
class Person:
    team: int | None
    band: str = "1-3y"
    region: str = "emea"
    answers: dict[int, int] = field(default_factory=dict)  # question id -> RAW answer
    comment: bool = False


def build_round(
    tree: dict[int, int | None],
    people: list[Person],
    questions: list[QuestionInfo] | None = None,
    k: int = 5,
    not_responding: list[Person] | None = None,
    round_id: int = 1,
) -> RoundData:
    """Aggregate people's answers per cell as production does (actions.apply_answer_sets and
    queries.round_data): answers are scored (reverse items flipped) into total/total_sq, the histogram
    counts RAW values; driver sums over people who answered eNPS and every construct."""
    questions = QUESTIONS if questions is None else questions
    qinfo = {q.id: q for q in questions}
    respondents: dict[Cell, int] = defaultdict(int)
    commenters: dict[Cell, int] = defaultdict(int)
    invited: dict[Cell, int] = defaultdict(int)
    stats: dict[int, dict[Cell, Stat]] = {q.id: {} for q in questions}
    constructs = sorted({q.construct for q in questions if q.scale == "agree5"})
    has_enps = any(q.scale == "nps11" for q in questions)
    driver_vars = [*constructs, "enps"] if has_enps and constructs else []
    drivers: dict[Cell, DriverSums] = {}
    for p in people:
        cell = (p.team, p.band, p.region)
        if p.answers:  # as actions.apply_answer_sets: an empty answer set is not a response
            respondents[cell] += 1
        invited[cell] += 1
        if p.comment:
            commenters[cell] += 1
        by_construct: dict[str, list[int]] = defaultdict(list)
        for qid, raw in p.answers.items():
            q = qinfo[qid]
            value = score(q.scale, q.reverse, raw)
            st_ = stats[qid].setdefault(cell, Stat(hist=[0] * (11 if q.scale == "nps11" else 6)))
            st_.n += 1
            st_.total += value
            st_.total_sq += value * value
            st_.hist[raw] += 1
            by_construct[q.construct].append(value)
        if driver_vars and all(by_construct.get(c) for c in driver_vars):
            x = [statistics.fmean(by_construct[c]) for c in driver_vars]
            ds = drivers.setdefault(cell, DriverSums(0, [0.0] * len(x), [[0.0] * len(x) for _ in x]))
            ds.n += 1
            for i, xi in enumerate(x):
                ds.sums[i] += xi
                for j, xj in enumerate(x):
                    ds.cross[i][j] += xi * xj
    for p in not_responding or []:
        invited[(p.team, p.band, p.region)] += 1
    return RoundData(
        round_id=round_id,
        number=round_id,
        label=f"Round {round_id}",
        k=k,
        tree=dict(tree),
        team_names={t: f"Team {t}" for t in tree},
        questions=list(questions),
        respondents=dict(respondents),
        commenters=dict(commenters),
        invited=dict(invited),
        stats=stats,
        driver_vars=driver_vars,
        drivers=drivers,
    )


def people(n: int, team: int | None, values: list[int] | int = 3, **kw) -> list[Person]:
    vals = values if isinstance(values, list) else [values] * n
    return [Person(team, answers={1: vals[i % len(vals)]}, **kw) for i in range(n)]


MIXED = [1, 2, 3, 4, 5, 3, 2, 4]


# --------------------------------------------------------------------------------------------------
# k, the floor and the reason text


def test_k_below_three_is_treated_as_three():
    data = build_round({1: None}, people(2, 1, [1, 5]), k=2)
    assert gate.effective_k(data) == 3
    result = gate.question_result(data, Group(1), 1, scope=None)
    assert result == Suppressed("Not shown: fewer than 3 responses")
    data = build_round({1: None}, people(3, 1, [1, 3, 5]), k=1)
    assert isinstance(gate.question_result(data, Group(1), 1, scope=None), QuestionResult)


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_suppressed_reason_never_contains_the_count(count):
    data = build_round({1: None, 2: 1}, people(10, 1, MIXED) + people(count, 2, MIXED))
    for fn in (
        lambda: gate.question_result(data, Group(2), 1, scope=None),
        lambda: gate.construct_result(data, Group(2), "trust_task", scope=None),
    ):
        result = fn()
        assert isinstance(result, Suppressed)
        assert result.reason == "Not shown: fewer than 5 responses"
        assert str(count) not in result.reason
    # A group hidden by differencing says so without any number at all.
    sibling = gate.question_result(data, Group(1), 1, scope=None)
    assert sibling == Suppressed(PROTECTED) or isinstance(sibling, QuestionResult)
    assert not any(ch.isdigit() for ch in PROTECTED)


# --------------------------------------------------------------------------------------------------
# Differencing


def test_child_of_one_under_parent_of_six_hides_child_and_blocks_parent_minus_sibling():
    # Parent 1 has no members of its own; child 2 has one respondent, sibling 3 has five.
    data = build_round({1: None, 2: 1, 3: 1}, people(1, 2, 5) + people(5, 3, [1, 2, 3, 4, 2]))
    visible = set(gate.visible_groups(data, None))
    assert Group(2) not in visible
    assert not (Group(1) in visible and Group(3) in visible)
    assert not (Group() in visible and Group(3) in visible)
    q = {g: gate.question_result(data, g, 1, scope=None) for g in (Group(), Group(1), Group(2), Group(3))}
    assert q[Group(2)] == Suppressed("Not shown: fewer than 5 responses")
    assert q[Group(3)] == Suppressed(PROTECTED)
    assert isinstance(q[Group(1)], QuestionResult) and (q[Group(1)].n, q[Group(1)].mean) == (None, 2.8)
    # The manager of the sibling team alone sees no partner to subtract, but the protection is computed
    # over the whole family, so their view is no weaker.
    assert gate.question_result(data, Group(3), 1, scope={3}) == Suppressed(PROTECTED)
    assert gate.visible_groups(data, {3}) == []


def test_slice_complement_attack_small_band_and_its_complement():
    # An organisation of 10 in one team; four people in their first year.
    org = people(4, 1, [1, 2, 3, 4], band="under-1y") + people(6, 1, MIXED, band="1-3y")
    data = build_round({1: None}, org)
    assert gate.question_result(data, Group(band="under-1y"), 1, scope="org") == Suppressed(
        "Not shown: fewer than 5 responses"
    )
    # Showing "1-3 years" (6) next to the organisation (10) would give the first-year four by subtraction.
    assert isinstance(gate.question_result(data, Group(band="1-3y"), 1, scope="org"), Suppressed)
    assert isinstance(gate.question_result(data, Group(), 1, scope="org"), QuestionResult)


def test_slice_complement_of_one_is_never_computable():
    # Organisation of 7: six in 1-3 years, one over 3 years.
    org = people(6, 1, MIXED, band="1-3y") + people(1, 1, 5, band="over-3y")
    data = build_round({1: None}, org)
    visible = set(gate.visible_groups(data, None))
    assert Group() in visible
    assert Group(band="1-3y") not in visible and Group(1, band="1-3y") not in visible
    assert gate.question_result(data, Group(band="1-3y"), 1, scope=None) == Suppressed(PROTECTED)
    assert_no_small_atoms(data)


def test_protect_directly_and_org_is_never_chosen():
    data = build_round({1: None, 2: 1}, people(6, 1, MIXED) + people(6, 2, MIXED))
    # Team 1's own six are the organisation minus team 2: both >= 5, nothing to hide.
    fam = [Group(), Group(1), Group(2)]
    assert gate.protect(data, data.respondents, fam) == set(fam)
    # A third team of one under team 2 is hidden; its person is one of team 2's seven: nothing else goes.
    data = build_round({1: None, 2: 1, 3: 2}, people(6, 1, MIXED) + people(6, 2, MIXED) + people(1, 3, 4))
    fam = [Group(), Group(1), Group(2), Group(3)]
    assert gate.protect(data, data.respondents, fam) == {Group(), Group(1), Group(2)}
    # Organisation of seven: team 1 (six) and team 2 (one). The organisation minus team 1 is the one
    # person; the organisation is never the group hidden, so team 1 is.
    data = build_round({1: None, 2: None}, people(6, 1, MIXED) + people(1, 2, 4))
    assert gate.protect(data, data.respondents, [Group(), Group(1), Group(2)]) == {Group()}
    # An organisation below k shows nothing at all.
    tiny = build_round({1: None}, people(4, 1, MIXED))
    assert gate.protect(tiny, tiny.respondents, gate.family(tiny)) == set()


def test_protect_walks_towards_the_nearest_atom_when_only_the_organisation_contains_one():
    # Two people without a team are only in the organisation; every other atom is two groups away.
    crowd = (
        people(2, None, [1, 5])
        + people(5, 1, MIXED, band="under-1y", region="emea")
        + people(5, 1, MIXED, band="over-3y", region="apac")
    )
    data = build_round({1: None}, crowd)
    fam = [Group(), Group(1), Group(1, band="under-1y"), Group(1, region="apac")]
    # Hide the smaller group separating them (team 1's first-year five), then team 1 itself merges the
    # two with those five; team 1's Asia-Pacific five stay, apart from seven others.
    assert gate.protect(data, data.respondents, fam) == {Group(), Group(1, region="apac")}


def test_family_covers_every_team_and_slice():
    data = build_round({1: None, 2: 1, 3: 2, 4: None}, people(6, 1, MIXED))
    fam = gate.family(data)
    assert len(fam) == 5 * (1 + len(TENURE_BANDS) + len(REGIONS))
    assert fam[0] == Group()
    assert [g.team for g in fam if not g.sliced] == [None, 1, 2, 3, 4]
    assert Group(3, region="apac") in fam and Group(band="under-1y") in fam


def test_group_contains_and_label():
    data = build_round({1: None, 2: 1, 3: 2, 4: None}, [])
    assert Group(1).contains((3, "1-3y", "emea"), data)
    assert not Group(2).contains((4, "1-3y", "emea"), data)
    assert Group(1, band="1-3y").contains((2, "1-3y", "apac"), data)
    assert not Group(1, region="emea").contains((2, "1-3y", "apac"), data)
    # A cell without a team, or with a team missing from the snapshot, is only organisation-wide.
    assert Group().contains((None, "1-3y", "emea"), data)
    assert not Group(1).contains((None, "1-3y", "emea"), data)
    assert not Group(1).contains((99, "1-3y", "emea"), data)
    assert Group(2, band="under-1y").label(data) == "Team 2 · Under 1 year"
    assert Group(region="apac").label(data) == "Whole organisation · Asia-Pacific"


# --------------------------------------------------------------------------------------------------
# Viewers


def scoped_tree_round() -> RoundData:
    tree = {1: None, 2: 1, 3: 1, 4: 2}
    return build_round(
        tree, people(6, 1, MIXED) + people(7, 2, MIXED) + people(8, 3, MIXED) + people(9, 4, MIXED)
    )


def test_manager_sees_only_their_subtree():
    data = scoped_tree_round()
    mine = gate.visible_groups(data, {2})
    assert mine and all(g.team in (2, 4) for g in mine)
    assert set(mine) == {g for g in gate.visible_groups(data, None) if g.team in (2, 4)}
    with pytest.raises(NotInScope):
        gate.question_result(data, Group(3), 1, scope={2})
    with pytest.raises(NotInScope):
        gate.question_result(data, Group(), 1, scope={2})
    with pytest.raises(NotInScope):
        gate.participation(data, Group(1), scope={2})
    assert isinstance(gate.question_result(data, Group(4), 1, scope={2}), QuestionResult)
    rows = gate.heatmap(data, {2}).rows
    assert [(r.group.team, r.depth) for r in rows] == [(2, 2), (4, 3)]


def test_member_sees_only_organisation_wide_groups():
    data = scoped_tree_round()
    mine = gate.visible_groups(data, "org")
    assert mine[0] == Group() and all(g.team is None for g in mine)
    with pytest.raises(NotInScope):
        gate.question_result(data, Group(1), 1, scope="org")
    assert [r.group for r in gate.heatmap(data, "org").rows] == [Group()]
    admin = gate.heatmap(data, None)
    assert [(r.group.team, r.depth) for r in admin.rows] == [(None, 0), (1, 1), (2, 2), (4, 3), (3, 2)]
    with pytest.raises(ValueError):
        gate.visible_groups(data, "everyone")  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------------
# Unanimity


def test_unanimous_small_group_is_suppressed_without_saying_why():
    tree = {1: None, 2: 1, 3: 1}
    mixed = people(12, 1, MIXED)
    for values in ([4] * 6, [4, 4, 4, 4, 4, 2]):
        data = build_round(tree, mixed + people(6, 2, values) + people(10, 3, MIXED))
        assert gate.question_result(data, Group(2), 1, scope=None) == Suppressed(PROTECTED)
    data = build_round(tree, mixed + people(6, 2, [4, 4, 4, 3, 3, 5]) + people(10, 3, MIXED))
    result = gate.question_result(data, Group(2), 1, scope=None)
    assert isinstance(result, QuestionResult)
    # Fewer than 2k answers: rounded (23 / 6 and 4 / 6), no count, no spread, no distribution.
    assert (result.n, result.mean, result.favourable, result.rounded) == (None, 3.8, 0.7, True)
    assert result.sd is None and result.distribution is None


def test_distribution_only_from_2k_answers_and_never_unanimous():
    mixed = build_round({1: None}, people(10, 1, MIXED))
    result = gate.question_result(mixed, Group(1), 1, scope=None)
    assert isinstance(result, QuestionResult)
    assert result.distribution is not None and [c for _, c in result.distribution] == [2, 3, 2, 2, 1]
    assert result.distribution[0][0] == "Strongly disagree" and result.sd is not None
    # Everyone in one category (here one value) is hidden whatever the size: the mean would say it.
    unanimous = build_round({1: None}, people(10, 1, 5))
    assert gate.question_result(unanimous, Group(1), 1, scope=None) == Suppressed(PROTECTED)


def test_unanimous_atom_cannot_be_computed_by_differencing():
    # Team 2 (six people, all "5") is the organisation (twelve, mixed) minus team 3 (six, mixed).
    tree = {1: None, 2: 1, 3: 1}
    data = build_round(tree, people(6, 2, 5) + people(6, 3, [1, 2, 3, 4, 2, 3]))
    assert gate.question_result(data, Group(2), 1, scope=None) == Suppressed(PROTECTED)
    assert isinstance(gate.question_result(data, Group(1), 1, scope=None), QuestionResult)
    assert gate.question_result(data, Group(3), 1, scope=None) == Suppressed(PROTECTED)
    assert_no_small_atoms(data)


def test_reverse_item_distribution_is_by_raw_answer_and_favourable_by_score():
    ps = [Person(1, answers={2: v}) for v in [1, 1, 2, 2, 3, 4, 5, 1, 2, 3]]
    data = build_round({1: None}, ps)
    result = gate.question_result(data, Group(1), 2, scope=None)
    assert isinstance(result, QuestionResult) and result.distribution is not None
    assert [c for _, c in result.distribution] == [3, 3, 2, 1, 1]
    assert result.favourable == pytest.approx(6 / 10)  # raw 1-2 = scored 4-5
    assert result.mean == pytest.approx(sum(6 - v for v in [1, 1, 2, 2, 3, 4, 5, 1, 2, 3]) / 10)


# --------------------------------------------------------------------------------------------------
# Constructs, participation, comments, drivers, eNPS, trends, heatmap, slices


def test_construct_pools_items_and_is_suppressed_with_any_item():
    ps = [Person(1, answers={1: MIXED[i % 8], 2: (i % 5) + 1}) for i in range(10)]
    data = build_round({1: None}, ps)
    result = gate.construct_result(data, Group(1), "trust_task", scope=None)
    assert isinstance(result, ConstructResult)
    scored = [MIXED[i % 8] for i in range(10)] + [6 - ((i % 5) + 1) for i in range(10)]
    assert result.n == 20 and result.mean == pytest.approx(statistics.fmean(scored))
    assert result.favourable == pytest.approx(sum(v >= 4 for v in scored) / 20)
    # Same people, but item 2 unanimous in a small group: the construct goes with it.
    ps = [Person(1, answers={1: MIXED[i % 8], 2: 2}) for i in range(6)]
    data = build_round({1: None}, ps)
    assert gate.construct_result(data, Group(1), "trust_task", scope=None) == Suppressed(PROTECTED)
    with pytest.raises(LookupError):
        gate.construct_result(data, Group(1), "growth", scope=None)


def test_participation_uses_invited_counts_and_is_never_a_list():
    tree = {1: None, 2: 1, 3: 1}
    responding = people(2, 2, MIXED) + people(5, 3, MIXED)
    silent = [Person(2) for _ in range(4)] + [Person(3) for _ in range(1)]
    data = build_round(tree, responding, not_responding=silent)
    result = gate.participation(data, Group(2), scope=None)
    assert result == ParticipationResult(invited=None, responded=None, rate=0.3, rounded=True)
    assert isinstance(gate.participation(data, Group(1), scope=None), ParticipationResult)
    small = build_round({1: None}, people(2, 1, MIXED), not_responding=[Person(1)])
    assert gate.participation(small, Group(1), scope=None) == Suppressed(
        "Not shown: fewer than 5 people invited"
    )


def test_comments_follow_the_comment_authors():
    few = build_round({1: None}, people(8, 1, MIXED)[:6] + people(2, 1, MIXED, comment=True))
    assert not gate.comments_visible(few, Group(1), scope=None)
    enough = build_round({1: None}, people(3, 1, MIXED) + people(5, 1, MIXED, comment=True))
    assert gate.comments_visible(enough, Group(1), scope=None)
    assert gate.comments_visible(enough, Group(), scope="org")


def driver_people(n: int, team: int, seed: int = 1) -> list[Person]:
    import random

    rng = random.Random(seed)
    out = []
    for _ in range(n):
        base = rng.gauss(0, 1)
        a = max(1, min(5, round(3 + base + rng.gauss(0, 0.8))))
        b = max(1, min(5, round(3 + 0.5 * base + rng.gauss(0, 1))))
        c = max(1, min(5, round(3 + rng.gauss(0, 1))))
        e = max(0, min(10, round(6 + 1.5 * base + rng.gauss(0, 1.5))))
        out.append(Person(team, answers={1: a, 2: b, 3: c, 9: e}))
    return out


def test_drivers_need_thirty_and_match_a_reference_r_squared():
    qs = [Q1, Q2, Q3, ENPS]
    ps = driver_people(40, 1)
    data = build_round({1: None}, ps, questions=qs)
    result = gate.drivers(data, Group(1), scope=None)
    assert isinstance(result, list) and {d.construct for d in result} == {"trust_task", "engagement"}
    assert result[0].weight >= result[1].weight
    assert sum(d.share for d in result) == pytest.approx(1.0)
    # Reference: R² of eNPS on the two construct scores, by ordinary least squares on the people.
    xs = [(statistics.fmean([p.answers[1], 6 - p.answers[2]]), p.answers[3], p.answers[9]) for p in ps]
    r = [
        [statistics.correlation([x[i] for x in xs], [x[j] for x in xs]) if i != j else 1.0 for j in range(3)]
        for i in range(3)
    ]
    r2 = (r[0][2] ** 2 + r[1][2] ** 2 - 2 * r[0][2] * r[1][2] * r[0][1]) / (1 - r[0][1] ** 2)
    assert sum(d.weight for d in result) == pytest.approx(r2)
    assert sorted(d.weight for d in result) == pytest.approx(sorted(relative_weights(r, 2)))
    few = build_round({1: None}, driver_people(29, 1), questions=qs)
    assert gate.drivers(few, Group(1), scope=None) == Suppressed(gate.DRIVERS_SMALL)


def test_enps_question_result_and_trend_words():
    tree = {1: None}
    r1 = [Person(1, answers={9: v}) for v in [10, 9, 9, 8, 7, 6, 3, 10, 9, 2, 5, 9]]
    r2 = [Person(1, answers={9: v}) for v in [10, 9, 9, 9, 10, 9, 8, 10, 9, 7, 9, 9]]
    d1 = build_round(tree, r1, questions=[ENPS], round_id=1)
    d2 = build_round(tree, r2, questions=[ENPS], round_id=2)
    res = gate.question_result(d1, Group(), 9, scope="org")
    assert isinstance(res, QuestionResult) and res.enps is not None
    assert (res.enps.promoters, res.enps.passives, res.enps.detractors) == (6 / 12, 2 / 12, 4 / 12)
    assert res.enps.score == pytest.approx(100 * 2 / 12) and res.enps.n == 12
    trend = gate.trend([d1, d2], Group(), "enps", scope="org")
    assert [p.round_id for p in trend.points] == [1, 2]
    assert trend.change is not None
    expected = enps_change(
        enps(d1.stats[9][(1, "1-3y", "emea")].hist), enps(d2.stats[9][(1, "1-3y", "emea")].hist)
    )
    assert trend.change == expected
    assert trend.change.words.startswith("up 67 points")


def test_trend_of_a_construct_uses_welch_between_the_last_two_shown_points():
    tree = {1: None}
    a = [Person(1, answers={3: v}) for v in [2, 3, 3, 4, 2, 3, 3, 2, 4, 3]]
    hidden = [Person(1, answers={3: v}) for v in [5, 5, 5]]
    b = [Person(1, answers={3: v}) for v in [4, 4, 5, 3, 4, 5, 4, 4, 5, 4]]
    datas = [build_round(tree, ps, questions=[Q3], round_id=i + 1) for i, ps in enumerate([a, hidden, b])]
    trend = gate.trend(datas, Group(1), "engagement", scope=None)
    assert isinstance(trend.points[1].result, Suppressed)
    va = [2, 3, 3, 4, 2, 3, 3, 2, 4, 3]
    vb = [4, 4, 5, 3, 4, 5, 4, 4, 5, 4]
    expected = welch(
        statistics.fmean(va), statistics.stdev(va), 10, statistics.fmean(vb), statistics.stdev(vb), 10
    )
    assert trend.change is not None
    assert trend.change.delta == pytest.approx(expected.delta)
    assert trend.change.p_value == pytest.approx(expected.p_value)
    assert trend.change.words == expected.words == "up 1.3 points, significant (p < 0.001)"
    single = gate.trend(datas[:2], Group(1), 3, scope=None)
    assert single.change is None


def test_heatmap_columns_and_cells():
    crowd = [Person(t, answers={1: MIXED[i % 8], 2: MIXED[(i + 3) % 8]}) for t in (1, 2) for i in range(8)]
    data = build_round({1: None, 2: 1}, crowd, questions=[Q1, Q2, Q3, ENPS])
    hm = gate.heatmap(data, None)
    assert hm.columns == ("trust_task", "engagement", "enps")
    org_row = hm.rows[0]
    assert isinstance(org_row.cells[0], ConstructResult)
    # Nobody answered engagement or eNPS: the same words as for a few answers (rule 1).
    assert org_row.cells[1:] == (Suppressed("Not shown: fewer than 5 responses"),) * 2


def test_slices_by_band_and_region():
    ps = (
        people(6, 1, MIXED, band="under-1y", region="emea")
        + people(7, 1, MIXED, band="1-3y", region="apac")
        + people(6, 1, MIXED, band="over-3y", region="apac")
    )
    data = build_round({1: None}, ps)
    sl = gate.slices(data, "org", 1)
    assert [r.group.band for r in sl.by_band] == list(TENURE_BANDS)
    assert [r.group.region for r in sl.by_region] == list(REGIONS)
    shown = {r.group for r in (*sl.by_band, *sl.by_region) if not isinstance(r.result, Suppressed)}
    assert shown  # something is shown, and what is shown leaves no atom below k
    assert_no_small_atoms(data)
    with pytest.raises(NotInScope):
        gate.slices(data, "org", "trust_task", team=1)


def test_heatmap_cells_agree_with_construct_results():
    tree = {1: None, 2: 1, 3: 1, 4: 2, 5: 2}
    crowd = []
    for team, n in ((1, 4), (2, 3), (3, 12), (4, 11), (5, 9)):
        for i in range(n):
            crowd.append(Person(team, answers={1: MIXED[(i + team) % 8], 2: MIXED[i % 8], 3: (i % 5) + 1}))
    data = build_round(tree, crowd)
    hm = gate.heatmap(data, None)
    for row in hm.rows:
        for construct, cell in zip(hm.columns, row.cells, strict=True):
            direct = gate.construct_result(data, row.group, construct, scope=None)
            assert cell == direct
    assert any(isinstance(c, ConstructResult) for r in hm.rows[1:] for c in r.cells)


def test_slices_first_keeps_teams_and_gives_up_organisation_wide_slices():
    # Three teams of six; in each team, people are spread over two bands. An organisation-wide band
    # splits every team's own people by band (atoms of three): teams or organisation-wide bands must go.
    crowd = []
    for team in (1, 2, 3):
        crowd += people(3, team, [1, 3, 5], band="under-1y") + people(3, team, [2, 4, 4], band="over-3y")
    tree = {1: None, 2: None, 3: None}
    data = build_round(tree, crowd)
    gate.configure(data, gate.GateConfig(slices_first=False))
    smallest_first = set(gate.visible_groups(data, None))
    data = build_round(tree, crowd)
    gate.configure(data, gate.GateConfig(slices_first=True))
    slices_first = set(gate.visible_groups(data, None))
    assert Group(band="under-1y") in smallest_first and Group(1) not in smallest_first
    assert {Group(1), Group(2), Group(3)} <= slices_first and Group(band="under-1y") not in slices_first


def test_protect_with_values_treats_near_unanimous_atoms_as_small():
    tree = {1: None, 2: 1, 3: 1}
    data = build_round(tree, people(6, 2, 5) + people(6, 3, [1, 2, 3, 4, 2, 3]))
    fam = [Group(), Group(2), Group(3)]
    counts = {c: s.n for c, s in data.stats[1].items()}
    values = {c: s.hist for c, s in data.stats[1].items()}
    assert gate.protect(data, counts, fam) == set(fam)  # counts alone: all six-person groups are fine
    assert gate.protect(data, counts, fam, values) == {Group()}


def test_protection_state_round_trips_through_json():
    import json

    data = scoped_tree_round()
    expected = {g: gate.question_result(data, g, 1, scope=None) for g in gate.family(data)}
    state = json.loads(json.dumps(gate.protection_state(data)))
    again = scoped_tree_round()
    assert gate.load_protection_state(again, state)
    assert {g: gate.question_result(again, g, 1, scope=None) for g in gate.family(again)} == expected
    assert gate.round_cache(again).visible[1] == gate.round_cache(data).visible[1]
    other = build_round({1: None}, people(9, 1, MIXED))
    assert not gate.load_protection_state(other, state)


# --------------------------------------------------------------------------------------------------
# The attack


def in_subtree(team: int | None, root: int, tree: dict[int, int | None]) -> bool:
    """The attacker's own notion of the tree (independent of the gate's)."""
    seen = set()
    while team is not None and team in tree and team not in seen:
        if team == root:
            return True
        seen.add(team)
        team = tree[team]
    return False


def member(group: Group, cell: Cell, tree: dict[int, int | None]) -> bool:
    team, band, region = cell
    if group.band is not None and band != group.band:
        return False
    if group.region is not None and region != group.region:
        return False
    return group.team is None or in_subtree(team, group.team, tree)


def observed_numbers(data: RoundData) -> dict[int, dict[Group, tuple[int, Fraction]]]:
    """Every (n, sum) per question and group that ANY viewer can read through the gate. Also checks that
    a group reads the same whoever asks, and that construct results add nothing new."""
    seen: dict[int, dict[Group, tuple[int, Fraction]]] = {q.id: {} for q in data.questions}
    scopes: list[gate.Scope] = [None, "org", *({t} for t in data.tree)]
    for scope in scopes:
        groups = [g for g in gate.family(data) if gate.in_scope(data, g, scope)]
        for g in groups:
            for q in data.questions:
                r = gate.question_result(data, g, q.id, scope=scope)
                if isinstance(r, QuestionResult):
                    # The attacker is granted the exact count and sum of every shown group (they may
                    # know n from the org chart; rounding is not relied on here).
                    inside = [s for c, s in answer_cells(data, q.id).items() if member(g, c, data.tree)]
                    value = (
                        sum(s.n for s in inside),
                        Fraction(round(sum(s.total for s in inside) * 1000), 1000),
                    )
                    assert seen[q.id].setdefault(g, value) == value
                    assert r.rounded == (value[0] < 2 * gate.effective_k(data))
            for construct in {q.construct for q in data.questions}:
                c = gate.construct_result(data, g, construct, scope=scope)
                if isinstance(c, ConstructResult):
                    parts = [seen[qid].get(g) for qid in c.questions]
                    assert all(parts)
                    assert c.rounded or sum(p[0] for p in parts if p) == c.n
        for row in gate.heatmap(data, scope).rows:
            for cell in row.cells:
                if isinstance(cell, ConstructResult):
                    assert all(seen[qid].get(row.group) for qid in cell.questions)
    return seen


def answer_cells(data: RoundData, qid: int) -> dict[Cell, Stat]:
    return {c: s for c, s in data.stats.get(qid, {}).items() if s.n > 0}


def atoms(data: RoundData, visible: set[Group], qid: int) -> list[tuple[int, list[int]]]:
    """Cells with the same membership across the visible groups, as (answers, histogram); cells in no
    visible group are left out (nothing about them can be computed)."""
    by_sig: dict[frozenset[Group], tuple[int, list[int]]] = {}
    for cell, stat in answer_cells(data, qid).items():
        sig = frozenset(g for g in visible if member(g, cell, data.tree))
        if not sig:
            continue
        n, hist = by_sig.get(sig, (0, [0] * len(stat.hist)))
        by_sig[sig] = (n + stat.n, [a + b for a, b in zip(hist, stat.hist, strict=True)])
    return list(by_sig.values())


def recover(data: RoundData, numbers: dict[Group, tuple[int, Fraction]], qid: int) -> dict[Cell, Fraction]:
    """Exact linear algebra: the cells whose answer sum follows from the visible (group, sum) equations,
    for cells with exactly one answer (so the sum IS that person's answer)."""
    cells = list(answer_cells(data, qid))
    col = {c: i for i, c in enumerate(cells)}
    rows = []
    for g, (_n, total) in numbers.items():
        row = [Fraction(0)] * (len(cells) + 1)
        for c in cells:
            if member(g, c, data.tree):
                row[col[c]] = Fraction(1)
        row[-1] = total
        rows.append(row)
    # Reduced row echelon form.
    pivots: list[int] = []
    r = 0
    for c in range(len(cells)):
        pivot = next((i for i in range(r, len(rows)) if rows[i][c] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        lead = rows[r][c]
        rows[r] = [x / lead for x in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][c] != 0:
                f = rows[i][c]
                rows[i] = [x - f * y for x, y in zip(rows[i], rows[r], strict=True)]
        pivots.append(c)
        r += 1
    found: dict[Cell, Fraction] = {}
    for i, c in enumerate(pivots):
        if all(rows[i][j] == 0 for j in range(len(cells)) if j != c):
            cell = cells[c]
            if data.stats[qid][cell].n == 1:
                found[cell] = rows[i][-1]
    return found


def naive_visible_groups(data: RoundData, qid: int) -> set[Group]:
    """The naive gate: hide groups with fewer than k answers, nothing else. Kept to prove the attack works."""
    k = gate.effective_k(data)
    cells = answer_cells(data, qid)
    return {
        g for g in gate.family(data) if sum(s.n for c, s in cells.items() if member(g, c, data.tree)) >= k
    }


def naive_numbers(data: RoundData, qid: int) -> dict[Group, tuple[int, Fraction]]:
    cells = answer_cells(data, qid)
    out = {}
    for g in naive_visible_groups(data, qid):
        inside = [s for c, s in cells.items() if member(g, c, data.tree)]
        out[g] = (sum(s.n for s in inside), Fraction(round(sum(s.total for s in inside) * 1000), 1000))
    return out


def truth(people_: list[Person], data: RoundData, qid: int) -> dict[Cell, int]:
    q = next(q for q in data.questions if q.id == qid)
    out: dict[Cell, int] = {}
    for p in people_:
        if qid in p.answers:
            out[(p.team, p.band, p.region)] = score(q.scale, q.reverse, p.answers[qid])
    return out


def one_category(q: QuestionInfo, hist: list[int]) -> bool:
    """The attacker's own reading of the categories pages show: whether every answer in `hist` (raw
    values) is favourable, or none is; or (eNPS) all promoters, none, all passives or all detractors."""
    n = sum(hist)
    if q.scale == "nps11":
        p, d = sum(hist[9:11]), sum(hist[0:7])
        return p in (0, n) or d == n or n - p - d == n
    fav = sum(c for v, c in enumerate(hist) if c and score(q.scale, q.reverse, v) >= 4)
    return fav in (0, n)


def assert_no_small_atoms(data: RoundData) -> None:
    k = gate.effective_k(data)
    seen = observed_numbers(data)
    for q in data.questions:
        visible = set(seen[q.id])
        for n, hist in atoms(data, visible, q.id):
            assert n >= k, f"an atom of {n} answers to question {q.id} can be computed"
            if n < 2 * k:
                assert max(hist) < n - 1, f"a near-unanimous atom of {n} answers to question {q.id}"
            assert not one_category(q, hist), f"an atom of {n} answers to {q.id} all in one category"
        assert not recover(data, seen[q.id], q.id)


@st.composite
def organisations(draw) -> tuple[RoundData, list[Person]]:
    n_teams = draw(st.integers(1, 12))
    tree: dict[int, int | None] = {}
    depth: dict[int, int] = {}
    for t in range(1, n_teams + 1):
        options: list[int | None] = [p for p in tree if depth[p] < 3]
        parent = None if t == 1 else draw(st.sampled_from([*options, None]))
        tree[t] = parent
        depth[t] = 0 if parent is None else depth[parent] + 1
    k = draw(st.sampled_from([3, 5]))
    n_q = draw(st.integers(1, 3))
    low = draw(st.integers(1, 5))
    high = draw(st.integers(low, 5))  # some organisations answer in a narrow range: unanimity happens
    bands = draw(st.sampled_from([TENURE_BANDS, TENURE_BANDS[:2]]))
    regions = draw(st.sampled_from([REGIONS, REGIONS[:2]]))
    answer = st.one_of(st.none(), st.integers(low, high), st.integers(low, high))
    crowd: list[Person] = []
    for team in [*tree, None]:
        size = draw(st.integers(0, 2 if team is None else 8))
        for _ in range(size):
            answers = draw(st.lists(answer, min_size=n_q, max_size=n_q))
            crowd.append(
                Person(
                    team,
                    draw(st.sampled_from(bands)),
                    draw(st.sampled_from(regions)),
                    {q: a for q, a in enumerate(answers, start=1) if a is not None},
                )
            )
    return build_round(tree, crowd, questions=QUESTIONS[:n_q], k=k), crowd


@pytest.mark.parametrize("slices_first", [False, True])
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(example=organisations())
def test_attack_on_the_gate_isolates_nobody(slices_first, example):
    data, crowd = example
    k = gate.effective_k(data)
    gate.configure(data, gate.GateConfig(slices_first=slices_first))
    seen = observed_numbers(data)
    for q in data.questions:
        visible = set(seen[q.id])
        for n, hist in atoms(data, visible, q.id):
            assert n >= k, f"an atom of {n} < {k} answers to question {q.id} can be computed"
            if n < 2 * k:
                assert max(hist) < n - 1, "a near-unanimous small atom can be computed"
            assert not one_category(q, hist), "an atom all in one category can be computed"
        # Groups with a distribution shown: their atoms are unions of the atoms above.
        recovered = recover(data, seen[q.id], q.id)
        assert not recovered, f"recovered {recovered} against truth {truth(crowd, data, q.id)}"


def naive_leak(example) -> dict[Cell, Fraction]:
    data, _crowd = example
    for q in data.questions:
        found = recover(data, naive_numbers(data, q.id), q.id)
        if found:
            return found
    return {}


def test_attack_defeats_naive_gate():
    # Fixed example: parent team 1 (no own members) with child 2 (one person, answers 2) and sibling 3
    # (five people). The naive gate shows team 1 (6) and team 3 (5): team 1 minus team 3 is the person.
    crowd = [Person(2, answers={1: 2})] + people(5, 3, [1, 3, 4, 5, 5])
    data = build_round({1: None, 2: 1, 3: 1}, crowd, questions=[Q1])
    recovered = recover(data, naive_numbers(data, 1), 1)
    assert recovered == {(2, "1-3y", "emea"): 2}
    assert recovered[(2, "1-3y", "emea")] == truth(crowd, data, 1)[(2, "1-3y", "emea")]
    # The same organisation through the gate: nothing recovered.
    assert not recover(data, observed_numbers(data)[1], 1)
    # And hypothesis finds such an organisation by itself; the recovered answers are the true ones.
    example = find(
        organisations(),
        lambda ex: bool(naive_leak(ex)),
        settings=settings(max_examples=500, database=None, phases=[Phase.generate]),
    )
    data, crowd = example
    leaked = naive_leak(example)
    for q in data.questions:
        truths = truth(crowd, data, q.id)
        for cell, value in recover(data, naive_numbers(data, q.id), q.id).items():
            assert value == truths[cell]
    assert leaked
