"""accord.pulse.stats: every function against worked examples computed by hand (shown in the comments)
and against reference computations written differently from the code under test."""

from __future__ import annotations

import math
import random
import statistics
from fractions import Fraction

import pytest

from accord.pulse.data import Stat
from accord.pulse.stats import (
    NOT_ENOUGH,
    Enps,
    correlation_from_sums,
    enps,
    enps_change,
    favourable_share,
    format_p,
    incomplete_beta,
    jacobi_eigen,
    mean_sd,
    normal_two_sided_p,
    relative_weights,
    t_two_sided_p,
    weight_shares,
    welch,
)


def stat_of(values: list[int], raw: list[int] | None = None, width: int = 6) -> Stat:
    """A Stat of scored `values`; the histogram counts `raw` values (the same as values by default)."""
    hist = [0] * width
    for v in raw if raw is not None else values:
        hist[v] += 1
    return Stat(n=len(values), total=sum(values), total_sq=sum(v * v for v in values), hist=hist)


# --------------------------------------------------------------------------------------------------
# mean_sd, favourable_share


def test_mean_sd_worked_example():
    # answers 2, 4, 4, 5: n = 4, total = 15, total_sq = 4 + 16 + 16 + 25 = 61
    # mean = 15 / 4 = 3.75; variance = (61 - 15² / 4) / 3 = (61 - 56.25) / 3 = 1.58333; sd = 1.25831
    mean, sd = mean_sd(stat_of([2, 4, 4, 5]))
    assert mean == pytest.approx(3.75)
    assert sd == pytest.approx(math.sqrt(4.75 / 3))
    assert sd == pytest.approx(statistics.stdev([2, 4, 4, 5]))


def test_mean_sd_edge_cases():
    assert mean_sd(stat_of([3])) == (3.0, 0.0)
    assert mean_sd(stat_of([4, 4, 4])) == (4.0, 0.0)
    with pytest.raises(ValueError):
        mean_sd(Stat())


def test_favourable_share_uses_scored_values_for_reverse_items():
    # Raw answers 1, 2, 3, 4, 4, 5.
    raw = [1, 2, 3, 4, 4, 5]
    # Normal item: scored = raw; favourable = scored >= 4 -> 4, 4, 5 -> 3 / 6.
    assert favourable_share(stat_of(raw), reverse=False) == pytest.approx(0.5)
    # Reverse item: scored = 6 - raw = 5, 4, 3, 2, 2, 1; favourable (>= 4) are raw 1 and 2 -> 2 / 6.
    scored = [6 - v for v in raw]
    assert favourable_share(stat_of(scored, raw=raw), reverse=True) == pytest.approx(2 / 6)


def test_favourable_share_nps_is_promoters():
    hist = [1, 0, 0, 0, 0, 0, 2, 3, 1, 2, 1]  # 10 answers, promoters 9-10: 3
    assert favourable_share(Stat(n=10, hist=hist), reverse=False, scale="nps11") == pytest.approx(0.3)
    assert favourable_share(Stat(), reverse=False) == 0.0


# --------------------------------------------------------------------------------------------------
# eNPS and its adjusted Wald interval


def test_enps_worked_example_p12_passives5_d3():
    hist = [0, 0, 0, 1, 0, 0, 2, 2, 3, 5, 7]  # detractors 0-6: 3, passives 7-8: 5, promoters 9-10: 12
    e = enps(hist)
    assert (e.promoters, e.passives, e.detractors, e.n) == (12, 5, 3, 20)
    # score = 100 * (12 - 3) / 20 = 45
    assert e.score == pytest.approx(45.0)
    # Adjusted Wald, by hand:
    #   n' = 20 + 3 = 23
    #   p' = (12 + 0.75) / 23 = 12.75 / 23 = 0.554348
    #   d' = (3 + 0.75) / 23  = 3.75 / 23  = 0.163043
    #   p' - d' = 9 / 23 = 0.391304;  p' + d' = 16.5 / 23 = 0.717391
    #   var = (0.717391 - 0.391304²) / 23 = (0.717391 - 0.153119) / 23 = 298.5 / 12167 = 0.0245336
    #   sqrt(var) = 0.156632;  1.96 * 0.156632 = 0.306999
    #   interval = 100 * (0.391304 ± 0.306999) = [8.43, 69.83]
    assert e.low == pytest.approx(8.4306, abs=1e-3)
    assert e.high == pytest.approx(69.8303, abs=1e-3)
    half = 1.96 * math.sqrt(298.5 / 12167)
    assert e.low == pytest.approx(100 * (9 / 23 - half))
    assert e.high == pytest.approx(100 * (9 / 23 + half))


