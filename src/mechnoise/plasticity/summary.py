"""One run's plastic-activity numbers (paper §3.2–3.3): ⟨l_pl⟩, τ_p, φ and Γ."""

from __future__ import annotations

import math

import pandas as pd

from mechnoise.plasticity.clusters import summarize_activity
from mechnoise.plasticity.event_duration import fit_decay_time
from mechnoise.plasticity.rate import activity_rate

__all__ = ["COLLECTED_SUMMARY_COLUMNS", "SUMMARY_COLUMNS", "summarize_plasticity"]

#: column -> (dtype, unit, description) of ``plasticity_summary.parquet`` (one row per run).
SUMMARY_COLUMNS: dict[str, tuple[str, str, str]] = {
    "l_pl": ("float64", "sigma", "<l_pl> = <A_pl>^(1/2), mean over all clusters of all frames"),
    "l_pl_err": ("float64", "sigma", "standard error of <l_pl> from blocks of frames"),
    "mean_cluster_area": ("float64", "sigma^2", "<A_pl>"),
    "n_clusters": ("int64", "-", "clusters counted over all frames"),
    "tau_p": ("float64", "tau0", "decay time of C_p(t) = exp(-t/tau_p)"),
    "tau_p_err": ("float64", "tau0", "standard error of tau_p from the fit covariance"),
    "phi": ("float64", "-", "mean fraction of coarse (M x M) blocks with >= 1 active particle"),
    "phi_err": ("float64", "-", "standard error of phi from blocks of frames"),
    "activity_rate": ("float64", "1/tau0", "Gamma = phi / tau_p (DESIGN section 3)"),
    "activity_rate_err": ("float64", "1/tau0", "error of Gamma (phi and tau_p errors)"),
    "n_active_mean": ("float64", "-", "mean number N_pl of active particles per frame"),
    "n_frames": ("int64", "-", "reference frames analysed"),
    "n_error_blocks": ("int64", "-", "blocks of frames behind the standard errors"),
    "k": ("int64", "-", "small (w0) blocks per side"),
    "M": ("int64", "-", "coarse (W) blocks per side"),
    "coarse_width": ("float64", "sigma", "coarse block side sqrt(lx ly) / M"),
    "threshold": ("float64", "sigma^2", "activity threshold on D2min"),
    "lag": ("float64", "tau0", "D2min time lag delta t"),
}

#: column -> (dtype, unit, description) of ``results/plasticity_summary.parquet`` (every run).
COLLECTED_SUMMARY_COLUMNS: dict[str, tuple[str, str, str]] = {
    "density": ("float64", "sigma^-2", "number density rho of the run"),
    "shear_rate": ("float64", "1/tau0", "shear rate gamma_dot of the run"),
    "seed": ("int64", "-", "seed of the run"),
    **SUMMARY_COLUMNS,
}


def summarize_plasticity(
    activity: pd.DataFrame,
    clusters: pd.DataFrame,
    autocorr: pd.DataFrame,
    *,
    threshold: float,
    lag: float,
) -> pd.DataFrame:
    """One run's plastic-activity numbers: ``<l_pl>``, ``τ_p``, φ and ``Γ = φ / τ_p``.

    Parameters
    ----------
    activity, clusters : DataFrame
        Tables of :func:`mechnoise.plasticity.clusters.activity_tables`.
    autocorr : DataFrame
        Table of :func:`mechnoise.plasticity.event_duration.d2min_autocorrelation`.
    threshold : float
        Activity threshold used (sigma²), recorded.
    lag : float
        D²min lag ``δt`` (tau0); frames are grouped in blocks of this duration for the errors.

    Returns
    -------
    DataFrame
        One row with the columns of :data:`SUMMARY_COLUMNS`.
    """
    stats = summarize_activity(activity, clusters, block_duration=lag)
    tau, tau_err = fit_decay_time(autocorr["lag"], autocorr["C_p"])
    if math.isfinite(tau) and tau > 0:
        rate, rate_err = activity_rate(stats["phi"], stats["phi_err"], tau, tau_err)
    else:  # no decay of C_p could be fitted: Γ is unknown
        rate, rate_err = math.nan, math.nan
    row = {
        **stats,
        "tau_p": tau,
        "tau_p_err": tau_err,
        "activity_rate": rate,
        "activity_rate_err": rate_err,
        "k": int(activity["k"].iloc[0]),
        "M": int(activity["m"].iloc[0]),
        "coarse_width": float(activity["coarse_width"].iloc[0]),
        "threshold": threshold,
        "lag": lag,
    }
    return pd.DataFrame([row])[list(SUMMARY_COLUMNS)]
