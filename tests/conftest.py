"""Shared fixtures: the repository root and one real run of the tiny workflow per session."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).parent / "snakemake"
#: The LAMMPS scripts and the config schema of this checkout (the package never looks for
#: them: callers pass their paths).
LAMMPS_INPUTS = ROOT / "lammps_inputs"
SCHEMA_FILE = ROOT / "workflow" / "schemas" / "config.schema.yaml"
#: What a user's checkout holds for `make run`; the package itself comes from the venv.
CHECKOUT_FILES = ["Snakefile", "config.yaml", "profiles", "workflow", "lammps_inputs"]
TINY = Path("workflow") / "presets" / "tiny.yaml"


#: Environment variable holding the folder of the `scontrol` stand-in (set once per session).
NO_SLURM_ENV = "MECHNOISE_TESTS_NO_SLURM"


def pytest_configure(config: pytest.Config) -> None:
    """Put a `scontrol` that answers "no controller" at once first on every test's PATH.

    snakemake-executor-plugin-slurm (dev extra) runs `scontrol show config` when Snakemake
    imports it, which every Snakemake start does, even for a local or dry run. With the SLURM
    client installed but no controller running (this machine after `make test-slurm`), that
    call waits 9 s for the controller before it fails, and the plugin then carries on exactly
    as when it fails at once (`get_min_job_age` returns None). No test of `make test` talks to
    a SLURM controller (the real cluster path is `make test-slurm`, outside pytest), so the
    test session's PATH starts with a folder whose `scontrol` fails at once: same result,
    without the 9 s per Snakemake start (about 60 starts in the suite).
    """
    if os.environ.get(NO_SLURM_ENV):  # an xdist worker inherits its controller's folder
        return
    folder = Path(tempfile.mkdtemp(prefix="mechnoise-tests-no-slurm-"))
    scontrol = folder / "scontrol"
    scontrol.write_text(
        "#!/bin/sh\necho 'scontrol: the test session has no SLURM controller' >&2\nexit 1\n"
    )
    scontrol.chmod(scontrol.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    os.environ[NO_SLURM_ENV] = str(folder)
    os.environ["PATH"] = f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


def quenched_glass(path: Path, n_particles: int) -> Path:
    """A small glass of the paper's mixture at density 1.2 (seed 3), quickly quenched."""
    from mechnoise.lammps.protocols import Model, prepare_glass

    model = Model(n_particles=n_particles, fraction_a=0.65)
    prepare_glass(
        model,
        1.2,
        3,
        path,
        script=LAMMPS_INPUTS / "in.prepare",
        temperature=1.0, equilibration_time=5.0, quench_time=2.0, dt=0.005
    )  # fmt: skip
    return path


def copy_checkout(dest: Path) -> Path:
    """Copy the workflow's files (not the package) to ``dest``, as a checkout to run in."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in CHECKOUT_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / name)
    return dest


def run_snakemake(
    checkout: Path,
    *args: str,
    configfile: Path | None = None,
    python: Path | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess:
    """Run the real workflow of ``checkout`` inside it, with the tiny preset by default.

    ``python``: run Snakemake with this interpreter (another venv) instead of the test's.
    """
    snakemake = [str(python), "-m", "snakemake"] if python else [str(SNAKEMAKE)]
    cmd = [
        *snakemake,
        "-s",
        str(checkout / "Snakefile"),
        "-d",
        str(checkout),
        "--configfile",
        str(configfile or checkout / TINY),
        "--cores",
        "2",
        *args,
    ]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(
            f"snakemake failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
        )
    return proc


def scheduled_jobs(proc: subprocess.CompletedProcess) -> dict[str, int]:
    """Jobs per rule from the "Job stats" table of a (dry) run; {} if nothing is to be done."""
    text = proc.stdout + proc.stderr
    if "Nothing to be done" in text:
        return {}
    if "Job stats:" not in text:
        raise AssertionError(f"no job stats in the Snakemake output:\n{text[-3000:]}")
    counts: dict[str, int] = {}
    for line in text.split("Job stats:", 1)[1].splitlines()[3:]:
        match = re.fullmatch(r"(\w+)\s+(\d+)", line.strip())
        if match is None:
            break
        counts[match.group(1)] = int(match.group(2))
    return counts


@pytest.fixture(scope="session")
def tiny_workflow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run the tiny preset end to end once, in a copy of the checkout, in two steps.

    First only the first strain segment of one run is made (as if the job had been killed
    after it), then the whole workflow: the second call must resume from that segment.
    Results land in the copy, as `make run` puts them in a user's checkout; tests that edit
    its config or LAMMPS scripts restore them.
    """
    checkout = copy_checkout(tmp_path_factory.mktemp("tiny_workflow"))
    first = "results/shear/rho1.149/rate0.005/seed1/segments/seg0.restart"
    run_snakemake(checkout, first)
    (checkout / "first_segment_mtime").write_text(repr((checkout / first).stat().st_mtime_ns))
    run_snakemake(checkout)
    return checkout


#: The freud Voronoi tests: mechnoise.structure's doctests and tests/test_structure.py.
FREUD_FILES = ("src/mechnoise/structure.py", "tests/test_structure.py")


def xdist_scope(nodeid: str) -> str:
    """The unit of work of a test under ``pytest -n 2 --dist loadfile``: its file, except
    that mechnoise.structure's doctests go with tests/test_structure.py (the freud tests)."""
    path = nodeid.split("::", 1)[0]
    return FREUD_FILES[1] if path == FREUD_FILES[0] else path


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """``--dist loadfile`` (`make test`) with the scope of :func:`xdist_scope`, in order.

    Each file is one unit of work, as in xdist's loadfile: its module-scoped fixtures (a
    quenched glass, the cached dry runs of test_profiles.py) and the session's tiny workflow
    (all its users are in test_e2e.py) are made in one worker only. The units are handed out
    in collection order (no reordering by size), so the freud tests, first in the collection,
    are the first unit of a fresh worker: they still run before any LAMMPS of their process.
    """
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class FileScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_scope(nodeid)

    config.option.loadscopereorder = False
    return FileScheduling(config, log)  # type: ignore[arg-type]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the freud Voronoi tests (test_structure.py, mechnoise.structure's doctests) first,
    then the tests of the tiny workflow (test_e2e.py).

    In a session that has already run LAMMPS in-process (frozen-matrix tests), freud's
    Voronoi segfaulted in test_structure (4 December 2026, three full runs; the file alone
    passes). The workflow computes structure in a job of its own, without LAMMPS in the
    process, so running these tests before any LAMMPS test is the condition the code meets
    in production. The cause is not found yet (the closing note of that day says so).

    Under xdist (`make test`: ``-n 2 --dist loadfile``, :func:`pytest_xdist_make_scheduler`)
    the freud tests are the first unit of work, so a fresh worker runs them before anything
    else; test_e2e.py, the longest file (it runs the tiny workflow), comes second and so
    starts at once in the other worker, while the short files fill in around it.
    """
    rank = {FREUD_FILES[1]: 0, "tests/test_e2e.py": 1}
    items.sort(key=lambda it: rank.get(xdist_scope(it.nodeid), 2))  # stable: order kept within
