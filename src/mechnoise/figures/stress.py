"""Figure 4b of the paper: block-stress MSD against time per density, and D_σ(ρ) inset."""

from __future__ import annotations

import logging
import math

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, NullFormatter

from mechnoise.figures.canvas import new_axes
from mechnoise.stats import combine_runs, pool_curves

log = logging.getLogger(__name__)


def plot_fig4b(
    msd: pd.DataFrame, summary: pd.DataFrame, shear_rate: float, ax: Axes | None = None
) -> Figure:
    """Fig. 4b: ``<(Δσ^m)²>(t)`` per density (log–log) with fits; inset ``D_σ(ρ)``.

    Parameters
    ----------
    msd : DataFrame
        ``stress_msd.parquet`` rows of the runs at ``shear_rate``, with extra columns
        ``density`` and ``seed``; seeds are pooled per density (weights = n).
    summary : DataFrame
        ``diffusion_summary.parquet`` rows of every run (columns density, shear_rate, seed,
        D_sigma, D_sigma_err, fit_t_min, fit_t_max).
    shear_rate : float
        The rate of the main panel (1/tau0); the inset shows every rate in ``summary``.

    Returns
    -------
    matplotlib.figure.Figure
        Main panel: MSD points and the fit ``D_σ t`` (solid over the fit window, dotted
        beyond), one colour per density. Inset: ``D_σ`` against density (log scale), one
        series per shear rate (black: ``shear_rate``).

    Raises
    ------
    ValueError
        If ``msd`` or ``summary`` holds no row at ``shear_rate``.
    """
    at_rate = summary[np.isclose(summary["shear_rate"], shear_rate, rtol=1e-9)]
    if msd.empty or at_rate.empty:
        raise ValueError(f"no MSD or summary rows at shear rate {shear_rate}")
    fig, ax = new_axes(ax, (5.5, 4.5))
    densities = sorted(msd["density"].unique())
    colors = [f"C{i}" for i in range(len(densities))]
    for density, color in zip(densities, colors, strict=True):
        curve = pool_curves(msd[np.isclose(msd["density"], density)], "msd")
        curve = curve[curve["msd"] > 0]
        ax.loglog(curve["lag"], curve["msd"], "o", ms=3, color=color, label=f"ρ = {density:g}")
        rows = at_rate[np.isclose(at_rate["density"], density)]
        if rows.empty:
            log.warning("no diffusion summary for density %g at rate %g", density, shear_rate)
            continue
        d_sigma, _ = combine_runs(rows["D_sigma"], rows["D_sigma_err"])
        t_fit = np.geomspace(rows["fit_t_min"].min(), rows["fit_t_max"].max(), 20)
        ax.loglog(t_fit, d_sigma * t_fit, "-", color=color, lw=1.5)
        t_all = np.geomspace(curve["lag"].min(), curve["lag"].max(), 40)
        ax.loglog(t_all, d_sigma * t_all, ":", color=color, lw=0.8)
    low, high = ax.get_ylim()
    ax.set_ylim(low, high * (high / low) ** 0.6)  # head room for the inset
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(r"$t$ ($\tau_0$)")
    ax.set_ylabel(r"$\langle(\Delta\sigma^m_{xy})^2(t)\rangle$ ($\varepsilon^2/\sigma^4$)")
    ax.set_title(rf"$\dot\gamma$ = {shear_rate:g} $\tau_0^{{-1}}$", fontsize=10)
    ax.legend(loc="lower right", fontsize=8, frameon=False)

    inset = ax.inset_axes((0.13, 0.6, 0.34, 0.34))
    rates = sorted(summary["shear_rate"].unique())
    shades = matplotlib.colormaps["viridis"](np.linspace(0.0, 0.85, len(rates)))
    for shade, (rate, g) in zip(shades, summary.groupby("shear_rate", sort=True), strict=True):
        points = [
            (density, *combine_runs(rows["D_sigma"], rows["D_sigma_err"]))
            for density, rows in g.groupby("density", sort=True)
        ]
        x, y, e = (np.array(c) for c in zip(*points, strict=True))
        emph = math.isclose(rate, shear_rate, rel_tol=1e-9)
        inset.errorbar(
            x,
            y,
            yerr=e,
            fmt="s-" if emph else "o--",
            ms=3,
            lw=0.8,
            capsize=2,
            color="k" if emph else shade,
            label=f"{rate:g}",
        )
    inset.set_xlabel(r"$\rho$", fontsize=8)
    inset.set_yscale("log")
    inset.set_ylabel(r"$D_\sigma$", fontsize=8)
    inset.tick_params(labelsize=7)
    inset.xaxis.set_major_locator(MaxNLocator(3))
    inset.legend(
        title=r"$\dot\gamma$",
        fontsize=6,
        title_fontsize=6,
        frameon=False,
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
    )
    return fig
