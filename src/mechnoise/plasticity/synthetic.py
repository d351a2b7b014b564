"""Synthetic plastic rearrangements of prescribed duration in an affinely sheared packing.

A test generator with a known answer for event-duration and event-rate estimators: a
disordered 2D packing (a jittered square lattice) is sheared affinely with its periodic box,
and a prescribed number of localized rearrangements happen at random places and times. The
particles of an event (within ``radius`` of its centre) move *non-affinely*, each along its
own random direction, with the overdamped relaxation profile

    u_i(t) = d_i · (1 − exp(−(t − t_s) / τ_e))   for t > t_s,   0 before,

so the non-affine speed of an event decays as ``exp(−(t − t_s)/τ_e)``: ``τ_e`` is the
duration of the event (the time constant of its motion). Optional white position noise
(independent per frame and particle) stands for vibrations and is what the background
subtraction of an estimator has to remove. Frames are :class:`mechnoise.io.Frame` objects
with unwrapped positions and the LAMMPS ``(lx, ly, xy)`` box of each time (the tilt grows
as ``γ̇ t ly`` and flips by ``−lx`` past ``lx/2``, as in LAMMPS with ``flip yes``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mechnoise.io import Frame

__all__ = ["SyntheticEvents", "synthetic_rearrangements"]


@dataclass(frozen=True)
class SyntheticEvents:
    """Frames of a synthetic run and the events that were put in.

    Attributes
    ----------
    frames : list of Frame
        Every frame of every window, in time order.
    events : DataFrame
        One row per event: window, start (tau0), x, y (centre in the reference packing,
        sigma), n_particles.
    box_side : float
        Side ``L`` of the square reference box (sigma).
    """

    frames: list[Frame]
    events: pd.DataFrame
    box_side: float


def synthetic_rearrangements(
    tau_e: float,
    *,
    n_side: int = 40,
    density: float = 1.2,
    n_windows: int = 2,
    window_duration: float = 30.0,
    frame_interval: float | Sequence[float] = 0.2,
    event_rate: float = 0.002,
    amplitude: float = 0.4,
    radius: float = 1.6,
    shear_rate: float = 0.002,
    noise: float = 0.0,
    seed: int = 0,
) -> SyntheticEvents:
    """Frames of an affinely sheared packing with rearrangements of duration ``tau_e``.

    Parameters
    ----------
    tau_e : float
        Time constant of every rearrangement (tau0): speed ``∝ exp(−(t − t_s)/τ_e)``.
    n_side : int
        The packing holds ``n_side²`` particles.
    density : float
        Number density (sigma⁻²); the box side is ``sqrt(n_side² / density)``.
    n_windows, window_duration, frame_interval : int, float, float or sequence of float
        Frame windows (as in a shear run), their length and the frame spacing (tau0): one
        for all windows, or one per window (dense and survey windows of a run).
        Windows are ``window_duration + 10 τ_e`` apart, so events do not carry over.
    event_rate : float
        Event onsets per unit area and time (sigma⁻² tau0⁻¹); onsets are uniform in space
        and in ``[window start − 5 τ_e, window end]``.
    amplitude : float
        Size ``|d_i|`` of the final displacement of an event's particles (sigma).
    radius : float
        Particles within ``radius`` of the event centre take part (sigma).
    shear_rate : float
        Affine shear rate of particles and box (1/tau0).
    noise : float
        Standard deviation of independent Gaussian position noise per frame (sigma).
    seed : int
        Random seed.

    Returns
    -------
    SyntheticEvents

    Raises
    ------
    ValueError
        If a time or size is not positive.

    Examples
    --------
    >>> run = synthetic_rearrangements(1.0, n_side=10, n_windows=1, window_duration=1.0)
    >>> len(run.frames), run.frames[0].positions.shape
    (6, (100, 2))
    """
    spacings = (
        [float(frame_interval)] * n_windows
        if isinstance(frame_interval, int | float)
        else [float(v) for v in frame_interval]
    )
    if len(spacings) != n_windows:
        raise ValueError(f"need {n_windows} frame intervals, got {len(spacings)}")
    for name, value in (
        ("tau_e", tau_e),
        ("window_duration", window_duration),
        ("frame_interval", min(spacings, default=1.0)),
        ("density", density),
        ("radius", radius),
    ):
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be positive and finite, got {value!r}")
    if n_side < 4 or n_windows < 1:
        raise ValueError(f"need n_side >= 4 and n_windows >= 1, got {n_side}, {n_windows}")
    rng = np.random.default_rng(seed)
    n = n_side * n_side
    side = math.sqrt(n / density)
    grid = np.stack(np.meshgrid(np.arange(n_side), np.arange(n_side)), -1).reshape(-1, 2) + 0.5
    frac = grid / n_side + rng.normal(0.0, 0.12 / n_side, (n, 2))
    ref = frac * side  # reference packing in the unsheared box (tilt 0 at t = 0)
    ids = np.arange(1, n + 1, dtype=np.int64)
    types = np.where(rng.random(n) < 0.65, 1, 2).astype(np.int64)

    gap = window_duration + 10.0 * tau_e
    area = side * side
    event_rows = []
    frames: list[Frame] = []
    index = 0
    for window in range(n_windows):
        t_start = 10.0 * tau_e + window * gap
        span = window_duration + 5.0 * tau_e
        n_events = rng.poisson(event_rate * area * span)
        starts = t_start - 5.0 * tau_e + rng.random(n_events) * span
        centres = rng.random((n_events, 2)) * side
        moves = []
        for start, centre in zip(starts, centres, strict=True):
            sep = ref - centre
            sep -= side * np.round(sep / side)
            members = np.flatnonzero(np.hypot(sep[:, 0], sep[:, 1]) < radius)
            angle = rng.random(members.size) * 2.0 * math.pi
            disp = amplitude * np.column_stack([np.cos(angle), np.sin(angle)])
            moves.append((start, members, disp))
            event_rows.append(
                {
                    "window": window,
                    "start": float(start),
                    "x": float(centre[0]),
                    "y": float(centre[1]),
                    "n_particles": int(members.size),
                }
            )
        for k in range(int(round(window_duration / spacings[window])) + 1):
            t = t_start + k * spacings[window]
            pos = ref.copy()
            for start, members, disp in moves:
                if t > start:
                    pos[members] += disp * (1.0 - math.exp(-(t - start) / tau_e))
            if noise > 0:
                pos += rng.normal(0.0, noise, pos.shape)
            strain = shear_rate * t
            pos[:, 0] += strain * pos[:, 1]  # affine simple shear of the unwrapped positions
            xy = strain * side
            xy -= side * math.floor(xy / side + 0.5)  # LAMMPS flip: |xy| <= lx / 2
            frames.append(
                Frame(
                    frame=index,
                    window=window,
                    step=int(round(t / 0.005)),
                    time=t,
                    strain=strain,
                    box=(side, side, xy),
                    ids=ids,
                    types=types,
                    positions=pos,
                    stress_xy=np.zeros(n),
                )
            )
            index += 1
    events = pd.DataFrame(event_rows, columns=["window", "start", "x", "y", "n_particles"])
    return SyntheticEvents(frames=frames, events=events, box_side=side)
