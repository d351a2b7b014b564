"""The workflow's figures (paper Figs. 2–5, glass quality), one module per stage.

Every function takes the tables it draws and returns a :class:`matplotlib.figure.Figure`;
none fits, saves or touches pyplot's global state (the workflow scripts save).
"""

from mechnoise.figures.flow import plot_flow_curves, plot_rescaled_flow_curves
from mechnoise.figures.frozen_matrix import plot_fig5b, plot_thresholds
from mechnoise.figures.hl import plot_hl_comparison
from mechnoise.figures.meanfield import plot_meanfield_alphas
from mechnoise.figures.modified_hl import (
    plot_modified_hl_activity,
    plot_modified_hl_distance_distribution,
    plot_modified_hl_stress,
    plot_modified_hl_stress_distribution,
)
from mechnoise.figures.plasticity import plot_fig4a, plot_fig5a
from mechnoise.figures.stress import plot_fig4b
from mechnoise.figures.structure import (
    plot_glass_quality,
    plot_partial_rdf,
    plot_psi6_distribution,
)

__all__ = [
    "plot_fig4a",
    "plot_fig4b",
    "plot_fig5a",
    "plot_fig5b",
    "plot_flow_curves",
    "plot_glass_quality",
    "plot_hl_comparison",
    "plot_modified_hl_activity",
    "plot_modified_hl_distance_distribution",
    "plot_modified_hl_stress",
    "plot_modified_hl_stress_distribution",
    "plot_meanfield_alphas",
    "plot_partial_rdf",
    "plot_psi6_distribution",
    "plot_rescaled_flow_curves",
    "plot_thresholds",
]
