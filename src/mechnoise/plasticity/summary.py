"""One run's plastic-activity numbers (paper §3.2–3.3): ⟨l_pl⟩, τ_p (two estimators), φ and Γ."""

from __future__ import annotations

import math

import pandas as pd

from mechnoise import columns
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
SUMMARY_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("plasticity.summary")

#: column -> (dtype, unit, description) of ``results/plasticity_summary.parquet`` (every run).
COLLECTED_SUMMARY_COLUMNS: dict[str, tuple[str, str, str]] = columns.view(
    "plasticity.collected_summary"
)


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
        Γ (both) is NaN with the reason in ``Gamma_note`` where φ exceeds it.

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
        "Gamma": gamma,
        "Gamma_err": gamma_err,
        "n_events": n_events,
        "Gamma_all": gamma_all,
        "Gamma_all_err": gamma_all_err,
        "n_events_all": n_all,
        "Gamma_note": note,
        "min_particles": int(min_particles),
        "min_duration": float(min_duration),
        "percolation_limit": float(percolation_limit),
        "observation_time": t_obs,
        "Gamma_phi": occ,
        "Gamma_phi_err": occ_err,
        "k": int(activity["k"].iloc[0]),
        "M": int(activity["m"].iloc[0]),
        "coarse_width": float(activity["coarse_width"].iloc[0]),
        "threshold": threshold,
        "lag": lag,
    }
    return pd.DataFrame([row])[list(SUMMARY_COLUMNS)]
