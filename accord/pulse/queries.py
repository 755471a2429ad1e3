"""Reads for pulse surveys. Anything derived from answers is computed by the gate from `round_data`, or
read back from what the gate published when the round closed."""

from __future__ import annotations

import gc
import json
from collections.abc import Callable
from typing import Any, Literal, NamedTuple

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet

from accord.orgs import chart
from accord.orgs.models import Organisation, Person, Team

from . import gate, tally
from .data import Cell, DriverSums, Membership, QuestionInfo, RoundData, ShownRound, Stat
from .gate import Scope
from .models import (
    Comment,
    Participation,
    Program,
    ProgramQuestion,
    PublishedGroup,
    PublishedRound,
    PublishedRow,
    Question,
    Reply,
    Round,
    RoundQuestion,
)
from .sealing import thread_key


def viewer_scope(person: Person) -> Scope:
    """What a person may see of results: admins everything (None); managers the team subtrees of the
    people who report to them, directly or not; everyone else organisation-wide results only ("org")."""
    if person.is_admin:
        return None
    # Through deactivated middle managers, like every other app's reporting line (orgs.chart); a leaver's
    # own team does not widen the scope. One recursive query over the reporting links below the person,
    # rather than the whole organisation's chart, which a results page of a large organisation cannot
    # afford on every request (tests/pulse/test_results.py compares the two).
    table = Person._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE below(id) AS ("
            f"SELECT id FROM {table} WHERE org_id = %s AND manager_id = %s AND id <> %s "
            f"UNION SELECT p.id FROM {table} p JOIN below b ON p.manager_id = b.id "
            f"WHERE p.org_id = %s AND p.id <> %s) "
            f"SELECT DISTINCT team_id FROM {table} WHERE id IN (SELECT id FROM below) "
            f"AND is_active = %s AND team_id IS NOT NULL",
            [person.org_id, person.pk, person.pk, person.org_id, person.pk, True],
        )
        teams = {row[0] for row in cursor.fetchall()}
    return frozenset(teams) if teams else "org"


def chart_scope(person: Person) -> Scope:
    """`viewer_scope` from the organisation's whole chart (orgs.chart), as every other app walks it."""
    if person.is_admin:
        return None
    org = chart.org_chart(person.org_id)
    teams = org.teams_of(org.reports_below(person.pk, active_only=True))
    return frozenset(teams) if teams else "org"


def _json(value: Any) -> Any:
    # SQLite hands JSON columns back as text; psycopg may already have decoded them.
    return json.loads(value) if isinstance(value, str | bytes) else value


class RoundStillOpen(Exception):
    """Results of a round are published once, when it closes (see round_data)."""


def round_data(rnd: Round) -> RoundData:
    """Everything the gate needs about one round, from its aggregates: a fixed number of queries.

    Only closed rounds have results. Publishing while a round is open would let someone compare the
    numbers before and after a colleague says "I've just answered" — and the last batch mixed at
    closing may be smaller than k — so the numbers appear once, complete, and never move again.
    """
    if not rnd.closed:
        raise RoundStillOpen(f"Round {rnd.number} is still open; its results appear when it closes.")
    deferred = rnd.get_deferred_fields() & {"team_tree", "team_names", "protection"}
    if deferred:  # rounds_of leaves the big JSON columns out: one query for all of them
        rnd.refresh_from_db(fields=sorted(deferred))
    questions = [
        QuestionInfo(
            rq.question.id,
            rq.question.key,
            rq.question.text,
            rq.question.construct,
            rq.question.scale,
            rq.question.reverse,
        )
        for rq in RoundQuestion.objects.filter(round=rnd).select_related("question").order_by("position")
    ]
    stats: dict[int, dict[Cell, Stat]] = {q.id: {} for q in questions}
    respondents: dict[Cell, int] = {}
    commenters: dict[Cell, int] = {}
    drivers: dict[Cell, DriverSums] = {}
    driver_vars: list[str] = []
    # One sealed value (tally.py): decoding it builds many small objects, so the cyclic garbage
    # collector is paused meanwhile.
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        found = tally.read(rnd)
        if found is not None:
            for (qid, cell), (n, total, total_sq, hist) in found.stats.items():
                stats.setdefault(qid, {})[cell] = Stat(n, total, total_sq, hist)
            for cell, (n_resp, n_comm, driver_n, dsums, dcross) in found.counts.items():
                respondents[cell] = n_resp
                commenters[cell] = n_comm
                if driver_n:
                    driver_vars = list(found.driver_vars)
                    drivers[cell] = DriverSums(driver_n, list(dsums), [list(r) for r in dcross])
    finally:
        if gc_was_on:
            gc.enable()
    invited: dict[Cell, int] = {}
    for team_id, band, reg in Participation.objects.filter(round=rnd).values_list(
        "team_id_at_open", "tenure_band", "region"
    ):
        key = (team_id, band, reg)
        invited[key] = invited.get(key, 0) + 1
    data = RoundData(
        round_id=rnd.pk,
        number=rnd.number,
        label=f"Round {rnd.number} · {rnd.opens_on:%-d %b %Y}",
        k=rnd.min_group_size,
        tree={int(k): v for k, v in rnd.team_tree.items()},
        team_names={int(k): v for k, v in rnd.team_names.items()},
        questions=questions,
        respondents=respondents,
        commenters=commenters,
        invited=invited,
        stats=stats,
        driver_vars=driver_vars,
        drivers=drivers,
        membership=membership(rnd),
    )
    if rnd.protection:
        gate.load_protection_state(data, rnd.protection)  # ignored by the gate if it no longer matches
    return data


