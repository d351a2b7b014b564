"""Figures 4a and 5a of the paper: stress and N_pl against strain; C_p(t) per density."""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from mechnoise.figures.canvas import new_axes
from mechnoise.plasticity.event_duration import pool_autocorrelations

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


def plot_fig5a(curves: pd.DataFrame, fits: pd.DataFrame, ax: Axes | None = None) -> Figure:
    """Fig. 5a: C_p(t) per density with ``exp(−t/τ_p)`` fits; inset τ_p against density.

    Parameters
    ----------
    curves : DataFrame
        ``d2min_autocorr.parquet`` rows of the runs to show (one shear rate), with an extra
        column ``density``; seeds are pooled per density
        (:func:`mechnoise.plasticity.event_duration.pool_autocorrelations`).
    fits : DataFrame
        Columns density, tau_p, tau_p_err
        (:func:`mechnoise.plasticity.event_duration.decay_times_by_density`).
    ax : Axes, optional
        Where to draw (default: a new figure).

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
    fig, ax = new_axes(ax, (5.0, 3.8))
    densities = sorted(curves["density"].unique())
    for k, rho in enumerate(densities):
        color = f"C{k}"
        pooled = pool_autocorrelations(curves[curves["density"] == rho])
        positive = pooled["C_p"] > 0
        ax.plot(
            pooled["lag"][positive],
            pooled["C_p"][positive],
            ls="none",
            marker="o",
            ms=3.5,
            color=color,
            label=rf"$\rho = {rho:g}$",
        )
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
