"""Modified-HL prediction against the MD (issue 20): ⟨σ⟩, P(σ), P(x) and Γ, one figure each."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from mechnoise.figures.canvas import density_colors, new_axes

_STYLE = {"frozen_matrix": "-", "in_flow": "--"}


def _md_against_model(
    ax: Axes, prediction: pd.DataFrame, md: str, model: str, md_label: str, band: bool
) -> None:
    """MD points ``md`` (with ``md_err``) and one model line ``model`` per ingredient set
    against the MD shear rate, one colour per density; with ``band`` the 16–84 % bootstrap
    band ``model_lo``–``model_hi``."""
    colors = density_colors(prediction["density"].nunique())
    for color, (rho, g) in zip(colors, prediction.groupby("density"), strict=False):
        points = g.drop_duplicates("shear_rate_md")
        ax.errorbar(
            points["shear_rate_md"],
            points[md],
            yerr=points[f"{md}_err"],
            fmt="o",
            color=color,
            label=f"{md_label} rho = {rho:g}",
        )
        for name, h in g.groupby("ingredients"):
            ax.plot(
                h["shear_rate_md"],
                h[model],
                _STYLE.get(str(name), ":"),
                color=color,
                label=f"model, {name}",
            )
            if band:
                ax.fill_between(
                    h["shear_rate_md"],
                    h[f"{model}_lo"],
                    h[f"{model}_hi"],
                    color=color,
                    alpha=0.2,
                    lw=0,
                )


def plot_modified_hl_stress(prediction: pd.DataFrame, ax: Axes | None = None) -> Figure:
    """Predicted ⟨σ⟩ (lines, 16–84 % bootstrap band) and MD ⟨σ⟩ (points) against γ̇.

    ``prediction`` is ``results/hl/modified_vs_md.parquet``.
    """
    fig, ax = new_axes(ax, (5.5, 4.2))
    _md_against_model(ax, prediction, "stress_md", "stress_pred", "MD", band=True)
    ax.set_xscale("log")
    ax.set_xlabel(r"shear rate $\dot\gamma$ ($1/\tau_0$)")
    ax.set_ylabel(r"$\langle\sigma_{xy}\rangle$ ($\epsilon/\sigma^2$)")
    ax.set_title("Modified HL from measured ingredients (lines, no fit) vs MD", fontsize=8)
    ax.legend(fontsize=6)
    return fig


def _plot_distribution(
    distributions: pd.DataFrame, quantity: str, xlabel: str, md_label: str, ax: Axes | None
) -> Figure:
    fig, ax = new_axes(ax, (5.5, 4.2))
    d = distributions[distributions["quantity"] == quantity]
    colors = density_colors(d["density"].nunique())
    for color, (rho, g) in zip(colors, d.groupby("density"), strict=False):
        first = g[g["ingredients"] == g["ingredients"].iloc[0]]
        ax.plot(
            first["value"], first["md"], "o", ms=3, color=color, label=f"{md_label}, rho = {rho:g}"
        )
        for name, h in g.groupby("ingredients"):
            ax.plot(
                h["value"],
                h["model"],
                _STYLE.get(str(name), ":"),
                color=color,
                label=f"model, {name}",
            )
    ax.set_xlabel(xlabel)
    ax.set_ylabel("probability density")
    ax.legend(fontsize=6)
    return fig


def plot_modified_hl_stress_distribution(
    distributions: pd.DataFrame, ax: Axes | None = None
) -> Figure:
    """Model P(σ) at the lowest rate (lines) against the MD block-stress histogram (points)."""
    fig = _plot_distribution(
        distributions, "stress", r"local stress $\sigma$ ($\epsilon/\sigma^2$)", "MD blocks", ax
    )
    fig.axes[0].set_title("P(sigma), lowest rate", fontsize=8)
    return fig


def plot_modified_hl_distance_distribution(
    distributions: pd.DataFrame, ax: Axes | None = None
) -> Figure:
    """Model P(x), x = s − σ, at the lowest rate against the frozen-matrix x (points)."""
    fig = _plot_distribution(
        distributions,
        "distance",
        r"distance to threshold $x$ ($\epsilon/\sigma^2$)",
        "frozen matrix",
        ax,
    )
    fig.axes[0].set_title("P(x), lowest rate", fontsize=8)
    return fig


def plot_modified_hl_activity(prediction: pd.DataFrame, ax: Axes | None = None) -> Figure:
    """Predicted yield rate Γ (lines) against the counted event onsets per block (points)."""
    fig, ax = new_axes(ax, (5.5, 4.2))
    _md_against_model(ax, prediction, "activity_md", "activity_pred", "onsets", band=False)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"shear rate $\dot\gamma$ ($1/\tau_0$)")
    ax.set_ylabel(r"$\Gamma$ per block ($1/\tau_0$)")
    ax.set_title("Predicted yield rate vs counted onsets", fontsize=8)
    ax.legend(fontsize=6)
    return fig
