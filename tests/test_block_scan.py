"""Block-size scan (issue 19, item 6) on synthetic frames with a known block-stress diffusion:
per-atom stresses do independent random walks, so D_sigma = 2 rho d / A_m falls as 1/W^2."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mechnoise.io import Frame
from mechnoise.plasticity import block_scan
from mechnoise.plasticity.triggered import summarize_onset_stress

L, DT, D_ATOM, OFFSET = 20.0, 0.5, 0.05, 0.3  # box, frame interval, per-atom d, mean S_i


def _frames(seed: int = 0) -> list[Frame]:
    rng = np.random.default_rng(seed)
    g = np.arange(20) + 0.5
    x, y = np.meshgrid(g, g, indexing="ij")
    pos = np.column_stack([x.ravel(), y.ravel()])
    out, frame = [], 0
    for w in range(4):
        s = OFFSET + np.zeros(400)
        for j in range(81):
            if j:
                s = s + rng.normal(0.0, np.sqrt(2 * D_ATOM * DT), 400)
            t = 200.0 * w + j * DT
            out.append(
                Frame(frame=frame, window=w, step=frame, time=t, strain=0.0, box=(L, L, 0.0),
                      ids=np.arange(1, 401), types=np.ones(400, dtype=np.int64), positions=pos,
                      stress_xy=s.copy())
            )  # fmt: skip
            frame += 1
    return out


def test_scan_recovers_the_known_block_diffusion_and_rate_scaling() -> None:
    frames = _frames()
    rng = np.random.default_rng(1)
    ref = [f for f in frames if 2.0 <= f.time % 200.0 <= 30.0]
    picked = rng.choice(len(ref), 60, replace=False)
    events = pd.DataFrame(
        {
            "frame": [ref[i].frame for i in picked],
            "window": [ref[i].window for i in picked],
            "time": [ref[i].time for i in picked],
            "bx": 0, "by": 0,
            "centroid_x": rng.uniform(0, 1, 60), "centroid_y": rng.uniform(0, 1, 60),
            "peak_particles": 9, "lifetime": 6.0,
        }
    )  # fmt: skip
    activity = pd.DataFrame(
        {"frame": [f.frame for f in frames], "window": [f.window for f in frames],
         "time": [f.time for f in frames], "m": 3}
    )  # fmt: skip
    keep = np.ones(60, dtype=bool)
    scan, on = block_scan.block_width_scan(
        frames, events, activity, keep, widths=[4.0, 5.0, 10.0, 9.0], shear_modulus=0.0,
        max_lag=8.0, fit_window=(1.0, 6.0), drop_delay=2.0, level_width=1.0, n_segments=8,
    )  # fmt: skip
    assert scan["M"].tolist() == [5, 4, 2]  # W = 9 rounds to the grid of W = 10: one row
    area = (L / scan["M"]) ** 2
    expected = 2 * 1.0 * D_ATOM / area  # rho = 1 atom per sigma^2
    assert scan["D_sigma"].to_numpy() == pytest.approx(expected.to_numpy(), rel=0.15)
    assert (np.abs(scan["D_sigma"] - expected) < 3 * scan["D_sigma_err"]).all()
    # onsets counted once each: Gamma M^2 is the same on every grid
    assert (scan["Gamma"] * scan["M"] ** 2).to_numpy() == pytest.approx(
        [scan["Gamma"].iloc[0] * 25] * 3, rel=1e-12
    )
    # uniform mean per-atom stress: every grid's blocks sit at rho * OFFSET on average
    assert scan["sigma_c_flow"].to_numpy() == pytest.approx([OFFSET] * 3, abs=0.1)
    assert (scan["n_onsets_flow"] == 60).all()
    # the onsets of every grid are those the in-flow means are over
    assert on.groupby("M", sort=False).size().to_dict() == {5: 60, 4: 60, 2: 60}
    for _, row in scan.iterrows():
        flow = summarize_onset_stress(on[on["M"] == row["M"]]).iloc[0]
        assert flow["sigma_c_flow"] == row["sigma_c_flow"]
        assert flow["stress_drop_flow"] == row["stress_drop_flow"]
    perc, _ = block_scan.block_width_scan(
        frames, events, activity, keep, widths=[10.0], shear_modulus=0.0, max_lag=8.0,
        fit_window=(1.0, 6.0), drop_delay=2.0, level_width=1.0, n_segments=8, percolated=True,
    )  # fmt: skip
    assert np.isnan(perc["Gamma"]).all() and np.isfinite(perc["D_sigma"]).all()


def test_rebin_onsets_puts_each_onset_in_its_block() -> None:
    ev = pd.DataFrame({"centroid_x": [0.0, 0.49, 0.51], "centroid_y": [0.99, 0.25, 1.0]})
    out = block_scan.rebin_onsets(ev.assign(bx=0, by=0), 2)
    assert out[["bx", "by"]].values.tolist() == [[0, 1], [0, 0], [1, 1]]
