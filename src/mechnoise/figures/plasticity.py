"""Figures 4a and 5a of the paper: stress and N_pl against strain; C_p(t) per density.

Fig. 5a shows both event-duration estimators (:mod:`mechnoise.plasticity.event_duration`):
the paper's literal C_p of the lag-δt D²min with ``exp(−t/τ_p_window)`` fits, and the
time-resolved C(t) of the short-lag non-affine amplitude with ``A exp(−t/τ_p) + c`` fits.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from mechnoise.figures.canvas import new_axes
from mechnoise.plasticity.decay_fit import pool_autocorrelations

log = logging.getLogger(__name__)


def plot_fig4a(
    thermo: pd.DataFrame,
    activity: pd.DataFrame,
    window: int | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Fig. 4a: steady-state stress–strain curve with the number of active particles N_pl.

    Parameters
    ----------
    thermo : DataFrame
        ``thermo.parquet`` of one run (columns strain, stress).
    activity : DataFrame
        ``activity.parquet`` of the same run (columns window, strain, n_active).
    window : int, optional
        Frame window to show (default: the first one). The stress curve is drawn over the
        window's strain range, including the D²min lag after its last reference frame.

    Returns
    -------
    matplotlib.figure.Figure
        Stress (line, left axis) and N_pl (open symbols, right axis) against strain; N_pl is
        placed at the strain of the reference frame ``t`` of ``D²min(t, t + δt)``.

    Raises
    ------
    ValueError
        If the window has no activity row or the thermo table no row in its strain range.
    """
    if window is None:
        window = int(activity["window"].min())
    act = activity[activity["window"] == window].sort_values("strain")
    if act.empty:
        raise ValueError(f"no activity rows in window {window}")
    lo, hi = float(act["strain"].min()), float(act["strain"].max())
    spacing = float(np.median(np.diff(act["strain"]))) if len(act) > 1 else 0.0
    pad = max(spacing, 0.05 * (hi - lo))
    th = thermo[(thermo["strain"] >= lo - pad) & (thermo["strain"] <= hi + 2 * pad)]
    if th.empty:
        raise ValueError(f"thermo has no row between strains {lo} and {hi}")
    fig, ax = new_axes(ax, (5.0, 3.6))
    ax.plot(th["strain"], th["stress"], color="k", lw=1.0, label=r"$\sigma_{xy}$")
    ax.set_xlabel(r"strain $\gamma$")
    ax.set_ylabel(r"$\sigma_{xy}$ ($\epsilon/\sigma^2$)")
    twin = ax.twinx()
    twin.plot(
        act["strain"],
        act["n_active"],
        ls="none",
        marker="o",
        mfc="none",
        ms=4,
        color="tab:red",
        label=r"$N_{pl}$",
    )
    twin.set_ylabel(r"$N_{pl}$", color="tab:red")
    twin.tick_params(axis="y", colors="tab:red")
    twin.set_ylim(bottom=0)
    ax.set_title(f"steady state, window {window}", fontsize=9)
    return fig


