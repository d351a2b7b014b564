"""Figure 5b of the paper (local yield stress distributions per density) and the distances to
threshold before and after a block's first event (``fig5c_thresholds``)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from mechnoise.figures.canvas import density_colors

log = logging.getLogger(__name__)


def plot_fig5b(
    local: Mapping[float, pd.DataFrame],
    summary: pd.DataFrame,
    *,
    direction: int = 1,
) -> Figure:
    """Plot P(σ_c^m) per density with Gaussian fits, and two insets (paper Fig. 5b).

    Parameters
    ----------
    local : mapping density -> DataFrame
        ``local_yield.parquet`` of each density.
    summary : DataFrame
        The ``yield_summary.parquet`` rows of every density.
    direction : int
        Loading direction shown (1 = +xy).

    Returns
    -------
    matplotlib.figure.Figure
        Three panels (a grid of its own, so no ``ax`` argument).

    Notes
    -----
    The paper's two insets are drawn as side panels so that they never hide a histogram.
    Main panel: normalized histograms of ``σ_c^m`` over yielded blocks; lines are Gaussians
    with the censored (Kaplan–Meier) mean and spread, the estimate that enters the
    rescalings; blocks that never yielded by the strain cap are marked by ticks at their
    largest stress (lower bounds of their ``σ_c^m``) and their fraction is in the legend.
    Left inset: ``<σ_c^m>`` (Kaplan–Meier, filled; yielded blocks only, open) and the spread
    ``δσ_c^m`` vs density. Right inset: ``<Δσ^m>`` and ``<Δσ^m>/<σ_c^m>`` vs density (with
    the ratio re-analysed at half and twice the drop factor as a band). Error bars are
    bootstrap errors over blocks.
    """
    fig = Figure(figsize=(8.0, 4.8), layout="constrained")
    grid = fig.add_gridspec(2, 2, width_ratios=(2.2, 1.0))
    ax = fig.add_subplot(grid[:, 0])
    left = fig.add_subplot(grid[0, 1])
    right = fig.add_subplot(grid[1, 1])
    colors = density_colors(len(local))
    summ = summary[summary["direction"] == direction].sort_values("density")
    for color, (rho, table) in zip(colors, sorted(local.items()), strict=True):
        t = table[(table["direction"] == direction) & table["yielded"]]
        row = summ[np.isclose(summ["density"], rho)]
        never = float(row["fraction_never_yielded"].iloc[0]) if len(row) else np.nan
        label = f"ρ = {rho:g} (never yielded: {never:.0%})"
        if len(t) > 1:
            ax.hist(
                t["sigma_c"], bins="auto", density=True, histtype="step", color=color, label=label
            )
        censored = table[(table["direction"] == direction) & ~table["yielded"]]
        if len(censored):
            ax.plot(
                censored["stress_max"],
                np.zeros(len(censored)),
                "|",
                color=color,
                ms=14,
                mew=1.5,
                clip_on=False,
            )
        if len(row) and np.isfinite(row["sigma_c_km"].iloc[0]):
            mu, sig = float(row["sigma_c_km"].iloc[0]), float(row["sigma_c_km_std"].iloc[0])
            if sig > 0:
                x = np.linspace(mu - 4 * sig, mu + 4 * sig, 200)
                y = np.exp(-0.5 * ((x - mu) / sig) ** 2) / (np.sqrt(2 * np.pi) * sig)
                ax.plot(x, y, color=color)
    ax.plot([], [], "|", color="gray", ms=10, label="never yielded: largest stress reached")
    ax.set_xlabel(r"$\sigma_c^m$ ($\epsilon/\sigma^2$)")
    ax.set_ylabel(r"$P(\sigma_c^m)$")
    ax.legend(fontsize=7, loc="upper right")
    ax.set_ylim(bottom=0)

    rho = summ["density"].to_numpy()

    def bars(axis: Axes, column: str, fmt: str, label: str, **style: Any) -> None:
        """``column`` of the summary against density, with its ``_err`` column as bars."""
        axis.errorbar(rho, summ[column], summ[f"{column}_err"], fmt=fmt, ms=3, label=label, **style)

    bars(left, "sigma_c_km", "o-", r"$\langle\sigma_c^m\rangle$ (censored)")
    bars(left, "sigma_c_mean", "o:", "yielded only", mfc="none", color="C0")
    bars(left, "sigma_c_km_std", "s--", r"$\delta\sigma_c^m$")
    left.set_xlabel(r"$\rho$", fontsize=7)
    left.tick_params(labelsize=6)
    left.legend(fontsize=6)
    bars(right, "sigma_drop_mean", "o-", r"$\langle\Delta\sigma^m\rangle$")
    bars(
        right,
        "drop_ratio",
        "^-",
        r"$\langle\Delta\sigma^m\rangle/\langle\sigma_c^m\rangle$",
    )
    lo = np.minimum(summ["drop_ratio_half_factor"], summ["drop_ratio_double_factor"])
    hi = np.maximum(summ["drop_ratio_half_factor"], summ["drop_ratio_double_factor"])
    right.fill_between(rho, lo, hi, alpha=0.2, color="C1")
    right.axhline(0.2, color="gray", ls=":", lw=0.8)
    right.set_xlabel(r"$\rho$", fontsize=7)
    right.tick_params(labelsize=6)
    right.legend(fontsize=6)
    return fig


#: Panels of :func:`plot_thresholds`: column of ``local_yield.parquet`` -> axis label.
THRESHOLD_PANELS: dict[str, str] = {
    "sigma_c": r"$\sigma_c^m$",
    "sigma_drop": r"$\Delta\sigma^m$",
    "x": r"$x = \sigma_c^m - \sigma^m$",
    "x_post": r"$x_{post} = \sigma_c^{(2)} - (\sigma_c^m - \Delta\sigma^m)$",
}


def plot_thresholds(
    local: Mapping[float, pd.DataFrame],
    *,
    direction: int = 1,
) -> Figure:
    """Distributions of ``σ_c^m``, ``Δσ^m``, ``x`` and ``x_post`` per density (one panel each).

    ``x = σ_c^m - σ^m`` is the distance to threshold a block starts from (its snapshot
    stress ``σ^m``), ``x_post`` the renewed distance after its first event (blocks that
    yielded twice); the number of blocks entering each histogram is in the legend.

    Parameters
    ----------
    local : mapping density -> DataFrame
        ``local_yield.parquet`` of each density.
    direction : int
        Loading direction shown (1 = +xy).

    Returns
    -------
    matplotlib.figure.Figure
        Four panels (a grid of its own, so no ``ax`` argument).
    """
    fig = Figure(figsize=(8.0, 6.0), layout="constrained")
    axes = fig.subplots(2, 2)
    colors = density_colors(len(local))
    for ax, (column, label) in zip(axes.ravel(), THRESHOLD_PANELS.items(), strict=True):
        for color, (rho, table) in zip(colors, sorted(local.items()), strict=True):
            values = table.loc[table["direction"] == direction, column].to_numpy(dtype=float)
            values = values[np.isfinite(values)]
            if len(values) > 1:
                ax.hist(
                    values,
                    bins="auto",
                    density=True,
                    histtype="step",
                    color=color,
                    label=f"ρ = {rho:g} ({len(values)} blocks)",
                )
        ax.set_xlabel(label + r" ($\epsilon/\sigma^2$)")
        ax.set_ylabel("probability density")
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=6)
    return fig
