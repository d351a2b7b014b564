"""D²min against LAMMPS' own ``fix nonaffine/displacement`` on a real sheared trajectory.

LAMMPS (EXTRA-FIX, docs "fix nonaffine/displacement", 7Feb2024+) computes, for the d2min
style, ``X = Σ r r0ᵀ``, ``Y = Σ r0 r0ᵀ``, ``F = X Y⁻¹`` over the neighbours that are within
the cutoff in the CURRENT configuration, divides ``Σ |r − F r0|²`` by their number (a MEAN,
not the sum of Eq. 5), and stores ``sqrt`` of it in column 1. ``r0`` is the reference bond,
minimum-imaged in the reference box saved at the *fixed* step. The fix runs in post_force,
before ``fix deform`` remaps the box and atoms at the end of the same step, so the dump
written after the run is one step of affine shear ahead of the configuration the fix saw:
the test undoes that step (D²min is invariant under an affine map of the reference, not of
the current configuration). Our :func:`mechnoise.plasticity.d2min` with
``neighbor_frame="current", mean=True`` must then agree with ``(column 1)²``; the box flips
between the reference and the current frame.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import LAMMPS_INPUTS

from mechnoise import plasticity
from mechnoise.lammps.engine import run_lammps

pytestmark = pytest.mark.lammps

N_A, N_B = 166, 90  # 65:35 of 256 atoms
DENSITY = 1.2
RATE = 0.02  # 1/tau0: 8 % strain over the lag, the tilt passes lx/2 (flip) in between
DT = 0.005
LAG_STEPS = 800  # 4 tau0, the paper's delta t

INPUT = """\
# Tiny sheared 2D binary LJ glass (paper's parameters) with fix nonaffine/displacement.
# Variables: inc (include dir), n_a, n_b, density (sigma^-2), tilt0 (xy/lx at start),
# rate (1/tau0), dt (tau0), lag (steps), seed, r_max (sigma), cutoff_aa/ab/bb (sigma).
variable n_a       index 166
variable n_b       index 90
variable density   index 1.2
variable tilt0     index 0.4
variable rate      index 0.02
variable dt        index 0.005
variable lag       index 800
variable seed      index 4928
variable r_max     index 2.5
variable cutoff_aa index 2.5
variable cutoff_ab index 2.5
variable cutoff_bb index 2.5
units        lj
dimension    2
atom_style   atomic
boundary     p p p
variable     side equal sqrt((${n_a}+${n_b})/${density})
variable     xy0 equal ${tilt0}*${side}
region       cell prism 0 ${side} 0 ${side} -0.5 0.5 ${xy0} 0 0
create_box   2 cell
create_atoms 1 random ${n_a} ${seed} NULL overlap 0.7 maxtry 1000
variable     seed_b equal ${seed}+1
create_atoms 2 random ${n_b} ${seed_b} NULL overlap 0.6 maxtry 1000
include      ${inc}/potential.lmp
neighbor     0.3 bin
neigh_modify every 1 delay 0 check yes
fix          twod all enforce2d
minimize     0.0 1.0e-10 20000 200000
reset_timestep 0
velocity     all set 0.0 0.0 0.0
timestep     ${dt}
fix          integrate all nve
fix          damp all viscous 1.0
fix          shear all deform 1 xy erate ${rate} remap x flip yes
fix          nad all nonaffine/displacement ${lag} d2min custom ${r_max} fixed ${lag}
thermo       100
run          ${lag}
write_dump   all custom ref.dump id type xu yu modify sort id format float %.17g
print        "$(lx:%.17g) $(ly:%.17g) $(xy:%.17g)" file ref_box.txt
run          ${lag}
write_dump   all custom cur.dump id type xu yu f_nad[1] modify sort id format float %.17g
print        "$(lx:%.17g) $(ly:%.17g) $(xy:%.17g)" file cur_box.txt
print        "MECHNOISE_DONE nonaffine"
"""


@pytest.fixture(scope="module")
def trajectory(tmp_path_factory: pytest.TempPathFactory) -> dict[str, np.ndarray]:
    work = tmp_path_factory.mktemp("nonaffine")
    script = work / "in.nonaffine"
    script.write_text(INPUT)
    outputs = [work / name for name in ("ref.dump", "cur.dump", "ref_box.txt", "cur_box.txt")]
    run_lammps(
        script,
        {
            "n_a": N_A,
            "n_b": N_B,
            "density": DENSITY,
            "rate": RATE,
            "dt": DT,
            "lag": LAG_STEPS,
            "inc": LAMMPS_INPUTS / "include",  # the script lives in a temporary directory
        },
        workdir=work,
        name="nonaffine-crosscheck",
        expected_outputs=outputs,
        timeout=120,
    )
    ref = np.loadtxt(work / "ref.dump", skiprows=9)
    cur = np.loadtxt(work / "cur.dump", skiprows=9)
    return {
        "ref": ref,
        "cur": cur,
        "ref_box": np.loadtxt(work / "ref_box.txt"),
        "cur_box": np.loadtxt(work / "cur_box.txt"),
        "log": np.array((work / "log.lammps").read_text()),
    }


def test_trajectory_is_sheared_across_a_flip(trajectory: dict[str, np.ndarray]) -> None:
    ref, cur = trajectory["ref"], trajectory["cur"]
    assert ref.shape[0] == N_A + N_B and np.array_equal(ref[:, 0], cur[:, 0])
    lx, _, xy_ref = trajectory["ref_box"]
    _, _, xy_cur = trajectory["cur_box"]
    assert 0 < xy_ref < lx / 2 and xy_cur < 0  # the box flipped in between
    # unwrapped coordinates stay continuous across the flip
    assert np.max(np.abs(cur[:, 2:4] - ref[:, 2:4])) < 0.3 * lx


def test_d2min_matches_lammps_nonaffine_displacement(trajectory: dict[str, np.ndarray]) -> None:
    ref, cur = trajectory["ref"], trajectory["cur"]
    ref_box = tuple(trajectory["ref_box"])
    lx, ly, xy = trajectory["cur_box"]
    step = RATE * DT * ly  # tilt added by fix deform after the fix ran at the last step
    seen = cur[:, 2:4].copy()
    seen[:, 0] -= seen[:, 1] * step / ly
    seen_box = (lx, ly, xy - step)
    lammps_value = cur[:, 4]  # sqrt(D2min / n_neighbours)
    ours = plasticity.d2min(
        ref[:, 2:4], seen, ref_box, seen_box, 2.5, neighbor_frame="current", mean=True
    )
    assert np.median(lammps_value**2) > 1e-3  # the trajectory is plastic enough to matter
    np.testing.assert_allclose(np.sqrt(ours), lammps_value, rtol=1e-9, atol=1e-12)
    # The paper's convention (sum over reference neighbours) is a different number.
    paper = plasticity.d2min(ref[:, 2:4], cur[:, 2:4], ref_box, (lx, ly, xy), 2.5)
    assert np.median(paper / lammps_value**2) > 10.0


def test_dumped_configuration_is_one_affine_step_ahead(trajectory: dict[str, np.ndarray]) -> None:
    """Without undoing fix deform's last remap the agreement is only ~1e-4 (documents why)."""
    ref, cur = trajectory["ref"], trajectory["cur"]
    ours = plasticity.d2min(
        ref[:, 2:4],
        cur[:, 2:4],
        tuple(trajectory["ref_box"]),
        tuple(trajectory["cur_box"]),
        2.5,
        neighbor_frame="current",
        mean=True,
    )
    rel = np.abs(np.sqrt(ours) - cur[:, 4]) / cur[:, 4]
    assert 1e-7 < np.median(rel) < 1e-3


def test_lammps_log_is_clean(trajectory: dict[str, np.ndarray]) -> None:
    text = str(trajectory["log"])
    assert "ERROR" not in text and "Only inserted" not in text and "Singular" not in text
