"""In-flow thresholds and drops beside the frozen-matrix ones, and the block-size scan."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from mechnoise.figures.canvas import density_colors

__all__ = ["plot_block_width_scan", "plot_inflow_thresholds"]


def _hist(ax, values: np.ndarray, color, style: str, label: str) -> None:  # type: ignore[no-untyped-def]
    v = values[np.isfinite(values)]
    if v.size:
        ax.hist(v, bins=min(20, max(5, v.size // 3)), density=True, histtype="step",
                color=color, linestyle=style, label=f"{label} (n={v.size})")  # fmt: skip


def plot_inflow_thresholds(
    onsets: pd.DataFrame, local_yield: pd.DataFrame, profiles: pd.DataFrame
) -> Figure:
    """Distributions of σ at onset and drop (in flow, solid) beside σ_c^m and Δσ^m (frozen
    matrix, dashed) per density, and the onset-triggered profile of the centroid block.

    Parameters
    ----------
    onsets : DataFrame
        ``onset_stress.parquet`` rows (persistent ones are drawn) with a ``density`` column.
    local_yield : DataFrame
        ``local_yield.parquet`` rows with a ``density`` column (direction +1 is drawn).
    profiles : DataFrame
        ``onset_profile.parquet`` rows with ``density`` (and ``seed``) columns.

    Returns
    -------
    Figure
        Three panels: thresholds, drops, triggered profile.
    """
    fig = Figure(figsize=(12.0, 3.8), layout="constrained")
    ax_s, ax_d, ax_p = fig.subplots(1, 3)
    densities = sorted(set(onsets["density"]) | set(local_yield["density"]))
    colors = density_colors(len(densities))
    on = onsets[onsets["persistent"].astype(bool)]
    frozen = local_yield[local_yield["direction"] == 1]
    for rho, c in zip(densities, colors, strict=True):
        o = on[np.isclose(on["density"], rho)]
        f = frozen[np.isclose(frozen["density"], rho)]
        _hist(ax_s, o["sigma_onset"].to_numpy(np.float64), c, "-", f"flow {rho:g}")
        _hist(ax_s, f["sigma_c"].to_numpy(np.float64), c, "--", f"frozen {rho:g}")
        _hist(ax_d, o["stress_drop"].to_numpy(np.float64), c, "-", f"flow {rho:g}")
        _hist(ax_d, f["sigma_drop"].to_numpy(np.float64), c, "--", f"frozen {rho:g}")
        p = profiles[np.isclose(profiles["density"], rho)]
        if not p.empty:
            g = p.groupby("tau")
            mean = g.apply(lambda d: np.average(d["centroid"], weights=d["n_onsets"]))
            near = g.apply(lambda d: np.average(d["neighbours"], weights=d["n_onsets"]))
            ax_p.plot(mean.index, mean.to_numpy(), color=c, label=f"centroid {rho:g}")
            ax_p.plot(near.index, near.to_numpy(), color=c, linestyle=":")
    ax_s.set(xlabel=r"block stress at onset / $\sigma_c^m$ ($\epsilon/\sigma^2$)", ylabel="pdf")
    ax_d.set(xlabel=r"drop across the event / $\Delta\sigma^m$ ($\epsilon/\sigma^2$)", ylabel="pdf")
    ax_p.set(xlabel=r"$t - t_0$ ($\tau_0$)",
             ylabel=r"excess stress $- $ value at $t_0$ ($\epsilon/\sigma^2$)")  # fmt: skip
    ax_p.axvline(0.0, color="0.6", linewidth=0.8)
    for ax in (ax_s, ax_d, ax_p):
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=6)
    ax_s.set_title("solid: in flow (persistent onsets); dashed: frozen matrix", fontsize=8)
    ax_p.set_title("onset-triggered average (dotted: 4 neighbours)", fontsize=8)
    return fig


def plot_block_width_scan(scan: pd.DataFrame) -> Figure:
    """D, Γ and ``sigma_c_flow`` against the block width W, one line per density.

    Parameters
    ----------
    scan : DataFrame
        ``results/block_width_scan.parquet`` (density, W, D_sigma, Gamma, sigma_c_flow and
        their ``_err``).

    Returns
    -------
    Figure
        Three panels sharing the W axis.
    """
    fig = Figure(figsize=(12.0, 3.6), layout="constrained")
    axes = fig.subplots(1, 3, sharex=True)
    densities = sorted(scan["density"].unique())
    for rho, c in zip(densities, density_colors(len(densities)), strict=True):
        d = scan[np.isclose(scan["density"], rho)].sort_values("W")
        for ax, key in zip(axes, ("D_sigma", "Gamma", "sigma_c_flow"), strict=True):
            ax.errorbar(d["W"], d[key], yerr=d[f"{key}_err"], color=c, marker="o",
                        capsize=2, label=f"rho {rho:g}")  # fmt: skip
    axes[0].set(xlabel=r"W ($\sigma$)", ylabel=r"$D_\sigma$ ($\epsilon^2/\sigma^4/\tau_0$)")
    axes[1].set(xlabel=r"W ($\sigma$)", ylabel=r"$\Gamma$ ($1/\tau_0$)")
    axes[2].set(xlabel=r"W ($\sigma$)", ylabel=r"$\sigma_c^{flow}$ ($\epsilon/\sigma^2$)")
    axes[0].legend(fontsize=7)
    return fig
