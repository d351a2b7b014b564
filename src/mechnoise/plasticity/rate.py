"""Rate of plastic activity per coarse block, Γ (the one place it is computed).

DESIGN §3: Γ = φ/τ_p with φ the mean fraction of coarse blocks holding at least one active
particle and τ_p the plastic event duration (HL: the fraction of blocks yielding is Γτ).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["activity_rate"]


def activity_rate(
    phi: float, phi_err: float, tau_p: float, tau_p_err: float
) -> tuple[float, float]:
    """Plastic activity rate per block ``Γ = φ / τ_p`` and its error.

    Parameters
    ----------
    phi, phi_err : float
        Mean fraction of coarse blocks holding at least one active particle, and its error.
    tau_p, tau_p_err : float
        Plastic event duration (tau0), the decay time of ``C_p``, and its error.

    Returns
    -------
    tuple of float
        ``(Γ, δΓ)`` (1/tau0) with ``δΓ/Γ = sqrt((δφ/φ)² + (δτ_p/τ_p)²)``; NaN errors
        propagate.

    Raises
    ------
    ValueError
        If ``phi`` is outside [0, 1] or ``tau_p`` is not positive and finite.

    Examples
    --------
    >>> gamma, gamma_err = activity_rate(0.3, 0.03, 1.5, 0.15)
    >>> round(gamma, 12), round(gamma_err, 12)
    (0.2, 0.028284271247)
    """
    if not (0.0 <= phi <= 1.0):
        raise ValueError(f"phi must be a fraction in [0, 1], got {phi!r}")
    if not (np.isfinite(tau_p) and tau_p > 0):
        raise ValueError(f"tau_p must be a positive finite time (tau0), got {tau_p!r}")
    gamma = phi / tau_p
    if phi == 0:
        return 0.0, float(phi_err / tau_p)
    rel = math.hypot(phi_err / phi, tau_p_err / tau_p)
    return float(gamma), float(gamma * rel)
