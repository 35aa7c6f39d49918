#!/usr/bin/env python3
"""Writes reference.json: expected statistics for StatisticsReferenceTests.

Run once from this folder with numpy and scipy installed:
    python3 make_reference.py
The inputs are generated here with a seeded numpy RNG and stored in the JSON beside the
expected values, so the Swift tests never need Python. Every expected value comes from
numpy/scipy (an independent implementation), never from LuminaBI code.
"""
import json
import numpy as np
from scipy import stats

rng = np.random.default_rng(20240601)
samples = {
    "normal": rng.normal(100, 15, 257),
    "skewed": rng.lognormal(3, 0.8, 500),
    "integers_with_ties": rng.integers(0, 12, 301).astype(float),
    "small": np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]),
    "large_offset": 1.6e9 + rng.normal(0, 3600, 200),
}

out = {"samples": {}, "pairs": {}, "series": {}, "distributions": {}}
for name, x in samples.items():
    med = float(np.median(x))
    out["samples"][name] = {
        "values": x.tolist(),
        "mean": float(np.mean(x)),
        "variance_ddof1": float(np.var(x, ddof=1)),
        "std_ddof1": float(np.std(x, ddof=1)),
        "skewness_adjusted": float(stats.skew(x, bias=False)),
        "median": med,
        "quantiles_linear": {str(p): float(np.quantile(x, p)) for p in (0.0, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0)},
        "mad_raw": float(np.median(np.abs(x - med))),
        "histogram_10": {"counts": np.histogram(x, bins=10)[0].tolist(), "edges": np.histogram(x, bins=10)[1].tolist()},
        "histogram_7": {"counts": np.histogram(x, bins=7)[0].tolist(), "edges": np.histogram(x, bins=7)[1].tolist()},
        "average_ranks": stats.rankdata(x, method="average").tolist(),
    }

n = 400
xs = rng.normal(0, 1, n)
pairs = {
    "linear_noisy": (xs, 2.5 * xs + rng.normal(0, 1.5, n)),
    "weak": (xs, 0.1 * xs + rng.normal(0, 1, n)),
    "monotone_nonlinear": (xs, np.exp(xs) + rng.normal(0, 0.05, n)),
    "ties": (rng.integers(0, 5, n).astype(float), rng.integers(0, 5, n).astype(float)),
}
for name, (x, y) in pairs.items():
    lr = stats.linregress(x, y)
    pr = stats.pearsonr(x, y)
    sr = stats.spearmanr(x, y)
    out["pairs"][name] = {
        "x": x.tolist(), "y": y.tolist(),
        "slope": float(lr.slope), "intercept": float(lr.intercept), "r2": float(lr.rvalue ** 2),
        "slope_stderr": float(lr.stderr), "slope_p": float(lr.pvalue),
        "pearson_r": float(pr.statistic), "pearson_p": float(pr.pvalue),
        "spearman_r": float(sr.statistic), "spearman_p": float(sr.pvalue),
    }


def mann_kendall(x):
    """Textbook Mann-Kendall with tie-corrected variance and continuity correction."""
    x = np.asarray(x)
    n = len(x)
    s = 0
    for i in range(n - 1):
        s += np.sign(x[i + 1:] - x[i]).sum()
    _, counts = np.unique(x, return_counts=True)
    var = (n * (n - 1) * (2 * n + 5) - sum(t * (t - 1) * (2 * t + 5) for t in counts)) / 18.0
    z = (s - np.sign(s)) / np.sqrt(var) if s != 0 else 0.0
    p = 2 * stats.norm.sf(abs(z))
    slopes = [(x[j] - x[i]) / (j - i) for i in range(n) for j in range(i + 1, n)]
    return {"s": float(s), "variance": float(var), "z": float(z), "p": float(p),
            "tau": float(s / (n * (n - 1) / 2)), "sen_slope": float(np.median(slopes))}


t = np.arange(120)
series = {
    "trend_up": 50 + 0.4 * t + rng.normal(0, 5, 120),
    "noise": rng.normal(0, 1, 120),
    "with_ties": np.round(rng.normal(0, 2, 90) + np.arange(90) * 0.02),
}
for name, y in series.items():
    lags = {str(k): float(np.sum((y[:-k] - y.mean()) * (y[k:] - y.mean())) / np.sum((y - y.mean()) ** 2)) for k in (1, 7, 12)}
    out["series"][name] = {"values": y.tolist(), "mann_kendall": mann_kendall(y), "acf": lags}

out["distributions"] = {
    "t_two_sided": [{"t": tv, "df": df, "p": float(2 * stats.t.sf(abs(tv), df))}
                    for tv, df in [(0.5, 3), (2.0, 10), (-3.7, 25), (8.0, 200), (1.96, 1e5), (25.0, 1000), (0.0, 7)]],
    "normal_cdf": [{"x": xv, "p": float(stats.norm.cdf(xv))} for xv in (-6.0, -1.5, 0.0, 0.3, 2.0, 4.5)],
    "incomplete_beta": [{"a": a, "b": b, "x": xv, "p": float(stats.beta.cdf(xv, a, b))}
                        for a, b, xv in [(2.0, 3.0, 0.4), (0.5, 0.5, 0.9), (50.0, 0.5, 0.98), (10.0, 20.0, 0.2)]],
}

with open("reference.json", "w") as f:
    json.dump(out, f)
