"""Faults of frozen-matrix jobs with real LAMMPS: a hung LAMMPS and a corrupt snapshot give
an error naming the block test and its snapshot file, as the shear runs do."""

from __future__ import annotations

import math
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import LAMMPS_INPUTS

from mechnoise.frozen_matrix.protocol import FrozenMatrixSettings, run_block_test
from mechnoise.frozen_matrix.runs import run_frozen_matrix
from mechnoise.frozen_matrix.snapshots import write_data_file

pytestmark = pytest.mark.lammps

SETTINGS = FrozenMatrixSettings(strain_step=1e-3, refine_steps=1, max_strain=0.004)


@pytest.fixture(scope="module")
def crystal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """12 x 12 triangular lattice of A atoms (a snapshot that loads in milliseconds)."""
    a, nx = 1.1, 12
    h = a * math.sqrt(3) / 2
    i, j = np.meshgrid(np.arange(nx), np.arange(nx))
    pos = np.column_stack([((i + 0.25 + 0.5 * (j % 2)) * a).ravel(), ((j + 0.5) * h).ravel()])
    path = tmp_path_factory.mktemp("crystal") / "crystal.data"
    write_data_file(path, pos, np.ones(len(pos), int), (nx * a, nx * h, 0.0))
    return path


def test_hung_lammps_is_killed_and_named(crystal: Path, tmp_path: Path) -> None:
    """A strain step that never returns (an endless LAMMPS loop) is killed after
    stall_seconds and the error names the block test and its snapshot."""
    inc = tmp_path / "include"
    shutil.copytree(LAMMPS_INPUTS / "include", inc)
    (inc / "frozen_step.lmp").write_text(
        "label fm_hang\nvariable fm_spin equal 1\nvariable fm_spin delete\njump SELF fm_hang\n"
    )
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match="no block test finished in 2 s") as err:
        run_frozen_matrix(
            [crystal], 3, SETTINGS, tmp_path / "run", include_dir=inc, max_blocks=1,
            stall_seconds=2.0,
        )  # fmt: skip
    assert time.monotonic() - t0 < 30
    message = str(err.value)
    assert "c0_b0_0p" in message and str(crystal) in message and "block (0, 0)" in message
    # the same job with the real include files finishes (the limit alone kills nothing)
    done = run_frozen_matrix(
        [crystal], 3, SETTINGS, tmp_path / "ok", include_dir=LAMMPS_INPUTS / "include",
        max_blocks=1, stall_seconds=60.0,
    )  # fmt: skip
    assert len(done) == 1 and done[0][1].converged.all()


@pytest.mark.parametrize("processes", [1, 2])
def test_corrupt_snapshot_names_the_file_and_the_block(
    crystal: Path, tmp_path: Path, processes: int
) -> None:
    bad = tmp_path / "corrupt.data"
    text = crystal.read_text().splitlines()
    bad.write_text("\n".join(text[: len(text) // 2]) + "\n3 1 0.5 nonsense\n")  # truncated
    with pytest.raises(RuntimeError) as err:
        run_frozen_matrix(
            [bad], 3, SETTINGS, tmp_path / "run", include_dir=LAMMPS_INPUTS / "include",
            max_blocks=1, processes=processes,
        )  # fmt: skip
    message = str(err.value)
    assert str(bad) in message and "c0_b0_0p" in message and "block (0, 0)" in message
    with pytest.raises(RuntimeError, match="failed in LAMMPS"):
        run_block_test(bad, 3, 1, 1, 0.0, SETTINGS, tmp_path, include_dir=LAMMPS_INPUTS / "include")
