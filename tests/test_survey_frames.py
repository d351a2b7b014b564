"""Survey frames (issue 19, item 7): sparse frame windows around the dense ones.

The plan (windows disjoint, frame steps exact, dense windows kept), the config checks, and
the frame consumers on windows of different spacings: Γ measured on dense + survey windows is
Γ of the same synthetic material measured on dense windows only, τ_p does not move, and a
real tiny LAMMPS run writes exactly the planned frames.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import quenched_glass
from test_shear import MODEL as SHEAR_MODEL
from test_shear import shear

from mechnoise import io, plasticity
from mechnoise.config import ConfigError, _check_survey, shear_plan, survey_settings
from mechnoise.diffusion import pool_stress_msd, stress_msd_samples
from mechnoise.lammps.schedule import plan_shear, render_segment_schedule
from mechnoise.plasticity.d2min import windows_resolving
from mechnoise.plasticity.event_duration import event_duration_tables
from mechnoise.plasticity.synthetic import synthetic_rearrangements


@pytest.mark.parametrize(("rate", "survey_strain"), [(3e-3, None), (1e-3, None), (1e-4, 0.05)])
def test_survey_windows_are_disjoint_exact_and_keep_the_dense_windows(
    rate: float, survey_strain: float | None
) -> None:
    dt, args = 0.005, (0.6, 0.3, 0.2, 1e-3, 2, 20.0, 0.2)
    dense = plan_shear(rate, dt, *args)
    plan = plan_shear(rate, dt, *args, survey_interval=1.0, survey_strain=survey_strain)
    assert [(w.start, w.stop, w.every) for w in plan.dense_windows] == [
        (w.start, w.stop, w.every) for w in dense.windows
    ]
    survey = [w for w in plan.windows if w.survey]
    assert survey and all(w.every == 200 for w in survey)
    assert [w.index for w in plan.windows] == list(range(len(plan.windows)))
    steps = [s for w in plan.windows for s in w.steps]
    assert steps == sorted(set(steps)), "a step in two windows, or windows out of order"
    for a, b in zip(plan.windows, plan.windows[1:], strict=False):
        assert a.stop < b.start  # windows never touch
    for w in plan.windows:
        assert all(plan.window_of_step(s) == w.index for s in (w.start, w.stop))
        assert w.start % w.every == 0 and (w.stop - w.start) % w.every == 0
    # survey frames: every multiple of 200 steps in the surveyed steady state outside the
    # dense windows (nothing lost but lone frames between two dense windows)
    end = plan.total_steps
    if survey_strain is not None:
        end = plan.steady_step + round(survey_strain / (rate * dt))
    grid = set(range(math.ceil(plan.steady_step / 200) * 200, end + 1, 200))
    free = {s for s in grid if not any(w.start <= s <= w.stop for w in plan.dense_windows)}
    got = {s for w in survey for s in w.steps}
    assert got <= free and len(free - got) <= len(plan.dense_windows) + 1
    # every planned frame is dumped by exactly one `dump` block of the segment scripts
    text = "".join(render_segment_schedule(plan, k) for k in range(len(plan.segment_ends)))
    assert text.count("dump frames all custom 200 ") >= len(survey)


def test_survey_off_changes_nothing_and_bad_intervals_name_the_key() -> None:
    assert survey_settings({"survey_interval": 0.0, "survey_strain": None}) == ()
    args = (1e-2, 0.005, 0.6, 0.3, 0.2, 1e-3, 2, 20.0, 0.2)
    assert plan_shear(*args) == plan_shear(*args, survey_interval=0.0)
    analysis = {"d2min": {"lag": 4.0}, "inflow": {"level_width": 1.0}}
    for interval, match in [(1.0025, "multiple of shear.timestep"), (0.1, "below"),
                            (3.0, "level_width"), (0.6, "analysis.d2min.lag")]:  # fmt: skip
        with pytest.raises(ConfigError, match="shear.frames.survey_interval.*" + match):
            _check_survey(interval, 0.2, 0.005, analysis)
    _check_survey(1.0, 0.2, 0.005, analysis)
    cfg = {"shear": {"timestep": 0.005, "total_strain": 0.6, "segment_strain": 0.3,
                     "steady_strain": 0.2, "thermo_strain_interval": 0.001,
                     "frames": {"n_windows": 2, "window_duration": 8.0, "frame_interval": 0.2,
                                "survey_interval": 1.0, "survey_strain": -1.0}}}  # fmt: skip
    with pytest.raises(ConfigError, match="shear.frames.survey_strain"):
        shear_plan(cfg, 0.01)
    ok = copy.deepcopy(cfg)
    ok["shear"]["frames"]["survey_strain"] = None
    assert any(w.survey for w in shear_plan(ok, 0.01).windows)


def _onsets(frames: list, lag: float) -> tuple[float, float, int]:
    table = plasticity.d2min_frames(frames, lag)
    activity, _ = plasticity.activity_tables(frames, table, 0.1, 2.0, 6.0)
    m = int(activity["m"].iloc[0])
    events = plasticity.event_onsets(
        frames, table, threshold=0.1, activity_block=2.0, coarse_blocks=m
    )
    gamma, err, n, _ = plasticity.event_rate(events, activity)
    return gamma, err, m


def test_gamma_with_survey_windows_is_gamma_of_the_dense_windows() -> None:
    """One synthetic material sampled by 2 dense (0.2 tau0) and 6 survey (1 tau0) windows:
    Γ from all windows agrees with Γ from the dense windows alone and with the prescribed
    rate, and its error is smaller (the survey adds data, not a bias)."""
    rate, lag = 0.0002, 2.0
    spacing = [0.2, 1.0, 1.0, 1.0, 0.2, 1.0, 1.0, 1.0]
    run = synthetic_rearrangements(
        0.5, n_side=32, n_windows=8, window_duration=50.0, frame_interval=spacing,
        event_rate=rate, seed=3,
    )  # fmt: skip
    dense = [f for f in run.frames if spacing[f.window] == 0.2]
    g_all, e_all, m = _onsets(run.frames, lag)
    g_dense, e_dense, _ = _onsets(dense, lag)
    expected = rate * (run.box_side / m) ** 2
    assert g_all == pytest.approx(expected, rel=0.25)
    assert abs(g_all - g_dense) < 2 * math.hypot(e_all, e_dense)
    assert e_all < e_dense


def test_tau_p_ignores_survey_windows_and_c_p_pools_lags_by_time() -> None:
    spacing = [0.2, 1.0, 0.2, 1.0]
    run = synthetic_rearrangements(
        1.0, n_side=24, n_windows=4, window_duration=20.0, frame_interval=spacing,
        event_rate=0.004, seed=5,
    )  # fmt: skip
    dense = [f for f in run.frames if spacing[f.window] == 0.2]
    kw = {"threshold": 0.1, "lag": 2.0, "short_lag": 0.2, "n_short_lags": 1,
          "max_lag": 6.0, "r_max": 2.5}  # fmt: skip
    table = plasticity.d2min_frames(run.frames, 2.0)
    assert windows_resolving(table, 0.2) == [0, 2]
    _, with_survey = event_duration_tables(run.frames, table, **kw)
    _, dense_only = event_duration_tables(dense, table[table["window"].isin([0, 2])], **kw)
    pd.testing.assert_frame_equal(with_survey, dense_only)
    assert np.isfinite(with_survey["tau_p"].iloc[0])
    cp = plasticity.d2min_autocorrelation(table, 0.1, 3.0)
    cp_dense = plasticity.d2min_autocorrelation(table[table["window"].isin([0, 2])], 0.1, 3.0)
    assert np.allclose(cp["lag"], np.arange(16) * 0.2)  # 0.2 steps, 1.0 multiples pooled
    at = cp.set_index("lag")["n"]
    assert at[1.0] > cp_dense.set_index("lag")["n"][1.0]  # survey windows add to lag 1.0
    assert at[0.2] == cp_dense.set_index("lag")["n"][0.2]  # ... and nothing to lag 0.2


def test_block_stress_msd_uses_each_windows_spacing() -> None:
    """Random-walk block stresses sampled at 0.2 and at 1 tau0: MSD = 2 D t at every lag."""
    rng = np.random.default_rng(2)
    d, rows = 0.5, []
    for window, dt, n in [(0, 0.2, 200), (1, 1.0, 400)]:
        walk = np.cumsum(rng.normal(0, math.sqrt(2 * d * dt), (n, 16)), axis=0)
        for i in range(n):
            rows.append(pd.DataFrame({"window": window, "time": 1000.0 * window + i * dt,
                                      "strain": 0.0, "bx": np.arange(16) // 4,
                                      "by": np.arange(16) % 4, "stress": walk[i]}))  # fmt: skip
    pooled = pool_stress_msd(stress_msd_samples(pd.concat(rows), 0.0, 4.0)).set_index("lag")
    assert len(pooled) == 20  # 0.2 .. 4.0; lags 1, 2, 3, 4 from both windows
    assert pooled.loc[1.0, "n"] == 16 * (199 - 4) + 16 * 399
    np.testing.assert_allclose(pooled["msd"], 2 * d * pooled.index, rtol=0.15)


@pytest.mark.lammps
def test_real_run_writes_exactly_the_planned_dense_and_survey_frames(tmp_path: Path) -> None:
    """A 300-particle run in two segments: dense + survey frames, no frame twice, each in its
    window, and D2min at a 1-tau0 lag pairs frames inside survey windows too."""
    glass = quenched_glass(tmp_path / "glass.data", SHEAR_MODEL.n_particles)  # 300 particles
    plan = plan_shear(0.01, 0.005, 0.12, 0.06, 0.02, 0.001, 2, 2.0, 0.2, survey_interval=1.0)
    assert sum(w.survey for w in plan.windows) >= 2
    shear(glass, tmp_path, plan)  # every segment, then merged (test_shear.shear)
    frames = io.read_frames(tmp_path / "frames.parquet")
    assert [f.step for f in frames] == [s for w in plan.windows for s in w.steps]
    assert all(f.window == plan.window_of_step(f.step) for f in frames)
    table = plasticity.d2min_frames(frames, 1.0)
    survey = {w.index for w in plan.windows if w.survey}
    assert set(table["window"]) >= survey and np.isfinite(table["d2min"]).all()


def test_onset_profile_uses_the_coarsest_grid_so_every_onset_counts_at_every_lag() -> None:
    """Block stresses with a known step −1 after each onset, in a 0.2-tau0 and a 1-tau0 window:
    the profile is on the 1-tau0 grid, each lag holds both onsets, and the step comes back."""
    from mechnoise.plasticity.triggered import onset_profile

    m, rows, frame = 3, [], 0
    for window, dt, t0 in [(0, 0.2, 10.0), (1, 1.0, 100.0)]:
        for i in range(int(20 / dt) + 1):
            t = t0 + i * dt
            stress = np.zeros((m, m))
            stress[1, 1] = -1.0 if t > t0 + 11.5 else 0.0  # the drop 1.5 tau0 after onset
            rows.append(pd.DataFrame({"frame": frame, "window": window, "time": t,
                                      "bx": np.repeat(np.arange(m), m),
                                      "by": np.tile(np.arange(m), m),
                                      "stress": stress.ravel()}))  # fmt: skip
            frame += 1
    blocks = pd.concat(rows, ignore_index=True)
    onset_frames = blocks[np.isclose(blocks["time"], [20.0 if w == 0 else 110.0
                                                      for w in blocks["window"]])]  # fmt: skip
    events = onset_frames.groupby("frame").first().reset_index().assign(bx=1, by=1)
    profile = onset_profile(blocks, events[["frame", "window", "time", "bx", "by"]],
                            pre=5.0, post=8.0)  # fmt: skip
    assert np.allclose(profile["tau"], np.arange(-5.0, 9.0))
    assert (profile["n_onsets"] == 2).all()
    # the background (blocks beyond the 4 nearest neighbours) stays 0: the excess is the step
    expected = np.where(profile["tau"] >= 2.0, -1.0, 0.0)
    np.testing.assert_allclose(profile["centroid"], expected, atol=1e-12)
