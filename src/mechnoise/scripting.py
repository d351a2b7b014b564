"""Plumbing shared by the workflow's thin scripts: logging to the rule's log file, the
LAMMPS engine of the ``execution:`` block, and wildcards read back from input paths."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mechnoise.lammps.engine import EngineSpec


def start_logging(log_file: str | Path) -> logging.Logger:
    """Send stderr and the ``mechnoise`` loggers to ``log_file``; return the script logger."""
    path = Path(log_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    stream = open(path, "w")  # noqa: SIM115 - lives as long as the script
    sys.stderr = stream
    logging.basicConfig(
        stream=stream,
        level=logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s: %(message)s",
        force=True,
    )
    return logging.getLogger("mechnoise.script")


def execution_engine(config: Mapping[str, Any], *, mpi_ranks: int | None = None) -> EngineSpec:
    """How a job runs LAMMPS: the ``execution:`` block of the config, read when the job runs.

    Parameters
    ----------
    config : mapping
        The whole workflow config (``snakemake.config`` inside a script).
    mpi_ranks : int, optional
        Overrides ``execution.mpi_ranks`` (e.g. 1 for a job that asked for one core).

    Notes
    -----
    The execution settings are deliberately not rule params: Snakemake reruns a job when one
    of its params changes, and how LAMMPS runs (engine, suffix, MPI ranks, launcher) is not
    a reason to redo a finished simulation. Each run's ``provenance.json`` records the
    command it ran.

    Examples
    --------
    >>> execution_engine({"execution": {"kind": "python", "suffix": "omp"}}).suffix
    'omp'
    """
    if "execution" not in config:
        raise KeyError("execution: missing from the config (see config.yaml)")
    return EngineSpec.from_config(config["execution"], mpi_ranks=mpi_ranks)


def wildcards_from_path(pattern: str, path: str | Path) -> dict[str, str]:
    """Values of the ``{name}`` wildcards of a Snakemake file pattern in one of its paths.

    Aggregating rules use it to label each input (density, rate, seed) without a list of
    them in their params.

    Parameters
    ----------
    pattern : str
        File pattern with ``{name}`` wildcards, e.g. ``results/rho{rho}/seed{seed}/x.parquet``.
    path : str or path
        A path made from it.

    Returns
    -------
    dict of str to str

    Raises
    ------
    ValueError
        If ``path`` does not match ``pattern``.

    Examples
    --------
    >>> wildcards_from_path("results/rho{rho}/rate{rate}/t.parquet",
    ...                     "results/rho1.149/rate1e-05/t.parquet")
    {'rho': '1.149', 'rate': '1e-05'}
    """
    regex, pos = "", 0
    for m in re.finditer(r"\{(\w+)\}", pattern):
        regex += re.escape(pattern[pos : m.start()]) + f"(?P<{m.group(1)}>[^/]+)"
        pos = m.end()
    regex += re.escape(pattern[pos:])
    match = re.fullmatch(regex, Path(path).as_posix())
    if match is None:
        raise ValueError(f"{path} does not match the pattern {pattern}")
    return match.groupdict()
