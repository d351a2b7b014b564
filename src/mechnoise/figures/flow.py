"""Flow-curve figures: Fig. 2 (MD flow curves with Herschel–Bulkley fits) and its rescaled form."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from mechnoise.figures.canvas import density_colors, new_axes


def plot_flow_curves(flow: pd.DataFrame, fits: pd.DataFrame, ax: Axes | None = None) -> Figure:
    """Fig. 2: sigma_xy against gamma_dot per density with the n = 1/2 and free-n fits.

    ``flow`` is ``flow_curve.parquet``, ``fits`` is ``hb_fit.parquet``; drawn on ``ax`` if
    given, else on a new figure.
    """
    fig, ax = new_axes(ax, (5.5, 4.2))
    colors = density_colors(flow["density"].nunique())
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


def plot_rescaled_flow_curves(
    flow: pd.DataFrame, summary: pd.DataFrame, prediction: pd.DataFrame, ax: Axes | None = None
) -> Figure:
    """Fig. 2 main panel: sigma/<sigma_c^m> against gamma_dot G0 tau_p / <sigma_c^m>, with the
    modified-HL prediction of each density (lines) and the HB n = 1/2 collapse."""
    fig, ax = new_axes(ax, (5.5, 4.2))
    colors = density_colors(len(summary))
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
