"""Statistics for pulse reports, in pure Python (no numpy/scipy: the matrices here have at most 13 rows).

Everything in this module is a pure function of aggregates (counts, sums, sums of squares, histograms).
It knows nothing about anonymity: every number a person sees leaves through `gate.py`, which decides
which groups may be shown and only then calls these functions.

Contents:

- `mean_sd`, `favourable_share`: descriptive statistics of one `Stat`.
- `enps`: employee Net Promoter Score with a 95% adjusted Wald interval.
- `enps_change`: two-sample test for a change in eNPS between two rounds.
- `welch`: Welch's t-test for a change in a mean, with a Student's t distribution written here
  (regularised incomplete beta function by continued fraction).
- `relative_weights`, `weight_shares`, `correlation_from_sums`: key drivers by Johnson's (2000) relative
  weights, with a Jacobi eigenvalue routine for the predictors' correlation matrix.
- `Change`: a difference between two rounds, its p-value and the sentence that says it in words.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .data import Stat

AGREE5 = "agree5"
NPS11 = "nps11"
# On agree5, a scored (already reverse-coded) answer of 4 or 5 is favourable (bank.FAVOURABLE_MIN).
FAVOURABLE_MIN = 4
PROMOTER_MIN = 9  # eNPS: 9-10 promoters, 7-8 passives, 0-6 detractors
DETRACTOR_MAX = 6
ALPHA = 0.05  # a change is "significant" when its two-sided p-value is below this
Z95 = 1.96


# --------------------------------------------------------------------------------------------------
# Descriptive statistics


def mean_sd(stat: Stat) -> tuple[float, float]:
    """Mean and sample standard deviation (n - 1 in the denominator) from running sums.

    `stat.total` and `stat.total_sq` are sums of the scored values and of their squares. With one answer
    the standard deviation is 0.0. Raises ValueError when there is no answer.
    """
    n = stat.n
    if n <= 0:
        raise ValueError("mean_sd of an empty Stat")
    mean = stat.total / n
    if n < 2:
        return mean, 0.0
    var = (stat.total_sq - stat.total * stat.total / n) / (n - 1)
    return mean, math.sqrt(max(var, 0.0))  # rounding can make a zero variance slightly negative


def favourable_count(hist: Sequence[int], reverse: bool, scale: str = AGREE5) -> int:
    """How many answers in a histogram of RAW values are favourable (see `favourable_share`)."""
    if scale == NPS11:
        return sum(hist[PROMOTER_MIN:11])
    if reverse:  # scored = 6 - raw >= 4  <=>  raw in 1..2
        return sum(hist[1 : 6 - FAVOURABLE_MIN + 1])
    return sum(hist[FAVOURABLE_MIN:6])


def favourable_share(stat: Stat, reverse: bool, scale: str = AGREE5) -> float:
    """Share of answers that are favourable, from the histogram of RAW answer values.

    agree5: favourable means a scored value of at least 4. `stat.hist` counts raw values, so for a
    reverse-coded item (scored = 6 - raw) the favourable raw values are 1 and 2; otherwise 4 and 5.
    nps11: favourable means a promoter (9 or 10); `reverse` is ignored.
    The denominator is the number of answers in the histogram (equal to `stat.n` for consistent data).
    Returns 0.0 for an empty Stat.
    """
    n = sum(stat.hist)
    if n == 0:
        return 0.0
    return favourable_count(stat.hist, reverse, scale) / n


# --------------------------------------------------------------------------------------------------
# Normal and Student's t distributions


def normal_two_sided_p(z: float) -> float:
    """Two-sided p-value of a standard normal statistic: P(|Z| >= |z|) = erfc(|z| / sqrt 2)."""
    return math.erfc(abs(z) / math.sqrt(2.0))


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction for the incomplete beta function (modified Lentz's method)."""
    tiny = 1e-300
    eps = 3e-16
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    if abs(d) < tiny:
        d = tiny
    d = 1.0 / d
    h = d
    for m in range(1, 1000):
        m2 = 2 * m
        # even step
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = tiny if abs(d) < tiny else d
        c = 1.0 + aa / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        h *= d * c
        # odd step
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = tiny if abs(d) < tiny else d
        c = 1.0 + aa / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < eps:
            break
    return h


