"""Tables the workflow writes from the HL model (columns: dtype, unit, description)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from mechnoise import columns
from mechnoise._typing import FloatArray
from mechnoise.hl.stationary import stationary_flow_curve

#: Couplings spanning the whole yield-stress range 0 < α < ½ for the line of Fig. 3.
PARAMETRIC_ALPHAS: FloatArray = np.linspace(0.005, 0.495, 99)

#: Columns of ``results/hl/parametric_curve.parquet``.
PARAMETRIC_CURVE_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("hl.parametric_curve")

#: Columns of ``results/hl/flow_curves.parquet``.
FLOW_CURVE_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("hl.flow_curve")

#: Columns of ``results/hl/modified_flow_curves.parquet``.
MODIFIED_FLOW_CURVE_COLUMNS: dict[str, tuple[str, str, str]] = columns.view(
    "hl.modified_flow_curve"
)


def flow_curve_table(alphas: npt.ArrayLike, shear_rates: npt.ArrayLike) -> pd.DataFrame:
    """Exact HL flow curves for several couplings, stacked (columns FLOW_CURVE_COLUMNS).

    Parameters
    ----------
    alphas : array_like
        Couplings α > 0.
    shear_rates : array_like
        Shear rates γ̇ > 0 (units σ_c/(G0 τ)).

    Returns
    -------
    pandas.DataFrame
        Columns ``alpha``, ``shear_rate``, ``stress``, ``activity``, ``diffusion``.

    Raises
    ------
    ValueError
        As :func:`stationary_flow_curve`.

    Examples
    --------
    >>> flow_curve_table([0.26, 0.7], [1e-3, 1e-2]).shape
    (4, 5)
    """
    parts = []
    for alpha in np.atleast_1d(np.asarray(alphas, dtype=np.float64)):
        curve = stationary_flow_curve(float(alpha), shear_rates)
        curve.insert(0, "alpha", float(alpha))
        parts.append(curve)
    return pd.concat(parts, ignore_index=True)
