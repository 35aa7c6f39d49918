#!/usr/bin/env python3
"""Writes real_files.json: what the insight rules should conclude on two real files.

Run once from this folder with numpy and scipy installed:
    python3 make_real.py
Inputs: /work/shared/data/real/statsmodels-statecrime.csv and vega-us-employment.csv (copied
next to this script as *.csv so the tests do not depend on the shared folder). Expected values
are computed here with numpy/scipy from the rules' documented definitions:
  correlations: pairs with |Pearson r| >= 0.7 or |Spearman r| >= 0.7, p < 0.01;
  trends: OLS of value on days since the first date (p < 0.01), Mann-Kendall (tie-corrected,
  continuity-corrected) on monthly means (p < 0.01), |fitted % change| >= 5, same direction.
"""
import csv, datetime as dt, json, itertools
import numpy as np
from scipy import stats

def load(name):
    with open(name) as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]

out = {}
header, rows = load("statsmodels-statecrime.csv")
cols = {h: np.array([float(r[i]) for r in rows]) for i, h in enumerate(header) if h != "state"}
pairs = {}
flagged = []
for a, b in itertools.combinations(cols, 2):
    p = stats.pearsonr(cols[a], cols[b]); s = stats.spearmanr(cols[a], cols[b])
    pairs[f"{a}|{b}"] = {"pearson_r": float(p.statistic), "pearson_p": float(p.pvalue),
                         "spearman_r": float(s.statistic), "spearman_p": float(s.pvalue)}
    if (abs(p.statistic) >= 0.7 and p.pvalue < 0.01) or (abs(s.statistic) >= 0.7 and s.pvalue < 0.01):
        flagged.append(sorted([a, b]))
out["statecrime"] = {"pairs": pairs, "flagged": sorted(flagged)}

def mann_kendall_p(x):
    n = len(x); s = 0
    for i in range(n - 1):
        s += np.sign(x[i + 1:] - x[i]).sum()
    _, c = np.unique(x, return_counts=True)
    var = (n * (n - 1) * (2 * n + 5) - sum(t * (t - 1) * (2 * t + 5) for t in c)) / 18.0
    z = (s - np.sign(s)) / np.sqrt(var) if s != 0 else 0.0
    return float(2 * stats.norm.sf(abs(z))), float(s)

header, rows = load("vega-us-employment.csv")
epoch = dt.date(1970, 1, 1)
days = np.array([(dt.date.fromisoformat(r[0]) - epoch).days for r in rows], dtype=float)
x = days - days.min()
trends = {}
for i, h in enumerate(header[1:], start=1):
    y = np.array([float(r[i]) for r in rows])
    lr = stats.linregress(x, y)
    start = lr.intercept; end = lr.intercept + lr.slope * x.max()
    pct = (end - start) / start * 100 if start > 0 and end > 0 else None
    mk_p, s = mann_kendall_p(y)  # one row per month: monthly means are the values
    # Material: |percent| >= 5; with no percent (line starts at or below zero), a never-negative
    # measure's change against the line's middle level instead.
    middle = abs(start + end) / 2
    material = abs(pct) >= 5 if pct is not None else bool(y.min() >= 0 and middle > 0 and abs(end - start) / middle * 100 >= 5)
    significant = bool(lr.pvalue < 0.01 and mk_p < 0.01 and material and (lr.slope > 0) == (s > 0))
    trends[h] = {"slope_per_day": float(lr.slope), "pct_change": pct, "p": float(lr.pvalue), "mann_kendall_p": mk_p,
                 "significant": significant}
out["us_employment"] = {"trends": trends, "significant": sorted(h for h, t in trends.items() if t["significant"])}

with open("real_files.json", "w") as f:
    json.dump(out, f, indent=1)
print(out["statecrime"]["flagged"]); print(out["us_employment"]["significant"])
