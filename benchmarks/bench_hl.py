"""Speed and accuracy of the HL solvers (mechnoise.hl, hl_transient, hl_modified).

Run: ``.venv/bin/python benchmarks/bench_hl.py``. Prints

1. the time of an exact stationary flow curve of 15 rates (budget 0.1 s), and of the same
   curve with the finite-volume stationary solver (``modified_flow_curve`` with one threshold
   and full relaxation, i.e. plain HL) for comparison;
2. transient time steps per second (TR-BDF2 and backward Euler) on the default grid;
3. the error of the finite-volume solvers against the exact solution as the grid is
   refined (all spacings scaled by the same factor), and of the transient long-time limit.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from mechnoise import hl
from mechnoise.hl.modified import modified_flow_curve
from mechnoise.hl.transient import default_grid, stress_grid, transient_response

ALPHA = 0.26


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    rates = np.logspace(-8, 0, 15)
    t_exact = best_of(lambda: hl.stationary_flow_curve(ALPHA, rates))
    t_fv = best_of(lambda: modified_flow_curve(ALPHA, rates), repeat=2)
    print(f"1. stationary flow curve, alpha={ALPHA}, 15 rates in [1e-8, 1]:")
    print(f"   exact closed form      {1e3 * t_exact:8.2f} ms   (budget 100 ms)")
    print(f"   finite-volume (FV)     {1e3 * t_fv:8.2f} ms   ({t_fv / t_exact:.0f}x slower)")

    print("2. transient solver, start-up at rate 0.1, default grid:")
    grid = default_grid(ALPHA, 0.1, 0.1)
    n_steps = 400
    for scheme in ("tr-bdf2", "backward-euler"):
        t = best_of(
            lambda scheme=scheme: transient_response(
                ALPHA, 0.1, [0.0, n_steps * 0.5], time_step=0.5, nodes=grid, scheme=scheme
            ),
            repeat=2,
        )
        print(f"   {scheme:15s} {n_steps / t:8.0f} steps/s on {grid.size} nodes")

    print("3. accuracy against grid resolution (relative error of <sigma>, Gamma):")
    check = [1e-4, 1e-2, 1e-1, 1.0]
    exact = hl.stationary_flow_curve(ALPHA, check)
    print("   FV stationary, spacings x factor (base: min 1e-3, max 5e-3, tails 5e-3)")
    print("   factor  " + "  ".join(f"rate={r:<8g}" for r in check))
    for factor in (4.0, 2.0, 1.0, 0.5):
        df = modified_flow_curve(
            ALPHA,
            check,
            min_spacing=1e-3 * factor,
            max_spacing=5e-3 * factor,
            outer_max_spacing=5e-3 * factor,
        )
        err_s = np.abs(df.stress / exact.stress - 1)
        err_g = np.abs(df.activity / exact.activity - 1)
        cells = "  ".join(f"{a:.1e}/{b:.1e}" for a, b in zip(err_s, err_g, strict=True))
        print(f"   {factor:5.2f}   {cells}")
    print("   transient long-time limit (t = 300, dt = 2, TR-BDF2) at rate 0.1:")
    ref = hl.stationary_flow_curve(ALPHA, [0.1]).iloc[0]
    for factor in (4.0, 2.0, 1.0):
        nodes = stress_grid(
            5.0,
            min_spacing=1e-3 * factor,
            max_spacing=5e-3 * factor,
            outer_max_spacing=5e-3 * factor,
        )
        last = transient_response(ALPHA, 0.1, [0.0, 300.0], time_step=2.0, nodes=nodes).iloc[-1]
        print(
            f"   factor {factor:4.1f} ({nodes.size:5d} nodes): "
            f"stress {abs(last.stress / ref.stress - 1):.1e}, "
            f"activity {abs(last.activity / ref.activity - 1):.1e}, "
            f"|sum P - 1| = {abs(last.total_probability - 1):.1e}"
        )


if __name__ == "__main__":
    main()
