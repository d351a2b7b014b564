"""Relaxation times of a single released instability, and their scaling with a parameter.

Used by ``benchmarks/event_duration_damping.py`` (issue 19, item 8): a configuration brought
to the brink of an instability by athermal quasi-static shear is released with damped MD at
fixed strain, and the duration of the event is read off two signals of the same trajectory:

* the shear stress of the coarse block holding the event, ``σ_b(t)``, through the fraction of
  its change still to come, ``g(t) = (σ_b(t) − σ_b(∞)) / (σ_b(0) − σ_b(∞))``;
* the kinetic energy ``K(t)``, through ``g(t) = K(t) / max K`` after its maximum.

Both use one definition, the **settling time** between two levels
(:func:`settling_time`): with ``t_x`` the last time at which ``|g| > x``,

    τ = (t_lo − t_hi) / ln(hi / lo).

It equals ``τ`` for ``g = exp(−(t − t_s)/τ)`` whatever the delay ``t_s`` (the slow escape from
the marginal state, which depends on how far past the instability the strain was stepped, is
not counted), and it follows the envelope of a ringing signal (underdamped relaxation), so a
monotonic and an oscillating relaxation are measured alike.

:func:`power_law_exponent` fits ``duration ∝ p^b`` to per-event durations at several values
``p`` of a parameter (here the damping time τ_d), with a jackknife error over events: the same
events are released at every ``p``, so the durations at different ``p`` are correlated and a
fit that treated them as independent would understate the error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mechnoise import stats

__all__ = [
    "PowerLawFit",
    "kinetic_decay_time",
    "power_law_exponent",
    "settling_time",
    "stress_relaxation_time",
]


def settling_time(
    time: npt.ArrayLike, g: npt.ArrayLike, hi: float = math.exp(-1.0), lo: float = math.exp(-3.0)
) -> float:
    """Settling time of a decaying signal ``g`` (``g → 0``), ``(t_lo − t_hi) / ln(hi/lo)``.

    Parameters
    ----------
    time : array_like, shape (T,)
        Increasing sample times.
    g : array_like, shape (T,)
        Signal normalised to its scale (``|g| ≈ 1`` at the start of the decay, 0 at the end).
    hi, lo : float
        Levels, ``1 > hi > lo > 0``; ``t_x`` is the last sample time with ``|g| > x``.

    Returns
    -------
    float
        The settling time (units of ``time``); NaN if ``|g|`` never exceeds ``hi`` or is still
        above ``lo`` at the last sample (not settled).

    Examples
    --------
    >>> t = np.linspace(0.0, 30.0, 30001)
    >>> g = np.where(t < 2.0, 1.0, np.exp(-(t - 2.0) / 1.5))
    >>> round(settling_time(t, g), 3)
    1.5
    """
    t = np.asarray(time, dtype=np.float64)
    a = np.abs(np.asarray(g, dtype=np.float64))
    if t.shape != a.shape or t.ndim != 1:
        raise ValueError(f"time {t.shape} and g {a.shape} must be 1-D of equal length")
    if not 0.0 < lo < hi < 1.0:
        raise ValueError(f"need 0 < lo < hi < 1, got hi={hi!r}, lo={lo!r}")
    above_hi = np.flatnonzero(a > hi)
    above_lo = np.flatnonzero(a > lo)
    if above_hi.size == 0 or above_lo[-1] == t.size - 1:
        return math.nan
    t_hi = _crossing(t, a, int(above_hi[-1]), hi)
    t_lo = _crossing(t, a, int(above_lo[-1]), lo)
    return float((t_lo - t_hi) / math.log(hi / lo))


def _crossing(t: npt.NDArray[np.float64], a: npt.NDArray[np.float64], k: int, x: float) -> float:
    """Time where ``a`` falls through ``x`` between samples ``k`` (above) and ``k + 1``, by
    linear interpolation in ``log a`` (exact for an exponential)."""
    if k + 1 >= t.size:
        return float(t[k])
    a0, a1 = a[k], a[k + 1]
    if a1 <= 0.0:
        return float(t[k] + (t[k + 1] - t[k]) * (a0 - x) / (a0 - a1))
    w = math.log(a0 / x) / math.log(a0 / a1)
    return float(t[k] + w * (t[k + 1] - t[k]))


def stress_relaxation_time(
    time: npt.ArrayLike,
    stress: npt.ArrayLike,
    *,
    n_final: int = 5,
    hi: float = math.exp(-1.0),
    lo: float = math.exp(-3.0),
) -> tuple[float, float]:
    """Relaxation time of a stress that moves from ``σ(0)`` to a final ``σ(∞)``.

    Parameters
    ----------
    time, stress : array_like, shape (T,)
        Sample times and the stress (e.g. of the block holding the event).
    n_final : int
        ``σ(∞)`` is the mean of the last ``n_final`` samples.
    hi, lo : float
        Levels of :func:`settling_time` on ``g = (σ − σ(∞)) / (σ(0) − σ(∞))``.

    Returns
    -------
    tau, change : float
        The settling time and the change ``σ(∞) − σ(0)`` (a drop is negative).

    Examples
    --------
    >>> t = np.arange(0.0, 40.0, 0.1)
    >>> s = 1.0 - 0.3 * (1.0 - np.exp(-np.clip(t - 3.0, 0.0, None) / 2.0))
    >>> tau, change = stress_relaxation_time(t, s)
    >>> round(tau, 2), round(change, 3)
    (2.0, -0.3)
    """
    s = np.asarray(stress, dtype=np.float64)
    final = float(np.mean(s[-n_final:]))
    change = final - float(s[0])
    if change == 0.0:
        return math.nan, 0.0
    return settling_time(time, (s - final) / (s[0] - final), hi, lo), change


def kinetic_decay_time(
    time: npt.ArrayLike,
    kinetic: npt.ArrayLike,
    hi: float = math.exp(-1.0),
    lo: float = math.exp(-4.0),
) -> float:
    """Decay time of the kinetic energy after its maximum, ``K ∝ exp(−t/τ_K)``.

    Parameters
    ----------
    time, kinetic : array_like, shape (T,)
        Sample times and the kinetic energy.
    hi, lo : float
        Levels of :func:`settling_time` on ``K / max K`` from the maximum on.

    Returns
    -------
    float
        ``τ_K`` (units of ``time``); NaN if K is zero or has not decayed by the end.

    Examples
    --------
    >>> t = np.arange(0.0, 60.0, 0.05)
    >>> k = np.exp(-((t - 4.0) / 1.0) ** 2)  # escape: a rising bump
    >>> k = np.where(t < 4.0, k, np.exp(-(t - 4.0) / 2.5))
    >>> round(kinetic_decay_time(t, k), 2)
    2.5
    """
    t = np.asarray(time, dtype=np.float64)
    k = np.asarray(kinetic, dtype=np.float64)
    if t.shape != k.shape or t.ndim != 1:
        raise ValueError(f"time {t.shape} and kinetic {k.shape} must be 1-D of equal length")
    if k.size == 0 or not np.nanmax(k) > 0:
        return math.nan
    peak = int(np.nanargmax(k))
    return settling_time(t[peak:], k[peak:] / k[peak], hi, lo)


@dataclass(frozen=True)
class PowerLawFit:
    """``duration = A p^b`` fitted to per-event durations (:func:`power_law_exponent`).

    Attributes
    ----------
    exponent, exponent_err : float
        ``b`` and its jackknife error over events.
    prefactor : float
        ``A`` (duration at ``p = 1``).
    n_events : int
        Events with a finite duration at every ``p`` fitted.
    """

    exponent: float
    exponent_err: float
    prefactor: float
    n_events: int


def power_law_exponent(parameter: npt.ArrayLike, durations: npt.ArrayLike) -> PowerLawFit:
    """Fit ``duration ∝ p^b`` to the geometric means over events, jackknife error over events.

    Parameters
    ----------
    parameter : array_like, shape (P,)
        Positive values ``p`` (e.g. damping times τ_d), at least two distinct ones.
    durations : array_like, shape (E, P)
        Duration of event ``e`` at ``p``; an event with a non-finite or non-positive entry is
        left out.

    Returns
    -------
    PowerLawFit
        ``b`` from a least-squares line through ``(ln p, mean_e ln duration)``; its error is
        the jackknife over events (each event is released at every ``p``, so this keeps the
        correlation between the points); NaN with fewer than three usable events.

    Examples
    --------
    >>> p = np.array([0.1, 1.0, 10.0])
    >>> scale = np.array([[2.0], [4.0], [1.0]])  # three events, each its own prefactor
    >>> fit = power_law_exponent(p, scale * p**0.5)
    >>> round(fit.exponent, 6), round(fit.exponent_err, 6), fit.n_events
    (0.5, 0.0, 3)
    """
    p = np.asarray(parameter, dtype=np.float64)
    d = np.asarray(durations, dtype=np.float64)
    if d.ndim != 2 or d.shape[1] != p.size:
        raise ValueError(f"durations {d.shape} must be (events, {p.size})")
    if np.any(~(p > 0)) or np.unique(p).size < 2:
        raise ValueError(f"parameter must hold >= 2 distinct positive values, got {p!r}")
    ok = np.all(np.isfinite(d) & (d > 0), axis=1)
    logs = np.log(d[ok])
    x = np.log(p)
    n = logs.shape[0]
    if n < 3:
        return PowerLawFit(math.nan, math.nan, math.nan, n)

    def fit(rows: npt.NDArray[np.float64]) -> tuple[float, float]:
        slope, intercept = np.polyfit(x, rows.mean(axis=0), 1)
        return float(slope), float(intercept)

    b, a = fit(logs)
    jack = [fit(np.delete(logs, i, axis=0))[0] for i in range(n)]
    return PowerLawFit(b, stats.jackknife_error(jack), math.exp(a), n)
