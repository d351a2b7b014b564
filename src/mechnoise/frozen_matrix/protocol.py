"""Frozen-matrix tests with LAMMPS: adaptive quasi-static loading of one block at a time.

A test runs the include files of ``lammps_inputs/in.frozen_matrix`` command for command
through the ``lammps`` Python module (docs/design.md §5), because the adaptive protocol
needs control
after every minimization:

1. ``include frozen_setup.lmp``: read the snapshot, centre block ``(bx, by)``, carve out the
   block plus a frozen shell of width ``shell`` (atoms farther away cannot influence the block:
   exact when ``shell`` exceeds the cutoff plus the largest block displacement), zero the forces
   of every non-block atom in the minimizer (they move only affinely, with ``change_box
   ... remap``) and relax the block at zero strain.
2. A probe step of the finest size ``strain_step / 2**refine_steps`` gives the local modulus
   (initial slope of the block stress–strain curve).
3. Coarse steps ``strain_step`` (``include frozen_step.lmp``: affine box change with remap
   along the loading direction θ, :mod:`mechnoise.frozen_matrix.loading`, then
   minimization). Before each step the state is saved with ``write_dump``; when the block
   stress decreases by more than ``bisect_factor * G_local * strain_step``, the step is
   bisected ``refine_steps`` times from the saved pre-drop state (``read_dump``), so the last
   stable state before the instability and the first state after it are ``strain_step /
   2**refine_steps`` apart.
4. The test stops after the ``n_drops``-th drop (default 2: the first yield and the next one)
   larger than ``stop_factor * G_local * strain_step``, or at ``max_strain``. The protocol knows
   no drop rule: the stored curve holds the first ``n_drops`` events of every drop factor in
   ``[bisect_factor, stop_factor]`` (and of the literal "first maximum", any decrease), so
   the analysis (:mod:`mechnoise.frozen_matrix.analysis`) applies its rule without LAMMPS.

Every minimization is checked (:meth:`.session.Session.minimized`): it converged when the final
force norm ``fnorm`` (2-norm of the target's forces, the minimizer's own criterion with
``etol = 0``) is at most ``ftol``. A minimization that stopped otherwise (``maxiter``,
``maxeval``, a zero line-search step of ``cg``) is continued from where it stopped with the
fallback minimizer ``fallback_min_style`` (``fire`` after ``hftn`` or ``cg``, ``cg`` after
anything else; iteration limit ``fallback_maxiter``); a point whose fallback does not converge
either is kept and marked ``converged = False`` (the analysis reports and excludes blocks
with such points up to their first drop). Each point carries its final ``fnorm``, its
convergence and whether the fallback ran.

The curve is the quasi-static path actually followed: every point was reached from the
previous one (trial points of the bisection that were superseded are not kept). Every command
sent to LAMMPS is written to a replay file that ``lmp -in`` runs by hand.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mechnoise._typing import FloatArray
from mechnoise.frozen_matrix.loading import direction_label, lammps_variables, loading_angles
from mechnoise.frozen_matrix.session import Points, Session
from mechnoise.frozen_matrix.settings import FrozenMatrixSettings

log = logging.getLogger(__name__)


#: Slack (strain) below which a remaining interval to ``max_strain`` is treated as zero.
_STRAIN_EPS = 1e-12


@dataclass
class BlockCurve:
    """Quasi-static stress–strain curve of one block.

    ``strain`` is the strain γ along the loading direction ``angle`` (degrees,
    :mod:`mechnoise.frozen_matrix.loading`), ``stress`` the block stress resolved on it,
    ``τ_θ = σ_xy^m cos 2θ + (σ_yy^m − σ_xx^m) sin 2θ / 2`` (eps/sigma²; ``σ_xy^m`` at 0°,
    ``−σ_xy^m`` at 90°); point 0 is the relaxed, unstrained snapshot.
    ``fnorm`` is the final force norm of each point's minimization (eps/sigma),
    ``converged`` whether it reached ``ftol`` and ``fallback`` whether the fallback
    minimizer ran (empty arrays for curves made without these records).
    """

    bx: int
    by: int
    angle: float
    strain: FloatArray
    stress: FloatArray
    n_atoms: int
    n_target: int
    n_minimizations: int
    seconds: float
    commands: list[str] = field(default_factory=list, repr=False)
    atoms: dict[str, dict[str, np.ndarray]] = field(default_factory=dict, repr=False)
    fnorm: FloatArray = field(default_factory=lambda: np.zeros(0), repr=False)
    converged: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool), repr=False)
    fallback: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool), repr=False)
    timings: dict[str, float] = field(default_factory=dict, repr=False)

    @property
    def direction(self) -> int:
        """The former direction flag: 1 at 0° (+xy), -1 at 90° (-xy), 0 at other angles."""
        return direction_label(self.angle)

    @property
    def n_unconverged(self) -> int:
        """Points whose minimization did not converge, even with the fallback."""
        return int(np.count_nonzero(~self.converged))


def run_block_test(
    data_file: str | Path,
    grid: int,
    bx: int,
    by: int,
    angle: float,
    settings: FrozenMatrixSettings,
    workdir: str | Path,
    *,
    include_dir: str | Path,
    name: str = "block",
    log_file: str | Path | None = None,
    protocol: str = "adaptive",
    n_steps_fixed: int | None = None,
    track_atoms: bool = False,
    progress_seconds: float | None = None,
) -> BlockCurve:
    """Run the adaptive frozen-matrix test of one block and return its curve.

    Parameters
    ----------
    data_file : path
        Snapshot data file (2D triclinic, types 1/2).
    grid : int
        Blocks per side ``M`` (fractional-coordinate grid).
    bx, by : int
        Block indices, ``0 <= bx, by < grid``.
    angle : float
        Loading direction θ in degrees, ``0 <= θ < 180`` (0: simple shear along ``+xy``, the
        flow; 90: along ``-xy``; :mod:`mechnoise.frozen_matrix.loading`).
    settings : FrozenMatrixSettings
        Protocol.
    workdir : path
        Directory for the state dump and the replay file ``{name}.lmp``.
    include_dir : path
        ``lammps_inputs/include``: the test runs its ``frozen_setup.lmp`` and
        ``frozen_step.lmp`` (the caller passes it; the package does not look for it).
    name : str
        Name of this test (file names).
    log_file : path, optional
        LAMMPS log (default: none, for speed; the replay file reproduces the run).
    protocol : {"adaptive", "fixed"}
        ``"adaptive"`` (probe, coarse steps, bisection, see the module doc) or ``"fixed"``:
        the naive reference, steps of ``strain_step`` up to ``max_strain`` that stop after
        ``n_drops`` drops larger than ``stop_factor * G_local * drop_step`` (no bisection).
    n_steps_fixed : int, optional
        Exactly ``n_steps_fixed`` steps of ``strain_step``, no early stop (tests).
    track_atoms : bool
        Also return ids, target flags and unwrapped positions after the zero-strain
        relaxation and at the end (``BlockCurve.atoms``), to check the frozen atoms' motion.
    progress_seconds : float, optional
        Log a line (strain reached, minimizations, elapsed time) at most this often while
        the test runs (None: no lines).

    Returns
    -------
    BlockCurve

    Raises
    ------
    ValueError
        On a bad block index or loading angle.
    RuntimeError
        If LAMMPS fails (the message names the test).
    """
    if not (0 <= bx < grid and 0 <= by < grid):
        raise ValueError(f"block ({bx}, {by}) outside the {grid}x{grid} grid")
    angle = loading_angles([angle], key="angle")[0]
    if protocol not in ("adaptive", "fixed"):
        raise ValueError(f"protocol must be 'adaptive' or 'fixed', got {protocol!r}")
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    state = workdir.resolve() / f"{name}.state.dump"
    inc = Path(include_dir).resolve()
    s = settings
    t0 = time.perf_counter()
    session = Session(Path(log_file) if log_file else None)
    failed = False
    n_min = 0
    step_counter = [0]
    strains: list[float] = [0.0]
    last_report = t0

    def setvar(key: str, value: object, style: str = "index") -> None:
        # index: a -var on the command line of a replay wins; string: redefinable (dgamma)
        if key not in session.variables:
            session.variables.append(key)
        session(f"variable {key} {style} {value}")

    def step(dgamma: float) -> float:
        nonlocal n_min, last_report
        setvar("dgamma", repr(float(dgamma)), "string")
        session(f"include {inc}/frozen_step.lmp")
        n_min += 1
        stresses.last = session.minimized(s)
        n_min += stresses.last[2]
        now = time.perf_counter()
        if progress_seconds is not None and now - last_report >= progress_seconds:
            last_report = now
            log.info(
                "frozen matrix %s: strain %.4g of at most %.4g, %d minimizations, %.0f s",
                name, strains[-1], s.max_strain, n_min, now - t0,
            )  # fmt: skip
        return session.value("block_stress")

    def save() -> None:
        step_counter[0] = int(session.lmp.extract_global("ntimestep"))
        session(f"write_dump all custom {state} id x y modify format float %.17g")

    def restore() -> None:
        session(f"read_dump {state} {step_counter[0]} x y box yes replace yes")

    try:
        for key, value in {
            "inc": inc,
            "data": Path(data_file).resolve(),
            "grid": grid,
            "bx": bx,
            "by": by,
            **lammps_variables(angle),
            "shell": repr(float(s.shell)) if s.matrix == "frozen" else "0.0",
            "matrix": s.matrix,
            "stiffness": repr(float(s.thawed_stiffness)),
            "min_style": s.minimizer,
            "ftol": repr(float(s.ftol)),
            "maxiter": s.maxiter,
            "maxeval": s.maxeval,
            "skin": repr(float(s.skin)),
            "suffix": s.suffix,
            "exclude": int(s.exclude_frozen_pairs and s.matrix == "frozen"),
            "cutoff_aa": repr(float(s.cutoffs[0])),
            "cutoff_ab": repr(float(s.cutoffs[1])),
            "cutoff_bb": repr(float(s.cutoffs[2])),
        }.items():
            setvar(key, value)
        session(f"include {inc}/frozen_setup.lmp")
        n_min += 1
        session("variable fm_fnorm equal fnorm")
        session.variables.append("fm_fnorm")
        n_atoms = int(session.lmp.get_natoms())
        n_target = int(session.value("fm_ntarget"))
        record = session.minimized(s)
        n_min += record[2]
        stresses = Points(session.value("block_stress"), record)
        atoms = {"before": _atoms(session)} if track_atoms else {}
        if n_steps_fixed is not None:
            for k in range(n_steps_fixed):
                stresses.append(step(s.strain_step))
                strains.append((k + 1) * s.strain_step)
        elif protocol == "fixed":
            _fixed_loading(strains, stresses, s, step)
        else:
            _adaptive_loading(strains, stresses, s, step, save, restore)
        if track_atoms:
            atoms["after"] = _atoms(session)
        session('print "MECHNOISE_DONE"')
    except Exception as exc:  # LAMMPS raises plain Exceptions
        failed = True
        raise RuntimeError(
            f"frozen-matrix test {name} (snapshot {data_file}, block ({bx}, {by}) of "
            f"{grid}x{grid}, loading angle {angle:g}) failed in LAMMPS: {exc}; its commands "
            f"so far are in {workdir / (name + '.lmp')}"
        ) from exc
    finally:
        session.close(failed)
        (workdir / f"{name}.lmp").write_text(
            "# exact commands of the frozen-matrix test (lmp -in this file reproduces it)\n"
            + "\n".join(session.commands)
            + "\n"
        )
        if state.exists():
            state.unlink()
    curve = BlockCurve(
        bx=bx,
        by=by,
        angle=angle,
        strain=np.asarray(strains),
        stress=np.asarray(stresses),
        n_atoms=n_atoms,
        n_target=n_target,
        n_minimizations=n_min,
        seconds=time.perf_counter() - t0,
        commands=session.commands,
        atoms=atoms,
        fnorm=np.array([r[0] for r in stresses.records], dtype=np.float64),
        converged=np.array([r[1] for r in stresses.records], dtype=bool),
        fallback=np.array([r[2] for r in stresses.records], dtype=bool),
        timings=dict(session.timings),
    )
    if curve.n_unconverged:
        log.warning(
            "frozen-matrix test %s (%s, block %d %d, angle %g): %d of %d minimizations did "
            "not reach ftol %.3g (largest fnorm %.3g), even with the fallback %s",
            name, data_file, bx, by, angle, curve.n_unconverged, len(curve.stress), s.ftol,
            float(curve.fnorm.max()), s.fallback,
        )  # fmt: skip
    return curve


def _atoms(session: Session) -> dict[str, np.ndarray]:
    """ids, target flags, unwrapped positions and box of the current state (serial run)."""
    lmp = session.lmp
    n = int(lmp.extract_global("nlocal"))
    x = np.array(lmp.numpy.extract_atom("x")[:n, :2], dtype=np.float64)
    image = np.array(lmp.numpy.extract_atom("image")[:n], dtype=np.int64)
    ids = np.array(lmp.numpy.extract_atom("id")[:n], dtype=np.int64)
    mask = np.array(lmp.numpy.extract_atom("mask")[:n], dtype=np.int64)
    boxlo, boxhi, xy = lmp.extract_box()[:3]
    lx, ly = boxhi[0] - boxlo[0], boxhi[1] - boxlo[1]
    # LAMMPS packs image flags in 10 bits per dimension around 512 (IMGBITS = 10)
    ix = (image & 1023) - 512
    iy = ((image >> 10) & 1023) - 512
    pos = np.column_stack([x[:, 0] + ix * lx + iy * xy, x[:, 1] + iy * ly])
    group_bit = 1 << _group_index(lmp, "target")
    order = np.argsort(ids)
    return {
        "ids": ids[order],
        "target": (mask[order] & group_bit) != 0,
        "positions": pos[order],
        "box": np.array([lx, ly, xy, boxlo[0], boxlo[1]]),
    }


def _group_index(lmp: object, name: str) -> int:
    """Index of a LAMMPS group: ``1 << index`` is its bit in the per-atom mask."""
    return list(lmp.available_ids("group")).index(name)  # type: ignore[attr-defined]


def _fixed_loading(
    strains: list[float],
    stresses: list[float],
    s: FrozenMatrixSettings,
    step: Callable[[float], float],
) -> None:
    """Naive protocol: equal steps, stop after ``n_drops`` drops above the stop threshold."""
    modulus = None
    drops = 0
    while s.max_strain - strains[-1] > _STRAIN_EPS:
        d = min(s.strain_step, s.max_strain - strains[-1])
        stresses.append(step(d))
        strains.append(strains[-1] + d)
        if modulus is None:
            modulus = max((stresses[1] - stresses[0]) / d, s.modulus_floor)
        if stresses[-2] - stresses[-1] > s.stop_factor * modulus * s.drop_step:
            drops += 1
            if drops >= s.n_drops:
                return


def _adaptive_loading(
    strains: list[float],
    stresses: list[float],
    s: FrozenMatrixSettings,
    step: Callable[[float], float],
    save: Callable[[], None],
    restore: Callable[[], None],
) -> None:
    """Probe step, coarse steps and bisection of every large decrease (see module doc);
    stops after ``n_drops`` drops above the stop threshold or at ``max_strain``."""
    fine = s.finest_step
    stresses.append(step(fine))
    strains.append(fine)
    modulus = max((stresses[1] - stresses[0]) / fine, s.modulus_floor)
    bisect_threshold = s.bisect_factor * modulus * s.drop_step
    stop_threshold = s.stop_factor * modulus * s.drop_step
    gamma, sigma = strains[-1], stresses[-1]
    drops = 0
    while s.max_strain - gamma > _STRAIN_EPS:
        save()
        d = min(s.strain_step, s.max_strain - gamma)
        new = step(d)
        if sigma - new <= bisect_threshold or s.refine_steps == 0:
            gamma, sigma = gamma + d, new
            strains.append(gamma)
            stresses.append(sigma)
            if stresses[-2] - sigma > stop_threshold:
                drops += 1
                if drops >= s.n_drops:
                    return
            continue
        lo_g, lo_s, hi_g, hi_s = gamma, sigma, gamma + d, new
        at_hi = True  # is the LAMMPS state the one reached from lo at hi?
        for _ in range(s.refine_steps):
            restore()
            half = (hi_g - lo_g) / 2
            mid = step(half)
            if lo_s - mid > bisect_threshold:
                hi_g, hi_s, at_hi = lo_g + half, mid, True
            else:
                lo_g, lo_s, at_hi = lo_g + half, mid, False
                strains.append(lo_g)
                stresses.append(lo_s)
                save()
        if not at_hi:
            hi_s = step(hi_g - lo_g)
        gamma, sigma = hi_g, hi_s
        strains.append(gamma)
        stresses.append(sigma)
        if lo_s - hi_s > stop_threshold:
            drops += 1
            if drops >= s.n_drops:
                return
