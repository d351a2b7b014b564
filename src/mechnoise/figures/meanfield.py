"""Mean-field test figure: α_flow and every measured α against density, with error bars."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from mechnoise.figures.canvas import new_axes

#: Table-1 column -> legend label of every α drawn (α_flow first).
ALPHA_LABELS = {
    "alpha_flow": r"$\alpha_{flow}$ (HB fit)",
    "alpha_flow_inflow": r"$\alpha_{flow}$ (HB fit, in-flow $\sigma_c$)",
    "alpha_kappa_noise": r"$\alpha_\kappa$ ($D_{noise}$, frozen $\sigma_c$): HL test",
    "alpha_kappa_flow": r"$\alpha_\kappa$ ($D_{noise}$, in-flow $\sigma_c$)",
    "alpha_kappa_drift": r"$\alpha_\kappa$ ($D_{noise}$, frozen $\sigma_c$, net loading)",
    "alpha_micro_noise": r"$\alpha_{micro}$ ($\langle\Delta\sigma\rangle^2$)",
    "alpha_micro_sq": r"$\alpha_{micro}$ ($\langle\Delta\sigma^2\rangle$)",
    "alpha_bal": r"$\alpha_{bal}$ (strain balance)",
}


def plot_meanfield_alphas(summary: pd.DataFrame, ax: Axes | None = None) -> Figure:
    """Every α of Table 1 (``summary.parquet``) against density, with its error bar.

    Columns that are absent or all NaN are skipped; points are shifted slightly in density so
    that the error bars do not overlap.
    """
    fig, ax = new_axes(ax, (5.5, 4.2))
    present = [c for c in ALPHA_LABELS if c in summary and summary[c].notna().any()]
    rho = summary["density"].to_numpy(float)
    spread = 0.004 * (np.ptp(rho) if rho.size > 1 and np.ptp(rho) > 0 else 1.0)
    for k, col in enumerate(present):
        shift = (k - (len(present) - 1) / 2) * spread
        err = summary.get(f"{col}_err", pd.Series(np.nan, index=summary.index))
        ax.errorbar(
            rho + shift,
            summary[col],
            yerr=err.to_numpy(float),
            fmt={"alpha_flow": "s-", "alpha_flow_inflow": "s--"}.get(col, "o"),
            ms=5,
            capsize=2,
            label=ALPHA_LABELS[col],
            color={"alpha_flow": "k", "alpha_flow_inflow": "0.45"}.get(col),
        )
    ax.axhline(0.5, color="0.6", lw=0.8, ls=":")
    ax.set_xlabel(r"density $\rho$")
    ax.set_ylabel(r"$\alpha$")
    ax.set_yscale("log")
    ax.set_title("Does the mean-field picture hold?", fontsize=10)
    if present:
        ax.legend(fontsize=7, loc="best")
    return fig
