"""Pure-Python parts of the frozen-matrix analysis, checked against hand-computed answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mechnoise.frozen_matrix.analysis import (
    CURVE_COLUMNS,
    LOCAL_YIELD_COLUMNS,
    SUMMARY_COLUMNS,
    analyze_curve,
    fit_gaussian,
    local_yield_table,
    summarize_local_yield,
    yield_statistics,
)
from mechnoise.frozen_matrix.runs import select_blocks
from mechnoise.frozen_matrix.snapshots import choose_frames, read_data_file, write_data_file


def saw_tooth(
    modulus: float,
    sigma0: float,
    yield_strain: float,
    drop: float,
    step: float,
    n: int,
    softening: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Linear loading from sigma0 with slope `modulus`, one drop of `drop` right after
    `yield_strain`, and optionally a smooth softening `softening` (stress) over the last
    3 steps before the drop."""
    g = np.arange(n) * step
    s = sigma0 + modulus * g
    after = g > yield_strain + 1e-12
    s[after] -= drop
    if softening:
        k = int(round(yield_strain / step))
        s[k - 2 : k + 1] -= softening * np.array([0.2, 0.5, 1.0])
    return g, s


def test_saw_tooth_by_hand() -> None:
    # slope 20, start 0.5, yields at strain 0.05 (stress 1.5), drops by 0.5, step 0.005
    g, s = saw_tooth(20.0, 0.5, 0.05, 0.5, 0.005, 20)
    r = analyze_curve(g, s, strain_step=0.005, drop_factor=3.0)
    assert r.yielded
    assert r.sigma_c == pytest.approx(1.5, abs=1e-12)
    assert r.strain_at_yield == pytest.approx(0.05, abs=1e-12)
    # the decrease across the drop is 0.5 minus the reloading 20 * 0.005 = 0.1
    assert r.sigma_drop == pytest.approx(0.4, abs=1e-12)
    # the same drop with drop_factor 4 (threshold 0.4) is not plastic any more
    assert not analyze_curve(g, s, strain_step=0.005, drop_factor=4.0).yielded
    assert r.local_modulus == pytest.approx(20.0, rel=1e-12)
    assert r.initial_stress == pytest.approx(0.5, abs=1e-15)


def test_softening_is_not_a_drop_but_sets_the_maximum() -> None:
    # slope 20, step 0.005 (+0.1 per step); softening 0.4 * (0.2, 0.5, 1) on strains
    # 0.04, 0.045, 0.05 gives 0.72, 0.70, 0.60: decreases of 0.02 and 0.10, below the
    # threshold 3 * 20 * 0.005 = 0.3; then the drop of 1.0 takes 0.60 to 1.1 - 1.0 = 0.1
    g, s = saw_tooth(20.0, 0.0, 0.05, 1.0, 0.005, 20, softening=0.4)
    r = analyze_curve(g, s, strain_step=0.005, drop_factor=3.0)
    assert r.yielded
    assert r.sigma_c == pytest.approx(0.72, abs=1e-12)  # the first maximum, before softening
    assert r.strain_at_yield == pytest.approx(0.04, abs=1e-12)
    assert r.sigma_drop == pytest.approx(0.5, abs=1e-12)  # 0.60 -> 0.10


def test_drop_factor_decides_small_drops() -> None:
    # a small drop of 0.25 at 0.03 then a big one of 0.8 at 0.07 (slope 10, step 0.01)
    g = np.arange(12) * 0.01
    s = 10 * g
    s[g > 0.03 + 1e-12] -= 0.25
    s[g > 0.07 + 1e-12] -= 0.8
    small = analyze_curve(g, s, 0.01, drop_factor=1.0)  # threshold 0.1: decrease 0.15 counts
    large = analyze_curve(g, s, 0.01, drop_factor=3.0)  # threshold 0.3: only 0.7 counts
    assert small.sigma_c == pytest.approx(0.3) and small.sigma_drop == pytest.approx(0.15)
    # at drop_factor 3 the small drop is elastic: the maximum before the big drop is
    # 0.7 - 0.25 = 0.45 at strain 0.07, and the drop is 0.8 - 0.1 = 0.7
    assert large.sigma_c == pytest.approx(0.45)
    assert large.strain_at_yield == pytest.approx(0.07)
    assert large.sigma_drop == pytest.approx(0.7)


def test_never_yielded_is_reported_not_a_bogus_maximum() -> None:
    g = np.linspace(0.0, 0.15, 31)
    s = 0.2 + 15 * g - 30 * g**2  # smooth softening to a maximum, no drop
    r = analyze_curve(g, s, 0.005, 3.0)
    assert not r.yielded
    assert math.isnan(r.sigma_c) and math.isnan(r.sigma_drop) and math.isnan(r.strain_at_yield)
    assert r.local_modulus == pytest.approx(15 - 30 * 0.005, rel=1e-12)


def test_analyze_curve_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="increase"):
        analyze_curve(np.array([0.0, 0.0, 1.0]), np.zeros(3), 0.1, 3.0)
    with pytest.raises(ValueError, match="equal length"):
        analyze_curve(np.array([0.0]), np.zeros(1), 0.1, 3.0)


