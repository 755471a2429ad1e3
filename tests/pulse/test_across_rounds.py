"""Attacks across rounds (issue 11, finding 4; rule 7 of the gate): a group whose people change by one
between two shown rounds gives that person's answer when everyone else answers as before.

The HTTP test plays a manager who knows the org chart. The hypothesis test builds several rounds of
joins, leaves, team moves, skipped rounds and changes of k by hand and checks the gate's own model of
what is shown: no two groups shown in different rounds are made of people who differ by 1 to k-1.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.orgs.models import Role
from accord.pulse import gate
from accord.pulse.data import Membership, QuestionInfo, RoundData, Stat
from accord.pulse.gate import Group, history
from tests.api_client import Api
from tests.conftest import login
from tests.factories import PersonFactory, TeamFactory

from .test_results import NOW, make_program, page, run_round
from .test_results_api import hidden

# Six people's raw answers in test_results.KEYS order (on time, re-check, engagement, eNPS): mixed enough
# that no category or value holds everyone, so rules 1 to 3 show the team in round 1.
SIX = [(1, 1, 2, 3), (2, 2, 3, 6), (3, 3, 4, 8), (4, 4, 5, 9), (5, 5, 3, 10), (4, 2, 4, 7)]
NEWCOMER = (5, 1, 5, 10)


def favourable_count(share: float, n: int) -> int:
    """The one count of n whose share rounds (to the nearest 10%) to `share`: rounding does not hide it
    below ten answers, which is why rounding alone cannot protect across rounds."""
    found = [c for c in range(n + 1) if math.floor(c / n * 10 + 0.5) / 10 == share]
    assert len(found) == 1, (share, n, found)
    return found[0]


def newcomer_favourable(first: dict, second: dict) -> int | None:
    """What a manager who knows the team went from 6 to 7 learns from two shown results of one item:
    whether the newcomer answered favourably (1) or not (0). None when either result is hidden."""
    if first["suppressed"] or second["suppressed"]:
        return None
    return favourable_count(second["favourable"], 7) - favourable_count(first["favourable"], 6)


@pytest.mark.django_db
def test_a_newcomers_answer_cannot_be_read_from_two_rounds(client, org):
    leads = TeamFactory(org=org, name="Leads")
    team = TeamFactory(org=org, name="Six")
    maya = PersonFactory(org=org, team=leads, name="Maya Manager")
    six = [PersonFactory(org=org, team=team, manager=maya) for _ in SIX]
    program = make_program(org, teams=[team])
    first = run_round(program, NOW, dict(zip(six, SIX, strict=True)))
    newcomer = PersonFactory(org=org, team=team, manager=maya, name="Nell Newcomer", role=Role.MEMBER)
    answers = dict(zip(six, SIX, strict=True)) | {newcomer: NEWCOMER}
    second = run_round(program, NOW + dt.timedelta(days=14), answers)

    api = Api(maya)
    group = f"team-{team.pk}"
    before = api.get(f"/api/pulse/rounds/{first.pk}/results", group=group).json()
    after = api.get(f"/api/pulse/rounds/{second.pk}/results", group=group).json()
    # Round 1 shows the team of six (rounded): the attack has something to subtract from.
    assert [q["result"]["suppressed"] for q in before["questions"]] == [False, False, False, False]
    # Round 2, same six answers plus the newcomer's: nothing of the team is shown, on any item.
    for old, new in zip(before["questions"], after["questions"], strict=True):
        assert new["result"] == hidden(gate.PROTECTED)
        if old["scale"] == "agree5":
            assert newcomer_favourable(old["result"], new["result"]) is None
    assert [c["result"] for c in after["constructs"]] == [hidden(gate.PROTECTED)] * 2
    assert after["enps"] == hidden(gate.PROTECTED)
    # The heatmap and the trend say the same; so does the whole organisation to a member (its people
    # are the same seven).
    heat = api.get(f"/api/pulse/rounds/{second.pk}/heatmap").json()
    assert [row["cells"] for row in heat["rows"] if row["group"]["key"] == group] == [
        [hidden(gate.PROTECTED)] * len(heat["rows"][0]["cells"])
    ]
    trend = api.get("/api/pulse/trends", group=group, construct="trust_task").json()
    assert [p["result"]["suppressed"] for p in trend["points"]] == [False, True]
    org_wide = Api(six[0]).get(f"/api/pulse/rounds/{second.pk}/results").json()
    assert [q["result"] for q in org_wide["questions"]] == [hidden(gate.PROTECTED)] * 4
    # And the results page the manager reads.
    login(client, maya)
    report = page(client, "pulse_results", round=second.pk, group=group).context["report"]
    assert [q.hidden for c in report.constructs for q in c.questions] == [gate.PROTECTED] * 3
    assert report.enps.hidden == gate.PROTECTED


@pytest.mark.django_db
def test_a_round_closed_late_is_compared_with_a_later_round_already_shown(org):
    """Two programs asking about the same themes: the one whose round closes LATER is published first
    (seven people), then a round closing earlier (six of them). Whichever is published second hides."""
    team = TeamFactory(org=org, name="Six")
    admin = PersonFactory(org=org, team=TeamFactory(org=org, name="People"), role=Role.ADMIN)
    six = [PersonFactory(org=org, team=team) for _ in SIX]
    newcomer = PersonFactory(org=org, team=team)
    answers = dict(zip(six, SIX, strict=True))
    later = run_round(
        make_program(org, teams=[team]), NOW + dt.timedelta(days=14), answers | {newcomer: NEWCOMER}
    )
    newcomer.team = TeamFactory(org=org, name="Elsewhere")
    newcomer.save()
    earlier = run_round(make_program(org, teams=[team], name="Second pulse"), NOW, answers)
    assert earlier.closes_at < later.closes_at
    api = Api(admin)
    group = f"team-{team.pk}"
    shown = api.get(f"/api/pulse/rounds/{later.pk}/results", group=group).json()
    assert [q["result"]["suppressed"] for q in shown["questions"]] == [False, False, False, False]
    late = api.get(f"/api/pulse/rounds/{earlier.pk}/results", group=group).json()
    assert [q["result"] for q in late["questions"]] == [hidden(gate.PROTECTED)] * 4


# --- the gate's model, attacked over many rounds -----------------------------------------------------

AGREE = QuestionInfo(1, "q", "An item", "theme", "agree5", False)
TEAMS = (1, 2, 3, 4)
TREE = {1: None, 2: 1, 3: 1, 4: None}  # 2 and 3 under 1; 4 alone
BANDS = ("under-1y", "1-3y")
REGION = "emea"


def build_round(number, k, placed, answered, earlier, tree=None):
    """A RoundData of people `placed` ({person: (team, band)}), of whom `answered` took part, each
    answering person % 5 + 1 (an answer stays the same across rounds: the attacker's best case)."""
    took: dict = {}
    stats: dict = {}
    for person in answered:
        team, band = placed[person]
        cell = (team, band, REGION)
        took.setdefault(cell, set()).add(person)
        stat = stats.setdefault(cell, Stat(hist=[0] * 6))
        value = person % 5 + 1
        stat.add(Stat(1, value, value * value, [1 if v == value else 0 for v in range(6)]))
    invited: dict = {}
    for person, (team, band) in placed.items():
        invited.setdefault((team, band, REGION), set()).add(person)
    return RoundData(
        round_id=number,
        number=number,
        label=f"Round {number}",
        k=k,
        tree=dict(tree or TREE),
        team_names={t: f"Team {t}" for t in tree or TREE},
        questions=[AGREE],
        respondents={c: len(p) for c, p in took.items()},
        commenters={},
        invited={c: len(p) for c, p in invited.items()},
        stats={AGREE.id: stats},
        membership=Membership.of({c: frozenset(p) for c, p in took.items()}, list(earlier)),
    )


def people_of(data, group):
    took = data.membership.took_part()
    return frozenset().union(*(p for c, p in took.items() if group.contains(c, data)))


# One step between rounds: someone joins, leaves, moves team, changes band, skips or comes back, a
# whole team merges into another, or k changes. Persons are numbered; a join takes the next number.
STEP = st.one_of(
    st.tuples(st.just("join"), st.sampled_from(TEAMS), st.sampled_from(BANDS)),
    st.tuples(st.just("leave"), st.integers(0, 60)),
    st.tuples(st.just("move"), st.integers(0, 60), st.sampled_from(TEAMS)),
    st.tuples(st.just("band"), st.integers(0, 60), st.sampled_from(BANDS)),
    st.tuples(st.just("skip"), st.integers(0, 60)),
    st.tuples(st.just("back"), st.integers(0, 60)),
    st.tuples(st.just("k"), st.integers(3, 7)),
    st.tuples(st.just("merge"), st.sampled_from(TEAMS), st.sampled_from(TEAMS)),
)


def solvable(sets: list[frozenset[int]]) -> set[int]:
    """The attacker's linear algebra: the people whose answer follows from the sums of `sets` (every
    shown group of two rounds, each person answering as before), by reduced row echelon form."""
    people = sorted(frozenset().union(*sets)) if sets else []
    col = {p: i for i, p in enumerate(people)}
    rows = []
    for s in dict.fromkeys(sets):
        row = [Fraction(0)] * len(people)
        for p in s:
            row[col[p]] = Fraction(1)
        rows.append(row)
    r = 0
    pivots = []
    for c in range(len(people)):
        pivot = next((i for i in range(r, len(rows)) if rows[i][c] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        rows[r] = [x / rows[r][c] for x in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][c] != 0:
                f = rows[i][c]
                rows[i] = [x - f * y for x, y in zip(rows[i], rows[r], strict=True)]
        pivots.append(c)
        r += 1
    return {people[c] for i, c in enumerate(pivots) if sum(1 for x in rows[i] if x != 0) == 1}


PRIME = (1 << 61) - 1


def rank(rows: list[list[int]], cols: list[int]) -> int:
    """The rank of the columns `cols` of a 0/1 matrix, modulo a large prime (for matrices this small
    the same as over the rationals unless the prime divides a minor, which it cannot: every minor of a
    0/1 matrix of at most 60 columns is far below 2^61 in size... bounded by Hadamard's 60^30)."""
    m = [[r[c] for c in cols] for r in rows]
    done = 0
    for c in range(len(cols)):
        pivot = next((i for i in range(done, len(m)) if m[i][c] % PRIME), None)
        if pivot is None:
            continue
        m[done], m[pivot] = m[pivot], m[done]
        inv = pow(m[done][c], PRIME - 2, PRIME)
        m[done] = [x * inv % PRIME for x in m[done]]
        for i in range(len(m)):
            if i != done and m[i][c] % PRIME:
                f = m[i][c]
                m[i] = [(x - f * y) % PRIME for x, y in zip(m[i], m[done], strict=True)]
        done += 1
    return done


def singled_out(sets: list[frozenset[int]], k: int, before: int = 0) -> list[int] | None:
    """The attacker who takes ANY integer combination of the sums of `sets` (each person answering
    as before): a set T of fewer than k people such that some combination is non-zero on part of T
    and on nobody else, where no combination of the first `before` sets was (what the newest sets
    add: the earlier ones were checked with their own k). None if there is none.

    Such a combination vanishes on everyone outside T, so it exists exactly when dropping T's columns
    lowers the rank by more for all the sets than for the earlier ones. People with identical columns
    stand or fall together, so T is a union of such blocks; only maximal T need trying."""
    old = [s for s in dict.fromkeys(sets[:before]) if s]
    sets = old + [s for s in dict.fromkeys(sets[before:]) if s and s not in old]
    if not sets:
        return None
    by_column: dict[tuple[int, ...], list[int]] = {}
    for p in sorted(frozenset().union(*sets)):
        by_column.setdefault(tuple(i for i, s in enumerate(sets) if p in s), []).append(p)
    blocks = list(by_column.values())
    rows = [[1 if i in column else 0 for column in by_column] for i in range(len(sets))]
    everyone = list(range(len(blocks)))
    full, full_old = rank(rows, everyone), rank(rows[: len(old)], everyone)
    small = [j for j, who in enumerate(blocks) if len(who) < k]

    def search(start: int, chosen: list[int], weight: int) -> list[int] | None:
        grown = False
        for i in range(start, len(small)):
            if weight + len(blocks[small[i]]) < k:
                grown = True
                found = search(i + 1, [*chosen, small[i]], weight + len(blocks[small[i]]))
                if found:
                    return found
        if grown or not chosen:
            return None
        rest = [j for j in everyone if j not in chosen]
        if full - rank(rows, rest) > full_old - rank(rows[: len(old)], rest):
            return sorted(p for j in chosen for p in blocks[j])
        return None

    return search(0, [], 0)


def shown_sets(*rounds):
    return [people_of(d, g) for d in rounds for g in gate.visible_groups(d, None)]


def test_two_teams_merged_with_a_new_hire_do_not_give_the_hire():
    """Teams 3 (five people) and 4 (nine) shown in round 1; in round 2 team 3's people join team 4
    with a new hire: team 4 now minus team 4 and team 3 then is the hire, though it differs from each
    by k or more (the gap of a rule comparing pairs of results only)."""
    first = {p: (2, "1-3y") for p in range(6)} | {p: (3, "1-3y") for p in range(6, 11)}
    first |= {p: (4, "1-3y") for p in range(11, 20)}
    r1 = build_round(1, 5, first, list(first), [])
    assert {Group(3), Group(4)} <= set(gate.visible_groups(r1, None))
    second = {p: (2, "1-3y") for p in range(6)} | {p: (4, "1-3y") for p in range(6, 21)}
    r2 = build_round(2, 5, second, list(second), [gate.shown_before(r1)])
    assert solvable(shown_sets(r1, r2)) == set()


def test_a_team_split_in_two_with_one_leaver_does_not_give_the_leaver():
    """Team 4 (eleven people) shown in round 1; in round 2 five stay, five go to team 2 and one leaves
    (five newcomers join team 3, so the organisation changes by six): team 4 then minus team 4 now and
    team 2 now is the leaver, though no two results differ by fewer than k people."""
    first = {p: (3, "1-3y") for p in range(6)} | {p: (4, "1-3y") for p in range(6, 17)}
    r1 = build_round(1, 5, first, list(first), [])
    assert {Group(3), Group(4)} <= set(gate.visible_groups(r1, None))
    second = {p: (3, "1-3y") for p in [*range(6), *range(17, 22)]}
    second |= {p: (4, "1-3y") for p in range(6, 11)} | {p: (2, "1-3y") for p in range(11, 16)}
    r2 = build_round(2, 5, second, list(second), [gate.shown_before(r1)])
    assert solvable(shown_sets(r1, r2)) == set()
    # Not by hiding everything. The organisation and team 3 cannot both stay (the organisation now
    # minus team 3 now is team 4 then less the leaver).
    assert {Group(), Group(3)} & set(gate.visible_groups(r2, None))


def test_a_team_made_of_two_earlier_teams_less_one_leaver_does_not_give_the_leaver():
    """Teams 2 (eight), 3 (six) and 4 (nine) shown in round 1; in round 2 one of team 2 leaves and the
    other seven join team 4 (team 3 takes five newcomers): team 2 and team 4 then minus team 4 now is
    the leaver. Team 4 shrank into the union of two earlier groups."""
    first = {p: (2, "1-3y") for p in range(8)} | {p: (3, "1-3y") for p in range(8, 14)}
    first |= {p: (4, "1-3y") for p in range(14, 23)}
    r1 = build_round(1, 5, first, list(first), [])
    assert {Group(2), Group(3), Group(4)} <= set(gate.visible_groups(r1, None))
    second = {p: (3, "1-3y") for p in [*range(8, 14), *range(23, 28)]}
    second |= {p: (4, "1-3y") for p in range(1, 8)} | {p: (4, "1-3y") for p in range(14, 23)}
    r2 = build_round(2, 5, second, list(second), [gate.shown_before(r1)])
    assert solvable(shown_sets(r1, r2)) == set()
    assert {Group(), Group(3)} & set(gate.visible_groups(r2, None))


def test_a_team_hidden_for_a_hire_cannot_be_rebuilt_from_its_parent_and_sibling():
    """Teams 2 (five) and 3 (seven) under team 1, all shown in round 1. In round 2 team 2 gains a hire
    (hidden: it differs by one) and team 3 five newcomers: team 1 now minus team 3 now is team 2 now,
    and minus team 2 then the hire. Hiding the team alone is not enough when its parent and sibling are
    shown."""
    first = {p: (2, "1-3y") for p in range(5)} | {p: (3, "1-3y") for p in range(5, 12)}
    first |= {p: (4, "1-3y") for p in range(12, 20)}
    r1 = build_round(1, 5, first, list(first), [])
    assert {Group(1), Group(2), Group(3)} <= set(gate.visible_groups(r1, None))
    second = first | {20: (2, "1-3y")} | {p: (3, "1-3y") for p in range(21, 26)}
    r2 = build_round(2, 5, second, list(second), [gate.shown_before(r1)])
    assert solvable(shown_sets(r1, r2)) == set()
    # Team 1 goes, and the organisation or one of teams 3 and 4 (the organisation minus both is team
    # 2 again): here the organisation, keeping both teams.
    assert {Group(3), Group(4)} <= set(gate.visible_groups(r2, None))


def play(start, rounds):
    """Round after round of `start` ({person: (team, band)} by position) changed by each round's steps:
    yields (round number, the round's k, the people of each group it shows)."""
    placed = dict(enumerate(start))
    skipping: set[int] = set()
    k = 3
    earlier: list = []
    for number, steps in enumerate([[], *rounds], start=1):
        for step in steps:
            who = sorted(placed)
            if step[0] == "join":
                placed[max(placed, default=-1) + 1] = (step[1], step[2])
            elif step[0] == "k":
                k = step[1]
            elif step[0] == "merge":  # a whole team joins another
                placed |= {p: (step[2], band) for p, (team, band) in placed.items() if team == step[1]}
            elif who:
                person = who[step[1] % len(who)]
                if step[0] == "leave":
                    del placed[person]
                elif step[0] == "move":
                    placed[person] = (step[2], placed[person][1])
                elif step[0] == "band":
                    placed[person] = (placed[person][0], step[2])
                elif step[0] == "skip":
                    skipping.add(person)
                else:
                    skipping.discard(person)
        answered = [p for p in placed if p not in skipping]
        data = build_round(number, k, placed, answered, earlier)
        visible = gate.visible_groups(data, None)
        # Every number of the round is shown only for those groups.
        for g in gate.family(data):
            if not isinstance(gate.question_result(data, g, AGREE.id, scope=None), gate.Suppressed):
                assert g in visible, g
        yield number, gate.effective_k(data), [people_of(data, g) for g in visible]
        found = gate.shown_before(data)
        if found is not None:
            earlier.append(found)


STARTS = st.lists(st.tuples(st.sampled_from(TEAMS), st.sampled_from(BANDS)), min_size=8, max_size=30)
ROUNDS = st.lists(st.lists(STEP, max_size=4), min_size=2, max_size=5)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=STARTS, rounds=ROUNDS)
def test_no_two_rounds_shown_results_differ_by_fewer_than_k_people(start, rounds):
    shown: list[tuple[int, int, list[frozenset[int]]]] = []  # (round, k, people of each group)
    for number, k, mine in play(start, rounds):
        # The attack: subtract any result shown now from any result shown before, with the people
        # of both known (the org chart, and colleagues saying whether they answered).
        for then, k_then, before in shown:
            for a in before:
                for b in mine:
                    assert not 0 < len(a ^ b) < max(k_then, k), (then, number)
        shown.append((number, k, mine))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=STARTS, rounds=ROUNDS)
def test_nobodys_answer_follows_from_any_two_rounds(start, rounds):
    """The attacker adds and subtracts every result of two rounds (each person answering as before),
    which the pairwise check alone does not stop (test_two_teams_merged_...): nobody is singled out."""
    shown: list[tuple[int, list[frozenset[int]]]] = []
    for number, _, mine in play(start, rounds):
        for then, before in shown:
            assert solvable(before + mine) == set(), (then, number)
        shown.append((number, mine))


def test_three_rounds_together_do_not_single_out_a_newcomer():
    """Found by the attack below on the rule that compared rounds two at a time (k = 3). Round 1 shows
    eight people (0-7); round 2, after 8 joined and 0 moved away, six of them (1-5 and 8); round 3,
    after 1 left and 9 and 10 joined, the eleven less 1 and the under-one-year band (2-5, 8-10). Every
    pair of rounds passes: the results differ by 3 or more people and no cut between two rounds' atoms
    is below 3. But round 1 minus round 3's whole, plus round 3's band, minus round 2 is person 8
    alone: (1 - 8 - 9 - 10) + (9 + 10 - 1) = -8."""
    placed = {p: (1, "under-1y") for p in range(6)} | {6: (1, "1-3y"), 7: (1, "1-3y")}
    r1 = build_round(1, 3, placed, list(placed), [])
    assert gate.visible_groups(r1, None)
    placed |= {8: (1, "under-1y"), 0: (4, "under-1y")}
    r2 = build_round(2, 3, placed, list(placed), [gate.shown_before(r1)])
    assert [sorted(people_of(r2, g)) for g in gate.visible_groups(r2, None)] == [[1, 2, 3, 4, 5, 8]]
    del placed[1]
    placed |= {9: (1, "under-1y"), 10: (1, "under-1y")}
    r3 = build_round(3, 3, placed, list(placed), [gate.shown_before(r1), gate.shown_before(r2)])
    shown = [people_of(r3, g) for g in gate.visible_groups(r3, None)]
    assert shown, "not by hiding everything"
    earlier = shown_sets(r1, r2)
    assert singled_out(earlier + shown, 3, len(earlier)) is None
    # The band (2-5, 8-10) is what had to go: with it, 8 is singled out.
    band = people_of(r3, Group(band="under-1y"))
    assert singled_out([*earlier, *shown, band], 3, len(earlier)) is not None


@settings(max_examples=300, deadline=None)
@given(
    blocks=st.dictionaries(
        st.lists(st.integers(0, 8), min_size=1, max_size=4, unique=True).map(lambda v: tuple(sorted(v))),
        st.integers(1, 5),
        min_size=1,
        max_size=12,
    ),
    k=st.integers(3, 6),
)
def test_the_proof_over_all_rounds_never_clears_a_leak(blocks, k):
    """The gate's proof (gate/history.py) on arbitrary systems: people holding the same atoms
    (variables) of any rounds, `blocks` of them each. Whenever it settles everything, the exact
    attacker finds nobody to single out."""
    if history.unresolved(Counter(blocks), k):
        return
    people = [eq for eq, n in blocks.items() for _ in range(n)]
    atoms = [frozenset(i for i, eq in enumerate(people) if x in eq) for x in range(9)]
    assert singled_out(atoms, k) is None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.lists(st.tuples(st.sampled_from(TEAMS), st.sampled_from(BANDS)), min_size=8, max_size=18),
    rounds=st.lists(st.lists(STEP, max_size=4), min_size=2, max_size=4),
)
def test_no_combination_of_all_rounds_singles_out_fewer_than_k(start, rounds):
    """The attacker takes any integer combination of every group shown in EVERY round so far (each
    person answering as before), after joins, leaves, moves, band changes, skips, returns, merged
    teams and changes of k: nothing a round adds is non-zero on 1 to k-1 people."""
    shown: list[frozenset[int]] = []
    for number, k, mine in play(start, rounds):
        assert singled_out(shown + mine, k, len(shown)) is None, number
        shown += mine


