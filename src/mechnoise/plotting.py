"""Figures of the workflow-wide stages (flow curves, HL comparison). Matplotlib, Agg backend."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402


def plot_flow_curves(flow: pd.DataFrame, fits: pd.DataFrame) -> Figure:
    """Fig. 2: sigma_xy against gamma_dot per density with the n = 1/2 and free-n fits."""
    fig, ax = plt.subplots(figsize=(5.5, 4.2), constrained_layout=True)
    colors = plt.get_cmap("viridis")(np.linspace(0, 0.9, flow["density"].nunique()))
    for color, (rho, g) in zip(colors, flow.groupby("density"), strict=False):
        ax.errorbar(
            g["shear_rate"],
            g["stress"],
            yerr=g["stress_err"],
            fmt="o",
            color=color,
            label=f"rho = {rho:g}",
        )
        rates = np.geomspace(g["shear_rate"].min(), g["shear_rate"].max(), 100)
        for mode, style in (("fixed", "--"), ("free", ":")):
            f = fits[(fits["density"] == rho) & (fits["exponent_mode"] == mode)]
            if len(f) and np.isfinite(f["sigma_y"].iloc[0]):
                r = f.iloc[0]
                ax.plot(
                    rates,
                    r["sigma_y"] + r["prefactor"] * rates ** r["exponent"],
                    style,
                    color=color,
                    lw=1,
                )
    ax.set_xscale("log")
    ax.set_xlabel(r"shear rate $\dot\gamma$ ($1/\tau_0$)")
    ax.set_ylabel(r"shear stress $\sigma_{xy}$ ($\epsilon/\sigma^2$)")
    ax.set_title("Flow curves; dashed: HB n = 1/2, dotted: n free", fontsize=9)
    ax.legend(fontsize=8)
    return fig


def plot_hl_comparison(summary: pd.DataFrame) -> Figure:
    """Fig. 3: rescaled HB prefactor against rescaled yield stress, with the HL curve.

    Main panel: A / sqrt(G0 <sigma_c^m> tau_p) against sigma_Y / <sigma_c^m> per density and
    the HL parametric line (corrected appendix, alpha from 0.01 to 0.49). Inset: A against
    sigma_Y before rescaling.
    """
    from mechnoise import hl

    fig, ax = plt.subplots(figsize=(5.5, 4.2), constrained_layout=True)
    curve = hl.parametric_curve(np.linspace(0.01, 0.49, 97))
    ax.plot(curve["yield_stress"], curve["hb_prefactor"], "k-", lw=1, label="HL")
    colors = plt.get_cmap("viridis")(np.linspace(0, 0.9, max(len(summary), 1)))
    for color, (_, row) in zip(colors, summary.iterrows(), strict=False):
        ax.errorbar(
            row["yield_stress_rescaled"],
            row["prefactor_rescaled"],
            xerr=row["yield_stress_rescaled_err"],
            yerr=row["prefactor_rescaled_err"],
            fmt="o",
            color=color,
            label=f"rho = {row['density']:g}",
        )
    ax.set_xlabel(r"$\sigma_Y / \langle\sigma_c^m\rangle$")
    ax.set_ylabel(r"$A / \sqrt{G_0 \langle\sigma_c^m\rangle \tau_p}$")
    ax.legend(fontsize=8, loc="lower left")
    inset = ax.inset_axes([0.62, 0.58, 0.35, 0.38])  # upper right: away from the HL line
    for color, (_, row) in zip(colors, summary.iterrows(), strict=False):
        inset.errorbar(
            row["sigma_y"],
            row["prefactor"],
            xerr=row["sigma_y_err"],
            yerr=row["prefactor_err"],
            fmt="o",
            color=color,
            ms=3,
        )
    inset.set_xlabel(r"$\sigma_Y$", fontsize=7)
    inset.set_ylabel(r"$A$", fontsize=7)
    inset.tick_params(labelsize=6)
    return fig


def plot_rescaled_flow_curves(
    flow: pd.DataFrame, summary: pd.DataFrame, prediction: pd.DataFrame
) -> Figure:
    """Fig. 2 main panel: sigma/<sigma_c^m> against gamma_dot G0 tau_p / <sigma_c^m>, with the
    modified-HL prediction of each density (lines) and the HB n = 1/2 collapse."""
    fig, ax = plt.subplots(figsize=(5.5, 4.2), constrained_layout=True)
    colors = plt.get_cmap("viridis")(np.linspace(0, 0.9, max(len(summary), 1)))
    for color, (_, row) in zip(colors, summary.iterrows(), strict=False):
        g = flow[np.isclose(flow["density"], row["density"])]
        scale_rate = row["G0"] * row["tau_p"] / row["sigma_c"]
        ax.errorbar(
            g["shear_rate"] * scale_rate,
            g["stress"] / row["sigma_c"],
            yerr=g["stress_err"] / row["sigma_c"],
            fmt="o",
            color=color,
            label=f"rho = {row['density']:g}",
        )
        p = prediction[np.isclose(prediction["density"], row["density"])]
        if len(p):
            ax.plot(p["shear_rate"], p["stress"], "-", color=color, lw=1)
    ax.set_xscale("log")
    ax.set_xlabel(r"$\dot\gamma\, G_0 \tau_p / \langle\sigma_c^m\rangle$")
    ax.set_ylabel(r"$\sigma_{xy} / \langle\sigma_c^m\rangle$")
    ax.set_title("MD (points) and modified HL with measured ingredients (lines)", fontsize=8)
    ax.legend(fontsize=8)
    return fig


def report_html(
    summary: pd.DataFrame, flow: pd.DataFrame, fits: pd.DataFrame, figures: list[str]
) -> str:
    """A self-contained HTML report (figures linked by relative path)."""
    import html

    def table(df: pd.DataFrame) -> str:
        return df.to_html(index=False, float_format=lambda v: f"{v:.4g}", border=0)

    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>mechnoise report</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}"
        "table{border-collapse:collapse;font-size:12px}td,th{padding:2px 6px;"
        "border-bottom:1px solid #ddd}img{max-width:540px;margin:4px}</style></head><body>",
        "<h1>mechnoise report</h1>",
        "<p>LJ reduced units: stress eps/sigma^2, time tau0, rate 1/tau0. sigma_xy = -p_xy. "
        "alpha_micro = D_sigma/(&lt;Delta sigma^m&gt;^2 Gamma) with D_sigma = MSD/t (paper "
        "Eq. 8); alpha_micro_dhl uses the HL equation's D = MSD/(2t).</p>",
        "<h2>Table 1: per-density summary</h2>",
        table(summary.T.reset_index().rename(columns={"index": "quantity"})),
        "<h2>Flow curves</h2>",
        table(flow),
        "<h2>Herschel-Bulkley fits</h2>",
        table(fits),
        "<h2>Figures</h2>",
    ]
    for f in figures:
        parts.append(
            f"<figure><img src='{html.escape(f)}'><figcaption>{html.escape(f)}"
            "</figcaption></figure>"
        )
    parts.append("</body></html>")
    return "\n".join(parts)
