"""The anonymity gate: the ONE place every pulse number leaves through (pages, API, exports, jobs).

Nothing outside this package reads answer aggregates (`RoundData.stats`, `drivers`, the count tables)
to show them to anyone. Views ask the functions it exports, which return either a result or
`Suppressed`. Inside: `config` (SLICES_FIRST, RULE_VERSION: what protection runs with, passed in
explicitly), `core` (groups, the team tree, cells, answer categories, the per-round cache kept on the
RoundData), `atoms` (rules 2 and 3 below: the `Protection` class, whose steps are named after them),
`protection` (applying them to each count table of a round; saving and loading the result),
`rounds` (rule 7: across rounds) and `history` (its step c, every round together), `results` (every
number, the heatmap, slices and trends), `precision` (rule 6: the rounded figures of small groups)
and `published` (what a closed round stores, and reading it back).

The rules, in plain words
=========================

1. Minimum group size k. A number about a group is shown only when at least k people in it answered
   (k is the round's setting, default 5, and never below 3 whatever the setting says). A hidden number
   says why without saying how many there were: "Not shown: fewer than 5 responses", with the same
   words when NOBODY answered ("No responses" beside "fewer than 5" would say whether the one person of
   a team or a slice answered). Likewise "fewer than 5 people invited" when nobody was, and a construct
   one of whose items nobody in the group answered is hidden like one whose item a few answered.

2. Differencing protection. A viewer who sees two groups can subtract one from the other: a team
   minus one of its child teams is "everyone else in the team", and the whole organisation minus
   "Under 1 year" is everybody who has been here longer. If such a difference is one person, their
   answer is out. So we look at the FAMILY of every group anyone can see in a round (the whole
   organisation and every team's subtree at every level, each on its own and split by tenure band and
   by region), not just the groups one viewer sees, because viewers talk to each other.
   Every group is a union of CELLS (team, tenure band, region). Cells that belong to exactly the same
   visible groups can never be told apart by adding and subtracting visible numbers; they merge into
   one ATOM. Any number anybody can compute from the visible groups is a sum over whole atoms, so if
   every non-empty atom holds at least k answers, no sum over fewer than k people can be computed.
   `protect()` enforces this:
     a. hide every group with 1..k-1 answers (groups with none are simply empty);
     b. while some non-empty atom holds fewer than k answers (smallest atom first), hide one more
        group: the smallest visible group whose hiding merges that atom with another non-empty atom;
        if none does, the smallest visible group containing the atom (then try again); if only the
        whole organisation contains it, the smallest group that separates it from its nearest atom.
        Groups with exactly the same cells (a team whose people all share one region, a parent whose
        only members are in its one child team) are hidden together, since hiding one of them alone
        would change nothing. The whole-organisation group is never chosen (it contains every cell,
        so hiding it merges nothing); it is hidden only when the whole organisation is itself unsafe,
        and then everything is.
   The protection is computed for the whole family, for each count separately: respondents (which
   groups exist in a round), each question's answers (people skip questions), comment authors, and
   people invited (participation). Answers and comment authors start from the groups that survived on
   respondents, so a group hidden there is hidden for every question and comment. A viewer's own view is
   then a subset of what survived, never a weaker filter.
   The atom rule is deliberately conservative: it does not try to prove that a small atom's sum cannot
   be computed, it makes sure no small atom exists. With many small teams AND organisation-wide slices
   this hides a lot (an organisation-wide band splits every team's own people by band); SLICES_FIRST
   chooses which of the two gives way.

3. Unanimity and homogeneity. If everybody in a group gives the same answer, the group's mean tells each
   of them what the others answered (and a manager who knows who took part learns every answer). Pages
   also show CATEGORIES, and a category holding everyone does the same: "100% favourable" says each
   member agreed, "0% favourable" that none did, eNPS +100 (or -100, or 100% passives) that each was a
   promoter (detractor, passive), a histogram bar holding everyone the exact answer. The categories a
   viewer can see (`core.answer_mix`): agree5 favourable / not favourable / neutral / unfavourable;
   nps11 promoters / not promoters / passives / detractors; and each answer value. Our rule:
     - A group, and by the atom argument any ATOM, is unsafe when one CATEGORY holds all its answers,
       whatever its size, or when, below 2k answers, one VALUE holds all of them or all but one.
       `protect()` treats it exactly like an atom below k: it is hidden (or merged), and its category
       counts cannot be computed by differencing either (counts of a category add up over cells just as
       answers do). Hidden this way it says only "Not shown to protect anonymity", the words of a group
       hidden by differencing, so the reader cannot tell homogeneity from differencing.
     - Why hide the whole result and not only the shares and bars: the mean gives it away too. With n
       answers on 1-5, a mean above 5 - 2/n is only reachable when all are favourable, below 1 + 3/n only
       when none is, and rounding does not save it (n = 5: a mean shown as 4.7 or more). So no figure
       of a homogeneous group is shown, at any size: a unanimous mean of 2k answers, shown before, is
       hidden now.
     - Why "all but one" for values below 2k: then no respondent, subtracting their own answer, learns
       that the others were unanimous. It is not applied to categories: with two categories (favourable
       or not) it would hide every group of 3 and any group of 5 in which four agree, the usual result of
       a content small team, and the hiding itself would then mark a lopsided team. A lone dissenter does
       learn that the others were all favourable; that is accepted.
     - The distribution (how many gave each answer) and the standard deviation are shown only from 2k
       answers (and never for a unanimous group, which is hidden anyway). Smaller groups: rule 6.

4. Comments show only for groups whose comment AUTHORS pass the same protection (computed with the
   comment-author counts). Key drivers need a visible group and at least 30 complete answer sets.
   Participation shows invited, responded and rate, protected with the invited counts; never a list.

5. Viewers. `scope` is None for admins (everything), a set of team ids for managers (the groups of those
   teams' subtrees, sliced or not), or "org" for members (organisation-wide groups and their slices).
   Asking about a group outside the scope raises `NotInScope`.

6. Precision of small groups. Exact figures of a small group let a reader rebuild its answers: n and
   a mean to two decimals give the sum, the standard deviation or a test statistic gives the sum of
   squares, and with five answers on a 1-5 scale those often leave one possible distribution (a Welch
   p-value to 17 digits between two rounds of five gave both). So below 2k answers (`precision.small`;
   for a construct, when any of its items has fewer than 2k) a result is ROUNDED (`rounded=True`):
     - the mean to one decimal, every share (favourable, promoters, passives, detractors,
       participation) to the nearest 10%, eNPS and both ends of its interval to the nearest 10 points,
       halves upwards, computed from exact counts so every page, the API and the stored rows agree;
     - no n (None; the API says `"n": null, "rounded": true`), no participation counts, no standard
       deviation, no distribution;
     - a change between two rounds of which either is rounded: no p-value and no test statistic, the
       difference of the two figures as shown, and only the words "a significant rise", "a significant
       fall" or "not significant" (the test itself still runs on the exact numbers: one bit leaves).
   Rounding hides n, so mean x n no longer gives the sum. It is not what protection relies on: a viewer
   who knows a team's head count from the org chart gets close to its sum, and rules 2 and 3 are
   computed on exact numbers and proven against an attacker who is given every shown group's exact n
   and sum (tests/pulse/test_gate.py). What rounding takes away is the second moment and the exact
   counts that, with the sum, would pin down who answered what.

7. Across rounds. Rules 2 and 3 protect one round. A reader who has two rounds subtracts them: a team
   of 6 shown in round 1 and of 7 in round 2, after one person joined, gives that person's answer
   whenever the six answered as before (and roughly when they answered much as before). Joins, leaves,
   moves between teams, and people who answer one round and skip the next all do the same; the org
   chart tells who changed, and colleagues tell each other whether they answered. Answers are never
   linked to people, but who took part in each round is recorded (`Participation`, apart from any
   answer), so for every group the gate knows the SET of people who took part. Our rule:
     - Compared with every EARLIER round (closed before it, or already published; same organisation,
       at least one theme in common, any program: people move and teams are renamed, so any group, not
       only the same team), with k the LARGER of the two rounds' minimum sizes (lowering k never
       weakens what an earlier round promised), in three steps (`rounds.py`):
       a. Pairs. A group whose people differ from those of a group the earlier round showed by 1 to
          k-1 (symmetric difference) is hidden. Identical sets are allowed: subtracting them gives
          the change of the same people, nobody's answer.
       b. Sums of both rounds. A reader also adds and subtracts several results: teams of 5 and 9
          shown in round 1, merged in round 2 with one hire, pass (a) while the merged team minus both
          old teams is the hire; so do a team split in two with one leaver, a team made of two earlier
          teams less a leaver, and a team hidden by (a) rebuilt as its parent minus its sibling. Rule
          2's atoms answer it: every number a reader can work out from the two rounds is a combination
          of the earlier round's atoms and this round's (each person answering as before, the
          reader's best case). Picture a graph: each atom of either round is a node, and each person
          an edge between their atom then and their atom now (or OUTSIDE, for someone in a shown
          group of only one of the two rounds: joined, left, skipped, came back, or in no shown
          group). A sum of some atoms of one round minus some atoms of the other is non-zero exactly on
          the people whose edge is CUT by that choice, and any combination that singles out fewer than
          k people contains such a cut. So the rule is: every cut of that graph is 0 or k people or
          more. It is checked exactly, without trying every cut: nodes joined by k or more people are
          merged, then passes in maximum-adjacency order (Nagamochi and Ibaraki) merge every pair no
          cut below k can separate; a merged node cut off from the rest by 1 to k-1 people is a leak.
          For a leak, this round hides groups so that its atoms merge: the groups telling apart the
          atom where a few of an earlier atom's people went from the atom where most went (as (a)
          would, for a team one person left); failing that, as rule 2b, the smallest group whose
          hiding merges one of the leaky atoms with a neighbouring atom, then the groups made only of
          the leaky atoms, then the smallest group holding one, the whole organisation last; and
          when only the sum of everything shown is cut off (the organisation hidden, its parts not),
          every group of the atom held by the fewest groups, so that someone leaves every sum. Then
          the leaky rounds are checked again (hiding only merges atoms, so a safe round stays safe)
          until none leaks. Pairs (a) is the special case of a cut with one group on each side, kept
          as a step of its own because it is cheap and also holds a k that went up to the new k
          (see the last point of b); (b) adds what it misses and, in ordinary churn (one person
          moving between two large teams each round), nothing: the teams that person left and
          joined are hidden by (a) anyway, since each differs by one from what an earlier round
          showed (tests/pulse/test_across_rounds.py).
          An earlier atom smaller than k (k went up since) counts as part of the atom of this round
          holding most of its people: cutting it off only moves that atom's own sum, which the
          earlier round showed under its own k.
       c. Every round together (`history.py`). (a) and (b) are exact for two rounds but not for
          three: in an 8-person case (k = 3) round 1 showed 0-7, round 2 (after 8 joined and 0 moved
          away) 1-5 and 8, round 3 (after 1 left, 9 and 10 joined) everyone but 1, and its newest
          band, 2-5 and 8-10; every pair passes, yet round 1 minus round 3's whole plus its band
          minus round 2 is person 8 alone (tests/pulse/test_across_rounds.py). So after (a) and (b)
          the gate also PROVES that no combination of this round and every earlier one (all at once)
          is non-zero on 1 to k-1 people, k the largest of all their minimum sizes, unless a
          combination of the earlier rounds alone already was (what a round adds, below):
            Give each atom of every round a variable; a combination is a value per atom, and person
            i gets the sum over the atoms i is in (their EQUATION). It singles out the set S exactly
            when it is 0 on everybody outside S; for |S| < k that is impossible exactly when the
            equations of the people outside S span all equations. People with the same equation
            (same atoms every round) form a block. A block of k or more always keeps someone outside
            S, so its equation is safe. Blocks whose equations are multiples of one another modulo
            the safe ones stand in for each other; k people or more among them make that equation
            safe too. Repeat; every safe equation is spanned by the equations of the people
            outside any S of fewer than k. Exact arithmetic (fractions).
          What a round adds. Earlier rounds were published under their own k and the reader has
          them; what this round must promise is that ADDING it singles out nobody new: every
          combination non-zero on 1 to k-1 people (this k) gives the same numbers as some
          combination of the groups earlier rounds showed (the groups, not their atoms: an
          earlier atom's sum is not always among what the reader has). Write each equation as
          the reader has it: the earlier groups the person was in and their atom of this round.
          Let K be what combinations of those leave once the earlier groups cancel (sums of this
          round's atoms alone). The promise holds exactly when, for every S of fewer than k, K
          lies in the span of the equations (as the reader has them) of the people outside S.
          Proof (`history.py`, step 5): the combinations non-zero only on S form a space of
          dimension rank(all) - rank(outside S), those of earlier groups alone one of dimension
          rank(earlier parts of all) - rank(earlier parts outside S) inside it, and rank minus
          rank of the earlier parts is the dimension of K, for everyone and for the people
          outside S; the two spaces are equal exactly when those are, that is when K lies in the
          span of the equations outside S. The safe equations (rewritten the same way) lie in
          that span whatever S is, so it is enough that K lies in their span, and the gate checks
          that exactly (`history._new_directions`: adding the unsettled blocks raises the rank as
          often as adding their earlier parts does). With k unchanged this is the whole promise
          again (by induction no earlier combination singles out anyone below k); with every
          group of this round hidden K is nothing, so it passes.
          Chained over rounds: whatever a round added singles out nobody below that round's k.
          It is sufficient, not exact (the smallest support in a linear space is NP-hard to find):
          a group may be hidden that no combination really needs hidden, never the other way
          round. While K escapes, this round hides groups as rule 2b would, at the blocks through
          which it escapes (the atom holding them is merged with a neighbour; for people not in
          this round, the atom holding most of those they shared an earlier atom with), then
          checks again; with every group hidden K is nothing, so it ends.
          Scope: the same earlier rounds as (a) and (b), all of them at once (same
          organisation, a theme in common: a combination only isolates someone on a question or
          theme that every round it uses asked, and theme is the finest unit queries hand over; a
          program's trends, heatmaps, API and exports all show rounds of that set). When k went up
          since, what earlier rounds showed is taken as given (under the k they were shown with)
          and only what this round adds is held to the new k. Checking the earlier rounds again
          under the new k instead hid every group of every later round for good (an earlier atom
          of five never reaches six): on three synthetic organisations of 300 people
          (tests/pulse/test_across_rounds.py, k 5 -> 6 before round 4 of six, 80% answering at
          random) rounds 4 to 6 now show 30 groups in all against 69 with k kept at 5; before,
          none. Raising k still costs: the proof's safe equations need blocks of the new k, and
          (a) and (b) compare with the larger k. Lowering it never weakens an earlier promise,
          since the largest k is used.
       A group hidden by any step says only "Not shown to protect anonymity", like rule 2. Sets
       of people who took part, not of people invited: a skip or a return moves a sum exactly
       as a leave or a join does, and an invited person who did not answer adds nothing.
     - It is applied to the groups that survived rules 2 and 3 on respondents, so a group hidden by it
       is hidden for every question, comment, slice, heatmap cell, trend point and stored row. Hiding
       more groups after rule 2 never weakens rule 2 (the visible groups only lose members; atoms only
       merge), so the round stays safe on its own.
     - "Shown" means shown on respondents after every rule, this one included, so a group hidden in
       round 2 is not compared with in round 3; round 3 is compared with round 1 (and any other round
       that showed it). A team that gained one person stays hidden until its people match a shown set
       again or have changed by k or more; random non-response hides more too. Measured on a
       synthetic organisation of 25,000 people in 3,000 teams, 80% answering at random, 1% moving
       team, 0.5% leaving and 0.5% joining each round (about 2,560 groups pass rules 1 to 3 each
       round): pairs alone (a) show 1,840 groups in round 2 and 1,527 in round 8; with cuts (b),
       1,290 and 872. The difference is what pairs left open: in round 2, what pairs alone show has
       at least 307 cuts of 1 to k-1 people against round 1, 63 of them of one person. That is the
       price.
     - Rounding (rule 6) does not replace it: with 6 and then 7 answers, shares to the nearest 10% still
       give the exact favourable counts of both rounds, and two means to one decimal the newcomer's
       answer to within a point or so. So the rule applies to rounded groups as well.
     - Publishing a round computes the rule once (earlier rounds are published first, oldest first),
       and stores it with the round's protection; pages, the API, trends and heatmaps read it back. A
       round that closes late (after a round that closes later was published) is compared with that
       round as well: every pair of shown rounds is checked by whichever was published second.
   What it costs (c, measured before it checked only what a round adds, which as a rule shows
   more; on synthetic rounds of 3,000 people in 400 teams, 80%
   answering at random each round, 1% moving team, 0.5% leaving and 0.5% joining, k = 5, 8 rounds):
   rules 1-3 pass 4,122 group-rounds; with (a)+(b) alone 2,078 were shown, with (c) 1,020: round 2
   the same 303 (for two rounds the graph step of (c) matches (b)), round 3 102 instead of 267, from
   round 4 on 11 to 21 groups a round instead of 167 to 230. Random non-response is what isolates
   people across many rounds (a small atom answered by a different subset each round soon gives a
   full-rank system: everyone's answer), and (c) is also stricter than exact where remainders of three
   or more variables are left. The demo organisation (the same regulars answer every round) hides
   nothing with or without it: 231 of 231 group-rounds shown. What rule 7
   still does not cover: homogeneity (rule 3) across rounds, people who skip one question of a round
   they took part in (not known per person), and the atom view treats every atom's sum as known,
   which hides a little more than the groups themselves require.

Heatmap cells are summaries: mean (or eNPS) and favourable share, rounded for small groups, never a
distribution.

Speed: a round's protection runs once per count table and is cached on the RoundData object (treat a
RoundData as immutable once it has been given to this package). Atoms are found by hashing each cell's
set of visible groups (XOR of a random 128-bit key per group; a collision, about 2^-128 per pair, could
only merge two atoms), updated incrementally as groups are hidden; the smallest bad atom always comes
from a heap. Totals of whole subtrees, and of their tenure and region slices, are running sums over cells
in depth-first order. When a round closes, `publish` stores the heatmap and its slices as the gate
computed them (see `published`), and `publish_groups` every group's results for the results and trends
pages (see `stored`); pages read those back instead of computing again. The rules above are
applied before storing: a stored cell holds the rounded figures of a small group (never its count or
sum) and the reason for a hidden one; changing a rule bumps RULE_VERSION, so rows stored under the old
rules are stale: never read, and published again by a background task (pulse/publishing.py).
"""

