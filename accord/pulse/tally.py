"""A round's aggregates as stored: one sealed value per round (models.RoundTally), never a clear row
per cell. `fold` adds a mixed batch; `read` gives queries.round_data what it used to read from the
per-cell tables, so the gate sees exactly the same numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .data import Cell
from .models import Round, RoundTally
from .sealing import TALLY, seal, unseal

# (question id, cell) -> [n, total, total of squares, histogram by raw value]
StatDelta = dict[tuple[int, Cell], list[Any]]
# cell -> [respondents, commenters, driver n, driver sums, driver cross products]
CountDelta = dict[Cell, list[Any]]


@dataclass
class Tally:
    driver_vars: list[str] = field(default_factory=list)
    stats: StatDelta = field(default_factory=dict)
    counts: CountDelta = field(default_factory=dict)


def _decode(value: dict[str, Any]) -> Tally:
    found = Tally(driver_vars=list(value["driver_vars"]))
    for qid, team, band, reg, n, total, total_sq, hist in value["stats"]:
        found.stats[(qid, (team, band, reg))] = [n, total, total_sq, hist]
    for team, band, reg, resp, comm, dn, dsums, dcross in value["counts"]:
        found.counts[(team, band, reg)] = [resp, comm, dn, dsums, dcross]
    return found


def _encode(tally: Tally) -> dict[str, Any]:
    return {
        "driver_vars": tally.driver_vars,
        "stats": [[qid, *cell, *row] for (qid, cell), row in tally.stats.items()],
        "counts": [[*cell, *row] for cell, row in tally.counts.items()],
    }


def read(rnd: Round) -> Tally | None:
    """The round's tally, or None if nothing was ever mixed into it."""
    sealed = RoundTally.objects.filter(round=rnd).values_list("sealed", flat=True).first()
    return None if sealed is None else _decode(unseal(TALLY, rnd.pk, sealed))


def fold(rnd: Round, stats: StatDelta, counts: CountDelta, dvars: list[str]) -> None:
    """Add one batch's sums to the round's tally and seal it again (the caller holds the round's lock)."""
    tally = read(rnd) or Tally()
    tally.driver_vars = dvars
    for key, (n, total, total_sq, hist) in stats.items():
        row = tally.stats.get(key)
        if row is None:
            tally.stats[key] = [n, total, total_sq, list(hist)]
            continue
        row[0] += n
        row[1] += total
        row[2] += total_sq
        row[3] = [a + b for a, b in zip(row[3] or [0] * len(hist), hist, strict=True)]
    for cell, (respondents, commenters, dn, dsums, dcross) in counts.items():
        row = tally.counts.get(cell)
        if row is None:
            tally.counts[cell] = [respondents, commenters, dn, dsums, dcross]
            continue
        row[0] += respondents
        row[1] += commenters
        if dn:
            row[2] += dn
            row[3] = [a + b for a, b in zip(row[3] or [0.0] * len(dvars), dsums, strict=True)]
            old = row[4] or [[0.0] * len(dvars) for _ in dvars]
            row[4] = [
                [a + b for a, b in zip(r1, r2, strict=True)] for r1, r2 in zip(old, dcross, strict=True)
            ]
    RoundTally.objects.update_or_create(
        round=rnd, defaults={"org_id": rnd.org_id, "sealed": seal(TALLY, rnd.pk, _encode(tally))}
    )
