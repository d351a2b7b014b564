"""Real LAMMPS shear runs: damping equivalence, resume, frames consistent with thermo."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import LAMMPS_INPUTS, quenched_glass

from mechnoise import io
from mechnoise.lammps.engine import RunResult
from mechnoise.lammps.protocols import Model, merge_segments, run_shear_segment
from mechnoise.lammps.schedule import plan_shear, run_strains

pytestmark = pytest.mark.lammps

MODEL = Model(n_particles=300, fraction_a=0.65)


@pytest.fixture(scope="module")
def glass(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return quenched_glass(tmp_path_factory.mktemp("glass") / "glass.data", MODEL.n_particles)


def segment(model: Model, plan, k: int, glass: Path, workdir: Path, **kw: object) -> RunResult:
    """Segment ``k`` of ``plan`` as the tests run it: files ``seg{k}.restart``,
    ``thermo{k}.parquet``, ``frames{k}.parquet`` in ``workdir``, viscous damping (τ_d = 1),
    skin 0.3, seed 7; ``kw`` go on to :func:`~mechnoise.lammps.protocols.run_shear_segment`
    (and may override the damping)."""
    settings: dict[str, object] = {"damping": "viscous", "damping_time": 1.0, "skin": 0.3}
    return run_shear_segment(
        model,
        plan,
        k,
        script=LAMMPS_INPUTS / "in.shear",
        glass=glass,
        restart_in=workdir / f"seg{k - 1}.restart" if k else None,
        restart_out=workdir / f"seg{k}.restart",
        thermo_out=workdir / f"thermo{k}.parquet",
        frames_out=workdir / f"frames{k}.parquet",
        workdir=workdir,
        seed=7,
        **{**settings, **kw},  # type: ignore[arg-type]
    )


def shear(
    glass: Path, workdir: Path, plan, damping: str = "viscous"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run every segment of ``plan`` and merge; return (thermo, frames)."""
    n = len(plan.segment_ends)
    for k in range(n):
        segment(MODEL, plan, k, glass, workdir, damping=damping)
    merge_segments(
        [workdir / f"thermo{k}.parquet" for k in range(n)],
        [workdir / f"frames{k}.parquet" for k in range(n)],
        workdir / "thermo.parquet",
        workdir / "frames.parquet",
        expected_frames=sum(len(w.steps) for w in plan.windows),
    )
    return pd.read_parquet(workdir / "thermo.parquet"), pd.read_parquet(workdir / "frames.parquet")