from __future__ import annotations

from .atoms import Protection
from .config import RULE_VERSION, SLICES_FIRST, GateConfig
from .core import (
    DRIVERS_SMALL,
    ORG_LABEL,
    PROTECTED,
    SMALL,
    SMALL_INVITED,
    Group,
    NotInScope,
    Scope,
    answer_mix,
    configure,
    effective_k,
    family,
    gc_paused,
    in_scope,
    round_cache,
)
from .protection import (
    load_protection_state,
    protect,
    protection_state,
    shown_before,
    visible_groups,
)
from .published import (
    PUBLISH_FORMAT,
    Published,
    Result,
    RowToStore,
    publish,
    published_cells,
    published_grid,
    published_heatmap,
    published_slices,
    results_stamp,
)
from .results import (
    ConstructResult,
    Driver,
    EnpsFigures,
    Heatmap,
    HeatmapRow,
    ParticipationResult,
    QuestionResult,
    SliceRow,
    Slices,
    Suppressed,
    Trend,
    TrendPoint,
    comments_visible,
    construct_result,
    drivers,
    heatmap,
    participation,
    question_result,
    round_constructs,
    slices,
    trend,
)
from .stored import (
    GroupToStore,
    StoredGroup,
    TrendRound,
    group_key,
    publish_groups,
    round_facts,
    stored_trend,
)

