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
  3. When no class reaches k: the remainders of one or two variables form a graph (`_connected`):
     two variables joined by k or more people along every cut (k-edge-connected, found by
     contraction as in rule 7b) stay joined by a path of remainders whatever S is, and the path adds
     up to an equation between the two alone, which joins R.
  4. Repeat 2 and 3 until nothing joins R. By induction every equation in R is spanned by the
     equations of the people outside any S of fewer than k (and by R before it); so when every block
     is settled the promise holds.
  5. Only what this round adds (`reader`, as the gate calls it). Earlier rounds were shown under
     their own k; the promise for this one is that every combination non-zero on 1 to k-1 people
     gives numbers the reader already had: a combination of the GROUPS earlier rounds showed (an
     earlier atom's sum is not always among them). Write L(e) for equation e with each earlier atom
     replaced by the earlier groups holding it (the group's sum is the sum of its atoms, and a
     person is in at most one atom of a round, so L(e_i) says which earlier groups person i was in,
     and which atom of this round): these are the equations of what the reader really has. Let N
     be the space of this round's variables, P drop them, and K = span(L(all)) ∩ N. For a set S,
     the reader's combinations non-zero only on S form a space of dimension rank(L(all)) -
     rank(L(outside S)); those of earlier groups alone, rank(P L(all)) - rank(P L(outside S)), a
     subspace of it; and for any equations E, rank(E) - rank(P E) = dim(span(E) ∩ N). So the
     promise holds for S exactly when K lies in span(L(outside S)) (the two spaces are equal when
     their dimensions are, and span(L(outside S)) ∩ N lies in K). R lies in span(outside S) for
     every S of fewer than k, and L is linear, so K in span(L(R)) is enough, even with blocks left
     unsettled (earlier atoms below a k raised since). With this round hidden altogether, L(all)
     holds no variable of N, so K is nothing and the check passes.

Blocks left unsettled are what this round must fix, by hiding groups (merging this round's atoms) and
checking again. This is sufficient, not exact (exactly is NP-hard: the smallest support in a linear
space): it can hide a group no combination really needs hidden, never the other way round.

What is compared with what, and with which k: the earlier rounds are those `Membership.earlier` lists
(see `queries.earlier_rounds`: same organisation, a theme in common, closed before or already
published), every one of them at once; k is the largest minimum size among them and this round, and
the gate checks step 5. With this round hidden altogether K is nothing, so the loop in
`rounds._all_rounds` ends, whatever k the earlier rounds were shown with.

Exact arithmetic (fractions), sparse rows kept fully reduced.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from heapq import heappop, heappush
from math import gcd, lcm

Equation = tuple[int, ...]  # the atoms a person is in, as variable numbers, sorted


Vector = dict[int, int]  # variable -> integer coefficient, never 0


def _primitive(v: Vector) -> Vector:
    """v divided by the gcd of its coefficients, its smallest variable's coefficient made positive: two
    non-zero vectors get the same result exactly when one is a multiple of the other."""
    g = gcd(*v.values())
    if v[min(v)] < 0:
        g = -g
    return {x: a // g for x, a in v.items()} if g != 1 else v


class _Span:
    """The span of some equations, as integer rows in reduced echelon form (fraction-free: each row has
    a pivot variable that no other row holds), so a vector's remainder modulo the span is unique up to
    a factor, and `_primitive` makes it unique."""

    def __init__(self) -> None:
        self.rows: dict[int, Vector] = {}
        self.holding: dict[int, set[int]] = {}  # variable -> pivots of the rows holding it

    def reduce(self, eq: Iterable[int] | Vector) -> Vector:
        """The remainder of eq (a set of variables, each with coefficient 1, or a vector), primitive."""
        v: Vector = dict(eq) if isinstance(eq, dict) else dict.fromkeys(eq, 1)
        # Rows are fully reduced: subtracting one brings in no pivot, so one pass over v's pivots does.
        for p in [x for x in v if x in self.rows]:
            row = self.rows[p]
            c, d = v.pop(p), row[p]
            if d != 1:
                v = {x: a * d for x, a in v.items()}
            for x, a in row.items():
                if x != p:
                    nv = v.get(x, 0) - c * a
                    if nv:
                        v[x] = nv
                    else:
                        v.pop(x, None)
        return _primitive(v) if v else v

    def add(self, v: Vector) -> None:
        """Add a reduced, non-zero vector."""
        p = min(v, key=lambda x: (len(self.holding.get(x, ())), x))  # the pivot causing least fill-in
        d = v[p]
        for q in self.holding.pop(p, set()):
            other = self.rows[q]
            f = other.pop(p)
            new = {x: a * d for x, a in other.items()}
            for x, a in v.items():
                if x != p:
                    nv = new.get(x, 0) - f * a
                    if nv:
                        new[x] = nv
                    else:
                        new.pop(x, None)
            new = _primitive(new)
            for x in other:
                if x not in new:
                    self.holding.get(x, set()).discard(q)
            for x in new:
                if x != q:
                    self.holding.setdefault(x, set()).add(q)
            self.rows[q] = new
        self.rows[p] = v
        for x in v:
            if x != p:
                self.holding.setdefault(x, set()).add(p)


def unresolved(
    blocks: Counter[Equation], k: int, reader: Mapping[int, Sequence[int]] | None = None
) -> list[Equation]:
    """The equations (blocks, with how many people hold each) not shown to survive every removal of
    fewer than k people: steps 1 to 4 of the module docstring.

    With `reader` (for each earlier round's atom, the groups that round showed holding it; this
    round's atoms are not in it), only what this round ADDS to what the reader has must survive
    (step 5, `_new_directions`): nothing is returned when it does, even if some blocks are left
    unsettled; when it does not, the blocks that reach beyond it, for the caller to widen."""
    span = _Span()
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
        classes: dict[tuple[tuple[int, int], ...], list] = {}
        left: list[tuple[Equation, int]] = []
        for eq, n in small:
            v = span.reduce(eq)
            if not v:
                continue
            left.append((eq, n))
            found = classes.setdefault(tuple(sorted(v.items())), [0, v])
            found[0] += n
        small = left
        safe = [v for n, v in classes.values() if n >= k] or _connected(list(classes.values()), k)
        if not safe:
            break
        for v in safe:
            w = span.reduce(v)  # another one may have joined since v was reduced
            if w:
                span.add(w)
    unsettled = [eq for eq, _ in small]
    if reader is None or not unsettled:
        return unsettled
    return _new_directions(span, unsettled, reader)


def _project(v: Vector | Iterable[int], reader: Mapping[int, Sequence[int]]) -> Vector:
    """P(v): for each group an earlier round showed, the sum of v's coefficients over its atoms."""
    items = v.items() if isinstance(v, dict) else ((x, 1) for x in v)
    out: Vector = {}
    for x, a in items:
        for g in reader.get(x, ()):
            nv = out.get(g, 0) + a
            if nv:
                out[g] = nv
            else:
                del out[g]
    return out


def _lift(v: Vector | Iterable[int], reader: Mapping[int, Sequence[int]]) -> Vector:
    """L(v): v with its earlier rounds' atoms replaced by the groups holding them (as -1 - group, so
    apart from this round's variables, which stay): the equation as the reader has it."""
    out = {-1 - g: a for g, a in _project(v, reader).items()}
    items = v.items() if isinstance(v, dict) else ((x, 1) for x in v)
    out.update((x, a) for x, a in items if x not in reader)
    return out


def _new_directions(span: _Span, left: list[Equation], reader: Mapping[int, Sequence[int]]) -> list[Equation]:
    """The blocks through which what the reader has (L of every equation) reaches a vector of this
    round's variables only (K, step 5) that L(R) lacks (R: `span`, the equations proven to survive
    every removal of fewer than k people); none exactly when K lies in span(L(R)).

    P (`_project`) drops this round's variables of L(v). For any space A, dim(A ∩ N) = dim A -
    dim P(A), N the space of this round's variables. Span(L(all)) is span(L(R)) plus L of the blocks
    `left`, and span(L(R)) ∩ N lies in K, so K lies in span(L(R)) exactly when adding the blocks one by
    one raises dim A as often as dim P(A). A block that raises dim A but not dim P(A) is congruent,
    modulo what came before it, to a vector of N: it is returned. (The converse never happens: if P(v)
    is new to P(A), v is new to A.)"""
    lifted, old = _Span(), _Span()
    for row in span.rows.values():
        v = lifted.reduce(_lift(row, reader))
        if v:
            lifted.add(v)
        w = old.reduce(_project(row, reader))
        if w:
            old.add(w)
    found = []
    # Earlier rounds' blocks first, so that what is blamed is, where possible, this round's.
    for eq in sorted(left, key=lambda eq: any(x not in reader for x in eq)):
        v = lifted.reduce(_lift(eq, reader))
        if not v:
            continue
        lifted.add(v)
        w = old.reduce(_project(eq, reader))
        if w:
            old.add(w)
        else:
            found.append(eq)
    return found


GROUND = -1


def _connected(classes: list[list], k: int) -> list[Vector]:
    """Step 4: the remainders of one or two variables as a graph. Scale each variable x by some p_x so
    that remainders read p_x x - p_y y (an edge x-y) or p_x x (an edge x-GROUND), dropping those that do
    not fit the scaling; an edge weighs the people of its blocks. Two nodes that no cut of fewer than k
    people separates stay joined by a path whatever fewer than k people are removed, and the path's
    edges add up to p_x x - p_y y: that equation is safe. Such pairs are found by contraction as rule 7b
    does (`rounds._Graph`); each yields one safe equation per node joined to its class."""
    scale: dict[int, Fraction] = {}
    edges: list[tuple[int, int, int]] = []
    graph: dict[int, list[tuple[int, Fraction, int]]] = {}
    for n, v in classes:
        if len(v) == 1:
            (x,) = v
            edges.append((x, GROUND, n))
        elif len(v) == 2:
            x, y = sorted(v)
            ratio = Fraction(-v[y], v[x])  # p_y / p_x for v to read p_x x - p_y y
            graph.setdefault(x, []).append((y, ratio, n))
            graph.setdefault(y, []).append((x, 1 / ratio, n))
    for start in sorted(graph):
        if start in scale:
            continue
        scale[start] = Fraction(1)
        stack = [start]
        while stack:
            x = stack.pop()
            for y, ratio, _ in graph[x]:
                if y not in scale:
                    scale[y] = scale[x] * ratio
                    stack.append(y)
    for x, links in graph.items():
        for y, ratio, n in links:
            if x < y and scale[y] == scale[x] * ratio:
                edges.append((x, y, n))
    joined = _Contraction(edges, k).classes()
    safe = []
    for members in joined:
        root = GROUND if GROUND in members else min(members)
        for x in members:
            if x != root:
                f = {x: scale.get(x, Fraction(1))}
                if root != GROUND:
                    f[root] = -scale.get(root, Fraction(1))
                m = lcm(*(a.denominator for a in f.values()))
                safe.append({y: int(a * m) for y, a in f.items()})
    return safe


class _Contraction:
    """Nodes joined by weighted edges; `classes` are the sets of nodes no cut below `limit` separates
    (k-edge-connected classes), found as rule 7b does: contract pairs joined by `limit` or more, then
    maximum-adjacency passes (Nagamochi and Ibaraki) until a pass finds nothing new."""

    def __init__(self, edges: list[tuple[int, int, int]], limit: int) -> None:
        self.limit = limit
        self.parent: dict[int, int] = {}
        self.adj: dict[int, dict[int, int]] = {}
        for u, v, w in edges:
            if u == v:
                continue
            for a, b in ((u, v), (v, u)):
                self.parent.setdefault(a, a)
                row = self.adj.setdefault(a, {})
                row[b] = row.get(b, 0) + w
        self._contract([(u, v) for u, row in self.adj.items() for v, w in row.items() if w >= limit])

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def _contract(self, pairs: list[tuple[int, int]]) -> bool:
        adj, limit, grew = self.adj, self.limit, False
        while pairs:
            u, v = pairs.pop()
            ru, rv = self.find(u), self.find(v)
            if ru == rv:
                continue
            grew = True
            if len(adj[ru]) < len(adj[rv]):
                ru, rv = rv, ru
            self.parent[rv] = ru
            merged = adj.pop(rv)
            adj[ru].pop(rv, None)
            for x, w in merged.items():
                if x == ru:
                    continue
                del adj[x][rv]
                total = adj[ru].get(x, 0) + w
                adj[ru][x] = adj[x][ru] = total
                if total >= limit:
                    pairs.append((ru, x))
        return grew

    def _pass(self) -> list[tuple[int, int]]:
        adj, limit = self.adj, self.limit
        done: set[int] = set()
        found: list[tuple[int, int]] = []
        for start in sorted(adj):
            if start in done:
                continue
            attached = {start: 0}
            heap = [(0, start)]
            last: list[int] = []
            while heap:
                _, v = heappop(heap)
                if v in done:
                    continue
                done.add(v)
                last = [*last[-1:], v]
                for u, w in adj[v].items():
                    if u not in done:
                        q = attached.get(u, 0) + w
                        attached[u] = q
                        heappush(heap, (-q, u))
                        if q >= limit:
                            found.append((v, u))
            if len(last) == 2 and attached[last[1]] >= limit:
                found.append((last[0], last[1]))
        return found

    def classes(self) -> list[set[int]]:
        while self._contract(self._pass()):
            pass
        members: dict[int, set[int]] = {}
        for x in self.parent:
            members.setdefault(self.find(x), set()).add(x)
        return [m for m in members.values() if len(m) > 1]


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
