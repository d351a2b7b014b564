"""The one way every figure gets its canvas: no pyplot, no global state."""

from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["density_colors", "new_axes"]


def new_axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """Return ``(figure, axes)``: the caller's axes and its figure, or a new figure of
    ``figsize`` (inches, constrained layout) with one axes.

    Examples
    --------
    >>> fig, ax = new_axes(None, (3.0, 2.0))
    >>> new_axes(ax, (9.0, 9.0))[0] is fig
    True
    """
    if ax is not None:
        fig = ax.get_figure()
        if not isinstance(fig, Figure):
            raise ValueError("the axes given belong to no figure")
        return fig, ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def density_colors(n: int) -> np.ndarray:
    """``n`` colours of the viridis map, one per density (RGBA rows)."""
    return np.asarray(matplotlib.colormaps["viridis"](np.linspace(0.0, 0.9, max(n, 1))))
