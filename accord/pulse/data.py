"""The in-memory shape of one round's aggregates: what the gate (the gate package) reads.

`queries.round_data(round)` builds it from the sealed RoundTally and Participation rows; tests build it by
hand. Nothing here holds an individual answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

# A cell: (team id at the time of the round or None, tenure band, region). Every group any viewer can
# see is a union of cells, which is what makes differencing protection computable (see the gate package).
Cell = tuple[int | None, str, str]

TENURE_BANDS = ("under-1y", "1-3y", "over-3y")
TENURE_LABELS = {"under-1y": "Under 1 year", "1-3y": "1–3 years", "over-3y": "Over 3 years"}
REGIONS = ("americas", "emea", "apac")
REGION_LABELS = {"americas": "Americas", "emea": "Europe, Middle East and Africa", "apac": "Asia-Pacific"}


@dataclass
class Stat:
    """Running totals of one question's (already reverse-scored) answers in one cell."""

    n: int = 0
    total: float = 0.0
    total_sq: float = 0.0
    hist: list[int] = field(default_factory=list)  # index = raw answer value

    def add(self, other: Stat) -> None:
        self.n += other.n
        self.total += other.total
        self.total_sq += other.total_sq
        if len(self.hist) < len(other.hist):
            self.hist.extend([0] * (len(other.hist) - len(self.hist)))
        for i, c in enumerate(other.hist):
            self.hist[i] += c


@dataclass
class DriverSums:
    """Sufficient statistics for key drivers over complete cases in one cell (see stats.relative_weights)."""

    n: int = 0
    sums: list[float] = field(default_factory=list)
    cross: list[list[float]] = field(default_factory=list)  # sum of x_i * x_j


@dataclass(frozen=True)
class QuestionInfo:
    id: int
    key: str
    text: str
    construct: str
    scale: str  # "agree5" or "nps11"
    reverse: bool


@dataclass
class RoundData:
    round_id: int
    number: int
    label: str  # e.g. "Round 12 · 3 March 2026"
    k: int
    tree: dict[int, int | None]  # team id -> parent id, as the round opened
    team_names: dict[int, str]
    questions: list[QuestionInfo]
    respondents: dict[Cell, int]
    commenters: dict[Cell, int]
    invited: dict[Cell, int]
    stats: dict[int, dict[Cell, Stat]]  # question id -> cell -> totals
    driver_vars: list[str] = field(default_factory=list)  # construct keys, then "enps"
    drivers: dict[Cell, DriverSums] = field(default_factory=dict)
    # Who took part and who made up the groups earlier rounds showed (rule 7 of the gate). None: no
    # history known (a round built by hand in a test), and rule 7 has nothing to compare with.
    membership: Membership | None = None
    # The gate's per-round working state (gate.core.RoundCache): protections, cell indexes, totals. Kept
    # on the object it describes, so it lives and dies with it; treat a RoundData as immutable once the
    # gate has seen it.
    gate_cache: Any = field(default=None, init=False, repr=False, compare=False)


class ShownRound(NamedTuple):
    """What an earlier round showed, as people: its k, for each distinct group it showed the people who
    took part in it, and the round's ATOMS over people (people in exactly the same shown groups; each
    holds k or more by rule 2). Empty `atoms`: worked out from `took_part` when needed."""

    k: int
    took_part: Sequence[frozenset[int]]
    atoms: Sequence[frozenset[int]] = ()


@dataclass
class Membership:
    """What rule 7 of the gate (across rounds) needs, read only when protection is computed (at
    publishing; pages read the stored protection). Person ids, never an answer: who took part in this
    round, per cell, and what each earlier round showed (`ShownRound`). Both are functions so that a
    round whose stored protection is current never loads them."""

    took_part: Callable[[], Mapping[Cell, frozenset[int]]]
    earlier: Callable[[], Sequence[ShownRound]]

    @classmethod
    def of(cls, took_part: Mapping[Cell, frozenset[int]], earlier: Sequence[ShownRound] = ()) -> Membership:
        return cls(lambda: took_part, lambda: earlier)
