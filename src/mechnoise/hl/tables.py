"""Tables the workflow writes from the HL model (columns: dtype, unit, description)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from mechnoise._typing import FloatArray
from mechnoise.hl.stationary import stationary_flow_curve

#: Couplings spanning the whole yield-stress range 0 < α < ½ for the line of Fig. 3.
PARAMETRIC_ALPHAS: FloatArray = np.linspace(0.005, 0.495, 99)

#: Columns of ``results/hl/parametric_curve.parquet``.
PARAMETRIC_CURVE_COLUMNS: dict[str, tuple[str, str, str]] = {
    "alpha": ("float64", "1", "HL coupling alpha (D = alpha sigma_c^2 Gamma, MSD = 2 D t)"),
    "yield_stress": ("float64", "sigma_c", "small-rate yield stress sigma_Y (Eq. 15)"),
    "hb_prefactor": (
        "float64",
        "(sigma_c G0 tau)^(1/2)",
        "Herschel-Bulkley prefactor A (corrected Eq. 24, docs/design.md §4)",
    ),
}

#: Columns of ``results/hl/flow_curves.parquet``.
FLOW_CURVE_COLUMNS: dict[str, tuple[str, str, str]] = {
    "alpha": ("float64", "1", "HL coupling alpha"),
    "shear_rate": ("float64", "sigma_c/(G0 tau)", "dimensionless shear rate"),
    "stress": ("float64", "sigma_c", "stationary mean stress <sigma> (Eq. 4)"),
    "activity": ("float64", "1/tau", "plastic activity rate Gamma (Eq. 2)"),
    "diffusion": ("float64", "sigma_c^2/tau", "HL diffusion D = alpha Gamma (MSD = 2 D t)"),
}

#: Columns of ``results/hl/modified_flow_curves.parquet``.
MODIFIED_FLOW_CURVE_COLUMNS: dict[str, tuple[str, str, str]] = {
    "alpha": ("float64", "1", "coupling alpha in D = alpha <Delta sigma>^2 Gamma"),
    "threshold_width": ("float64", "sigma_c", "std of the Gaussian local thresholds"),
    "relaxation_fraction": ("float64", "1", "mean stress drop / threshold at yield"),
    "relaxation_width": ("float64", "1", "std of the relaxation fraction"),
    "thresholds": ("str", "", "'renewed' (new threshold at each yield) or 'quenched'"),
    "shear_rate": ("float64", "sigma_c/(G0 tau)", "dimensionless shear rate"),
    "stress": ("float64", "sigma_c", "stationary mean stress"),
    "activity": ("float64", "1/tau", "plastic activity rate Gamma"),
    "diffusion": ("float64", "sigma_c^2/tau", "noise D (HL convention, MSD = 2 D t)"),
    "stress_drop": ("float64", "sigma_c", "mean stress drop <Delta sigma> entering D"),
}


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
