"""Benchmark: one quarterly report's statistics from aggregates vs pandas over raw answers.

Usage: ``python bench/report_stats.py [--staff 100000] [--small 10000]``. Prints both
sizes; the last line is one JSON object for the ``--staff`` size.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as ss

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reports import aggregates as ag
from reports import stats
from reports.stats import batch, batch_trend

PRINCIPLES = ("Trust", "Voice", "Care", "Growth")
DRIFT = (0.05, -0.04, 0.0, 0.025)  # per-wave change of each principle's latent mean
ITEMS = (*(ag.ItemSpec(3 * p + i + 1, "likert5", name, i == 2)
            for p, name in enumerate(PRINCIPLES) for i in range(3)), ag.ItemSpec(13, "nps11"))
N_DEPT, N_TENURE, N_WAVES = 20, 5, 8


def synthesise(staff: int, seed: int = 1) -> pd.DataFrame:
    """Raw answers of all waves: columns wave, dept, tenure, item ids 1..13 (NaN = skip)."""
    rng = np.random.default_rng(seed)
    dept, tenure = rng.integers(0, N_DEPT, staff), rng.integers(0, N_TENURE, staff)
    trait = rng.normal(0, 0.6, (staff, 4)) + rng.normal(0, 0.2, (N_DEPT, 4))[dept]
    frames = []
    for w in range(N_WAVES):
        who = np.flatnonzero(rng.random(staff) < 0.7)
        lat = 3.4 + trait[who] + np.array(DRIFT) * w
        lik = np.clip(np.round(np.repeat(lat, 3, axis=1) + rng.normal(0, 0.8, (who.size, 12))),
                      1, 5)
        lik[:, 2::3] = 6 - lik[:, 2::3]  # reverse-worded items answered on the raw scale
        nps = np.clip(np.round(6.5 + 1.2 * (lat.mean(1) - 3.4) * 3 + rng.normal(0, 1.8,
                                                                          who.size)), 0, 10)
        x = np.column_stack([lik, nps])
        x[rng.random(x.shape) < 0.03] = np.nan
        f = pd.DataFrame(x, columns=[s.item_id for s in ITEMS])
        f.insert(0, "tenure", tenure[who])
        f.insert(0, "dept", dept[who])
        f.insert(0, "wave", w)
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def build_cells(df: pd.DataFrame) -> dict[tuple[int, int, int], ag.CellAggregate]:
    """Aggregates per (wave, dept, tenure) — done at wave close, not timed."""
    cols = [s.item_id for s in ITEMS]
    return {k: ag.build_cell_aggregate(g[cols].to_numpy(), ITEMS)
            for k, g in df.groupby(["wave", "dept", "tenure"])}


def rollup(cells: dict) -> dict:
    """Group aggregates per wave: cells -> departments / tenure bands -> organisation."""
    total = ag.CellAggregate.total
    groups: dict = {}
    for w in range(N_WAVES):
        c = {(d, t): cells[w, d, t] for d in range(N_DEPT) for t in range(N_TENURE)}
        dept = {d: total([c[d, t] for t in range(N_TENURE)]) for d in range(N_DEPT)}
        for d, a in dept.items():
            groups.setdefault(("dept", d), []).append(a)
        for t in range(N_TENURE):
            groups.setdefault(("tenure", t), []).append(
                total([c[d, t] for d in range(N_DEPT)]))
        groups.setdefault(("total",), []).append(total(list(dept.values())))
        for (d, t), a in c.items():
            groups.setdefault(("cell", d, t), []).append(a)
    return groups


def ours_scalar(cells: dict) -> dict:
    """The same figures one group and measure at a time (the scalar functions; reference)."""
    out, comps, keys = {}, [], []
    for g, waves in rollup(cells).items():
        prev, curr = waves[-2], waves[-1]
        for p in PRINCIPLES:
            sc = [stats.score(*ag.histogram(a, p)) for a in waves]
            out[g, p, "score"] = sc[-1].estimate
            out[g, p, "fav"] = stats.favourability(*ag.histogram(curr, p)).estimate
            comps.append(ag.compare(prev, curr, p))
            keys.append((g, p))
            out[g, p, "diff"] = comps[-1].difference.estimate
            rank = comps[-1].rank_test  # scipy's baseline is the asymptotic route only
            out[g, p, "bm_p"] = rank.p_value if rank.method == "brunner_munzel" else None
            t, y = np.arange(N_WAVES, dtype=float), [s.estimate for s in sc]
            out[g, p, "wls"] = stats.trend_wls(t, y, [s.n for s in sc]).slope
            out[g, p, "theil"] = stats.theil_sen(t, y).slope
            out[g, p, "mk_s"] = stats.mann_kendall(y).s
            out[g, p, "alpha"] = ag.alpha(curr, p).alpha
            out[g, p, "rho"] = ag.driver(curr, p).rho
        out[g, "enps"] = stats.enps(*ag.histogram(curr, 13)).estimate
        comps.append(ag.compare(prev, curr, 13))
        keys.append((g, "enps"))
    q = stats.bh_qvalues([c.p_value for c in comps])
    out.update({(*k, "q"): qk for k, qk in zip(keys, q, strict=True)})
    return out


def groups() -> tuple[list[tuple], np.ndarray]:
    """Report groups and their cells: departments, tenure bands, organisation, cells."""
    keys = [*(("dept", d) for d in range(N_DEPT)), *(("tenure", t) for t in range(N_TENURE)),
            ("total",), *(("cell", d, t) for d in range(N_DEPT) for t in range(N_TENURE))]
    member = np.zeros((len(keys), N_DEPT * N_TENURE), dtype=np.int64)
    for row, key in enumerate(keys):
        d = range(N_DEPT) if key[0] in {"tenure", "total"} else [key[1]]
        t = range(N_TENURE) if key[0] in {"dept", "total"} else [key[-1]]
        member[row, [i * N_TENURE + j for i in d for j in t]] = 1
    return keys, member


def _principle(out: dict, keys: list, pooled: list, p: str, pvals: list) -> None:
    """Every figure of one principle for all groups at once (batched statistics)."""
    v, _ = pooled[-1].histograms(p)
    h = np.stack([w.histograms(p)[1] for w in pooled])  # (waves, groups, grid)
    sc = batch.score_batch(v, h.reshape(-1, v.size))
    y, n = sc.estimate.reshape(N_WAVES, -1).T, sc.n.reshape(N_WAVES, -1).T
    t = np.arange(N_WAVES, dtype=float)
    fav = batch.favourability_batch(v, h[-1])
    comp = batch.compare_batch("score", v, h[-2], h[-1])
    bm_ok = np.minimum(comp.rank_test.n1, comp.rank_test.n2) >= stats.MIN_ASYMPTOTIC_N
    wls, theil = batch_trend.trend_wls_batch(t, y, n), batch_trend.theil_sen_batch(t, y)
    mk = batch_trend.mann_kendall_batch(y)
    a = pooled[-1].arrays
    alpha = batch.cronbach_alpha_batch(a["alpha_n", p], a["alpha_sums", p], a["alpha_cross", p])
    rho = batch.spearman_batch(v, np.arange(11.0), a["joint", p]).rho
    for g, key in enumerate(keys):
        out[key, p, "score"], out[key, p, "fav"] = y[g, -1], fav.estimate[g]
        out[key, p, "diff"] = comp.difference.estimate[g]
        out[key, p, "bm_p"] = comp.rank_test.p_value[g] if bm_ok[g] else None
        out[key, p, "wls"], out[key, p, "theil"] = wls.slope[g], theil.slope[g]
        out[key, p, "mk_s"], out[key, p, "alpha"] = mk.s[g], alpha.alpha[g]
        out[key, p, "rho"] = rho[g]
        pvals.append(((key, p, "q"), comp.p_value[g]))


def ours(cells: dict) -> dict:
    """All figures of the latest wave's report from cell aggregates, batched per measure."""
    keys, member = groups()
    pooled = [ag.stack([cells[w, d, t] for d in range(N_DEPT) for t in range(N_TENURE)])
              .pool(member) for w in range(N_WAVES)]
    out: dict = {}
    pvals: list = []
    for p in PRINCIPLES:
        _principle(out, keys, pooled, p, pvals)
    v, prev = pooled[-2].histograms(13)
    curr = pooled[-1].histograms(13)[1]
    enps, comp = batch.enps_batch(v, curr), batch.compare_batch("enps", v, prev, curr)
    for g, key in enumerate(keys):
        out[key, "enps"] = enps.estimate[g]
        pvals.append(((key, "enps", "q"), comp.p_value[g]))
    q = stats.bh_qvalues([None if np.isnan(p) else float(p) for _, p in pvals])
    out.update({k: qi for (k, _), qi in zip(pvals, q, strict=True)})
    return {k: None if v is None else float(v) for k, v in out.items()}


