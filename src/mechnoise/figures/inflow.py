"""In-flow thresholds and drops beside the frozen-matrix ones, the block-size scan, and the
noise and couplings α per block width."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from mechnoise.figures.canvas import density_colors

__all__ = ["plot_block_width_scan", "plot_inflow_thresholds", "plot_width_alphas"]


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


#: α per block width -> (legend label, marker) of :func:`plot_width_alphas`.
WIDTH_ALPHA_LABELS = {
    "alpha_kappa_flow": (r"$\alpha_\kappa$ (in-flow $\sigma_c(W)$)", "o"),
    "alpha_micro_flow": (r"$\alpha_{micro}$ (in-flow $\langle\Delta\sigma\rangle(W)$)", "^"),
    "alpha_kappa_noise": (r"$\alpha_\kappa$ (frozen $\sigma_c$, its W)", "*"),
}


def plot_width_alphas(alphas: pd.DataFrame, summary: pd.DataFrame | None = None) -> Figure:
    """``D_noise`` (and ``D_all``) and every α against the block side, one colour per density.

    Parameters
    ----------
    alphas : DataFrame
        Per density and W (seeds combined, :func:`mechnoise.hl.width_scan.combine_seeds`):
        density, W, block_side, D_noise, D_all, alpha_kappa_flow, alpha_micro_flow,
        alpha_kappa_noise, each with ``_err``.
    summary : DataFrame, optional
        Table 1 (density, alpha_flow, alpha_flow_err): α_flow as a dashed line per density,
        the value HL needs.

    Returns
    -------
    Figure
        Left: D_noise (filled) and D_all (open) against the block side; right: the α's,
        with α_flow dashed (both log scales). NaN points (no data on that grid) are not drawn.
    """
    fig = Figure(figsize=(8.0, 3.6), layout="constrained")
    ax_d, ax_a = fig.subplots(1, 2, sharex=True)
    densities = sorted(alphas["density"].unique())
    drawn = False
    for rho, c in zip(densities, density_colors(len(densities)), strict=True):
        d = alphas[np.isclose(alphas["density"], rho)].sort_values("block_side")
        x = d["block_side"].to_numpy(float)
        ax_d.errorbar(x, d["D_noise"], yerr=d["D_noise_err"], color=c, marker="o", capsize=2,
                      label=f"rho {rho:g}")  # fmt: skip
        ax_d.errorbar(x, d["D_all"], yerr=d["D_all_err"], color=c, marker="o", mfc="none",
                      ls=":", capsize=2)  # fmt: skip
        for key, (_, marker) in WIDTH_ALPHA_LABELS.items():
            y = d[key].to_numpy(float)
            ok = np.isfinite(y) & (y > 0)
            if ok.any():
                drawn = True
                ax_a.errorbar(x[ok], y[ok], yerr=d[f"{key}_err"].to_numpy(float)[ok], color=c,
                              marker=marker, ms=8 if marker == "*" else 5, capsize=2,
                              ls="-" if ok.sum() > 1 else "none")  # fmt: skip
        if summary is not None and "alpha_flow" in summary:
            flow = summary[np.isclose(summary["density"], rho)]["alpha_flow"]
            if len(flow) and np.isfinite(flow.iloc[0]):
                ax_a.axhline(float(flow.iloc[0]), color=c, ls="--", lw=1)
    for label, marker in WIDTH_ALPHA_LABELS.values():
        ax_a.plot([], [], color="0.4", marker=marker, ls="none", label=label)
    ax_a.plot([], [], color="0.4", ls="--", label=r"$\alpha_{flow}$ (HB fit)")
    ax_d.set(xlabel=r"block side ($\sigma$)", ylabel=r"$D$ ($\epsilon^2/\sigma^4/\tau_0$)",
             title=r"$D_{noise}$ (filled), $D_{all}$ (open)")  # fmt: skip
    ax_a.set(xlabel=r"block side ($\sigma$)", ylabel=r"$\alpha$")
    if drawn:
        ax_a.set_yscale("log")
    if (alphas["D_noise"] > 0).any() or (alphas["D_all"] > 0).any():
        ax_d.set_yscale("log")
    ax_d.legend(fontsize=7)
    ax_a.legend(fontsize=7)
    return fig
