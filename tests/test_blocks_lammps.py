"""Block stresses against real LAMMPS output (2D binary LJ of the paper, sheared, with a flip).

A few hundred atoms of the paper's mixture are melted, quenched and sheared in a tilted
triclinic box (relaxed at tilt 0.38 lx, then sheared by 0.1 so that the dumped part of the
run crosses the flip threshold 0.5 lx) with ``fix deform ... flip yes``. Every
20 steps the run dumps unwrapped positions and ``compute stress/atom`` (17 significant
digits) and prints thermo ``pxy, lx, ly, xy`` at the same step. Velocities are non-zero
during the run; both ``compute stress/atom NULL`` and the thermo pressure (``thermo_temp``,
no velocity bias) include the same kinetic term ``Σ m v_x v_y``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mechnoise import blocks
from mechnoise.io import Frame

pytestmark = pytest.mark.lammps

SHEAR_RATE = 0.01  # 1/tau0
TIMESTEP = 0.005  # tau0
EVERY = 20  # steps between dumps / thermo rows
PRESTRAIN_STEPS = 2000  # shear from tilt 0.38 lx (strain 0.1) before the dumps start

SCRIPT = """\
units           lj
dimension       2
atom_style      atomic
boundary        p p p
lattice         hex 1.2
region          box block 0 16 0 9 -0.5 0.5
create_box      2 box
create_atoms    1 box
set             type 1 type/fraction 2 0.35 12345
mass            * 1.0
pair_style      lj/cut 2.5
pair_coeff      1 1 1.0 1.0
pair_coeff      1 2 1.5 0.8
pair_coeff      2 2 0.5 0.88
pair_modify     shift yes
neighbor        0.3 bin
neigh_modify    every 1 delay 0 check yes
change_box      all triclinic
timestep        {timestep}
velocity        all create 1.0 4928459 dist gaussian mom yes
fix             nve all nve
fix             bath all langevin 1.0 1.0 1.0 9876
fix             2d all enforce2d
run             1000
unfix           bath
fix             drag all viscous 1.0
run             1000
minimize        0 1e-10 10000 100000
variable        xy0 equal 0.38*lx
change_box      all xy final ${{xy0}} remap units box
minimize        0 1e-10 10000 100000
velocity        all set 0.0 0.0 0.0
reset_timestep  0
fix             shear all deform 1 xy erate {rate} remap x flip yes
run             {prestrain_steps}
compute         s all stress/atom NULL
thermo_style    custom step pxy lx ly xy
thermo_modify   norm no format float %.17g
thermo          {every}
dump            d all custom {every} dump.shear id type xu yu c_s[4]
dump_modify     d format float %.17g sort id
run             600
"""


def _read_thermo(log: Path) -> dict[int, tuple[float, float, float, float]]:
    """step -> (pxy, lx, ly, xy) from the last run's thermo block."""
    lines = log.read_text().splitlines()
    start = max(i for i, line in enumerate(lines) if line.split()[:2] == ["Step", "Pxy"])
    rows = {}
    for line in lines[start + 1 :]:
        if line.startswith("Loop time"):
            break
        fields = line.split()
        rows[int(fields[0])] = tuple(float(v) for v in fields[1:5])
    return rows


def _read_dump(path: Path) -> dict[int, np.ndarray]:
    """step -> array (N, 5) of id, type, xu, yu, c_s[4]."""
    frames = {}
    lines = path.read_text().splitlines()
    i = 0
    while i < len(lines):
        assert lines[i] == "ITEM: TIMESTEP"
        step = int(lines[i + 1])
        n = int(lines[i + 3])
        body = lines[i + 9 : i + 9 + n]
        frames[step] = np.array([[float(v) for v in row.split()] for row in body])
        i += 9 + n
    return frames


@pytest.fixture(scope="module")
def lammps_frames(tmp_path_factory):
    """List of (Frame, -pxy) for every dumped step of a real sheared LAMMPS run."""
    work = tmp_path_factory.mktemp("lammps_blocks")
    (work / "in.blocks").write_text(
        SCRIPT.format(
            timestep=TIMESTEP, rate=SHEAR_RATE, every=EVERY, prestrain_steps=PRESTRAIN_STEPS
        )
    )
    lmp = Path(sys.executable).with_name("lmp")
    subprocess.run(
        [str(lmp), "-in", "in.blocks", "-log", "log.lammps", "-screen", "none"],
        cwd=work,
        check=True,
        timeout=300,
    )
    thermo = _read_thermo(work / "log.lammps")
    dumps = _read_dump(work / "dump.shear")
    assert sorted(thermo) == sorted(dumps)
    out = []
    for index, step in enumerate(sorted(dumps)):
        pxy, lx, ly, xy = thermo[step]
        data = dumps[step]
        time = step * TIMESTEP
        frame = Frame(
            frame=index,
            window=0,
            step=step,
            time=time,
            strain=SHEAR_RATE * time,
            box=(lx, ly, xy),
            ids=data[:, 0].astype(np.int64),
            types=data[:, 1].astype(np.int64),
            positions=data[:, 2:4],
            stress_xy=data[:, 4],
        )
        out.append((frame, -pxy))
    return out


@pytest.mark.parametrize("m", [1, 2, 3])
def test_block_mean_equals_thermo_stress(lammps_frames, m):
    """Mean of σ^m over blocks = σ_xy = −p_xy of thermo, every frame, to 1e-6 relative."""
    worst = 0.0
    for frame, sigma_xy in lammps_frames:
        assert abs(sigma_xy) > 1e-3  # a meaningful relative comparison
        out = blocks.block_stress(frame.positions, frame.box, frame.stress_xy, m)
        rel = abs(out.mean() - sigma_xy) / abs(sigma_xy)
        worst = max(worst, rel)
    assert worst < 1e-6, f"block mean vs thermo: relative error {worst:.2e}"


def test_run_has_a_flip_and_blocks_follow_the_material(lammps_frames):
    """Consecutive frames across the flip differ only by one frame interval of physics."""
    frames = [f for f, _ in lammps_frames]
    tilts = np.array([f.box[2] for f in frames])
    jumps = np.flatnonzero(np.diff(tilts) < -0.5 * frames[0].box[0])
    assert jumps.size == 1, "the test run must cross exactly one box flip"
    j = int(jumps[0])
    m = 3
    start = frames[0]

    def continued(fr):
        box = blocks.continued_box(fr.box, start.box, fr.strain - start.strain)
        return blocks.block_stress(fr.positions, box, fr.stress_xy, m)

    series = np.array([continued(fr) for fr in frames])
    step_change = np.abs(np.diff(series, axis=0)).max(axis=(1, 2))
    typical = np.median(step_change)
    # across the flip: no larger than the ordinary frame-to-frame changes
    assert step_change[j] <= 5 * typical + 1e-12
    # the flipped tilt re-tiles the grid: a change of the order of the block-stress spread
    after_flipped = blocks.block_stress(
        frames[j + 1].positions, frames[j + 1].box, frames[j + 1].stress_xy, m
    )
    retiled = np.abs(after_flipped - series[j]).max()
    assert retiled > 10 * step_change[j]
    assert retiled > 0.2 * np.std(series[j])
