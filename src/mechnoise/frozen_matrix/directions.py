"""Local yield thresholds over loading directions, resolved on the flow (Barbot et al. 2018).

Each block is loaded along a set of directions θ (:mod:`mechnoise.frozen_matrix.loading`);
its curve along θ gives the threshold increment ``Δτ_c(θ) = τ_c(θ) − τ_0(θ)`` (the column
``x`` of ``local_yield.parquet``: the resolved stress at the first plastic instability minus
the resolved stress of the snapshot). A macroscopic shear-stress increment ``Δσ_xy`` of the
flow resolves on direction θ as ``Δσ_xy cos 2θ`` (``τ_θ = σ_xy cos 2θ + (σ_yy − σ_xx) sin 2θ
/ 2``), so the smallest increment of the flow's ``σ_xy`` that brings some direction of the
block to its threshold is

.. math:: Δτ_c^{\\mathrm{flow}} = \\min_{θ:\\ \\cos 2θ > 0} Δτ_c(θ) / \\cos 2θ,

the Schmid-like projection of Barbot et al., Phys. Rev. E 97, 033001 (2018), with 18
directions 10° apart (``yield_test.directions`` of the paper-like option); directions with
``cos 2θ <= 0`` are unloaded by the flow and never reached. With θ = 0 alone it is the plain
``+xy`` threshold ``x``. The resolved local yield stress is ``σ_c^res = σ_xy^m +
Δτ_c^flow`` (``σ_xy^m``: block stress of the snapshot, known when 0° was tested).
``σ_c^+`` and ``σ_c^−`` are the thresholds with and against the flow (θ = 0 and 90°).

Censoring: a direction that did not yield by the strain cap only bounds its ``Δτ_c(θ)``
from below (``stress_max − initial_stress``). The block's ``Δτ_c^flow`` is observed when the
smallest projected observed threshold lies below every projected bound; otherwise it is
censored at the smallest bound (a Kaplan–Meier observation, as for ``σ_c^m``).

Caveat (written down, not hidden): the formula assumes each direction's threshold does not
depend on the stress components the flow adds along the others (a Schmid law without
pressure or normal-stress sensitivity), which Barbot et al. and later Mohr–Coulomb fits
of local yield surfaces question; ``angle_resolved`` says which direction decided.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from mechnoise import columns, stats
from mechnoise.frozen_matrix.loading import AGAINST_FLOW_ANGLE, FLOW_ANGLE, loading_components

#: column -> (dtype, unit, description) of ``results/yield/rho{rho}/flow_thresholds.parquet``.
FLOW_THRESHOLD_COLUMNS: dict[str, tuple[str, str, str]] = columns.view(
    "frozen_matrix.flow_threshold"
)
#: column -> (dtype, unit, description) of
#: ``results/yield/rho{rho}/flow_threshold_summary.parquet`` (bootstrap errors over blocks).
FLOW_SUMMARY_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("frozen_matrix.flow_summary")

#: Smallest projection factor ``cos 2θ`` counted (directions at 45° and beyond are not loaded).
MIN_PROJECTION = 1e-9


def resolve_on_flow(
    angles: np.ndarray, increments: np.ndarray, observed: np.ndarray
) -> tuple[float, bool, float]:
    """Flow-resolved threshold of one block from its per-direction threshold increments.

    Parameters
    ----------
    angles : ndarray, shape (k,)
        Loading angles (degrees).
    increments : ndarray, shape (k,)
        ``Δτ_c(θ)`` of each direction (eps/sigma²); for a direction that did not yield, the
        lower bound ``stress_max − initial_stress``.
    observed : ndarray of bool, shape (k,)
        Whether each direction yielded.

    Returns
    -------
    value : float
        ``min Δτ_c(θ)/cos 2θ`` over the loaded directions (observed), or the censoring bound.
    is_observed : bool
        False if the value is only a lower bound (or no direction is loaded: value NaN).
    angle : float
        Direction that decided (NaN unless observed).

    Examples
    --------
    Thresholds 1.0 at 0° and 0.4 at 30° (cos 60° = 1/2): the 30° direction decides, 0.8.

    >>> value, observed, angle = resolve_on_flow(
    ...     np.array([0.0, 30.0]), np.array([1.0, 0.4]), np.array([True, True]))
    >>> round(value, 12), observed, angle
    (0.8, True, 30.0)
    >>> value, observed, angle = resolve_on_flow(
    ...     np.array([0.0, 30.0]), np.array([1.0, 0.3]), np.array([True, False]))
    >>> round(value, 12), observed, angle
    (0.6, False, nan)
    """
    factor = np.array([loading_components(float(a))[0] for a in angles])
    loaded = factor > MIN_PROJECTION
    if not loaded.any():
        return math.nan, False, math.nan
    projected = np.where(loaded, increments / np.where(loaded, factor, 1.0), np.inf)
    obs = np.where(observed & loaded, projected, np.inf)
    bound = np.where(~observed & loaded, projected, np.inf)
    best = int(np.argmin(obs))
    if np.isfinite(obs[best]) and obs[best] <= bound.min():
        return float(obs[best]), True, float(angles[best])
    return float(bound.min()), False, math.nan


def flow_threshold_table(local: pd.DataFrame) -> pd.DataFrame:
    """Per-block thresholds over directions from a ``local_yield`` table (with ``angle``).

    Returns
    -------
    DataFrame
        One row per ``(config, bx, by)`` with :data:`FLOW_THRESHOLD_COLUMNS`.
    """
    rows = []
    for (config, bx, by), b in local.sort_values("angle").groupby(["config", "bx", "by"]):
        angles = b["angle"].to_numpy(dtype=np.float64)
        yielded = b["yielded"].to_numpy(dtype=bool)
        increments = np.where(yielded, b["x"], b["stress_max"] - b["initial_stress"]).astype(
            np.float64
        )
        value, observed, angle = resolve_on_flow(angles, increments, yielded)
        by_angle = b.set_index("angle")
        sxy0 = (
            float(by_angle.loc[FLOW_ANGLE, "initial_stress"])
            if FLOW_ANGLE in by_angle.index
            else math.nan
        )

        def sigma_c(a: float, by_angle: pd.DataFrame = by_angle) -> float:
            return float(by_angle.loc[a, "sigma_c"]) if a in by_angle.index else math.nan

        ok = b["converged_to_drop"] if "converged_to_drop" in b.columns else pd.Series(True)
        rows.append(
            {
                "config": config,
                "bx": bx,
                "by": by,
                "n_angles": len(b),
                "dtau_c_resolved": value,
                "resolved_observed": observed,
                "angle_resolved": angle,
                "initial_stress_xy": sxy0,
                "sigma_c_resolved": sxy0 + value,
                "sigma_c_plus": sigma_c(FLOW_ANGLE),
                "sigma_c_minus": sigma_c(AGAINST_FLOW_ANGLE),
                "converged_to_drop": bool(ok.astype(bool).all()),
            }
        )
    return pd.DataFrame(rows, columns=list(FLOW_THRESHOLD_COLUMNS))


def _km_mean(value: np.ndarray, observed: np.ndarray) -> float:
    return stats.kaplan_meier_moments(value, observed)[0]


def _mean(x: np.ndarray) -> float:
    return float(np.mean(x)) if len(x) else math.nan


def flow_threshold_summary(table: pd.DataFrame, density: float) -> pd.DataFrame:
    """Means over blocks of a :func:`flow_threshold_table` with bootstrap errors (one row).

    ``dtau_c_resolved_km`` and ``sigma_c_resolved_km`` are Kaplan–Meier means (censored
    blocks at their bound); ``sigma_c_plus_mean`` and ``sigma_c_minus_mean`` average the
    blocks that yielded in that direction. Blocks with ``converged_to_drop`` False are left
    out. Errors: :func:`mechnoise.stats.bootstrap` over blocks.
    """
    t = table[table["converged_to_drop"].astype(bool)]
    obs = t["resolved_observed"].to_numpy(dtype=bool)
    out: dict[str, float] = {
        "density": density,
        "n_blocks": len(t),
        "n_angles": int(t["n_angles"].max()) if len(t) else 0,
        "fraction_observed": float(obs.mean()) if len(t) else math.nan,
    }
    for col in ("dtau_c_resolved", "sigma_c_resolved"):
        v = t[col].to_numpy(dtype=np.float64)
        keep = np.isfinite(v)
        if keep.any() and obs[keep].any():
            out[f"{col}_km"], out[f"{col}_km_err"] = stats.bootstrap(_km_mean, v[keep], obs[keep])
        else:
            out[f"{col}_km"] = out[f"{col}_km_err"] = math.nan
    for col in ("sigma_c_plus", "sigma_c_minus"):
        v = t[col].to_numpy(dtype=np.float64)
        out[f"{col}_mean"], out[f"{col}_mean_err"] = stats.bootstrap(_mean, v[np.isfinite(v)])
    return pd.DataFrame([out], columns=list(FLOW_SUMMARY_COLUMNS))