# (team, depth, label, first_visible, heat, slices, pos, subtree_end): slices only for the first row, None
# for the others; a team's subtree is the positions pos .. subtree_end - 1.
StoredRow = tuple[int | None, int, str, str, str, str | None, int, int]


def published_header(rnd: Round) -> tuple[str, Any] | None:
    """(stamp, header) of the round's published results, or None if it has none."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT stamp, header FROM {PublishedRound._meta.db_table} WHERE org_id = %s AND round_id = %s",
            [rnd.org_id, rnd.pk],
        )
        found = cursor.fetchone()
    return None if found is None else (found[0], _json(found[1]))


class Fold(NamedTuple):
    """Which rows of a large heatmap to read: the viewer's top `levels` levels, the children of each
    `opened` team, and the row of `also` (the team whose slices the page shows); or, with `children_of`,
    only that team's row and its children (what a page swaps in when the viewer unfolds the row)."""

    levels: int
    opened: frozenset[int] = frozenset()
    also: int | None = None
    children_of: int | None = None


def published_rows(
    rnd: Round, scope: None | Literal["org"] | set[int] | frozenset[int], fold: Fold | None = None
) -> list[StoredRow]:
    """The stored heatmap rows a viewer may see, in the order of the gate's heatmap: the organisation first
    (admins and members), then teams depth-first; the first row with its slices (the page's default).
    A manager's subtrees are ranges of tree positions: one query for their roots, one for the rows; a
    folded page one more for the opened teams.
    Plain SQL: an admin of a large organisation reads every row, and the ORM's per-row work would double
    the cost of the request."""
    table = PublishedRow._meta.db_table
    params: list[int] = [rnd.org_id, rnd.pk]
    top = 0
    if scope is None or scope == "org":
        first = -1
        where = "" if scope is None else " AND pos = -1"
    else:
        teams = sorted(scope)
        if not teams:
            return []
        with connection.cursor() as cursor:
            cursor.execute(  # the organisation's row has no team: only team rows match
                f"SELECT pos, subtree_end, depth FROM {table} WHERE org_id = %s AND round_id = %s "
                f"AND team_id_snapshot IN ({', '.join(['%s'] * len(teams))})",
                [*params, *teams],
            )
            roots = sorted(cursor.fetchall())
        ranges: list[list[int]] = []
        for lo, hi, depth in roots:
            if ranges and lo < ranges[-1][1]:
                ranges[-1][1] = max(ranges[-1][1], hi)  # a team inside another of the viewer's teams
            else:
                ranges.append([lo, hi])
                top = depth if len(ranges) == 1 else min(top, depth)
        if not ranges:
            return []
        first = ranges[0][0]
        where = " AND (" + " OR ".join(["(pos >= %s AND pos < %s)"] * len(ranges)) + ")"
        params.extend(v for r in ranges for v in r)
    if fold is not None:
        where, more = _fold_where(rnd, fold, top, where)
        params.extend(more)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT team_id_snapshot, depth, label, first_visible, heat, "
            f"CASE WHEN pos = %s THEN slices END, pos, subtree_end FROM {table} "
            f"WHERE org_id = %s AND round_id = %s{where} ORDER BY pos",
            [first, *params],
        )
        return cursor.fetchall()


