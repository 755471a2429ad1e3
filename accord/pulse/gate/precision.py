"""Rule 6 of the package docstring: the figures of small groups (fewer than 2k answers), rounded.

Every function here takes exact counts and sums (never a float that has been divided already) and rounds
with whole-number arithmetic, halves upwards, so that a figure is the same on every machine and in every
place it is shown: pages, API, trends and the rows stored when a round is published."""

from __future__ import annotations

import math
from fractions import Fraction

from ..stats import ALPHA, NOT_ENOUGH, Change

MEAN_STEP = Fraction(1, 10)  # means (1-5 scale) to one decimal
SHARE_STEP = Fraction(1, 10)  # shares to the nearest 10%
POINTS_STEP = 10  # eNPS and its interval to the nearest 10 points


def small(n: int, k: int) -> bool:
    """Whether a group's figures are rounded: fewer than 2k answers."""
    return n < 2 * k


def _nearest(value: Fraction, step: Fraction | int) -> float:
    return float(math.floor(value / step + Fraction(1, 2)) * step)


def coarse_mean(total: float, n: int) -> float:
    return _nearest(Fraction(total) / n, MEAN_STEP)


def coarse_share(count: int, n: int) -> float:
    return _nearest(Fraction(count, n), SHARE_STEP)


def coarse_points(points: float | Fraction) -> float:
    return _nearest(Fraction(points), POINTS_STEP)


def coarse_change(exact: Change, shown_delta: float) -> Change:
    """A change between two shown figures of which at least one is rounded: no p-value, no test
    statistic, and a delta that is the difference of the two figures as shown. Only the words."""
    if exact.p_value is None:
        return Change(delta=shown_delta, p_value=None, significant=False, words=NOT_ENOUGH)
    significant = exact.p_value < ALPHA
    if not significant:
        words = "not significant"
    else:
        words = "a significant rise" if exact.delta > 0 else "a significant fall"
    return Change(delta=shown_delta, p_value=None, significant=significant, words=words)
