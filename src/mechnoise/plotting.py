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
    for color, (rho, g) in zip(colors, flow.groupby("density")):
        ax.errorbar(g["shear_rate"], g["stress"], yerr=g["stress_err"], fmt="o", color=color,
                    label=f"rho = {rho:g}")
        rates = np.geomspace(g["shear_rate"].min(), g["shear_rate"].max(), 100)
        for mode, style in (("fixed", "--"), ("free", ":")):
            f = fits[(fits["density"] == rho) & (fits["exponent_mode"] == mode)]
            if len(f) and np.isfinite(f["sigma_y"].iloc[0]):
                r = f.iloc[0]
                ax.plot(rates, r["sigma_y"] + r["prefactor"] * rates ** r["exponent"], style,
                        color=color, lw=1)
    ax.set_xscale("log")
    ax.set_xlabel(r"shear rate $\dot\gamma$ ($1/\tau_0$)")
    ax.set_ylabel(r"shear stress $\sigma_{xy}$ ($\epsilon/\sigma^2$)")
    ax.set_title("Flow curves; dashed: HB n = 1/2, dotted: n free", fontsize=9)
    ax.legend(fontsize=8)
    return fig