def plot_fig5a(
    curves: pd.DataFrame,
    fits: pd.DataFrame,
    ax: Axes | None = None,
    *,
    event_curves: pd.DataFrame | None = None,
    event_fits: pd.DataFrame | None = None,
) -> Figure:
    """Fig. 5a: C_p(t) per density with ``exp(−t/τ_p)`` fits; inset τ_p against density.

    With ``event_curves`` and ``event_fits`` (the time-resolved estimator) the figure has two
    panels: left the literal C_p (``tau_p_window``), right the time-resolved C(t) of the
    smallest short lag with its ``A exp(−t/τ_p) + c`` fits; ``ax`` must then be None.

    Parameters
    ----------
    curves : DataFrame
        ``d2min_autocorr.parquet`` rows of the runs to show (one shear rate), with an extra
        column ``density``; seeds are pooled per density
        (:func:`mechnoise.plasticity.decay_fit.pool_autocorrelations`).
    fits : DataFrame
        Columns density, tau_p, tau_p_err
        (:func:`mechnoise.plasticity.decay_fit.decay_times_by_density`).
    ax : Axes, optional
        Where to draw (default: a new figure).
    event_curves : DataFrame, optional
        ``event_autocorr.parquet`` rows with an extra column density.
    event_fits : DataFrame, optional
        Columns density, tau_p, tau_p_err, amplitude, plateau
        (:func:`mechnoise.plasticity.decay_fit.event_durations_by_density`).

    Returns
    -------
    matplotlib.figure.Figure
        C_p points (log-linear) and fitted exponentials; inset ``τ_p(ρ)`` with errors.

    Raises
    ------
    ValueError
        If ``curves`` is empty.
    """
    if curves.empty:
        raise ValueError("no C_p curve to plot")
    if event_curves is not None and event_fits is not None:
        if ax is not None:
            raise ValueError("plot_fig5a draws two panels with event curves: pass ax=None")
        fig = Figure(figsize=(9.5, 3.8), layout="constrained")
        left, right = fig.subplots(1, 2)
        plot_fig5a(curves, fits, ax=left)
        left.set_title(r"literal: $C_p$ of $D^2_{min}$ over the lag $\delta t$", fontsize=9)
        _plot_event_panel(right, event_curves, event_fits)
        return fig
    fig, ax = new_axes(ax, (5.0, 3.8))
    densities = sorted(curves["density"].unique())
    for k, rho in enumerate(densities):
        color = f"C{k}"
        pooled = _plot_pooled_points(ax, curves[curves["density"] == rho], "C_p", color, rho)
        tau = fits.loc[np.isclose(fits["density"], rho), "tau_p"]
        if len(tau) and math.isfinite(float(tau.iloc[0])):
            t = np.linspace(0.0, float(pooled["lag"].max()), 100)
            ax.plot(t, np.exp(-t / float(tau.iloc[0])), color=color, lw=1.0)
    ax.set_yscale("log")
    ax.set_xlabel(r"$t$ ($\tau_0$)")
    ax.set_ylabel(r"$C_p(t)$")
    ax.legend(fontsize=8, loc="lower left")
    inset = ax.inset_axes((0.62, 0.62, 0.35, 0.33))
    inset.errorbar(fits["density"], fits["tau_p"], yerr=fits["tau_p_err"], fmt="s-", ms=3)
    inset.set_xlabel(r"$\rho$", fontsize=8, labelpad=1)
    inset.set_ylabel(r"$\tau_p$", fontsize=8, labelpad=1)
    inset.tick_params(labelsize=7)
    return fig


def _plot_pooled_points(
    ax: Axes, curves: pd.DataFrame, column: str, color: str, density: float
) -> pd.DataFrame:
    """Pool one density's curves over seeds, draw the positive points, return the pool."""
    pooled = pool_autocorrelations(curves, column=column)
    positive = pooled[column] > 0
    ax.plot(
        pooled["lag"][positive],
        pooled[column][positive],
        ls="none",
        marker="o",
        ms=3.5,
        color=color,
        label=rf"$\rho = {density:g}$",
    )
    return pooled


def _plot_event_panel(ax: Axes, curves: pd.DataFrame, fits: pd.DataFrame) -> None:
    """Time-resolved C(t) per density (smallest short lag) with ``A exp(−t/τ_p) + c`` fits."""
    short = float(curves["short_lag"].min())
    first = curves[np.isclose(curves["short_lag"], short)]
    for k, rho in enumerate(sorted(first["density"].unique())):
        color = f"C{k}"
        pooled = _plot_pooled_points(ax, first[first["density"] == rho], "C", color, rho)
        row = fits[np.isclose(fits["density"], rho)]
        if len(row) and math.isfinite(float(row["tau_p"].iloc[0])):
            r = row.iloc[0]
            t = np.linspace(short, float(pooled["lag"].max()), 100)
            ax.plot(t, r["amplitude"] * np.exp(-t / r["tau_p"]) + r["plateau"], color=color, lw=1.0)
    ax.set_yscale("log")
    ax.set_xlabel(r"$t$ ($\tau_0$)")
    ax.set_ylabel(r"$C(t)$")
    ax.set_title(
        rf"time-resolved: $\sqrt{{D^2_{{min}}}}$ over $\delta s = {short:g}\,\tau_0$", fontsize=9
    )
    ax.legend(fontsize=8, loc="lower left")
    inset = ax.inset_axes((0.62, 0.62, 0.35, 0.33))
    inset.errorbar(fits["density"], fits["tau_p"], yerr=fits["tau_p_err"], fmt="s-", ms=3)
    inset.set_xlabel(r"$\rho$", fontsize=8, labelpad=1)
    inset.set_ylabel(r"$\tau_p$", fontsize=8, labelpad=1)
    inset.tick_params(labelsize=7)
