"""The long table of frozen-matrix curves (``results/yield/rho{rho}/curves.parquet``).

One row per point of each block test: snapshot ``config``, block ``(bx, by)``, loading
``angle`` (degrees, :mod:`mechnoise.frozen_matrix.loading`) with its former ``direction``
flag, strain, resolved block stress and the convergence record of the point.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from mechnoise import columns

#: column -> (dtype, unit, description) of ``results/yield/rho{rho}/curves.parquet``.
CURVE_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("frozen_matrix.curve")

#: The key of one curve: snapshot, block and loading angle.
CURVE_KEYS = ["config", "bx", "by", "angle"]


def with_angles(curves: pd.DataFrame) -> pd.DataFrame:
    """``curves`` with an ``angle`` column (degrees), taken from ``direction`` (1 -> 0°,
    -1 -> 90°) in a table written before loading angles existed.

    Examples
    --------
    >>> with_angles(pd.DataFrame({"direction": [1, -1]}))["angle"].tolist()
    [0.0, 90.0]
    """
    if "angle" in curves.columns:
        return curves
    return curves.assign(angle=np.where(curves["direction"] > 0, 0.0, 90.0))

#: column -> (dtype, unit, description) of ``results/yield/rho{rho}/yield_summary.parquet``.
#: Errors are bootstrap standard errors over blocks (:func:`mechnoise.stats.bootstrap`).
SUMMARY_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("frozen_matrix.summary")

#: column -> (dtype, unit, description) of
#: ``results/yield/rho{rho}/drop_rule_sensitivity.parquet``: the stored curves re-analysed
#: with other drop rules (no LAMMPS rerun); errors are bootstrap errors over blocks.
SENSITIVITY_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("frozen_matrix.sensitivity")


def curves_table(curves: Iterable[tuple[int, object]]) -> pd.DataFrame:
    """Long table (:data:`CURVE_COLUMNS`) from ``(config, BlockCurve)`` pairs."""
    parts = []
    for config, c in curves:
        n = len(c.strain)  # type: ignore[attr-defined]
        parts.append(
            pd.DataFrame(
                {
                    "config": np.full(n, config),
                    "bx": np.full(n, c.bx),  # type: ignore[attr-defined]
                    "by": np.full(n, c.by),  # type: ignore[attr-defined]
                    "direction": np.full(n, c.direction),  # type: ignore[attr-defined]
                    "angle": np.full(n, c.angle, dtype=np.float64),  # type: ignore[attr-defined]
                    "strain": c.strain,  # type: ignore[attr-defined]
                    "stress": c.stress,  # type: ignore[attr-defined]
                    **_convergence(c, n),
                }
            )
        )
    if not parts:
        return pd.DataFrame({k: pd.Series(dtype=v[0]) for k, v in CURVE_COLUMNS.items()})
    return pd.concat(parts, ignore_index=True)


def _convergence(curve: object, n: int) -> dict[str, np.ndarray]:
    """``fnorm``, ``converged``, ``fallback`` columns of one curve (NaN / True / False for a
    curve made without the records)."""
    fnorm = np.asarray(getattr(curve, "fnorm", np.zeros(0)), dtype=np.float64)
    if len(fnorm) != n:
        return {
            "fnorm": np.full(n, math.nan),
            "converged": np.ones(n, dtype=bool),
            "fallback": np.zeros(n, dtype=bool),
        }
    return {
        "fnorm": fnorm,
        "converged": np.asarray(curve.converged, dtype=bool),  # type: ignore[attr-defined]
        "fallback": np.asarray(curve.fallback, dtype=bool),  # type: ignore[attr-defined]
    }