__all__ = [
    "ConstructResult",
    "DRIVERS_SMALL",
    "Driver",
    "EnpsFigures",
    "GateConfig",
    "GroupToStore",
    "StoredGroup",
    "TrendRound",
    "group_key",
    "publish_groups",
    "round_facts",
    "stored_trend",
    "Group",
    "Heatmap",
    "HeatmapRow",
    "NotInScope",
    "ORG_LABEL",
    "PROTECTED",
    "PUBLISH_FORMAT",
    "ParticipationResult",
    "Protection",
    "Published",
    "RowToStore",
    "QuestionResult",
    "RULE_VERSION",
    "Result",
    "SLICES_FIRST",
    "SMALL",
    "SMALL_INVITED",
    "Scope",
    "SliceRow",
    "Slices",
    "Suppressed",
    "Trend",
    "TrendPoint",
    "answer_mix",
    "comments_visible",
    "configure",
    "construct_result",
    "drivers",
    "effective_k",
    "family",
    "gc_paused",
    "heatmap",
    "in_scope",
    "load_protection_state",
    "participation",
    "protect",
    "protection_state",
    "publish",
    "published_cells",
    "published_grid",
    "published_heatmap",
    "published_slices",
    "question_result",
    "results_stamp",
    "round_cache",
    "round_constructs",
    "shown_before",
    "slices",
    "trend",
    "visible_groups",
]