def test_enps_interval_is_clipped_and_never_zero_width():
    # Five promoters: score 100. n' = 8, p' = 5.75 / 8 = 0.71875, d' = 0.75 / 8 = 0.09375,
    # p' - d' = 0.625, var = (0.8125 - 0.390625) / 8 = 0.0527344, 1.96 * sqrt(var) = 0.450095:
    # interval 100 * [0.174905, 1.075095] -> [17.49, 100] after clipping.
    e = enps([0] * 9 + [5, 0])
    assert e.score == 100.0
    assert e.low == pytest.approx(17.4906, abs=1e-3)
    assert e.high == 100.0
    # Four detractors: n' = 7, p' = 0.75/7, d' = 4.75/7, p' - d' = -4/7 = -0.571429,
    # var = (5.5/7 - (4/7)²) / 7 = (0.785714 - 0.326531) / 7 = 0.0655977, 1.96 * sqrt(var) = 0.501998:
    # interval 100 * [-1.073427, -0.069431] -> [-100, -6.94].
    everyone_detracts = enps([4] + [0] * 10)
    assert everyone_detracts.score == -100.0 and everyone_detracts.low == -100.0
    assert everyone_detracts.high == pytest.approx(-6.943, abs=1e-3)


def test_enps_short_histogram_and_empty():
    assert enps([0, 0, 0, 0, 0, 0, 0, 2]).passives == 2
    with pytest.raises(ValueError):
        enps([0] * 11)


def enps_of(p: int, passives: int, d: int) -> Enps:
    return enps([d] + [0] * 6 + [passives] + [0] + [p] + [0])


def test_enps_change_worked_example_not_significant():
    a = enps_of(12, 5, 3)  # n 20, eNPS 45
    b = enps_of(21, 6, 3)  # n 30, eNPS 60
    # p_a = 0.6, d_a = 0.15: var_a = (0.75 - 0.45²) / 20 = (0.75 - 0.2025) / 20 = 0.027375
    # p_b = 0.7, d_b = 0.1:  var_b = (0.8 - 0.6²) / 30 = 0.44 / 30 = 0.0146667
    # z = (0.6 - 0.45) / sqrt(0.0420417) = 0.15 / 0.205041 = 0.73156
    # p = erfc(0.73156 / sqrt 2) = 0.4644
    change = enps_change(a, b)
    assert change.delta == pytest.approx(15.0)
    assert change.p_value == pytest.approx(0.4644, abs=1e-3)
    assert change.p_value == pytest.approx(math.erfc(0.15 / math.sqrt(0.027375 + 0.44 / 30) / math.sqrt(2)))
    assert not change.significant
    assert change.words == "up 15 points, not significant"


def test_enps_change_worked_example_significant():
    a = enps_of(10, 20, 20)  # n 50: p 0.2, d 0.4, eNPS -20
    b = enps_of(25, 15, 10)  # n 50: p 0.5, d 0.2, eNPS +30
    # var_a = (0.6 - 0.2²) / 50 = 0.0112; var_b = (0.7 - 0.3²) / 50 = 0.0122
    # z = 0.5 / sqrt(0.0234) = 0.5 / 0.152971 = 3.26860; p = erfc(3.26860 / sqrt 2) = 0.00108
    change = enps_change(a, b)
    assert change.delta == pytest.approx(50.0)
    assert change.p_value == pytest.approx(0.00108, abs=2e-5)
    assert change.significant
    assert change.words == "up 50 points, significant (p = 0.001)"
    back = enps_change(b, a)
    assert back.delta == pytest.approx(-50.0) and back.words == "down 50 points, significant (p = 0.001)"


def test_enps_change_edge_cases():
    same = enps_of(5, 3, 2)
    assert enps_change(same, same).words == "no change"
    assert enps_change(same, same).p_value == pytest.approx(1.0)
    assert enps_change(enps_of(1, 0, 0), same).words == NOT_ENOUGH
    # No variance at all on either side: the difference is certain.
    all_promoters, all_detractors = enps_of(6, 0, 0), enps_of(0, 0, 6)
    change = enps_change(all_detractors, all_promoters)
    assert change.delta == pytest.approx(200.0) and change.significant and change.p_value == 0.0