def _fold_where(rnd: Round, fold: Fold, top: int, where: str) -> tuple[str, list[int]]:
    """The condition narrowing the viewer's rows to a fold (see Fold), and its parameters."""
    wanted = set(fold.opened) | {t for t in (fold.also, fold.children_of) if t is not None}
    spans: dict[int, tuple[int, int, int]] = {}
    if wanted:
        found = PublishedRow.objects.filter(org_id=rnd.org_id, round=rnd, team_id_snapshot__in=sorted(wanted))
        for team, pos, end, depth in found.values_list("team_id_snapshot", "pos", "subtree_end", "depth"):
            if team is not None:
                spans[team] = (pos, end, depth)
    children = "(pos > %s AND pos < %s AND depth = %s)"
    if fold.children_of is not None:
        span = spans.get(fold.children_of)
        if span is None:
            return where + " AND 1 = 0", []
        return where + f" AND ({children} OR pos = %s)", [span[0], span[1], span[2] + 1, span[0]]
    parts, more = ["depth <= %s"], [top + fold.levels]
    for team in sorted(fold.opened):
        if team in spans:
            pos, end, depth = spans[team]
            parts.append(children)
            more += [pos, end, depth + 1]
    if fold.also is not None and fold.also in spans:
        parts.append("pos = %s")
        more.append(spans[fold.also][0])
    return where + " AND (" + " OR ".join(parts) + ")", more


def published_slices(rnd: Round, team: int | None) -> str | None:
    """The stored slices of one row (the organisation for team None), or None if the round has no such
    row. The caller checks that the viewer may see it."""
    found = PublishedRow.objects.filter(org_id=rnd.org_id, round=rnd)
    found = found.filter(pos=-1) if team is None else found.filter(team_id_snapshot=team)
    return found.values_list("slices", flat=True).first()


def published_team_exists(rnd: Round, team: int) -> bool:
    """Whether the team was in the round's tree (it has a stored row)."""
    return PublishedRow.objects.filter(org_id=rnd.org_id, round=rnd, team_id_snapshot=team).exists()


class ResultsPreparing(Exception):
    """Some of the rounds a page reads have no current published results (missing, or published under
    other rules or before answers were mixed in). A request never publishes: it says the results are
    being prepared and asks for a republish (actions.request_republish); `rounds` are the ones to redo."""

    def __init__(self, rounds: list[Round]) -> None:
        super().__init__("These results are being prepared; try again in a few minutes.")
        self.rounds = rounds


def _stamp_is_current(stamp: str | None, k: int) -> bool:
    return stamp is not None and stamp == gate.results_stamp(k)


def current_header(rnd: Round) -> dict[str, Any]:
    """The header of the round's published results (gate.Published reads it), or ResultsPreparing if
    they are missing or stale. One small query."""
    found = published_header(rnd)
    if found is None or not _stamp_is_current(found[0], rnd.min_group_size):
        raise ResultsPreparing([rnd])
    return dict(found[1])


def require_published(rounds: list[Round]) -> None:
    """ResultsPreparing unless every one of these rounds has current published results: one query."""
    stamps = dict(
        PublishedRound.objects.filter(round_id__in=[r.pk for r in rounds]).values_list("round_id", "stamp")
    )
    stale = [r for r in rounds if not _stamp_is_current(stamps.get(r.pk), r.min_group_size)]
    if stale:
        raise ResultsPreparing(stale)


def stale_rounds(org: Organisation | None = None, round_id: int | None = None) -> list[Round]:
    """Closed rounds (of one organisation, or one round, or all) whose published results are missing or
    stale, oldest first (rule 7 of the gate publishes earlier rounds first)."""
    found = Round.objects.filter(closed=True).select_related("org", "program")
    if org is not None:
        found = found.filter(org=org)
    if round_id is not None:
        found = found.filter(pk=round_id)
    found = found.defer("protection", "team_tree", "team_names").order_by("closes_at", "pk")
    stamps = dict(
        PublishedRound.objects.filter(round__in=found.values("pk")).values_list("round_id", "stamp")
    )
    return [r for r in found if not _stamp_is_current(stamps.get(r.pk), r.min_group_size)]


def rounds_of(org: Organisation, program: Program | None = None) -> QuerySet[Round]:
    """Rounds with results: closed ones only (see round_data)."""
    # The stored protection and the team tree can be megabytes in a large organisation: round_data loads
    # them for the round it reads; published results never need them.
    found = (
        Round.objects.filter(org=org, closed=True)
        .select_related("program")
        .defer("protection", "team_tree", "team_names")
    )
    if program is not None:
        found = found.filter(program=program)
    return found.order_by("-opens_on", "-number")


def participations_with_round() -> QuerySet[Participation]:
    """Participations with their round in the same query: answering reads the round, and a burst of
    answers is many of these. The caller scopes it to the organisation and the person."""
    return Participation.objects.select_related("round")


