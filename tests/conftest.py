"""Shared fixtures: the repository root and one real run of the tiny workflow per session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).parent / "snakemake"
TINY = ROOT / "workflow" / "presets" / "tiny.yaml"


def run_snakemake(workdir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run the real workflow in ``workdir`` with the tiny preset."""
    cmd = [
        str(SNAKEMAKE),
        "-s",
        str(ROOT / "Snakefile"),
        "-d",
        str(workdir),
        "--configfile",
        str(TINY),
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


@pytest.fixture(scope="session")
def tiny_workflow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run the tiny preset end to end once, in two steps.

    First only the first strain segment of one run is made (as if the job had been killed
    after it), then the whole workflow: the second call must resume from that segment.
    """
    workdir = tmp_path_factory.mktemp("tiny_workflow")
    first = "results/shear/rho1.149/rate0.005/seed1/segments/seg0.restart"
    run_snakemake(workdir, first)
    (workdir / "first_segment_mtime").write_text(repr((workdir / first).stat().st_mtime_ns))
    run_snakemake(workdir)
    return workdir
