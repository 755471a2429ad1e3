"""Rule 7, step c (package docstring): every round shown so far, together. Steps a and b (`rounds.py`)
compare this round with each earlier round on its own, which is exact for two rounds but not for three:
a reader who adds and subtracts results of three rounds can single out someone every pair lets pass.

The check here is about EQUATIONS. Number the atoms of every earlier round (over people, as that round
showed them) and of this round. A reader's combination gives atom x a coefficient f_x; person i gets
the sum of the coefficients of the atoms i is in, one per round at most (none for a round i was in no
shown group of). Write that as <e_i, f>, where e_i, person i's EQUATION, is the set of their atoms. The
combination is non-zero exactly on the people whose <e_i, f> is not 0. Promise: no f is non-zero on 1
to k-1 people. Equivalently: for every set S of fewer than k people, the equations of the people
outside S span all the equations (if they do, an f that is 0 outside S is orthogonal to every equation
and so 0 everywhere; if they do not, some f is 0 outside S and not everywhere).

`unresolved` proves it by growing a set R of equations that survive any such S:
  1. People with the same equation (the same atoms in every round) form a BLOCK. A block of k people or
     more cannot be removed by S, so its equation joins R.
  2. Every other block's equation is reduced modulo span(R) to a normal form. Blocks whose normal forms
     are multiples of one another are interchangeable: any one of them gives the others back, modulo
     R. When such a class holds k people or more, one of them is outside S, so its equation joins R.
     A block whose equation is in span(R) is settled.
  3. Repeat 2 until nothing joins R. By induction every equation in R is spanned by the equations of
     the people outside any S of fewer than k; so when every block is settled the promise holds.
Blocks left unsettled are what this round must fix, by hiding groups (merging this round's atoms) and
checking again. This is sufficient, not exact (exactly is NP-hard: the smallest support in a linear
space): it can hide a group no combination really needs hidden, never the other way round.

What is compared with what, and with which k: the earlier rounds are those `Membership.earlier` lists
(see `queries.earlier_rounds`: same organisation, a theme in common, closed before or already
published), every one of them at once; k is this round's. Those rounds were checked the same way when
published, so with this round hidden altogether everything settles again, and the loop ends. When they
do not settle on their own (k went up since, or they were published under older rules), the blocks
left unsettled by the earlier rounds alone are taken as given (added to R): this round must not single
out anybody else, but cannot take back what was shown.

Exact arithmetic (fractions), sparse rows kept fully reduced.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from fractions import Fraction

Equation = tuple[int, ...]  # the atoms a person is in, as variable numbers, sorted


class _Span:
    """The span of some equations, as rows in reduced echelon form: each row has a pivot variable that
    no other row holds, so a vector's normal form (its remainder modulo the span) is unique."""

    def __init__(self) -> None:
        self.rows: dict[int, dict[int, Fraction]] = {}
        self.holding: dict[int, set[int]] = {}  # variable -> pivots of the rows holding it

    def reduce(self, eq: Iterable[int]) -> dict[int, Fraction]:
        v: dict[int, Fraction] = dict.fromkeys(eq, Fraction(1))
        # Rows are fully reduced: subtracting one brings in no pivot, so one pass over v's pivots does.
        for p in [x for x in v if x in self.rows]:
            c = v.pop(p)
            for x, a in self.rows[p].items():
                if x != p:
                    nv = v.get(x, 0) - c * a
                    if nv:
                        v[x] = nv
                    else:
                        v.pop(x, None)
        return v

    def add(self, v: dict[int, Fraction]) -> None:
        """Add a reduced, non-zero vector."""
        p = min(v, key=lambda x: (len(self.holding.get(x, ())), x))  # the pivot causing least fill-in
        c = v[p]
        row = {x: a / c for x, a in v.items()}
        for q in self.holding.pop(p, set()):
            other = self.rows[q]
            f = other.pop(p)
            for x, a in row.items():
                if x == p:
                    continue
                nv = other.get(x, 0) - f * a
                if nv:
                    other[x] = nv
                    self.holding.setdefault(x, set()).add(q)
                else:
                    other.pop(x, None)
                    self.holding.get(x, set()).discard(q)
        self.rows[p] = row
        for x in row:
            if x != p:
                self.holding.setdefault(x, set()).add(p)


def _normal(v: dict[int, Fraction]) -> tuple[tuple[int, Fraction], ...]:
    """A key equal for two non-zero remainders exactly when one is a multiple of the other."""
    first = min(v)
    c = v[first]
    return tuple(sorted((x, a / c) for x, a in v.items()))


def unresolved(blocks: Counter[Equation], k: int, given: Iterable[Equation] = ()) -> list[Equation]:
    """The equations (blocks, with how many people hold each) not shown to survive every removal of
    fewer than k people, steps 1 to 3 of the module docstring; `given` joins R first."""
    span = _Span()
    for eq in given:
        v = span.reduce(eq)
        if v:
            span.add(v)
    small: list[tuple[Equation, int]] = []
    for eq, n in blocks.items():
        if not eq:
            continue  # in no shown group of any round: in no sum
        if n >= k:
            v = span.reduce(eq)
            if v:
                span.add(v)
        else:
            small.append((eq, n))
    while small:
        classes: dict[tuple[tuple[int, Fraction], ...], list] = {}
        left: list[tuple[Equation, int]] = []
        for eq, n in small:
            v = span.reduce(eq)
            if not v:
                continue
            left.append((eq, n))
            found = classes.setdefault(_normal(v), [0, v])
            found[0] += n
        grew = False
        for n, v in classes.values():
            if n >= k:
                w = span.reduce(v)  # another class may have joined since v was reduced
                if w:
                    span.add(w)
                grew = True
        small = left
        if not grew:
            break
    return [eq for eq, _ in small]


def equations(
    earlier: Sequence[Sequence[frozenset[int]]], now: Sequence[Iterable[int]] = ()
) -> tuple[Counter[Equation], dict[int, int]]:
    """Each person's equation over the atoms of `earlier` rounds (each a list of atoms over people)
    and of this round (`now`: its atoms over people), counted per distinct equation; and which
    variables are this round's atoms (variable -> position in `now`)."""
    atoms_of: dict[int, list[int]] = {}
    var = 0
    for atoms in earlier:
        for atom in atoms:
            for person in atom:
                atoms_of.setdefault(person, []).append(var)
            var += 1
    current: dict[int, int] = {}
    for b, people in enumerate(now):
        current[var] = b
        for person in people:
            atoms_of.setdefault(person, []).append(var)
        var += 1
    return Counter(tuple(v) for v in atoms_of.values()), current