def _curves() -> pd.DataFrame:
    parts = []
    rng = np.random.default_rng(7)
    for config in range(2):
        for bx in range(5):
            # on the strain grid: the peak 20 * strain is reached exactly
            sigma_c = 0.02 * round((1.0 + 0.2 * rng.standard_normal()) / 0.02)
            g, s = saw_tooth(20.0, 0.0, sigma_c / 20.0, 0.25 * sigma_c, 0.001, 200)
            if bx == 4:  # never yields
                s = 20.0 * g
            parts.append(
                pd.DataFrame(
                    {"config": config, "bx": bx, "by": 0, "direction": 1, "angle": 0.0, "strain": g,
                     "stress": s}  # fmt: skip
                ).assign(fnorm=1e-11, converged=True, fallback=False)
            )
    return pd.concat(parts, ignore_index=True)


def test_tables_and_summary() -> None:
    curves = _curves()
    local = local_yield_table(curves, 0.001, 3.0)
    assert list(local.columns) == list(LOCAL_YIELD_COLUMNS)
    assert len(local) == 10 and local["yielded"].sum() == 8
    assert local.loc[~local["yielded"], "sigma_c"].isna().all()
    summary = summarize_local_yield(curves, 1.149, 0.001, 3.0)
    assert list(summary.columns) == list(SUMMARY_COLUMNS)
    row = summary.iloc[0]
    assert row["fraction_never_yielded"] == pytest.approx(0.2)
    y = local[local["yielded"]]
    assert row["sigma_c_mean"] == pytest.approx(y["sigma_c"].mean())
    # each drop is 0.25 sigma_c minus the reloading 20 * 0.001 within the step after the peak
    expected = (0.25 * y["sigma_c"] - 0.02).mean() / y["sigma_c"].mean()
    assert row["drop_ratio"] == pytest.approx(expected, rel=1e-9)
    assert row["local_modulus_mean"] == pytest.approx(20.0)
    assert set(CURVE_COLUMNS) <= set(curves.columns)


def test_unconverged_points_up_to_the_drop_leave_the_block_out() -> None:
    """A block with an unconverged minimization at or before the point just after its
    first drop is reported and left out of the statistics; one after it is only counted."""
    curves = _curves()
    local = local_yield_table(curves, 0.001, 3.0)
    assert local["converged_to_drop"].all() and (local["n_unconverged"] == 0).all()
    first = local.iloc[0]  # config 0, block (0, 0): yields
    assert first["yielded"]
    one = (curves["config"] == 0) & (curves["bx"] == 0)
    g = curves["strain"]
    after = one & (g > first["strain_at_yield"]) & (curves["stress"] == first["stress_after_drop"])
    late = one & (g > g[after].min() + 0.01)
    bad = curves.copy()
    bad.loc[late, "converged"] = False  # after the drop: counted, block kept
    t = local_yield_table(bad, 0.001, 3.0)
    assert t.iloc[0]["converged_to_drop"] and t.iloc[0]["n_unconverged"] == late.sum()
    bad.loc[after, "converged"] = False  # the point just after the drop: block left out
    t = local_yield_table(bad, 0.001, 3.0)
    assert not t.iloc[0]["converged_to_drop"]
    assert t["converged_to_drop"].sum() == 9
    st = yield_statistics(t)
    kept = t.iloc[1:]
    assert st["n_unconverged_blocks"] == 1 and st["n_blocks"] == 9
    assert st["sigma_c_mean"] == pytest.approx(kept.loc[kept["yielded"], "sigma_c"].mean())
    summary = summarize_local_yield(bad, 1.149, 0.001, 3.0)
    assert summary.iloc[0]["n_unconverged_blocks"] == 1


def test_fit_gaussian_recovers_parameters() -> None:
    rng = np.random.default_rng(3)
    mu, mu_err, sigma, sigma_err = fit_gaussian(rng.normal(1.3, 0.25, 50000))
    assert mu == pytest.approx(1.3, abs=5 * mu_err + 1e-3)
    assert sigma == pytest.approx(0.25, abs=5 * sigma_err + 1e-3)
    assert all(math.isnan(v) for v in fit_gaussian(np.array([1.0, 2.0])))


def test_choose_frames_spreads_over_windows() -> None:
    table = pd.DataFrame({"frame": range(9), "window": [0] * 3 + [1] * 3 + [2] * 3})
    assert choose_frames(table, 3) == [1, 4, 7]
    assert choose_frames(table, 1) == [1]
    with pytest.raises(ValueError, match="frames"):
        choose_frames(table, 10)


def test_select_blocks_counts() -> None:
    assert len(select_blocks(7, 0)) == 49
    chosen = select_blocks(7, 25)
    assert len(chosen) == 25 and len(set(chosen)) == 25
    assert {by for _, by in chosen} == set(range(7))


def test_data_file_round_trip(tmp_path) -> None:
    rng = np.random.default_rng(5)
    box = (10.0, 9.0, 2.5)
    pos = rng.uniform(-5, 15, size=(20, 2))
    types = rng.integers(1, 3, size=20)
    write_data_file(tmp_path / "a.data", pos, types, box)
    ids, t, p, b = read_data_file(tmp_path / "a.data")
    assert b == box
    assert np.array_equal(t, types) and np.array_equal(ids, np.arange(1, 21))
    # wrapped positions differ from the input by lattice vectors only
    frac = np.linalg.solve(np.array([[10.0, 2.5], [0.0, 9.0]]), (p - pos).T)
    assert np.allclose(frac, np.round(frac), atol=1e-12)