def test_viscous_and_zero_temperature_langevin_give_the_same_trajectory(
    glass: Path, tmp_path: Path
) -> None:
    plan = plan_shear(0.01, 0.005, 0.05, 0.05, 0.02, 0.001, 1, 1.0, 0.2)
    tv, fv = shear(glass, tmp_path / "viscous", plan, "viscous")
    tl, fl = shear(glass, tmp_path / "langevin", plan, "langevin")
    np.testing.assert_allclose(tv["stress"], tl["stress"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(fv[["x", "y"]], fl[["x", "y"]], rtol=0, atol=1e-10)
    assert tv["stress"].std() > 0.01  # the comparison is not between two constant traces


def test_resumed_run_continues_the_uninterrupted_one(glass: Path, tmp_path: Path) -> None:
    """Documented tolerance: |delta sigma_xy| < 1e-4 eps/sigma^2, positions within 1e-5 sigma.

    Up to the restart the traces agree to round-off (1e-13). A restart reads positions and
    velocities exactly, but LAMMPS's fix deform remaps positions at the end of a step, after
    the forces, and a new run recomputes forces after that remap; the neighbour list is also
    rebuilt at once. The resumed trace therefore differs by ~1e-5 just after the restart and
    by ~1e-6 later, four orders of magnitude below the stress fluctuations of the flow.
    """
    args = (0.01, 0.005, 0.06)
    one = plan_shear(*args, 0.06, 0.03, 0.001, 1, 1.0, 0.2)
    two = plan_shear(*args, 0.03, 0.03, 0.001, 1, 1.0, 0.2)
    t1, f1 = shear(glass, tmp_path / "one", one)
    t2, f2 = shear(glass, tmp_path / "two", two)
    assert list(t1["step"]) == list(t2["step"])
    before = t1["strain"] <= 0.03
    assert np.max(np.abs(t1["stress"] - t2["stress"])[before]) < 1e-12
    assert np.max(np.abs(t1["stress"] - t2["stress"])) < 1e-4
    assert list(f1["step"]) == list(f2["step"])
    np.testing.assert_allclose(f1[["x", "y"]], f2[["x", "y"]], rtol=0, atol=1e-5)


def test_frames_match_thermo_and_stay_continuous_across_a_flip(glass: Path, tmp_path: Path) -> None:
    # rate 0.05 to strain 0.62: the box flips at strain 0.5, inside the frame window.
    plan = plan_shear(0.05, 0.005, 0.62, 0.31, 0.45, 0.001, 1, 3.0, 0.05)
    thermo, frames = shear(glass, tmp_path / "flip", plan)
    assert set(io.FRAME_COLUMNS) == set(frames.columns)
    for name, (dtype, _, _) in io.FRAME_COLUMNS.items():
        assert str(frames[name].dtype) == dtype, name
    per_frame = list(io.iter_frames(frames))
    xy = np.array([f.box[2] for f in per_frame])
    assert np.any(np.diff(xy) < -0.5 * per_frame[0].box[0]), "no flip inside the window"
    for a, b in zip(per_frame, per_frame[1:], strict=False):
        step_disp = np.abs(b.positions - a.positions).max()
        assert step_disp < 0.3, f"unwrapped positions jump by {step_disp} at frame {b.frame}"
    merged = frames.groupby("step").agg(s=("sxy", "sum"), lx=("lx", "first"), ly=("ly", "first"))
    stress_from_atoms = merged["s"] / (merged["lx"] * merged["ly"])
    common = thermo.set_index("step").loc[merged.index.intersection(thermo["step"]), "stress"]
    assert len(common) >= 3
    np.testing.assert_allclose(stress_from_atoms.loc[common.index], common, rtol=1e-9, atol=1e-9)


def test_cascade_run_starts_where_the_higher_rate_run_ended(glass: Path, tmp_path: Path) -> None:
    """Rate cascade: the slower run starts from the faster run's last restart, clock at 0.

    Its first thermo row (step 0) is the faster run's end state: same box, and the same
    stress up to one step of affine loading (the last row of the faster run is computed before
    fix deform's end-of-step remap, the first row after it): |delta sigma| < G_inf gamma_dot dt
    with G_inf < 100 eps/sigma^2, far below the ~1 eps/sigma^2 of a fresh start from the
    glass. Its strain and steady flag count from the switch; only strain >= cascade_strain is
    steady.
    """
    fast = plan_shear(0.01, 0.005, 0.04, 0.04, 0.02, 0.001, 1, 1.0, 0.2)
    t_fast, _ = shear(glass, tmp_path / "fast", fast)
    total, discard = run_strains(0.04, 0.02, cascade_strain=0.005)
    slow = plan_shear(0.004, 0.005, total, total, discard, 0.001, 1, 1.0, 0.2)
    workdir = tmp_path / "slow"
    run_shear_segment(
        MODEL,
        slow,
        0,
        script=LAMMPS_INPUTS / "in.shear",
        glass=glass,
        restart_in=tmp_path / "fast" / "seg0.restart",
        restart_out=workdir / "seg0.restart",
        thermo_out=workdir / "thermo0.parquet",
        frames_out=workdir / "frames0.parquet",
        workdir=workdir,
        damping="viscous",
        damping_time=1.0,
        skin=0.3,
        seed=7,
    )
    t_slow = pd.read_parquet(workdir / "thermo0.parquet")
    end, start = t_fast.iloc[-1], t_slow.iloc[0]
    assert start["step"] == 0 and start["strain"] == 0.0
    assert abs(start["stress"] - end["stress"]) < 100 * 0.01 * 0.005
    assert abs(end["stress"]) > 0.3  # the glass is loaded: a fresh start would read ~0
    box = ["lx", "ly", "xy"]
    np.testing.assert_allclose(start[box].astype(float), end[box].astype(float), atol=1e-9)
    steady = t_slow["strain"] >= 0.005 - 1e-12
    assert (t_slow["steady"] == steady).all() and steady.any() and not steady.all()
    assert t_fast["steady"].equals(t_fast["strain"] >= 0.02 - 1e-12)