def _alpha(items: pd.DataFrame) -> float:
    c = items.dropna().cov().to_numpy()
    k = c.shape[0]
    return k / (k - 1) * (1 - np.trace(c) / c.sum())


def _enps_parts(s: pd.Series) -> tuple[float, float, int]:
    s = s.dropna()
    pro, det = (s >= 9).mean(), (s <= 6).mean()
    return pro - det, pro + det - (pro - det) ** 2, s.size


def _baseline_group(gk, g: pd.DataFrame, out: dict, pvals: list) -> None:
    waves = dict(list(g.groupby("wave")))
    prev, curr = waves[N_WAVES - 2], waves[N_WAVES - 1]
    t = np.arange(N_WAVES, dtype=float)
    for p in PRINCIPLES:
        agg = g.groupby("wave")[p].agg(["mean", "count"])
        y, n = (agg["mean"].to_numpy() - 1) * 25, agg["count"].to_numpy()
        a, b = prev[p].dropna(), curr[p].dropna()
        out[gk, p, "score"], out[gk, p, "fav"] = y[-1], 100 * (b >= 4).mean()
        out[gk, p, "diff"] = 25 * (b.mean() - a.mean())
        out[gk, p, "bm_p"] = ss.brunnermunzel(a, b).pvalue
        out[gk, p, "wls"] = np.polyfit(t, y, 1, w=np.sqrt(n))[0]
        out[gk, p, "theil"] = ss.theilslopes(y, t).slope
        yr = np.round(y, 9)
        out[gk, p, "mk_s"] = float(sum(np.sign(yr[j] - yr[i]) for i in range(8)
                                       for j in range(i + 1, 8)))
        out[gk, p, "alpha"] = _alpha(curr[[s.item_id for s in ITEMS if s.principle == p]])
        both = curr[[p, 13]].dropna()
        out[gk, p, "rho"] = ss.spearmanr(both[p], both[13]).statistic
        pvals.append(((gk, p, "q"), ss.ttest_ind(b, a, equal_var=False).pvalue))
    (d1, v1, n1), (d2, v2, n2) = _enps_parts(prev[13]), _enps_parts(curr[13])
    out[gk, "enps"] = 100 * d2
    z = (d2 - d1) / np.sqrt(v1 / n1 + v2 / n2)
    pvals.append(((gk, "enps", "q"), 2 * ss.norm.sf(abs(z))))