def open_participations(person: Person) -> QuerySet[Participation]:
    """Rounds this person has been asked and can still answer."""
    return (
        Participation.objects.filter(
            org_id=person.org_id, person=person, took_part=False, round__closed=False
        )
        .select_related("round__program")
        .order_by("round__closes_at")
    )


def answered_open_participations(person: Person) -> QuerySet[Participation]:
    """Rounds still open that this person has already answered (whether they took part is not secret)."""
    return (
        Participation.objects.filter(org_id=person.org_id, person=person, took_part=True, round__closed=False)
        .select_related("round__program")
        .order_by("round__closes_at")
    )


def my_threads(person: Person) -> list[tuple[Comment, list[Reply]]]:
    """The person's own comments with their replies, found by recomputing thread keys (never stored)."""
    rounds = Participation.objects.filter(org_id=person.org_id, person=person, took_part=True).values_list(
        "round_id", flat=True
    )
    keys = [thread_key(person.pk, r) for r in rounds]
    comments = list(
        Comment.objects.filter(org_id=person.org_id, thread_key__in=keys)
        .select_related("round__program")
        .prefetch_related("replies__manager")
        .order_by("-round__opens_on")
    )
    return [(c, list(c.replies.all())) for c in comments]


def comments_in(rnd: Round, cells: set[Cell]) -> list[Comment]:
    """Comments of these cells in their stored order, which is random (UUIDs): never who wrote first."""
    found = Comment.objects.filter(round=rnd).prefetch_related("replies__manager").order_by("id")
    return [c for c in found if c.cell() in cells]


# --- across rounds (rule 7 of the gate) --------------------------------------------------------


def earlier_rounds(rnd: Round) -> QuerySet[Round]:
    """The closed rounds of the organisation that `rnd` must not be differenced with (rule 7 of the
    gate): those asking about one of its themes that closed before it, and those already published under
    the current rules even if they closed after (a round closed late, or of another program, must still
    be compared with what is already shown). Oldest first."""
    themes = RoundQuestion.objects.filter(round=rnd).values("question__construct")
    current = gate.results_stamp(rnd.min_group_size).rsplit(";k=", 1)[0] + ";k="
    before = Q(closes_at__lt=rnd.closes_at) | Q(closes_at=rnd.closes_at, pk__lt=rnd.pk)
    return (
        Round.objects.filter(org_id=rnd.org_id, closed=True, roundquestion__question__construct__in=themes)
        .filter(before | Q(published__stamp__startswith=current))
        .exclude(pk=rnd.pk)
        .distinct()
        .defer("protection", "team_tree", "team_names")
        .order_by("closes_at", "pk")
    )


def membership(rnd: Round) -> Membership:
    """Who took part in `rnd` per cell, and the people of every group earlier rounds showed. Read only
    when the gate protects the round afresh (at publishing), never when its stored protection is used."""

    def took_part() -> dict[Cell, frozenset[int]]:
        found: dict[Cell, set[int]] = {}
        rows = Participation.objects.filter(round=rnd, took_part=True).values_list(
            "person_id", "team_id_at_open", "tenure_band", "region"
        )
        for person, team, band, region in rows:
            found.setdefault((team, band, region), set()).add(person)
        return {cell: frozenset(people) for cell, people in found.items()}

    def earlier() -> list[ShownRound]:
        shown: list[ShownRound] = []
        for other in earlier_rounds(rnd):
            found = gate.shown_before(round_data(other))
            if found is not None:
                shown.append(found)
        return shown

    return Membership(took_part, earlier)


# --- programs and rounds, as the admin page and the API list them --------------------------------


def round_questions(round_ids: list[int]) -> QuerySet[RoundQuestion]:
    """The questions of these rounds, each round's in the order they were asked."""
    return (
        RoundQuestion.objects.filter(round_id__in=round_ids).select_related("question").order_by("position")
    )


def builtin_questions(org_id: int) -> QuerySet[Question]:
    return Question.objects.filter(org_id=org_id, active=True, builtin=True)


def programs_overview(org_id: int) -> QuerySet[Program]:
    """The admin page's list: counts per program; the "who" column's teams in one more query."""
    return (
        Program.objects.filter(org_id=org_id)
        .annotate(
            round_count=Count("rounds", distinct=True),
            question_count=Count("programquestion", distinct=True),
        )
        .prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))
        .order_by("-active", "name", "id")
    )


def programs_with_setup(org_id: int) -> QuerySet[Program]:
    """The API's list: every program with its teams and questions, in a fixed number of queries."""
    return (
        Program.objects.filter(org_id=org_id)
        .annotate(round_count=Count("rounds"))
        .prefetch_related(
            Prefetch("teams", queryset=Team.objects.order_by("id")),
            Prefetch("programquestion_set", queryset=ProgramQuestion.objects.order_by("position")),
        )
        .order_by("id")
    )


