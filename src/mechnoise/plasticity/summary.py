"""One run's plastic-activity numbers (paper §3.2–3.3): ⟨l_pl⟩, τ_p (two estimators), φ and Γ."""

from __future__ import annotations

import math

import pandas as pd

from mechnoise.plasticity.clusters import summarize_activity
from mechnoise.plasticity.event_duration import fit_decay_time
from mechnoise.plasticity.rate import (
    event_rate,
    occupancy_rate,
    percolation_note,
    persistent_onsets,
)

__all__ = ["COLLECTED_SUMMARY_COLUMNS", "SUMMARY_COLUMNS", "summarize_plasticity"]

#: column -> (dtype, unit, description) of ``plasticity_summary.parquet`` (one row per run).
SUMMARY_COLUMNS: dict[str, tuple[str, str, str]] = {
    "l_pl": ("float64", "sigma", "<l_pl> = <A_pl>^(1/2), mean over all clusters of all frames"),
    "l_pl_err": ("float64", "sigma", "standard error of <l_pl> from blocks of frames"),
    "mean_cluster_area": ("float64", "sigma^2", "<A_pl>"),
    "n_clusters": ("int64", "-", "clusters counted over all frames"),
    "tau_p": (
        "float64",
        "tau0",
        "event duration, time-resolved: decay time of C(t) of the short-lag non-affine "
        "amplitude (event_duration.parquet, smallest short lag); the tau of HL",
    ),
    "tau_p_err": ("float64", "tau0", "error of tau_p (fit and jackknife over windows)"),
    "tau_p_short_lag": ("float64", "tau0", "short lag ds behind tau_p"),
    "tau_p_plateau": ("float64", "-", "plateau c of the fit A exp(-t/tau_p) + c"),
    "tau_p_window": (
        "float64",
        "tau0",
        "the paper's literal estimator: decay time of C_p(t) of the lag-delta-t D2min, "
        "exp(-t/tau) fit (Fig. 5a); grows with the lag",
    ),
    "tau_p_window_err": ("float64", "tau0", "standard error of tau_p_window (fit covariance)"),
    "phi": ("float64", "-", "mean fraction of coarse (M x M) blocks with >= 1 active particle"),
    "phi_err": ("float64", "-", "standard error of phi from blocks of frames"),
    "activity_rate": (
        "float64",
        "1/tau0",
        "Gamma: onsets of events (persistent clusters of active particles: peak size >= "
        "min_particles or lifetime >= min_duration) per coarse block and unit time, each in "
        "the block of its centroid (events.parquet); NaN if activity percolates "
        "(activity_rate_note)",
    ),
    "activity_rate_err": (
        "float64",
        "1/tau0",
        "error of Gamma: block average of onsets per frame, at least the Poisson error",
    ),
    "n_events": ("int64", "-", "event onsets that pass the persistence filter"),
    "activity_rate_all": (
        "float64",
        "1/tau0",
        "Gamma without the persistence filter: every onset (flickers included); NaN if "
        "activity percolates",
    ),
    "activity_rate_all_err": ("float64", "1/tau0", "error of activity_rate_all"),
    "n_events_all": ("int64", "-", "onsets counted without the persistence filter"),
    "activity_rate_note": (
        "str",
        "-",
        "empty, or why Gamma is NaN (phi above analysis.events.percolation_limit)",
    ),
    "min_particles": ("int64", "-", "persistence filter: smallest peak size of an event"),
    "min_duration": ("float64", "tau0", "persistence filter: smallest lifetime of an event"),
    "percolation_limit": ("float64", "-", "phi above which Gamma is NaN"),
    "observation_time": ("float64", "tau0", "time over which onsets are counted"),
    "activity_rate_phi": (
        "float64",
        "1/tau0",
        "occupancy rate phi / tau_p_window (the former Gamma recipe; grows with the lag)",
    ),
    "activity_rate_phi_err": ("float64", "1/tau0", "error of activity_rate_phi"),
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
    durations: pd.DataFrame,
    events: pd.DataFrame,
    *,
    threshold: float,
    lag: float,
    min_particles: int = 1,
    min_duration: float = 0.0,
    percolation_limit: float = 1.0,
) -> pd.DataFrame:
    """One run's plastic-activity numbers: ``<l_pl>``, both ``τ_p``, φ, Γ and ``φ/τ_p_window``.

    Parameters
    ----------
    activity, clusters : DataFrame
        Tables of :func:`mechnoise.plasticity.clusters.activity_tables`.
    autocorr : DataFrame
        Table of :func:`mechnoise.plasticity.event_duration.d2min_autocorrelation` (the
        literal estimator, ``tau_p_window``).
    durations : DataFrame
        ``event_duration.parquet``
        (:func:`mechnoise.plasticity.event_duration.event_duration_tables`): its smallest
        short lag gives ``tau_p``.
    events : DataFrame
        ``events.parquet`` (:func:`mechnoise.plasticity.rate.event_onsets`): Γ.
    threshold : float
        Activity threshold used (sigma²), recorded.
    lag : float
        D²min lag ``δt`` (tau0); frames are grouped in blocks of this duration for the errors.
    min_particles, min_duration : int, float
        Persistence filter of :func:`mechnoise.plasticity.rate.persistent_onsets`
        (``analysis.events``); the defaults keep every onset.
    percolation_limit : float
        Γ (both) is NaN with the reason in ``activity_rate_note`` where φ exceeds it.

    Returns
    -------
    DataFrame
        One row with the columns of :data:`SUMMARY_COLUMNS`.
    """
    stats = summarize_activity(activity, clusters, block_duration=lag)
    tau_w, tau_w_err = fit_decay_time(autocorr["lag"], autocorr["C_p"])
    if math.isfinite(tau_w) and tau_w > 0:
        occ, occ_err = occupancy_rate(stats["phi"], stats["phi_err"], tau_w, tau_w_err)
    else:  # no decay of C_p could be fitted: the occupancy rate is unknown
        occ, occ_err = math.nan, math.nan
    if durations.empty:
        raise ValueError("empty event-duration table: expected one row per short lag")
    first = durations.sort_values("short_lag").iloc[0]
    keep = persistent_onsets(events, min_particles=min_particles, min_duration=min_duration)
    gamma, gamma_err, n_events, t_obs = event_rate(events[keep], activity)
    gamma_all, gamma_all_err, n_all, _ = event_rate(events, activity)
    note = percolation_note(stats["phi"], percolation_limit)
    if note:
        gamma = gamma_err = gamma_all = gamma_all_err = math.nan
    row = {
        **stats,
        "tau_p": float(first["tau_p"]),
        "tau_p_err": float(first["tau_p_err"]),
        "tau_p_short_lag": float(first["short_lag"]),
        "tau_p_plateau": float(first["plateau"]),
        "tau_p_window": tau_w,
        "tau_p_window_err": tau_w_err,
        "activity_rate": gamma,
        "activity_rate_err": gamma_err,
        "n_events": n_events,
        "activity_rate_all": gamma_all,
        "activity_rate_all_err": gamma_all_err,
        "n_events_all": n_all,
        "activity_rate_note": note,
        "min_particles": int(min_particles),
        "min_duration": float(min_duration),
        "percolation_limit": float(percolation_limit),
        "observation_time": t_obs,
        "activity_rate_phi": occ,
        "activity_rate_phi_err": occ_err,
        "k": int(activity["k"].iloc[0]),
        "M": int(activity["m"].iloc[0]),
        "coarse_width": float(activity["coarse_width"].iloc[0]),
        "threshold": threshold,
        "lag": lag,
    }
    return pd.DataFrame([row])[list(SUMMARY_COLUMNS)]
