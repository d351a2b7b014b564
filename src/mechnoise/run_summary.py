"""A run's diffusion summary: one row per run (``diffusion_summary.parquet``).

The stress-diffusion fit of the run (:func:`mechnoise.diffusion.fit_stress_diffusion`) beside
the run's plasticity numbers and the density's shear modulus G0, so that every per-run input of
the couplings (α_micro, α_κ) sits in one row.

Activity rate: Γ comes from the plasticity stage (:mod:`mechnoise.plasticity.rate`, event
onsets per block and time); the summary copies it beside ``D_sigma`` together with the
occupancy rate ``φ/τ_p_window`` (the former Γ) under its own name, and τ_p with the literal
``tau_p_window``; every copied column keeps its registered name
(:data:`mechnoise.plasticity.SUMMARY_COLUMNS`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from mechnoise import columns
from mechnoise.diffusion import DiffusionFit

__all__ = ["DIFFUSION_SUMMARY_COLUMNS", "diffusion_summary"]

#: column -> (dtype, unit, description) of ``diffusion_summary.parquet`` (one row per run).
DIFFUSION_SUMMARY_COLUMNS: dict[str, tuple[str, str, str]] = columns.view(
    "run_summary.diffusion_summary"
)

#: plasticity-summary columns copied into the diffusion summary.
_FROM_PLASTICITY = (
    "Gamma",
    "Gamma_err",
    "Gamma_phi",
    "Gamma_phi_err",
    "phi",
    "phi_err",
    "tau_p",
    "tau_p_err",
    "tau_p_window",
    "tau_p_window_err",
)


def diffusion_summary(
    fit: DiffusionFit,
    *,
    plasticity: Mapping[str, float],
    shear_modulus: float,
    shear_modulus_err: float,
    n_blocks: int,
    block_side: float,
    density: float,
    shear_rate: float,
    seed: int,
) -> pd.DataFrame:
    """One-row ``diffusion_summary`` table of a run (:data:`DIFFUSION_SUMMARY_COLUMNS`).

    Parameters
    ----------
    fit : DiffusionFit
        From :func:`mechnoise.diffusion.fit_stress_diffusion`.
    plasticity : mapping
        The run's ``plasticity_summary`` row (:data:`mechnoise.plasticity.SUMMARY_COLUMNS`):
        Γ (``Gamma``), ``Gamma_phi``, φ, ``tau_p``, ``tau_p_window`` and their errors are
        passed on under the same names.
    shear_modulus, shear_modulus_err : float
        ``G0`` and its error (eps/sigma²).
    n_blocks : int
        Blocks per side ``M``.
    block_side : float
        Actual block side ``sqrt(lx ly) / M`` (sigma).
    density, shear_rate : float
        Run parameters (sigma⁻², 1/tau0).
    seed : int
        Run seed.

    Returns
    -------
    DataFrame
        One row.
    """
    p = {key: float(value) for key, value in plasticity.items() if key in _FROM_PLASTICITY}
    missing = sorted(set(_FROM_PLASTICITY) - set(p))
    if missing:
        raise ValueError(f"plasticity summary lacks columns {missing}")
    gamma = p["Gamma"]
    row = {
        "density": density,
        "shear_rate": shear_rate,
        "seed": seed,
        "D_sigma": fit.d_sigma,
        "D_sigma_err": fit.d_sigma_err,
        "D_HL": fit.d_hl,
        "D_HL_err": fit.d_hl_err,
        "D_sigma_var": fit.d_sigma_var,
        "D_sigma_var_err": fit.d_sigma_var_err,
        **p,
        "D_sigma_over_Gamma": fit.d_sigma / gamma if gamma > 0 else math.nan,
        "M": n_blocks,
        "W": block_side,
        "G0": shear_modulus,
        "G0_err": shear_modulus_err,
        "fit_t_min": fit.t_min,
        "fit_t_max": fit.t_max,
        "n_fit_lags": fit.n_lags,
        "n_samples": fit.n_samples,
        "n_windows": fit.n_windows,
        "D_sigma_err_blocks": fit.d_sigma_err_blocks,
        "D_sigma_err_windows": fit.d_sigma_err_windows,
        "slope_with_intercept": fit.slope_with_intercept,
        "intercept": fit.intercept,
        "msd_exponent": fit.exponent,
        "msd_exponent_min": fit.exponent_min,
        "msd_exponent_max": fit.exponent_max,
        "variance_exponent": fit.variance_exponent,
        "drift_fraction": fit.drift_fraction,
    }
    return pd.DataFrame([row], columns=list(DIFFUSION_SUMMARY_COLUMNS))
