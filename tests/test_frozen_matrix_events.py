"""Frozen-matrix analysis after issue 12: second event, distances to threshold, censoring,
drop rule applied to stored curves. Hand-built curves with known answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mechnoise.frozen_matrix.analysis import (
    SENSITIVITY_COLUMNS,
    analyze_curve,
    drop_rule_sensitivity,
    local_yield_table,
    summarize_local_yield,
)


def two_drops(
    sigma0: float, c1: float, d1: float, c2_rise: float, d2: float, modulus: float = 20.0
) -> tuple[np.ndarray, np.ndarray]:
    """Load from sigma0 to c1, drop by d1, reload by c2_rise, drop by d2, reload 5 steps.

    Steps of 0.001 in strain; every drop happens within one step (no reloading inside it)."""
    step = 0.001
    up1 = int(round((c1 - sigma0) / (modulus * step)))
    up2 = int(round(c2_rise / (modulus * step)))
    s = list(sigma0 + modulus * step * np.arange(up1 + 1))
    s.append(s[-1] - d1)
    s += list(s[-1] + modulus * step * np.arange(1, up2 + 1))
    s.append(s[-1] - d2)
    s += list(s[-1] + modulus * step * np.arange(1, 6))
    return np.arange(len(s)) * step, np.array(s)


def test_second_maximum_and_renewed_distance_by_hand() -> None:
    # sigma^m = 0.3, first max 1.3, drop 0.4 (to 0.9), reload by 0.6 to 1.5, drop 0.5
    g, s = two_drops(0.3, 1.3, 0.4, 0.6, 0.5)
    r = analyze_curve(g, s, strain_step=0.001, drop_factor=3.0)
    assert r.yielded and r.yielded_twice
    assert r.sigma_c == pytest.approx(1.3)
    assert r.sigma_drop == pytest.approx(0.4)
    assert r.stress_after_drop == pytest.approx(0.9)
    assert r.x == pytest.approx(1.0)  # 1.3 - 0.3
    assert r.sigma_c2 == pytest.approx(1.5)
    assert r.x_post == pytest.approx(0.6)  # 1.5 - (1.3 - 0.4)
    assert r.sigma_drop2 == pytest.approx(0.5)


def test_one_event_only_leaves_x_post_undefined() -> None:
    g, s = two_drops(0.0, 1.0, 0.4, 0.6, 0.5)
    g, s = g[:-8], s[:-8]  # cut before the second drop
    r = analyze_curve(g, s, 0.001, 3.0)
    assert r.yielded and not r.yielded_twice
    assert math.isnan(r.x_post) and math.isnan(r.sigma_c2)
    assert r.x == pytest.approx(1.0)


def test_censored_curve_keeps_its_largest_stress() -> None:
    g = np.linspace(0.0, 0.2, 201)
    s = 0.1 + 20 * g - 40 * g**2  # rises to 2.5 at the cap, no drop
    r = analyze_curve(g, s, 0.001, 3.0)
    assert not r.yielded
    assert r.stress_max == pytest.approx(s.max())
    assert r.strain_end == pytest.approx(0.2)


def test_first_maximum_rule_counts_any_decrease() -> None:
    # a softening decrease of 0.01 before the real drop: the literal first maximum takes it
    g, s = two_drops(0.0, 1.0, 0.5, 0.6, 0.5)
    k = 50  # the first peak (1.0 / (20 * 0.001) steps)
    assert s[k] == pytest.approx(1.0)
    s[k - 3] += 0.03  # a bump 0.03 - 0.02 = 0.01 above the next point
    literal = analyze_curve(g, s, 0.001, 0.0)
    rule = analyze_curve(g, s, 0.001, 3.0)
    assert literal.sigma_c == pytest.approx(s[k - 3])
    assert literal.sigma_drop == pytest.approx(0.01)
    assert rule.sigma_c == pytest.approx(1.0) and rule.sigma_drop == pytest.approx(0.5)
    with pytest.raises(ValueError, match="drop_factor"):
        analyze_curve(g, s, 0.001, -1.0)


def _population(n: int = 60, cap_stress: float = 1.2, seed: int = 11) -> pd.DataFrame:
    """Blocks with thresholds ~ N(1, 0.2) on a slope-20 curve loaded up to stress cap_stress:
    blocks whose threshold exceeds the cap never yield (censored at the cap)."""
    rng = np.random.default_rng(seed)
    parts = []
    for b in range(n):
        c1 = 0.02 * round(rng.normal(1.0, 0.2) / 0.02)
        g, s = two_drops(0.0, c1, 0.2 * c1, 0.1 + 0.1 * rng.random(), 0.2)
        if c1 > cap_stress:
            g = np.arange(int(round(cap_stress / 0.02)) + 1) * 0.001
            s = 20 * g
        parts.append(
            pd.DataFrame({"config": 0, "bx": b, "by": 0, "direction": 1, "strain": g, "stress": s})
        )
    return pd.concat(parts, ignore_index=True)


def test_censored_estimate_exceeds_the_survivor_mean() -> None:
    curves = _population()
    row = summarize_local_yield(curves, 1.2, 0.001, 3.0).iloc[0]
    local = local_yield_table(curves, 0.001, 3.0)
    assert 0 < row["fraction_never_yielded"] < 0.3
    assert row["fraction_yielded"] == pytest.approx(local["yielded"].mean())
    # the yielded-only mean misses the largest thresholds; Kaplan-Meier puts their mass
    # at the cap (a lower bound), so it lies between the survivor mean and the true mean
    c = local.loc[local["yielded"], "sigma_c"]
    assert row["sigma_c_mean"] == pytest.approx(c.mean())
    n, ny = len(local), len(c)
    assert row["sigma_c_km"] == pytest.approx((c.sum() + (n - ny) * 1.2) / n)
    assert row["sigma_c_km"] > row["sigma_c_mean"] + row["sigma_c_mean_err"]
    assert 0 < row["sigma_c_km_err"] < 0.1
    # every block that yielded twice has x_post; they are all the yielded blocks here
    assert row["n_yielded_twice"] == ny
    assert np.isfinite(row["x_post_mean"]) and 0.1 < row["x_post_mean"] < 0.3


def test_sensitivity_table_reanalyses_stored_curves() -> None:
    curves = _population(n=20, cap_stress=5.0)
    table = drop_rule_sensitivity(curves, 1.2, 0.001, 3.0)
    assert list(table.columns) == list(SENSITIVITY_COLUMNS)
    assert list(table["rule"]) == ["first maximum", "half", "config", "double"]
    assert list(table["drop_factor"]) == [0.0, 1.5, 3.0, 6.0]
    config = table[table["rule"] == "config"].iloc[0]
    assert config["sigma_c_rel_change"] == 0.0
    # clean saw teeth (drops 0.2 sigma_c >= 0.12 > 6 * 20 * 0.001): every rule agrees
    assert np.allclose(table["sigma_c_mean"], config["sigma_c_mean"])
    assert np.allclose(table["drop_ratio"], 0.2, atol=1e-9)


def test_x_post_is_measured_from_the_stress_after_the_drop_when_the_curve_softened() -> None:
    # slope 20 (0.02 per step, threshold 3 * 20 * 0.001 = 0.06) up to 1.0, softening to
    # 0.97 and 0.94, drop of 0.5 to 0.44, reload to 0.74, second drop
    s = np.concatenate(
        [0.02 * np.arange(51), [0.97, 0.94, 0.44], 0.44 + 0.02 * np.arange(1, 16), [0.24, 0.26]]
    )
    g = np.arange(len(s)) * 0.001
    r = analyze_curve(g, s, 0.001, 3.0)
    assert r.sigma_c == pytest.approx(1.0) and r.sigma_drop == pytest.approx(0.5)
    assert r.stress_after_drop == pytest.approx(0.44)
    assert r.sigma_c2 == pytest.approx(0.74)
    # from the stress after the drop: 0.30; sigma_c2 - (sigma_c - sigma_drop) would be 0.24
    assert r.x_post == pytest.approx(0.30)