def threads_awaiting_author(person: Person) -> list[tuple[Comment, list[Reply]]]:
    """The person's own comment threads whose latest message is a manager's reply: theirs to read and,
    if they wish, answer. Answering takes the thread off the list."""
    return [(c, replies) for c, replies in my_threads(person) if replies and not replies[-1].from_author]


# --- published group results (the results and trends pages) ----------------------------------------


def published_headers(rounds: list[Round]) -> dict[int, dict[str, Any]]:
    """The current published headers of these rounds, or ResultsPreparing naming the stale ones."""
    stored = PublishedRound.objects.filter(round_id__in=[r.pk for r in rounds])
    found = {rid: (stamp, header) for rid, stamp, header in stored.values_list("round_id", "stamp", "header")}
    stale = [r for r in rounds if not _stamp_is_current(found.get(r.pk, (None,))[0], r.min_group_size)]
    if stale:
        raise ResultsPreparing(stale)
    return {rid: dict(_json(h)) for rid, (_, h) in found.items()}


def published_groups(rounds: list[Round], key: str) -> dict[int, str]:
    """One group's stored results (its JSON body) in each of these rounds that has it, by round id."""
    return dict(
        PublishedGroup.objects.filter(org_id=rounds[0].org_id, round__in=rounds, key=key).values_list(
            "round_id", "body"
        )
        if rounds
        else []
    )


def team_positions(rounds: list[Round], teams: set[int]) -> dict[tuple[int, int], tuple[int, int]]:
    """(round id, team) -> (position, subtree end) in each round's published tree, for these teams."""
    if not rounds or not teams:
        return {}
    found = PublishedRow.objects.filter(
        org_id=rounds[0].org_id, round__in=rounds, team_id_snapshot__in=sorted(teams)
    ).values_list("round_id", "team_id_snapshot", "pos", "subtree_end")
    return {(rid, team): (pos, end) for rid, team, pos, end in found if team is not None}


def first_published_group(rnd: Round, ranges: list[tuple[int, int]] | None, *, visible: bool) -> str | None:
    """The key of the round's first group (in family order) within these position ranges of the tree
    (None: any group; [(-1, 0)]: organisation-wide groups only): among visible groups, or among whole
    (unsliced) groups when `visible` is False."""
    found = PublishedGroup.objects.filter(org_id=rnd.org_id, round=rnd)
    found = found.filter(visible=True) if visible else found.exclude(key__contains=".")
    if ranges is not None:
        where = Q()
        for lo, hi in ranges:
            where |= Q(pos__gte=lo, pos__lt=hi)
        if not ranges:
            return None
        found = found.filter(where)
    return found.order_by("order").values_list("key", flat=True).first()


# (team, pos, subtree_end, depth, label) of a published heatmap row
TreeRow = tuple[int | None, int, int, int, str]


def published_tree_around(rnd: Round, pos: int) -> tuple[list[TreeRow], list[TreeRow], list[TreeRow]]:
    """The ancestors (top first), the row itself (a list of one, or none) and the children of the row at
    `pos` in the round's published tree (-1: the organisation, whose children are the top-level teams)."""
    rows = PublishedRow.objects.filter(org_id=rnd.org_id, round=rnd)
    fields = ("team_id_snapshot", "pos", "subtree_end", "depth", "label")
    own = list(rows.filter(pos=pos).values_list(*fields))
    if not own:
        return [], [], []
    _, _, end, depth, _ = own[0]
    above = rows.filter(pos__gte=0, pos__lt=pos, subtree_end__gt=pos).order_by("pos").values_list(*fields)
    below = rows.filter(pos__gt=pos, pos__lt=end, depth=depth + 1).order_by("pos").values_list(*fields)
    return list(above) if pos >= 0 else [], own, list(below)


def visible_published_keys(rounds: list[Round], keys: list[str]) -> set[str]:
    """Of these group keys, those visible (surviving protection on respondents) in any of the rounds."""
    if not rounds or not keys:
        return set()
    return set(
        PublishedGroup.objects.filter(
            org_id=rounds[0].org_id, round__in=rounds, key__in=keys, visible=True
        ).values_list("key", flat=True)
    )


def comments_where(rnd: Round, keep: Callable[[Cell], bool]) -> list[Comment]:
    """Comments of the round whose (sealed) cell passes `keep`, in their stored order (random: UUIDs)."""
    found = Comment.objects.filter(org_id=rnd.org_id, round=rnd).prefetch_related("replies__manager")
    return [c for c in found.order_by("id") if keep(c.cell())]