def incomplete_beta(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta function I_x(a, b), for a, b > 0 and 0 <= x <= 1."""
    if a <= 0 or b <= 0:
        raise ValueError("incomplete_beta needs a > 0 and b > 0")
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    front = math.exp(log_front)
    # The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise.
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_two_sided_p(t: float, df: float) -> float:
    """Two-sided p-value of Student's t with `df` degrees of freedom.

    P(|T| >= |t|) = I_x(df/2, 1/2) with x = df / (df + t²).
    """
    if df <= 0:
        raise ValueError("degrees of freedom must be positive")
    if math.isinf(t):
        return 0.0
    return incomplete_beta(df / 2.0, 0.5, df / (df + t * t))


# --------------------------------------------------------------------------------------------------
# Changes between rounds


@dataclass(frozen=True)
class Change:
    """A change from an earlier value to a later one. `delta` = later - earlier.

    `p_value` is None when there are too few answers to test; `words` says it for people, e.g.
    "up 12 points, significant (p = 0.03)", "down 4 points, not significant" or "no change".
    """

    delta: float
    p_value: float | None
    significant: bool
    words: str


NOT_ENOUGH = "not enough answers to compare"


def format_p(p: float) -> str:
    """ "p = 0.03", "p = 0.004", "p < 0.001"; never rounds a p-value below 0.05 up to "0.05"."""
    if p < 0.001:
        return "p < 0.001"
    decimals = 2 if p >= 0.01 else 3
    text = f"{p:.{decimals}f}"
    while p < ALPHA <= float(text) and decimals < 8:
        decimals += 1
        text = f"{p:.{decimals}f}"
    return f"p = {text}"


def _words(delta: float, p: float, decimals: int) -> str:
    significant = p < ALPHA
    shown = round(abs(delta), decimals)
    while shown == 0 and significant and delta != 0 and decimals < 4:
        decimals += 1
        shown = round(abs(delta), decimals)
    if shown == 0:
        return "no change"
    amount = f"{shown:.{decimals}f}"
    unit = "point" if amount in ("1", "1.0") else "points"
    direction = "up" if delta > 0 else "down"
    verdict = f"significant ({format_p(p)})" if significant else "not significant"
    return f"{direction} {amount} {unit}, {verdict}"


def _change(delta: float, se: float, p_from_stat: float | None, decimals: int) -> Change:
    # No spread at all in either sample: any difference is certain, no difference is no evidence.
    p = p_from_stat if se > 0 and p_from_stat is not None else (1.0 if delta == 0 else 0.0)
    return Change(delta=delta, p_value=p, significant=p < ALPHA, words=_words(delta, p, decimals))


# --------------------------------------------------------------------------------------------------
# eNPS


@dataclass(frozen=True)
class Enps:
    """eNPS of one group: counts, score = 100 * (promoters - detractors) / n, and its 95% interval."""

    promoters: int
    passives: int
    detractors: int
    n: int
    score: float
    low: float
    high: float


def enps(hist11: Sequence[int]) -> Enps:
    """eNPS from a histogram of raw 0-10 answers (index = answer); see `enps_counts`.

    Promoters answer 9-10, passives 7-8, detractors 0-6. Raises ValueError when there is no answer.
    """
    counts = list(hist11) + [0] * max(0, 11 - len(hist11))
    return enps_counts(
        sum(counts[PROMOTER_MIN:11]),
        sum(counts[DETRACTOR_MAX + 1 : PROMOTER_MIN]),
        sum(counts[0 : DETRACTOR_MAX + 1]),
    )


def enps_counts(promoters: int, passives: int, detractors: int) -> Enps:
    """eNPS from counts: score = 100 * (P - D) / n, with n = P + passives + D.

    The 95% interval is the adjusted Wald interval for a difference of two proportions from ONE
    multinomial sample (promoters and detractors are counted in the same people, so they are not
    independent). Add 3/4 to both the promoters and the detractors (3 pseudo-answers in all, the
    remaining 3/2 going to the passives):

        n' = n + 3,  p' = (P + 3/4) / n',  d' = (D + 3/4) / n'
        var = (p' + d' - (p' - d')²) / n'         (variance of a multinomial difference)
        interval = 100 * [(p' - d') ± 1.96 * sqrt(var)],  clipped to [-100, 100]

    The adjustment keeps the interval sensible for small groups and extreme scores (it is never
    zero-width, even when everybody is a promoter). Raises ValueError when there is no answer.
    """
    n = promoters + passives + detractors
    if n <= 0:
        raise ValueError("eNPS of no answers")
    score = 100.0 * (promoters - detractors) / n
    n_adj = n + 3
    p_adj = (promoters + 0.75) / n_adj
    d_adj = (detractors + 0.75) / n_adj
    diff = p_adj - d_adj
    var = (p_adj + d_adj - diff * diff) / n_adj
    half = Z95 * math.sqrt(max(var, 0.0))
    low = max(-100.0, 100.0 * (diff - half))
    high = min(100.0, 100.0 * (diff + half))
    return Enps(promoters, passives, detractors, n, score, low, high)


def enps_change(a: Enps, b: Enps) -> Change:
    """Change in eNPS from round `a` to round `b` (independent samples), in points.

    Test: with p_i = P_i / n_i and d_i = D_i / n_i (fractions, not points), the variance of the
    estimated NPS difference p_i - d_i in one sample is var_i = (p_i + d_i - (p_i - d_i)²) / n_i; the two
    samples are independent, so

        z = ((p_b - d_b) - (p_a - d_a)) / sqrt(var_a + var_b)

    and the two-sided p-value is P(|Z| >= |z|) = erfc(|z| / sqrt 2) for a standard normal Z. It is the
    two-proportion z test extended to the difference of two proportions of a multinomial. When both
    samples have zero variance (e.g. everybody a promoter both times), p is 0 for any change, 1 for none.
    A change is significant when p < 0.05; "delta" is in eNPS points (-200..200), rounded to whole
    points in the words.
    """
    if a.n < 2 or b.n < 2:
        return Change(delta=b.score - a.score, p_value=None, significant=False, words=NOT_ENOUGH)
    pa, da = a.promoters / a.n, a.detractors / a.n
    pb, db = b.promoters / b.n, b.detractors / b.n
    var_a = (pa + da - (pa - da) ** 2) / a.n
    var_b = (pb + db - (pb - db) ** 2) / b.n
    se = math.sqrt(max(var_a + var_b, 0.0))
    delta_fraction = (pb - db) - (pa - da)
    p = normal_two_sided_p(delta_fraction / se) if se > 0 else None
    return _change(100.0 * delta_fraction, se, p, decimals=0)


def welch(mean_a: float, sd_a: float, n_a: int, mean_b: float, sd_b: float, n_b: int) -> Change:
    """Welch's t-test for a change in a mean from sample a (earlier) to sample b (later).

        t = (mean_b - mean_a) / sqrt(sd_a²/n_a + sd_b²/n_b)
        df = (sd_a²/n_a + sd_b²/n_b)² / ((sd_a²/n_a)² / (n_a - 1) + (sd_b²/n_b)² / (n_b - 1))

    (Welch-Satterthwaite), two-sided p from Student's t with df degrees of freedom. Needs at least
    2 answers on each side; otherwise the words are "not enough answers to compare" and p is None.
    The delta is in scale points (e.g. on 1-5), one decimal in the words.
    """
    delta = mean_b - mean_a
    if n_a < 2 or n_b < 2:
        return Change(delta=delta, p_value=None, significant=False, words=NOT_ENOUGH)
    va = sd_a * sd_a / n_a
    vb = sd_b * sd_b / n_b
    se = math.sqrt(va + vb)
    p: float | None = None
    if se > 0:
        df = (va + vb) ** 2 / (va * va / (n_a - 1) + vb * vb / (n_b - 1))
        p = t_two_sided_p(delta / se, df)
    return _change(delta, se, p, decimals=1)


# --------------------------------------------------------------------------------------------------
# Key drivers: Johnson's relative weights


def correlation_from_sums(
    n: int, sums: Sequence[float], cross: Sequence[Sequence[float]]
) -> list[list[float]]:
    """Pearson correlation matrix from n, the sums of each variable and the sums of pairwise products.

    cov_ij = (cross_ij - sums_i * sums_j / n) / (n - 1);  r_ij = cov_ij / sqrt(cov_ii * cov_jj).
    A variable with no variance (everybody gave the same score) is uncorrelated with everything (its
    row and column are 0, its diagonal 1), so it gets no weight. Values are clipped to [-1, 1].
    """
    p = len(sums)
    if n < 2:
        raise ValueError("a correlation needs at least two observations")
    cov = [[(cross[i][j] - sums[i] * sums[j] / n) / (n - 1) for j in range(p)] for i in range(p)]
    sd = [
        math.sqrt(cov[i][i]) if cov[i][i] > 1e-12 * max(1.0, abs(cross[i][i]) / n) else 0.0 for i in range(p)
    ]
    out = [[0.0] * p for _ in range(p)]
    for i in range(p):
        out[i][i] = 1.0
        for j in range(i + 1, p):
            if sd[i] > 0 and sd[j] > 0:
                r = max(-1.0, min(1.0, cov[i][j] / (sd[i] * sd[j])))
                out[i][j] = out[j][i] = r
    return out


def jacobi_eigen(
    matrix: Sequence[Sequence[float]], tol: float = 1e-14
) -> tuple[list[float], list[list[float]]]:
    """Eigenvalues and eigenvectors of a real symmetric matrix by cyclic Jacobi rotations.

    Returns (values, vectors) with vectors[i][k] the i-th component of the k-th eigenvector (the
    eigenvectors are the COLUMNS), so matrix = V diag(values) Vᵀ. Each rotation zeroes one
    off-diagonal element; sweeps repeat until the off-diagonal mass is negligible.
    """
    n = len(matrix)
    a = [list(map(float, row)) for row in matrix]
    v = [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]
    scale = sum(a[i][j] ** 2 for i in range(n) for j in range(n)) or 1.0
    for _sweep in range(100):
        off = sum(a[i][j] ** 2 for i in range(n) for j in range(n) if i != j)
        if off <= tol * tol * scale:
            break
        for p in range(n - 1):
            for q in range(p + 1, n):
                apq = a[p][q]
                if abs(apq) < 1e-300:
                    continue
                theta = (a[q][q] - a[p][p]) / (2.0 * apq)
                t = math.copysign(1.0, theta) / (abs(theta) + math.sqrt(theta * theta + 1.0))
                c = 1.0 / math.sqrt(t * t + 1.0)
                s = t * c
                for k in range(n):  # A <- A J (columns p, q)
                    akp, akq = a[k][p], a[k][q]
                    a[k][p] = c * akp - s * akq
                    a[k][q] = s * akp + c * akq
                for k in range(n):  # A <- Jᵀ A (rows p, q)
                    apk, aqk = a[p][k], a[q][k]
                    a[p][k] = c * apk - s * aqk
                    a[q][k] = s * apk + c * aqk
                for k in range(n):  # V <- V J
                    vkp, vkq = v[k][p], v[k][q]
                    v[k][p] = c * vkp - s * vkq
                    v[k][q] = s * vkp + c * vkq
    return [a[i][i] for i in range(n)], v


def relative_weights(corr: Sequence[Sequence[float]], y_index: int) -> list[float]:
    """Johnson's (2000) relative weights of each predictor on the criterion `y_index`.

    `corr` is the correlation matrix of all variables (predictors and the criterion). The result has
    one raw weight per predictor, in the order of `corr` with the criterion left out. Method:

    1. Rxx = correlations among the predictors, rxy = their correlations with the criterion.
    2. Rxx = V diag(λ) Vᵀ (Jacobi); Λ = V diag(√λ) Vᵀ is the symmetric square root of Rxx: the
       correlations between the predictors X and their closest orthonormal counterparts Z.
    3. β = Λ⁻¹ rxy regresses the criterion on Z (uncorrelated, so β_k² is Z_k's share of R²).
    4. ε_j = Σ_k Λ_jk² β_k² apportions each Z_k's share back to the predictors (Σ_j Λ_jk² = 1).

    The weights are non-negative and add up to R² of the regression of the criterion on all
    predictors. Eigenvalues that are (numerically) zero, from predictors that are exact linear
    combinations of others, are left out of the inverse (a pseudo-inverse), which gives the
    collinear predictors a shared, finite weight instead of failing.
    """
    m = len(corr)
    preds = [i for i in range(m) if i != y_index]
    rxx = [[float(corr[i][j]) for j in preds] for i in preds]
    rxy = [float(corr[i][y_index]) for i in preds]
    p = len(preds)
    if p == 0:
        return []
    values, vecs = jacobi_eigen(rxx)
    top = max(max(values), 1.0)
    roots = [math.sqrt(lam) if lam > 1e-10 * top else 0.0 for lam in values]
    inv_roots = [1.0 / r if r > 0 else 0.0 for r in roots]
    lam_half = [
        [sum(vecs[i][k] * roots[k] * vecs[j][k] for k in range(p)) for j in range(p)] for i in range(p)
    ]
    lam_inv = [
        [sum(vecs[i][k] * inv_roots[k] * vecs[j][k] for k in range(p)) for j in range(p)] for i in range(p)
    ]
    beta = [sum(lam_inv[k][j] * rxy[j] for j in range(p)) for k in range(p)]
    return [sum(lam_half[j][k] ** 2 * beta[k] ** 2 for k in range(p)) for j in range(p)]


def weight_shares(weights: Sequence[float]) -> list[float]:
    """Each raw relative weight as a share (0..1) of R², i.e. of the sum of the weights. All 0 if R² is 0."""
    total = sum(weights)
    if total <= 0:
        return [0.0 for _ in weights]
    return [w / total for w in weights]