def baseline(df: pd.DataFrame) -> dict:
    """The same figures with pandas groupby and scipy over the raw answers."""
    from statsmodels.stats.multitest import multipletests

    x = df.copy()
    rev = [s.item_id for s in ITEMS if s.reverse]
    x[rev] = 6 - x[rev]
    for p in PRINCIPLES:
        x[p] = x[[s.item_id for s in ITEMS if s.principle == p]].mean(axis=1)
    x["total"] = 0
    out: dict = {}
    pvals: list = []
    for name, by in (("total", ["total"]), ("dept", ["dept"]), ("tenure", ["tenure"]),
                     ("cell", ["dept", "tenure"])):
        for key, g in x.groupby(by):
            gk = ("total",) if name == "total" else (name, *(int(k) for k in key))
            _baseline_group(gk, g, out, pvals)
    q = multipletests([p for _, p in pvals], method="fdr_bh")[1]
    out.update({k: qi for (k, _), qi in zip(pvals, q, strict=True)})
    return out


def _best_time(fn, arg, repeat: int = 3) -> tuple[float, dict]:
    best, res = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = fn(arg)
        best = min(best, time.perf_counter() - t0)
    return best, res


def run(staff: int) -> dict:
    """Synthesise, aggregate (untimed), then time both routes and compare figures."""
    df = synthesise(staff)
    cells = build_cells(df)
    ours_s, mine = _best_time(ours, cells)
    tracemalloc.start()
    ours(cells)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    scalar_s, scalar = _best_time(ours_scalar, cells, repeat=1)
    pandas_s, ref = _best_time(baseline, df, repeat=1)
    diffs = [abs(v - ref[k]) for k, v in mine.items() if v is not None]
    vs_scalar = max(abs(v - scalar[k]) for k, v in mine.items() if v is not None)
    assert all((v is None) == (scalar[k] is None) for k, v in mine.items())
    missing = sum(v is None for v in mine.values())
    res = {"staff": staff, "ours_s": round(ours_s, 4), "pandas_s": round(pandas_s, 3),
           "ratio": round(pandas_s / ours_s, 1), "peak_mib": round(peak, 1),
           "max_abs_diff": float(max(diffs)),
           "scalar_s": round(scalar_s, 3), "max_abs_diff_vs_scalar": float(vs_scalar)}
    print(f"staff={staff:>7}  respondents={len(df):>7}  figures={len(diffs)} "
          f"(not computable: {missing})  ours={ours_s:.3f}s  pandas={pandas_s:.2f}s  "
          f"ratio={pandas_s / ours_s:.0f}x  peak={peak:.1f} MiB  max|diff|={max(diffs):.2e}  "
          f"(scalar route {scalar_s:.3f}s, batched vs scalar max|diff|={vs_scalar:.1e})")
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--staff", type=int, default=100_000)
    ap.add_argument("--small", type=int, default=10_000)
    args = ap.parse_args()
    small = run(args.small)
    big = run(args.staff)
    print(f"growth ours {args.small} -> {args.staff} staff: "
          f"{big['ours_s'] / small['ours_s']:.2f}x")
    print(json.dumps(big))


if __name__ == "__main__":
    main()
