"""Glass-quality figure: partial g(r) per density and the distribution of local |ψ6|."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from mechnoise.figures.canvas import density_colors, new_axes

__all__ = ["plot_glass_quality", "plot_partial_rdf", "plot_psi6_distribution"]

#: Histogram bins of |ψ6| over [0, 1].
PSI6_BINS = 40

_PAIR_LABELS = {"AA": r"$g_{AA}(r)$", "AB": r"$g_{AB}(r)$", "BB": r"$g_{BB}(r)$", "all": "$g(r)$"}


def _density_label(density: float, quality: pd.DataFrame | None) -> str:
    label = rf"$\rho$ = {density:g}"
    if quality is not None:
        rows = quality[np.isclose(quality["density"], density)]
        if rows["crystallised"].astype(bool).any():
            label += " (crystallised)"
    return label


def plot_partial_rdf(
    rdf: pd.DataFrame, pair: str, quality: pd.DataFrame | None = None, ax: Axes | None = None
) -> Figure:
    """One partial g_ab(r) per density, averaged over seeds.

    Parameters
    ----------
    rdf : DataFrame
        ``rdf.parquet`` tables (:data:`mechnoise.structure.RDF_COLUMNS`), any densities and
        seeds.
    pair : str
        ``AA``, ``AB``, ``BB`` or ``all``.
    quality : DataFrame, optional
        ``glass_quality.parquet``; crystallised densities are marked in the legend.
    ax : matplotlib Axes, optional
        Axes to draw on (default: a new figure).

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding ``ax``.

    Raises
    ------
    ValueError
        If the table has no row for ``pair``.
    """
    rows = rdf[rdf["pair"] == pair]
    if rows.empty:
        raise ValueError(f"rdf has no rows for pair {pair!r}")
    fig, ax = new_axes(ax, (4.5, 3.4))
    groups = list(rows.groupby("density", sort=True))
    for (density, df), color in zip(groups, density_colors(len(groups)), strict=True):
        mean = df.groupby("r", sort=True)["g"].mean()
        label = _density_label(float(density), quality)
        ax.plot(mean.index, mean.to_numpy(), lw=1.0, color=color, label=label)
    ax.axhline(1.0, color="0.6", lw=0.6, ls=":")
    ax.set_xlabel(r"$r$ ($\sigma$)")
    ax.set_ylabel(_PAIR_LABELS.get(pair, pair))
    ax.set_xlim(left=0.0)
    return fig


def plot_psi6_distribution(
    local_order: pd.DataFrame,
    quality: pd.DataFrame | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Probability density of the local hexatic order |ψ6| per density (seeds pooled).

    Parameters
    ----------
    local_order : DataFrame
        ``structure.parquet`` tables (:data:`mechnoise.structure.LOCAL_ORDER_COLUMNS`).
    quality : DataFrame, optional
        ``glass_quality.parquet``: its ``psi6_threshold`` is drawn as a vertical line and
        crystallised densities are marked in the legend.
    ax : matplotlib Axes, optional
        Axes to draw on (default: a new figure).

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding ``ax``.

    Raises
    ------
    ValueError
        If the table is empty.
    """
    if local_order.empty:
        raise ValueError("local_order has no rows")
    fig, ax = new_axes(ax, (4.5, 3.4))
    edges = np.linspace(0.0, 1.0, PSI6_BINS + 1)
    centres = 0.5 * (edges[1:] + edges[:-1])
    groups = list(local_order.groupby("density", sort=True))
    for (density, df), color in zip(groups, density_colors(len(groups)), strict=True):
        pdf, _ = np.histogram(df["psi6"].to_numpy(), bins=edges, density=True)
        label = _density_label(float(density), quality)
        ax.plot(centres, pdf, lw=1.0, color=color, label=label)
    if quality is not None and not quality.empty:
        ax.axvline(float(quality["psi6_threshold"].iloc[0]), color="0.4", lw=0.8, ls="--")
    ax.set_xlabel(r"local hexatic order $|\psi_6|$")
    ax.set_ylabel(r"$P(|\psi_6|)$")
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(bottom=0.0)
    return fig


def plot_glass_quality(
    rdf: pd.DataFrame, local_order: pd.DataFrame, quality: pd.DataFrame
) -> Figure:
    """Four panels: g_AA, g_AB, g_BB per density and P(|ψ6|) with the order threshold.

    Parameters
    ----------
    rdf, local_order, quality : DataFrame
        ``rdf.parquet`` and ``structure.parquet`` of every glass, ``glass_quality.parquet``.

    Returns
    -------
    matplotlib.figure.Figure
        The title names how many glasses are flagged ``crystallised``, in red if any.
    """
    fig = Figure(figsize=(9.0, 6.4), layout="constrained")
    axes = fig.subplots(2, 2)
    for pair, ax in zip(("AA", "AB", "BB"), axes.flat, strict=False):
        plot_partial_rdf(rdf, pair, quality, ax=ax)
    plot_psi6_distribution(local_order, quality, ax=axes[1, 1])
    axes[0, 0].legend(fontsize=7)
    n_flagged = int(quality["crystallised"].astype(bool).sum())
    title = (
        "glass quality after the quench"
        if n_flagged == 0
        else f"glass quality: {n_flagged} glass(es) CRYSTALLISED (see report)"
    )
    fig.suptitle(title, fontsize=10, color="k" if n_flagged == 0 else "tab:red")
    return fig
