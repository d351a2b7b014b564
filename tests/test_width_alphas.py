"""D_noise and the alphas per block width W (issue 19, item 6) on synthetic block series.

One synthetic material seen on several grids: every grid has Wiener noise of a known D(M)
(a different one per grid), elastic loading, and the same onsets (uniform centroids), whose
persistent ones drop the stress of the block that holds their centroid on that grid by a
known kick. Flickers (non-persistent onsets) spoil pairs but do not kick.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mechnoise.hl.width_scan import (
    combine_seeds,
    frozen_grid,
    width_alphas,
    width_noise,
)
from mechnoise.noise import block_noise
from mechnoise.plasticity.block_scan import rebin_onsets

LOADING = 0.002  # G0 gamma_dot
KICK = 0.6  # drop of a persistent onset
MARGIN = 2.0  # the drop happens within MARGIN after the onset
RATE_PER_AREA = 0.3  # onsets per tau0 over the whole box
DT = 0.5
N_ROWS = 3000
D_OF_M = {4: 0.010, 3: 0.006}  # known noise D (HL convention) on each series grid
GRIDS = [(6.0, 4), (8.0, 3), (12.0, 2)]  # (W, M) of the scan; M = 2 has no series grid
FIT = (1.0, 8.0)


def synthetic(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """(block series with grids M = 4 and 3, events, persistent mask)."""
    rng = np.random.default_rng(seed)
    time = np.arange(N_ROWS) * DT
    n_ev = rng.poisson(RATE_PER_AREA * time[-1])
    events = pd.DataFrame(
        {
            "time": np.sort(rng.uniform(0.0, time[-1], n_ev)),
            "centroid_x": rng.uniform(0.0, 1.0, n_ev),
            "centroid_y": rng.uniform(0.0, 1.0, n_ev),
            "bx": 0,
            "by": 0,
        }
    )
    persistent = rng.uniform(size=n_ev) < 0.5
    delays = rng.uniform(0.0, MARGIN, n_ev)
    parts = []
    for width, m in ((6.0, 4), (8.0, 3)):
        d = D_OF_M[m]
        stress = LOADING * time[:, None] + np.cumsum(
            rng.normal(0.0, math.sqrt(2 * d * DT), (N_ROWS, m * m)), axis=0
        )
        on = rebin_onsets(events, m)
        for k in np.flatnonzero(persistent):
            b = int(on["bx"].iloc[k]) * m + int(on["by"].iloc[k])
            stress[time > events["time"].iloc[k] + delays[k], b] -= KICK
        bx, by = np.divmod(np.arange(m * m), m)
        parts.append(
            pd.DataFrame(
                {
                    "step": np.repeat(np.arange(N_ROWS), m * m),
                    "time": np.repeat(time, m * m),
                    "width": width,
                    "m": m,
                    "bx": np.tile(bx, N_ROWS),
                    "by": np.tile(by, N_ROWS),
                    "stress": stress.ravel(),
                    "epoch": 0,
                }
            )
        )
    return pd.concat(parts, ignore_index=True), events, persistent


def scan_rows(drop: float = KICK, drop_err: float = 0.01) -> pd.DataFrame:
    """block_width_scan rows with the planted in-flow drop and a threshold of 1."""
    return pd.DataFrame(
        {
            "W": [w for w, _ in GRIDS],
            "M": [m for _, m in GRIDS],
            "block_side": [24.0 / m for _, m in GRIDS],
            "sigma_c_flow": 1.0,
            "sigma_c_flow_err": 0.02,
            "stress_drop_flow": drop,
            "stress_drop_flow_err": drop_err,
        }
    )


@pytest.fixture(scope="module")
def measured() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, np.ndarray, pd.DataFrame]:
    series, events, persistent = synthetic(7)
    noise, jack = width_noise(
        series,
        events,
        persistent,
        GRIDS,
        fit_window=FIT,
        margin=MARGIN,
        coverage=[(0.0, (N_ROWS - 1) * DT)],
        n_segments=20,
    )
    return noise, jack, series, persistent, events


def test_noise_per_width_is_recovered_within_errors(measured) -> None:  # type: ignore[no-untyped-def]
    noise, jack, _, persistent, events = measured
    total = (N_ROWS - 1) * DT
    for m, d_true in D_OF_M.items():
        r = noise[noise["M"] == m].iloc[0]
        assert abs(r["D_noise"] - d_true) < 3 * r["D_noise_err"], (m, r["D_noise"], d_true)
        assert r["D_noise_err"] < 0.2 * d_true
        # own kicks add Gamma kick^2 / 2 to D_all (compound Poisson), not to D_noise
        d_all = d_true + r["Gamma"] * KICK**2 / 2
        assert abs(r["D_all"] - d_all) < 3 * r["D_all_err"]
        assert r["D_all"] > r["D_noise"] + 3 * r["D_noise_err"]
        # Gamma counts persistent onsets once each: Gamma M^2 is the same on every grid
        assert r["Gamma"] * m * m == pytest.approx(persistent.sum() / total, rel=1e-12)
        assert r["Gamma_all"] * m * m == pytest.approx(len(events) / total, rel=1e-12)
        assert r["note"] == ""
        assert len(jack[jack["M"] == m]) == 20


def test_the_analysis_grid_repeats_block_noise(measured) -> None:  # type: ignore[no-untyped-def]
    noise, _, series, _, events = measured
    row, _ = block_noise(
        series,
        rebin_onsets(events, 4),
        width=6.0,
        fit_window=FIT,
        margin=MARGIN,
        coverage=[(0.0, (N_ROWS - 1) * DT)],
        n_segments=20,
    )
    r = noise[noise["M"] == 4].iloc[0]
    for key in ("D_noise", "D_noise_err", "D_all"):
        assert r[key] == row[key].iloc[0]
    assert r["Gamma_all"] == row["Gamma"].iloc[0]


def test_a_width_missing_from_the_series_is_nan_with_a_reason(measured) -> None:  # type: ignore[no-untyped-def]
    noise, jack, *_ = measured
    r = noise[noise["M"] == 2].iloc[0]
    assert np.isnan(r[["D_noise", "D_all", "Gamma"]].to_numpy(float)).all()
    assert "no block-series grid with M = 2" in r["note"]
    assert "shear.block_series.widths" in r["note"]
    assert (jack["M"] != 2).all()
    alphas = width_alphas(noise, jack, scan_rows(), g0=(20.0, 0.0), shear_rate=1e-4)
    a = alphas[alphas["M"] == 2].iloc[0]
    assert np.isnan(a[["alpha_micro_flow", "alpha_kappa_flow"]].to_numpy(float)).all()
    assert a["note"] == r["note"]


def test_alpha_micro_per_width_recovers_the_planted_coupling(measured) -> None:  # type: ignore[no-untyped-def]
    noise, jack, _, persistent, _ = measured
    alphas = width_alphas(noise, jack, scan_rows(), g0=(20.0, 0.0), shear_rate=1e-4)
    total = (N_ROWS - 1) * DT
    for m, d_true in D_OF_M.items():
        a = alphas[alphas["M"] == m].iloc[0]
        gamma_true = persistent.sum() / total / (m * m)
        truth = 2 * d_true / (KICK**2 * gamma_true)
        assert abs(a["alpha_micro_flow"] - truth) < 3 * a["alpha_micro_flow_err"]
        assert a["alpha_micro_flow_err"] < 0.3 * truth


def test_alphas_from_known_inputs_and_their_errors() -> None:
    noise = pd.DataFrame(
        {
            "W": [6.0, 8.0],
            "M": [4, 3],
            "D_noise": [0.01, 0.02],
            "D_noise_err": [0.001, 0.002],
            "D_all": [0.02, 0.03],
            "D_all_err": [0.002, 0.003],
            "Gamma": [0.05, 0.1],
            "Gamma_err": [0.005, 0.01],
            "note": "",
        }
    )
    # D and Gamma co-vary perfectly over the segments: alpha_micro's jackknife error is 0
    wobble = np.tile(np.linspace(0.9, 1.1, 20), 2)  # per segment, the same for D and Gamma
    jack = pd.DataFrame(
        {
            "M": np.repeat([4, 3], 20),
            "segment": np.tile(np.arange(20), 2),
            "D_noise": np.repeat([0.01, 0.02], 20) * wobble,
            "Gamma": np.repeat([0.05, 0.1], 20) * wobble,
        }
    )
    scan = pd.DataFrame(
        {
            "W": [6.0, 8.0],
            "M": [4, 3],
            "block_side": [6.0, 8.0],
            "sigma_c_flow": [1.0, 2.0],
            "sigma_c_flow_err": [0.1, math.nan],
            "stress_drop_flow": [0.5, 0.5],
            "stress_drop_flow_err": [0.05, 0.0],
        }
    )
    g0, rate = (10.0, 0.0), 2e-3
    out = width_alphas(noise, jack, scan, g0=g0, shear_rate=rate, sigma_c=(4.0, 0.4), frozen_m=4)
    a4, a3 = out.iloc[0], out.iloc[1]
    # alpha_micro = 2 D / (drop^2 Gamma): 2 * 0.01 / (0.25 * 0.05) = 1.6 on both grids
    assert a4["alpha_micro_flow"] == pytest.approx(1.6)
    assert a3["alpha_micro_flow"] == pytest.approx(1.6)
    # joint jackknife: D/Gamma constant -> only the drop's 10 % enters, doubled (drop squared)
    assert a4["alpha_micro_flow_err"] == pytest.approx(1.6 * 0.2, rel=1e-4)
    assert a3["alpha_micro_flow_err"] == pytest.approx(0.0, abs=1e-12)
    # kappa = D / (G0 rate sigma_c): 0.01 / (10 * 2e-3 * 1) = 0.5 -> alpha = 0.5 tanh(1)
    assert a4["alpha_kappa_flow"] == pytest.approx(0.5 * math.tanh(1.0))
    kappa3 = 0.02 / (10 * 2e-3 * 2.0)
    assert a3["alpha_kappa_flow"] == pytest.approx(kappa3 * math.tanh(1 / (2 * kappa3)))
    assert np.isnan(a3["alpha_kappa_flow_err"])  # unknown sigma_c_flow error: NaN, not 0
    assert a4["alpha_kappa_flow_err"] > 0
    # the frozen-matrix threshold only on its own grid (M = 4)
    kappa_f = 0.01 / (10 * 2e-3 * 4.0)
    assert a4["alpha_kappa_noise"] == pytest.approx(kappa_f * math.tanh(1 / (2 * kappa_f)))
    assert a4["sigma_c_frozen"] == 4.0
    assert np.isnan(a3[["alpha_kappa_noise", "sigma_c_frozen"]].to_numpy(float)).all()
    assert a4["note"] == "" and a3["note"] == ""
    # a negative in-flow drop: alpha_micro is NaN and the note says why
    neg = width_alphas(noise, jack, scan.assign(stress_drop_flow=-0.1), g0=g0, shear_rate=rate)
    assert np.isnan(neg["alpha_micro_flow"]).all()
    assert (neg["note"] == "alpha_micro_flow: stress_drop_flow not > 0").all()
    # seeds: two identical runs give the same values
    both = pd.concat([out.assign(density=1.2, seed=1), out.assign(density=1.2, seed=2)])
    comb = combine_seeds(both)
    assert comb["alpha_micro_flow"].to_numpy() == pytest.approx([1.6, 1.6])


def test_frozen_grid_follows_the_box_not_the_width_label() -> None:
    # L = 31 sigma: W = 6 -> M = 5, so the frozen-matrix row is the scan's M = 5 row
    assert frozen_grid(31.0 / 5, 5, 6.0) == 5
    assert frozen_grid(31.0 / 4, 4, 6.0) == 5
    assert frozen_grid(31.0 / 4, 4, 8.0) == 4


def test_noise_per_width_does_not_move_with_the_fit_window(measured) -> None:  # type: ignore[no-untyped-def]
    """Measure the material, not the method: D_noise(W) within its error for [2, 6] vs [1, 8]."""
    noise, _, series, persistent, events = measured
    other, _ = width_noise(
        series,
        events,
        persistent,
        GRIDS[:2],
        fit_window=(2.0, 6.0),
        margin=MARGIN,
        coverage=[(0.0, (N_ROWS - 1) * DT)],
        n_segments=20,
    )
    for (_, a), (_, b) in zip(noise.iloc[:2].iterrows(), other.iterrows(), strict=True):
        assert abs(a["D_noise"] - b["D_noise"]) < max(a["D_noise_err"], b["D_noise_err"])
        assert a["Gamma"] == b["Gamma"]  # the rate does not depend on the fit at all
