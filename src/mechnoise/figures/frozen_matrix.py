"""Figure 5b of the paper: distributions of the local yield stress per density."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np
import pandas as pd
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
    Main panel: normalized histograms of ``σ_c^m`` over yielded blocks, lines are the fitted
    Gaussians. Left inset: ``<σ_c^m>`` and its standard deviation ``δσ_c^m`` vs density. Right
    inset: ``<Δσ^m>`` and ``<Δσ^m>/<σ_c^m>`` vs density (with the ratio re-analysed at half and
    twice the drop factor as a band). The fraction of blocks that never yielded is in the
    legend: they are not in the histograms.
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
        if len(row) and np.isfinite(row["gauss_mu"].iloc[0]):
            mu, sig = float(row["gauss_mu"].iloc[0]), float(row["gauss_sigma"].iloc[0])
            x = np.linspace(mu - 4 * sig, mu + 4 * sig, 200)
            ax.plot(
                x, np.exp(-0.5 * ((x - mu) / sig) ** 2) / (np.sqrt(2 * np.pi) * sig), color=color
            )
    ax.set_xlabel(r"$\sigma_c^m$ ($\epsilon/\sigma^2$)")
    ax.set_ylabel(r"$P(\sigma_c^m)$")
    ax.legend(fontsize=7, loc="upper right")
    ax.set_ylim(bottom=0)

    rho = summ["density"].to_numpy()
    left.errorbar(
        rho,
        summ["sigma_c_mean"],
        summ["sigma_c_mean_err"],
        fmt="o-",
        ms=3,
        label=r"$\langle\sigma_c^m\rangle$",
    )
    left.plot(rho, summ["sigma_c_std"], "s--", ms=3, label=r"$\delta\sigma_c^m$")
    left.set_xlabel(r"$\rho$", fontsize=7)
    left.tick_params(labelsize=6)
    left.legend(fontsize=6)
    right.errorbar(
        rho,
        summ["sigma_drop_mean"],
        summ["sigma_drop_mean_err"],
        fmt="o-",
        ms=3,
        label=r"$\langle\Delta\sigma^m\rangle$",
    )
    right.errorbar(
        rho,
        summ["drop_ratio"],
        summ["drop_ratio_err"],
        fmt="^-",
        ms=3,
        label=r"$\langle\Delta\sigma^m\rangle/\langle\sigma_c^m\rangle$",
    )
    lo = np.minimum(summ["drop_ratio_half_factor"], summ["drop_ratio_double_factor"])
    hi = np.maximum(summ["drop_ratio_half_factor"], summ["drop_ratio_double_factor"])
    right.fill_between(rho, lo, hi, alpha=0.2, color="C1")
    right.axhline(0.2, color="gray", ls=":", lw=0.8)
    right.set_xlabel(r"$\rho$", fontsize=7)
    right.tick_params(labelsize=6)
    right.legend(fontsize=6)
    return fig
