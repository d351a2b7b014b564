"""Speed of mechnoise.blocks.block_stress: vectorised bincount against a per-block mask loop.

Run: ``.venv/bin/python benchmarks/bench_blocks.py``. Prints the time per frame at the
paper's size (N = 16000, M = 20) and the speed-up over a loop that masks the particles of
each block in turn (the obvious implementation), with identical results.
"""

from __future__ import annotations

import time

import numpy as np

from mechnoise.blocks import block_indices, block_stress


def masked_loop(positions, box, stress, m):
    idx = block_indices(positions, box, m)
    out = np.empty((m, m))
    for bx in range(m):
        for by in range(m):
            out[bx, by] = stress[(idx[:, 0] == bx) & (idx[:, 1] == by)].sum()
    return out / (box[0] * box[1] / m**2)


def best_of(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    rng = np.random.default_rng(1)
    n, rho, m = 16000, 1.149, 20
    side = np.sqrt(n / rho)
    box = (side, side, 0.3 * side)
    frac = rng.random((n, 2))
    pos = np.column_stack([frac[:, 0] * side + frac[:, 1] * box[2], frac[:, 1] * side])
    stress = rng.normal(size=n)
    fast = best_of(lambda: block_stress(pos, box, stress, m))
    slow = best_of(lambda: masked_loop(pos, box, stress, m))
    assert np.allclose(block_stress(pos, box, stress, m), masked_loop(pos, box, stress, m))
    print(f"N={n}, M={m}: block_stress {fast * 1e3:.2f} ms/frame, masked loop {slow * 1e3:.1f} ms")
    print(f"speed-up {slow / fast:.0f}x")


if __name__ == "__main__":
    main()
