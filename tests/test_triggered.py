"""In-flow thresholds and drops (issue 19, item 3): onset-triggered block stresses on
synthetic block series with planted onsets at known stresses and known drops."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mechnoise.plasticity import triggered

# blocks per side, frame interval (tau0), loading rate G0 gamma_dot (eps/sigma^2/tau0)
M, DT, LOAD = 4, 0.2, 0.01


def _planted(seed: int = 0, noise: float = 0.01, n_windows: int = 4, duration: float = 100.0):
    """Block series: a common loading + noise; one event per block at a known onset stress
    (absolute) whose excess drops by a known amount 1 tau0 after the onset. Events are 22 tau0
    apart, so the background is flat around each of them."""
    rng = np.random.default_rng(seed)
    times = np.arange(0.0, duration + DT / 2, DT)
    rows, events = [], []
    frame = 0
    blocks = [(i, j) for i in range(M) for j in range(M)]
    rng.shuffle(blocks)
    for w in range(n_windows):
        t_events = 6.0 + 22.0 * np.arange(4)
        planted = blocks[4 * w : 4 * w + 4]
        t_all = w * 1000.0 + times
        load = LOAD * t_all
        sigma = np.repeat(load[:, None, None], M, axis=1).repeat(M, axis=2)
        for (bx, by), t0 in zip(planted, t_events, strict=True):
            s_on = rng.uniform(0.6, 1.4)
            drop = rng.uniform(0.2, 0.6)
            i0 = int(round(t0 / DT))
            excess = np.where(times <= t0 + 1.0, s_on - load[i0], s_on - load[i0] - drop)
            sigma[:, bx, by] += excess
            events.append({"t": t_all[i0], "window": w, "bx": bx, "by": by, "s": s_on, "d": drop})
        sigma = sigma + noise * rng.standard_normal(sigma.shape)
        for i, t in enumerate(t_all):
            bx, by = np.meshgrid(np.arange(M), np.arange(M), indexing="ij")
            rows.append(
                pd.DataFrame(
                    {"frame": frame, "window": w, "time": t, "bx": bx.ravel(), "by": by.ravel(),
                     "stress": sigma[i].ravel()}
                )
            )  # fmt: skip
            frame += 1
    table = pd.concat(rows, ignore_index=True)
    truth = pd.DataFrame(events)
    frame_of = table.drop_duplicates("frame").set_index("time")["frame"]
    ev = pd.DataFrame(
        {"frame": frame_of.reindex(truth["t"]).to_numpy(), "window": truth["window"],
         "time": truth["t"], "bx": truth["bx"], "by": truth["by"]}
    )  # fmt: skip
    return table, ev, truth


def test_planted_thresholds_and_drops_are_recovered() -> None:
    table, events, truth = _planted()
    keep = np.ones(len(events), dtype=bool)
    keep[0] = False  # a flicker: not in the means
    on = triggered.onset_stress(
        table, events, keep, coarse_blocks=M, drop_delay=4.0, level_width=1.0, n_segments=20
    )
    # each onset: absolute stress and drop, to the noise of a 5- and 6-frame mean
    assert on["sigma_onset"].to_numpy() == pytest.approx(truth["s"].to_numpy(), abs=0.04)
    assert on["stress_drop"].to_numpy() == pytest.approx(truth["d"].to_numpy(), abs=0.025)
    # the neighbours do not change in this synthetic field
    assert np.abs(on["neighbour_change"]).max() < 0.025
    row = triggered.summarize_onset_stress(on).iloc[0]
    s, d = truth["s"].to_numpy()[1:], truth["d"].to_numpy()[1:]
    assert row["n_onsets_flow"] == 15
    for key, true in (("sigma_c_flow", s.mean()), ("stress_drop_flow", d.mean()),
                      ("stress_drop_sq_flow", (d**2).mean())):  # fmt: skip
        assert row[key] == pytest.approx(true, abs=0.02)
        assert 0 < row[f"{key}_err"] < 0.5 * row[key]
    # the jackknife error of the mean threshold is the spread of the planted values / sqrt(n)
    assert row["sigma_c_flow_err"] == pytest.approx(s.std(ddof=1) / math.sqrt(15), rel=0.35)


def test_drop_does_not_move_with_the_analysis_window() -> None:
    """Measure the material: delay 2-6 tau0 and width 0.5-2 tau0 give the same <drop>."""
    table, events, _ = _planted(seed=1)
    keep = np.ones(len(events), dtype=bool)
    ref = triggered.summarize_onset_stress(
        triggered.onset_stress(
            table, events, keep, coarse_blocks=M, drop_delay=4.0, level_width=1.0, n_segments=20
        )
    ).iloc[0]
    for delay, width in ((2.0, 0.5), (6.0, 2.0), (3.0, 1.5)):
        row = triggered.summarize_onset_stress(
            triggered.onset_stress(
                table,
                events,
                keep,
                coarse_blocks=M,
                drop_delay=delay,
                level_width=width,
                n_segments=20,
            )
        ).iloc[0]
        assert abs(row["stress_drop_flow"] - ref["stress_drop_flow"]) < ref["stress_drop_flow_err"]


def test_profile_shows_the_drop_after_the_onset() -> None:
    table, events, truth = _planted(seed=2)
    prof = triggered.onset_profile(table, events, pre=5.0, post=15.0)
    assert prof["tau"].min() == pytest.approx(-5.0) and prof["tau"].max() == pytest.approx(15.0)
    early = prof[prof["tau"].between(-5.0, 0.9)]
    late = prof[prof["tau"] >= 1.1]
    assert np.abs(early["centroid"]).max() < 0.03
    assert late["centroid"].to_numpy() == pytest.approx(-truth["d"].mean(), abs=0.03)
    assert (prof["n_onsets"] == len(events)).all()


def test_bad_input_is_named() -> None:
    table, events, _ = _planted(n_windows=1)
    keep = np.ones(len(events), dtype=bool)
    with pytest.raises(ValueError, match="level_width"):
        triggered.onset_stress(
            table, events, keep, coarse_blocks=M, drop_delay=4.0, level_width=0.0, n_segments=5
        )
    with pytest.raises(ValueError, match="grids differ"):
        triggered.onset_stress(table, events, keep, coarse_blocks=5, drop_delay=4.0,
                               level_width=1.0, n_segments=5)  # fmt: skip
    bad = events.assign(bx=7)
    with pytest.raises(ValueError, match="grids differ"):
        triggered.onset_stress(
            table, bad, keep, coarse_blocks=M, drop_delay=4.0, level_width=1.0, n_segments=5
        )


def test_inflow_thresholds_beside_the_frozen_matrix() -> None:
    inflow = pd.DataFrame(
        {"density": 1.2, "shear_rate": [1e-4, 1e-4, 1e-3], "seed": [1, 2, 1],
         "sigma_c_flow": [0.3, 0.5, 9.0], "sigma_c_flow_err": 0.01,
         "stress_drop_flow": [0.1, 0.1, 9.0], "stress_drop_flow_err": 0.01,
         "stress_drop_sq_flow": [0.02, 0.02, 9.0], "stress_drop_sq_flow_err": 0.001,
         "background_flow": 0.2, "n_onsets_flow": [10, 20, 5], "n_segments": 20}
    )  # fmt: skip
    local = pd.DataFrame(
        {"density": 1.2, "direction": [1, 1, 1, -1], "sigma_c": [1.0, 2.0, np.nan, 5.0],
         "sigma_drop": [0.2, 0.4, np.nan, 5.0]}
    )  # fmt: skip
    row = triggered.inflow_thresholds(inflow, local, 1e-4).iloc[0]
    assert row["sigma_c_flow"] == pytest.approx(0.4) and row["n_onsets_flow"] == 30
    assert row["sigma_c_frozen"] == pytest.approx(1.5) and row["n_blocks_frozen"] == 2
    assert row["stress_drop_sq_frozen"] == pytest.approx(0.1)


def test_table1_inflow_columns_and_ratios() -> None:
    from mechnoise.report import table1

    flow = pd.Series(
        {"sigma_c_flow": 0.5, "sigma_c_flow_err": 0.05, "stress_drop_flow": 0.1,
         "stress_drop_flow_err": 0.0, "stress_drop_sq_flow": 0.02, "stress_drop_sq_flow_err": 0.0,
         "stress_drop_sq_frozen": 0.08, "stress_drop_sq_frozen_err": 0.0}
    )  # fmt: skip
    out = table1.inflow_columns(flow, 2.0, 0.0, 0.4, 0.04)
    assert set(out) == set(table1.INFLOW_TABLE1_COLUMNS)
    assert out["sigma_c_flow_ratio"] == pytest.approx(0.25)
    assert out["sigma_c_flow_ratio_err"] == pytest.approx(0.025)
    assert out["stress_drop_flow_ratio"] == pytest.approx(0.25)
    assert out["stress_drop_flow_ratio_err"] == pytest.approx(0.025)
    assert out["stress_drop_sq_flow_ratio"] == pytest.approx(0.25)
    assert all(math.isnan(v) for v in table1.inflow_columns(None, 2.0, 0.0, 0.4, 0.0).values())


def test_no_onsets_give_nan_means_and_empty_typed_tables() -> None:
    """A percolated run has no onsets: empty tables with their dtypes, NaN means, no error."""
    table, events, _ = _planted(n_windows=1)
    none = events.iloc[:0]
    on = triggered.onset_stress(table, none, np.zeros(0, dtype=bool), coarse_blocks=M,
                                drop_delay=4.0, level_width=1.0, n_segments=5)  # fmt: skip
    assert on.empty and on["stress_drop"].dtype == np.float64
    row = triggered.summarize_onset_stress(on).iloc[0]
    assert math.isnan(row["sigma_c_flow"]) and row["n_onsets_flow"] == 0
    assert triggered.onset_profile(table, none, pre=5.0, post=15.0).empty