# --------------------------------------------------------------------------------------------------
# Student's t and Welch


def t_pdf(x: float, df: float) -> float:
    c = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)
    return c * (1 + x * x / df) ** (-(df + 1) / 2)


def t_tail_by_simpson(t: float, df: float) -> float:
    """Reference: 1 - integral of the t density from -|t| to |t| by Simpson's rule (nothing shared)."""
    steps = 20000
    h = 2 * abs(t) / steps
    total = t_pdf(-abs(t), df) + t_pdf(abs(t), df)
    for i in range(1, steps):
        total += (4 if i % 2 else 2) * t_pdf(-abs(t) + i * h, df)
    return 1 - total * h / 3


@pytest.mark.parametrize(
    ("t", "df", "p"),
    [(2.0, 10, 0.0734), (1.0, 5, 0.3632), (2.228, 10, 0.05), (12.706, 1, 0.05), (0.0, 7, 1.0)],
)
def test_t_two_sided_p_known_values(t, df, p):
    assert t_two_sided_p(t, df) == pytest.approx(p, abs=1e-3)


@pytest.mark.parametrize(("t", "df"), [(0.5, 3), (2.5, 4.5), (1.7, 29.3), (3.1, 100)])
def test_t_two_sided_p_matches_numerical_integration(t, df):
    assert t_two_sided_p(t, df) == pytest.approx(t_tail_by_simpson(t, df), abs=1e-7)


def test_t_large_df_is_normal_and_incomplete_beta_bounds():
    assert t_two_sided_p(1.96, 1e7) == pytest.approx(normal_two_sided_p(1.96), abs=1e-6)
    assert normal_two_sided_p(1.96) == pytest.approx(0.05, abs=1e-4)
    assert incomplete_beta(2, 3, 0) == 0.0 and incomplete_beta(2, 3, 1) == 1.0
    # I_x(1, 1) = x; I_x(2, 1) = x²
    assert incomplete_beta(1, 1, 0.3) == pytest.approx(0.3)
    assert incomplete_beta(2, 1, 0.3) == pytest.approx(0.09)


def test_welch_worked_example():
    # a: mean 3.2, sd 1.0, n 20;  b: mean 3.8, sd 0.8, n 25
    # se² = 1.0²/20 + 0.8²/25 = 0.05 + 0.0256 = 0.0756;  se = 0.274955
    # t = 0.6 / 0.274955 = 2.18218
    # df = 0.0756² / (0.05²/19 + 0.0256²/24) = 0.00571536 / (0.000131579 + 0.0000273067) = 35.97
    # p = P(|T_35.97| >= 2.18218) = 0.0357
    change = welch(3.2, 1.0, 20, 3.8, 0.8, 25)
    assert change.delta == pytest.approx(0.6)
    assert change.p_value == pytest.approx(0.0357, abs=5e-4)
    assert change.p_value == pytest.approx(t_tail_by_simpson(0.6 / math.sqrt(0.0756), 35.972), abs=1e-5)
    assert change.significant
    assert change.words == "up 0.6 points, significant (p = 0.04)"


def test_welch_words():
    assert welch(3.8, 1.0, 10, 3.6, 1.1, 12).words == "down 0.2 points, not significant"
    assert welch(3.5, 1.0, 10, 3.5, 1.0, 12).words == "no change"
    assert welch(3.5, 1.0, 1, 4.5, 1.0, 12).words == NOT_ENOUGH
    assert welch(3.5, 1.0, 1, 4.5, 1.0, 12).p_value is None
    assert welch(3.0, 0.0, 10, 4.0, 0.0, 10).significant  # no spread: the difference is certain
    assert welch(2.0, 0.5, 200, 3.0, 0.5, 200).words == "up 1.0 point, significant (p < 0.001)"


def test_format_p_never_rounds_up_to_the_threshold():
    assert format_p(0.03) == "p = 0.03"
    assert format_p(0.004) == "p = 0.004"
    assert format_p(0.0004) == "p < 0.001"
    assert format_p(0.0499) == "p = 0.0499"
    assert format_p(0.2) == "p = 0.20"


