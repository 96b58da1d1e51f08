"""Mean and 95 % Student-t half-width over seeds, as traitlab reports them (src/probes/stats.ts),
so the *_e2e.py peers' intervals read the same as traitlab's. stdlib only."""
import math

# Two-sided 97.5 % quantiles of Student's t for df = 1..30 (the table in src/probes/stats.ts).
T975 = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
    2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
]


def t_quantile_975(df):
    if df < 1:
        return math.nan
    return T975[df - 1] if df <= 30 else 1.96 + 2.4 / df


def mean_ci(values):
    """(mean, half_width, n); half_width is NaN for one value, as in stats.ts."""
    n = len(values)
    if n == 0:
        return math.nan, math.nan, 0
    mean = sum(values) / n
    if n == 1:
        return mean, math.nan, 1
    var = sum((v - mean) ** 2 for v in values) / (n - 1)
    return mean, t_quantile_975(n - 1) * math.sqrt(var / n), n
