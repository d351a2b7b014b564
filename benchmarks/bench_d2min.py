"""Speed of D²min for one N = 16000 frame pair: vectorised kernel vs a per-particle loop.

Builds a 2D glass-like configuration (random positions at density 1.2, relaxed by steepest
descent on a soft harmonic repulsion so no two particles overlap), a current frame sheared
affinely by 0.4 % with small random displacements, and times

* ``mechnoise.plasticity.d2min`` (neighbour pairs + closed form), median of repeats;
* its neighbour search alone (``scipy.spatial.cKDTree``) and freud's ``AABBQuery`` for the
  same pairs, one thread each, timed alternately; the ratio of their medians is printed;
* a naive loop (``np.linalg.lstsq`` per particle, neighbours given) on a subset, extrapolated
  to N particles.

Run on one core::

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_d2min.py

Prints per-frame-pair times (s), the speed-up ratio of the vectorised kernel over the loop
and the ratio freud / cKDTree; checks that the kernel and the loop give the same D²min.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from mechnoise import plasticity
from mechnoise.io import freud_system
from mechnoise.plasticity.neighbors import minimum_image, neighbor_pairs


def relaxed_configuration(n: int, density: float, rng: np.random.Generator):
    """Random positions relaxed on a soft repulsion of range 1 sigma: an amorphous packing."""
    side = math.sqrt(n / density)
    box = (side, side, 0.0)
    pos = rng.uniform(0.0, side, size=(n, 2))
    for _ in range(30):
        i, j, bond = neighbor_pairs(pos, box, 1.0)
        r = np.hypot(bond[:, 0], bond[:, 1])
        push = (0.5 * (1.0 - r) / np.maximum(r, 1e-9))[:, None] * bond
        force = np.zeros_like(pos)
        np.add.at(force, i, -push)
        np.add.at(force, j, push)
        pos += 0.5 * force
    return pos, box


def naive_d2min(ref, cur, ref_box, cur_box, r_max, subset):
    """Per-particle least squares, neighbours from the same pair list (not timed)."""
    i, j, r0 = neighbor_pairs(ref, ref_box, r_max)
    neighbours = [[] for _ in range(ref.shape[0])]
    for a, b, v in zip(i, j, r0, strict=True):
        neighbours[a].append((b, v))
        neighbours[b].append((a, -v))
    start = time.perf_counter()
    out = np.empty(len(subset))
    for k, p in enumerate(subset):
        idx = np.array([q for q, _ in neighbours[p]])
        x0 = np.array([v for _, v in neighbours[p]])
        d = minimum_image(cur[idx] - cur[p], cur_box)
        sol, *_ = np.linalg.lstsq(x0, d, rcond=None)
        out[k] = np.sum((d - x0 @ sol) ** 2)
    return out, time.perf_counter() - start


def neighbour_search_times(
    ref: np.ndarray, box: tuple[float, float, float], r_max: float, repeats: int
) -> tuple[float, float]:
    """Median one-thread times (s) of the same pair search by cKDTree and by freud.

    mechnoise: :func:`neighbor_pairs` (each pair once, float64 bond vectors). freud: the
    conversion to its centred box (:func:`freud_system`), ``AABBQuery`` in ball mode and the
    neighbour list with its bond vectors (each pair in both directions, as freud returns
    them). The two are timed alternately so that a changing machine load hits both alike.
    freud time is NaN if freud is missing.
    """
    try:
        import freud
    except ImportError:
        freud = None
    else:
        freud.parallel.set_num_threads(1)
    t_kd, t_fr = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        neighbor_pairs(ref, box, r_max)
        t_kd.append(time.perf_counter() - t0)
        if freud is None:
            continue
        t0 = time.perf_counter()
        fbox, points = freud_system(ref, box)
        query = freud.locality.AABBQuery(fbox, points)
        nlist = query.query(
            points, {"mode": "ball", "r_max": r_max, "exclude_ii": True}
        ).toNeighborList()
        np.asarray(nlist.vectors)
        t_fr.append(time.perf_counter() - t0)
    return float(np.median(t_kd)), float(np.median(t_fr)) if t_fr else math.nan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=16000, help="number of particles")
    parser.add_argument("--repeats", type=int, default=7, help="timed repeats of d2min")
    parser.add_argument("--subset", type=int, default=2000, help="particles of the naive loop")
    args = parser.parse_args()
    rng = np.random.default_rng(2024)
    ref, box = relaxed_configuration(args.n, 1.2, rng)
    strain = 0.004
    cur = ref + strain * ref[:, [1]] * np.array([1.0, 0.0]) + rng.normal(0, 0.02, ref.shape)
    cur_box = (box[0], box[1], box[2] + strain * box[1])

    times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        fast = plasticity.d2min(ref, cur, box, cur_box, 2.5)
        times.append(time.perf_counter() - t0)
    t_fast = float(np.median(times))
    i, _, _ = neighbor_pairs(ref, box, 2.5)
    t_pairs, t_freud = neighbour_search_times(ref, box, 2.5, args.repeats)

    subset = rng.choice(args.n, size=min(args.subset, args.n), replace=False)
    slow, t_subset = naive_d2min(ref, cur, box, cur_box, 2.5, subset)
    t_naive = t_subset / subset.size * args.n
    agree = float(np.max(np.abs(slow - fast[subset]) / np.maximum(slow, 1e-300)))

    print(f"N = {args.n}, pairs within 2.5: {i.size}, mean D2min {np.nanmean(fast):.4g} sigma^2")
    print(f"d2min (vectorised), per frame pair : {t_fast:.4f} s (median of {args.repeats})")
    print(f"  fastest repeat (least load)      : {min(times):.4f} s")
    print(f"  of which neighbour pairs (cKDTree): {t_pairs:.4f} s (median)")
    print(f"freud AABBQuery, same pairs        : {t_freud:.4f} s (median, 1 thread)")
    print(f"ratio freud / cKDTree              : {t_freud / t_pairs:.1f}x")
    print(f"naive lstsq loop, extrapolated     : {t_naive:.2f} s ({subset.size} particles timed)")
    print(f"speed-up naive / vectorised        : {t_naive / t_fast:.0f}x")
    print(f"max relative difference            : {agree:.2e}")


if __name__ == "__main__":
    main()