def test_ordinary_churn_costs_no_more_than_the_pairs_it_changes():
    """Three teams of fifteen; each round one person moves between two of them (and sometimes back),
    everyone answering. A team that lost or gained one person since an earlier round showed it differs
    by one, as does what holds one of the two teams but not the other, so any rule must hide them: that
    is the pairwise check. The cut check adds nothing on top of it here; the organisation stays shown
    throughout, and a team whose people are back to what round 1 showed is shown again."""
    placed = {p: ((2, 3, 4)[p // 15], BANDS[p % 2]) for p in range(45)}
    moves = [(0, 4), (0, 2), (16, 4), (31, 2), (16, 3), (31, 4), (2, 3), (17, 2)]
    first: dict[int, frozenset[int]] = {}
    earlier: list = []
    shown: list[frozenset[int]] = []
    hidden_teams = 0
    for number, move in enumerate([None, *moves], start=1):
        if move is not None:
            placed[move[0]] = (move[1], placed[move[0]][1])
        data = build_round(number, 5, placed, list(placed), earlier)
        alone = build_round(number, 5, placed, list(placed), [])  # the same round with no history
        visible = set(gate.visible_groups(data, None))
        pairwise = {
            g
            for g in gate.visible_groups(alone, None)
            if not any(0 < len(people_of(alone, g) ^ s) < 5 for s in shown)
        }
        assert visible == pairwise, number
        assert Group() in visible
        for team in (2, 3, 4):
            people = people_of(data, Group(team))
            first.setdefault(team, people)
            assert (Group(team) in visible) == (people == first[team]), (number, team)
            hidden_teams += Group(team) not in visible
        mine = [people_of(data, g) for g in visible]
        assert solvable(shown + mine) == set(), number
        shown += mine
        earlier.append(gate.shown_before(data))
    assert hidden_teams > 0


@settings(max_examples=400, deadline=None)
@given(
    blocks=st.dictionaries(
        st.lists(st.integers(0, 8), min_size=1, max_size=4, unique=True).map(lambda v: tuple(sorted(v))),
        st.integers(1, 6),
        min_size=1,
        max_size=12,
    ),
    k=st.integers(3, 7),
    split=st.integers(0, 9),
    groups=st.one_of(st.none(), st.lists(st.sets(st.integers(0, 8), min_size=1), min_size=1, max_size=6)),
)
def test_what_a_round_adds_never_singles_out_fewer_than_k(blocks, k, split, groups):
    """The check of only what a round adds (gate/history.py, `reader`): variables from `split` on are
    this round's atoms, the others earlier rounds' (which may single out people below k: k went up
    since). The reader has the earlier atoms themselves (`groups` None) or only some unions of them
    that nobody is in two atoms of (the groups earlier rounds showed). Whenever the check passes,
    the exact attacker finds no set of fewer than k people on which a combination using this round
    is non-zero and that no combination of what the reader had already gave."""
    old = [{x} for x in range(split)] if groups is None else [{x for x in g if x < split} for g in groups]
    if any(len(g.intersection(eq)) > 1 for g in old for eq in blocks):
        # A group is shown by one round, whose atoms are disjoint: nobody is in two atoms of it.
        old = [{x} for x in range(split)]
    reader = {x: tuple(gi for gi, g in enumerate(old) if x in g) for x in range(split)}
    if history.unresolved(Counter(blocks), k, reader):
        return
    people = [eq for eq, n in blocks.items() for _ in range(n)]
    atoms = [frozenset(i for i, eq in enumerate(people) if x in eq) for x in range(9)]
    had = [frozenset().union(*(atoms[x] for x in g)) for g in old]
    assert singled_out(had + atoms[split:], k, len(had)) is None


def test_what_the_reader_had_is_the_groups_not_the_atoms():
    """Round 1 (k = 5) showed the organisation (atoms 0 to 3, five people each), a band (atoms 0 and
    1) and a team (1 and 2): atom 1 alone is not among its sums. Round 2 (k = 6) shows atoms 0 and 2
    together (atom 4): the band plus the team minus it is twice atom 1, five people, new. Judged
    against round 1's atoms it would pass (every combination would already be known); against its
    groups it does not."""
    blocks = Counter({(0, 4): 5, (1,): 5, (2, 4): 5, (3,): 5})
    atoms_known = {x: (x,) for x in range(4)}
    groups_known = {0: (0, 1), 1: (0, 1, 2), 2: (0, 2), 3: (0,)}
    assert history.unresolved(blocks, 6, atoms_known) == []
    assert history.unresolved(blocks, 6, groups_known)
    # Round 2 hidden altogether adds nothing, though round 1's atoms (below the new k) are not all
    # among its sums: the check ends there.
    alone = Counter({(0,): 5, (1,): 5, (2,): 5, (3,): 5})
    assert history.unresolved(alone, 6) and history.unresolved(alone, 6, groups_known) == []
    org, band, team = frozenset(range(20)), frozenset(range(10)), frozenset(range(5, 15))
    assert singled_out([org, band, team, frozenset([*range(5), *range(10, 15)])], 6, 3) is not None


def test_what_a_round_adds_is_checked_not_the_earlier_rounds_again():
    """Without `new`, the same system is unsettled (an earlier atom of 5 is below k = 6); with it, a
    round that adds only a sum the earlier round gave passes, and one that adds one person's answer
    does not."""
    earlier = Counter({(0,): 5, (1,): 7})  # round 1 (k = 5): atoms of 5 and of 7 people
    same = Counter({(0, 2): 5, (1, 2): 7})  # round 2 shows all twelve together: atom 0 plus atom 1
    assert history.unresolved(earlier, 6)
    assert history.unresolved(same, 6)
    assert history.unresolved(same, 6, {0: (0,), 1: (1,)}) == []
    hire = same + Counter({(2,): 1})  # the same, and a hire: round 2 minus round 1 is the hire
    assert history.unresolved(hire, 6, {0: (0,), 1: (1,)})


def test_raising_k_keeps_showing_what_an_earlier_round_showed():
    """Round 1 (k = 5) shows teams 2 (five people), 3 (six) and 4 (seven), their parent team 1 and the
    organisation; the admin raises k to 6. Round 2, the same eighteen people: team 2 is too small now,
    and with it whatever tells it apart (team 3 goes, team 1 differs from round 1's team 3 by five).
    The organisation and team 4 are left: round 1 showed both, so they add nothing and are shown.
    Before, the check of every round under the new k hid them, as it did every group of every later
    round: round 1's team 2 is below the new k."""
    placed = {p: (2, "1-3y") for p in range(5)} | {p: (3, "1-3y") for p in range(5, 11)}
    placed |= {p: (4, "1-3y") for p in range(11, 18)}
    r1 = build_round(1, 5, placed, list(placed), [])
    assert {Group(), Group(1), Group(2), Group(3), Group(4)} <= set(gate.visible_groups(r1, None))
    r2 = build_round(2, 6, placed, list(placed), [gate.shown_before(r1)])
    shown = [people_of(r2, g) for g in gate.visible_groups(r2, None)]
    assert set(shown) == {frozenset(range(18)), frozenset(range(11, 18))}
    earlier = shown_sets(r1)
    assert singled_out(earlier + shown, 6, len(earlier)) is None


def small_org(seed: int, people: int = 300, teams: int = 40):
    """A synthetic organisation: `teams` leaf teams under five departments, people placed at random
    with a tenure band each."""
    rng = random.Random(seed)
    tree: dict[int, int | None] = {1: None} | {t: 1 for t in range(2, 7)}
    for t in range(7, 7 + teams):
        tree[t] = rng.randrange(2, 7)
    leaves = list(range(7, 7 + teams))
    placed = {p: (rng.choice(leaves), rng.choice(BANDS)) for p in range(people)}
    return rng, tree, leaves, placed


def shown_per_round(seed: int, ks: list[int]) -> list[int]:
    """Groups shown each round on `small_org`: 80% answering at random each round; between rounds 1%
    move team, 0.5% leave and one in 200 joins (in the newest band)."""
    rng, tree, leaves, placed = small_org(seed)
    earlier: list = []
    shown = []
    joiner = len(placed)
    for number, k in enumerate(ks, start=1):
        if number > 1:
            for person in list(placed):
                r = rng.random()
                if r < 0.01:
                    placed[person] = (rng.choice(leaves), placed[person][1])
                elif r < 0.015:
                    del placed[person]
            for _ in range(len(placed) // 200):
                placed[joiner] = (rng.choice(leaves), BANDS[0])
                joiner += 1
        answered = [p for p in placed if rng.random() < 0.8]
        data = build_round(number, k, placed, answered, earlier, tree=tree)
        shown.append(len(gate.visible_groups(data, None)))
        found = gate.shown_before(data)
        if found is not None:
            earlier.append(found)
    return shown


def test_raising_k_does_not_black_out_the_rounds_after():
    """An admin raises the minimum group size from 5 to 6 before round 4 of six, on three synthetic
    organisations. Checking every round again under the new k hid every group of rounds 4 to 6, for
    good (round 1's atoms of five stay below 6 forever). Checking what each round adds shows groups
    again: in rounds 4 to 6 of each organisation, and overall at least a third as many as keeping k at
    5 would (random non-response hides a lot either way: a round of an organisation kept at 5 can
    show nothing too, and so can one of these)."""
    kept_total = raised_total = 0
    for seed in range(3):
        kept = shown_per_round(seed, [5, 5, 5, 5, 5, 5])
        raised = shown_per_round(seed, [5, 5, 5, 6, 6, 6])
        assert raised[:3] == kept[:3]
        assert sum(raised[3:]) > 0, (seed, raised, kept)
        kept_total += sum(kept[3:])
        raised_total += sum(raised[3:])
    assert raised_total * 3 >= kept_total, (raised_total, kept_total)