# --------------------------------------------------------------------------------------------------
# Relative weights


def solve(a: list[list[Fraction | float]], b: list[Fraction | float]) -> list[Fraction | float]:
    """Gaussian elimination with partial pivoting (reference, independent of the code under test)."""
    n = len(b)
    m = [list(row) + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        piv = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[piv] = m[piv], m[col]
        for r in range(n):
            if r != col and m[r][col] != 0:
                f = m[r][col] / m[col][col]
                m[r] = [x - f * y for x, y in zip(m[r], m[col], strict=True)]
    return [m[i][n] / m[i][i] for i in range(n)]


def r_squared(corr: list[list[float]], y: int) -> float:
    """R² = rxyᵀ Rxx⁻¹ rxy from the normal equations of the standardised regression."""
    preds = [i for i in range(len(corr)) if i != y]
    rxx = [[corr[i][j] for j in preds] for i in preds]
    rxy = [corr[i][y] for i in preds]
    beta = solve(rxx, rxy)
    return float(sum(b * r for b, r in zip(beta, rxy, strict=True)))


def matmul(a, b):
    return [[sum(a[i][k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))] for i in range(len(a))]


def inverse(a):
    n = len(a)
    cols = [solve(a, [1.0 if i == j else 0.0 for i in range(n)]) for j in range(n)]
    return [[cols[j][i] for j in range(n)] for i in range(n)]


def relative_weights_reference(corr: list[list[float]], y: int) -> list[float]:
    """Johnson's weights with the square root of Rxx by the Denman-Beavers iteration (no eigenvectors)."""
    preds = [i for i in range(len(corr)) if i != y]
    rxx = [[corr[i][j] for j in preds] for i in preds]
    rxy = [corr[i][y] for i in preds]
    n = len(preds)
    yk = [row[:] for row in rxx]
    zk = [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]
    for _ in range(60):
        yi, zi = inverse(yk), inverse(zk)
        yk, zk = (
            [[(yk[i][j] + zi[i][j]) / 2 for j in range(n)] for i in range(n)],
            [[(zk[i][j] + yi[i][j]) / 2 for j in range(n)] for i in range(n)],
        )
    lam = yk
    beta = solve(lam, rxy)
    return [sum(lam[j][k] ** 2 * beta[k] ** 2 for k in range(n)) for j in range(n)]


def random_corr(rng: random.Random, p: int, n: int = 60) -> list[list[float]]:
    """A correlation matrix of p variables from n random observations with some shared structure."""
    rows = []
    for _ in range(n):
        common = rng.gauss(0, 1)
        rows.append([common * rng.uniform(0.2, 0.9) + rng.gauss(0, 1) for _ in range(p)])
    sums = [sum(r[i] for r in rows) for i in range(p)]
    cross = [[sum(r[i] * r[j] for r in rows) for j in range(p)] for i in range(p)]
    return correlation_from_sums(n, sums, cross)


def test_relative_weights_two_predictors_by_hand():
    # r12 = 0.5, r1y = 0.6, r2y = 0.4.
    # Rxx = [[1, .5], [.5, 1]]: eigenvalues 1.5 and 0.5, eigenvectors (1, 1)/√2 and (1, -1)/√2, so
    # Λ = Rxx^½ = [[a, c], [c, a]] with a = (√1.5 + √.5)/2 = 0.965926, c = (√1.5 - √.5)/2 = 0.258819.
    # Λ⁻¹ = [[a, -c], [-c, a]] / (a² - c²), a² - c² = √.75 = 0.866025.
    # β = Λ⁻¹ rxy: β1 = (0.6a - 0.4c)/0.866025 = 0.549670, β2 = (0.4a - 0.6c)/0.866025 = 0.266828.
    # ε1 = a²β1² + c²β2² = 0.933013 * 0.302137 + 0.066987 * 0.071197 = 0.286667 (= 43/150)
    # ε2 = c²β1² + a²β2² = 0.066987 * 0.302137 + 0.933013 * 0.071197 = 0.086667 (= 13/150)
    # R² = (0.36 + 0.16 - 2 * 0.6 * 0.4 * 0.5) / (1 - 0.25) = 0.28 / 0.75 = 0.373333 = ε1 + ε2.
    corr = [[1, 0.5, 0.6], [0.5, 1, 0.4], [0.6, 0.4, 1]]
    w = relative_weights(corr, 2)
    assert w == pytest.approx([43 / 150, 13 / 150], abs=1e-9)
    assert sum(w) == pytest.approx(r_squared(corr, 2))
    assert weight_shares(w) == pytest.approx([43 / 56, 13 / 56])


def test_relative_weights_orthogonal_and_symmetric_cases():
    # Uncorrelated predictors: each weight is its squared correlation with the criterion.
    corr = [[1, 0, 0, 0.3], [0, 1, 0, -0.5], [0, 0, 1, 0.1], [0.3, -0.5, 0.1, 1]]
    assert relative_weights(corr, 3) == pytest.approx([0.09, 0.25, 0.01])
    # Three exchangeable predictors (inter-correlation 0.3, each 0.5 with y): equal weights, R²/3 each.
    # R² = p r² / (1 + (p - 1) ρ) = 3 * 0.25 / 1.6 = 0.46875 -> 0.15625 each.
    sym = [[1, 0.3, 0.3, 0.5], [0.3, 1, 0.3, 0.5], [0.3, 0.3, 1, 0.5], [0.5, 0.5, 0.5, 1]]
    assert relative_weights(sym, 3) == pytest.approx([0.15625] * 3)
    # The criterion need not be the last variable.
    moved = [[1, 0.6, 0.4], [0.6, 1, 0.5], [0.4, 0.5, 1]]
    assert relative_weights(moved, 0) == pytest.approx([43 / 150, 13 / 150])


@pytest.mark.parametrize("seed", range(8))
def test_relative_weights_against_reference(seed):
    rng = random.Random(seed)
    p = rng.randint(2, 12)
    corr = random_corr(rng, p + 1)
    w = relative_weights(corr, p)
    assert all(x >= -1e-12 for x in w)
    assert sum(w) == pytest.approx(r_squared(corr, p), abs=1e-9)
    assert w == pytest.approx(relative_weights_reference(corr, p), abs=1e-8)


def test_relative_weights_with_collinear_predictor_does_not_fail():
    # x2 is an exact copy of x1: the pseudo-inverse splits their weight equally.
    corr = [[1, 1, 0.2, 0.5], [1, 1, 0.2, 0.5], [0.2, 0.2, 1, 0.3], [0.5, 0.5, 0.3, 1]]
    w = relative_weights(corr, 3)
    assert w[0] == pytest.approx(w[1])
    r2 = r_squared([[1, 0.2, 0.5], [0.2, 1, 0.3], [0.5, 0.3, 1]], 2)
    assert sum(w) == pytest.approx(r2, abs=1e-9)


def test_jacobi_reconstructs_the_matrix():
    rng = random.Random(3)
    a = random_corr(rng, 13)
    values, vecs = jacobi_eigen(a)
    recon = matmul(
        matmul(vecs, [[values[i] if i == j else 0 for j in range(13)] for i in range(13)]),
        [list(r) for r in zip(*vecs, strict=True)],
    )
    for i in range(13):
        for j in range(13):
            assert recon[i][j] == pytest.approx(a[i][j], abs=1e-10)
    assert sum(values) == pytest.approx(13)


def test_correlation_from_sums_matches_pearson():
    rng = random.Random(7)
    xs = [[rng.randint(1, 5) + 0.5 * i for i in range(3)] for _ in range(40)]
    xs = [[row[0], row[0] * 0.5 + row[1], row[2]] for row in xs]
    sums = [sum(r[i] for r in xs) for i in range(3)]
    cross = [[sum(r[i] * r[j] for r in xs) for j in range(3)] for i in range(3)]
    corr = correlation_from_sums(len(xs), sums, cross)
    for i in range(3):
        assert corr[i][i] == 1.0
        for j in range(3):
            if i != j:
                expected = statistics.correlation([r[i] for r in xs], [r[j] for r in xs])
                assert corr[i][j] == pytest.approx(expected)
    # A constant variable is uncorrelated with everything.
    const = correlation_from_sums(3, [3.0, 6.0], [[3.0, 6.0], [6.0, 14.0]])
    assert const == [[1.0, 0.0], [0.0, 1.0]]
    with pytest.raises(ValueError):
        correlation_from_sums(1, [1.0], [[1.0]])
