"""Fig. 3: the Herschel–Bulkley prefactor against the yield stress, MD against HL."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from mechnoise.figures.canvas import density_colors, new_axes


def plot_hl_comparison(
    summary: pd.DataFrame, parametric: pd.DataFrame, ax: Axes | None = None
) -> Figure:
    """Fig. 3: rescaled HB prefactor against rescaled yield stress, with the HL curve.

    Main panel: A / sqrt(G0 <sigma_c^m> tau_p) against sigma_Y / <sigma_c^m> per density and
    the HL parametric line ``parametric`` (``results/hl/parametric_curve.parquet``: corrected
    appendix, columns yield_stress and hb_prefactor). Inset: A against sigma_Y before
    rescaling.
    """
    fig, ax = new_axes(ax, (5.5, 4.2))
    ax.plot(parametric["yield_stress"], parametric["hb_prefactor"], "k-", lw=1, label="HL")
    colors = density_colors(len(summary))
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
    inset = ax.inset_axes((0.62, 0.58, 0.35, 0.38))  # upper right: away from the HL line
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
