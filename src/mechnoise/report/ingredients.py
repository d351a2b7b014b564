"""Measured ingredients of the modified-HL prediction, one density at a time (issue 20).

:class:`DensityInputs` holds what the prediction needs in LJ units; :func:`density_inputs`
collects it from the workflow's tables (Table 1, ``local_yield.parquet``, the run-level
table) for one ingredient set; :func:`resample` draws one bootstrap replica;
:func:`drop_ratios` gives the relative drops ``f = Δσ^m / σ_c^m`` the model uses, and
:func:`clipped_drop_ratios` how many of them lie outside the model's range :data:`F_RANGE`.
The model itself and its tables are in :mod:`mechnoise.report.prediction`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd

from mechnoise._typing import FloatArray

#: D_HL = D_noise / NOISE_MSD_FACTOR. D_noise (``block_noise.parquet``, issue 19) is already
#: the HL equation's D (increment variance c + 2 D t), so the factor is 1; the frozen-matrix
#: set's D_HL = D_sigma / 2 is divided in the diffusion stage. The one place this factor lives.
NOISE_MSD_FACTOR = 1.0
#: Table 1 columns the in-flow set needs (issue 19).
IN_FLOW_SUMMARY_COLUMNS = ("sigma_c_flow", "stress_drop_flow", "stress_drop_sq_flow")
#: Run-level column of the in-flow noise (units eps^2/sigma^4/tau0, variance = c + 2 D_noise t).
IN_FLOW_NOISE_COLUMN = "D_noise"
#: Relative drops f = Δσ^m/σ_c^m outside this range are moved to its nearer bound (the model
#: needs 0 < f < 2); how many were moved is reported (``n_drops_clipped``,
#: ``replicas_clipped`` of :data:`PREDICTION_COLUMNS`).
F_RANGE = (1e-3, 1.99)

IngredientSet = Literal["frozen_matrix", "in_flow"]


@dataclass(frozen=True)
class DensityInputs:
    """Measured ingredients of one density, in LJ units.

    Attributes
    ----------
    density : float
    thresholds : numpy.ndarray
        σ_c^m samples along the flow, one per tested block (ε/σ²).
    drops, drop_thresholds : numpy.ndarray
        Δσ^m and σ_c^m of the blocks that yielded (pairs, ε/σ²).
    reverse_thresholds : numpy.ndarray
        σ_c^m samples against the flow (may be empty: fallback s⁻ = s).
    G0, G0_err : float
        Shear modulus (ε/σ²).
    tau, tau_err : float
        HL time τ = τ_p (τ0).
    shear_rates : numpy.ndarray
        MD rates (1/τ0), increasing.
    noise, noise_err : numpy.ndarray
        D_HL at each rate (ε²/σ⁴/τ0, MSD = 2 D t).
    alpha_micro : float
        α of the old closure D = α⟨Δσ⟩²Γ (``alpha_micro_dhl``), for the ingredient table.
    in_flow : mapping, optional
        ``sigma_c_flow``, ``stress_drop_flow``, ``stress_drop_sq_flow`` (+ ``_err``).
    missing_errors : tuple of str
        Input errors that were NaN or absent: :func:`resample` draws those inputs without
        spread (error 0), so the bootstrap band leaves their uncertainty out; the prediction
        table names them (``errors_left_out``).
    """

    density: float
    thresholds: FloatArray
    drops: FloatArray
    drop_thresholds: FloatArray
    reverse_thresholds: FloatArray
    G0: float
    G0_err: float
    tau: float
    tau_err: float
    shear_rates: FloatArray
    noise: FloatArray
    noise_err: FloatArray
    alpha_micro: float = math.nan
    in_flow: Mapping[str, float] | None = None
    missing_errors: tuple[str, ...] = ()


def require_columns(table: pd.DataFrame, columns: tuple[str, ...] | list[str], file: str) -> None:
    """Raise a ValueError naming the missing columns and the file.

    Examples
    --------
    >>> require_columns(pd.DataFrame({"a": [1]}), ["a"], "x.parquet")
    """
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(
            f"{file} has no column(s) {missing}: the in-flow ingredient set "
            "(hl_model.modified.ingredients = in_flow) needs the in-flow thresholds, drops and "
            "noise of the mean-field-test issue (19); use ingredients: frozen_matrix"
        )


def drop_ratios(inputs: DensityInputs, thresholds: IngredientSet) -> FloatArray:
    """Relative drops ``f = Δσ^m / σ_c^m`` of one ingredient set, before they are bounded to
    :data:`F_RANGE`.

    ``frozen_matrix``: one per yielded block (finite values). ``in_flow``: the nodes of the
    two-point law, ``(m1 ∓ sd) / sigma_c_flow`` with ``m1``, ``m2`` the in-flow first and second
    moments of the drop (one node if ``sd = 0``).

    Examples
    --------
    >>> x = np.array([1.0, 2.0])
    >>> inputs = DensityInputs(1.2, x, np.array([0.5, 5.0]), x, x[:0], 1.0, 0.0, 1.0, 0.0,
    ...                        x, x, x)
    >>> drop_ratios(inputs, "frozen_matrix").tolist()
    [0.5, 2.5]
    """
    if thresholds == "in_flow":
        if inputs.in_flow is None:
            raise ValueError("in-flow ingredients requested but none given")
        m1 = float(inputs.in_flow["stress_drop_flow"])
        m2 = float(inputs.in_flow["stress_drop_sq_flow"])
        sd = math.sqrt(max(m2 - m1 * m1, 0.0))  # m2 < m1²: round-off of a one-valued law
        nodes = np.array([m1]) if sd == 0 else np.array([m1 - sd, m1 + sd])
        return nodes / float(inputs.in_flow["sigma_c_flow"])
    f = np.asarray(inputs.drops / inputs.drop_thresholds, dtype=np.float64)
    return f[np.isfinite(f)]


def clipped_drop_ratios(inputs: DensityInputs, thresholds: IngredientSet) -> int:
    """How many of :func:`drop_ratios` lie outside :data:`F_RANGE` (moved to its bounds)."""
    f = drop_ratios(inputs, thresholds)
    return int(np.count_nonzero((f < F_RANGE[0]) | (f > F_RANGE[1])))


def resample(inputs: DensityInputs, rng: np.random.Generator) -> DensityInputs:
    """One bootstrap replica: blocks resampled, scalars drawn from N(value, error)."""

    def pick(x: FloatArray) -> FloatArray:
        return x[rng.integers(0, x.size, x.size)] if x.size else x

    j = rng.integers(0, inputs.drops.size, inputs.drops.size)
    in_flow = None
    if inputs.in_flow is not None:
        in_flow = dict(inputs.in_flow)
        for key in IN_FLOW_SUMMARY_COLUMNS:
            err = float(inputs.in_flow.get(f"{key}_err", 0.0) or 0.0)
            in_flow[key] = abs(float(in_flow[key]) + err * rng.standard_normal())
    return replace(
        inputs,
        thresholds=pick(inputs.thresholds),
        drops=inputs.drops[j],
        drop_thresholds=inputs.drop_thresholds[j],
        reverse_thresholds=pick(inputs.reverse_thresholds),
        G0=abs(inputs.G0 + inputs.G0_err * rng.standard_normal()),
        tau=abs(inputs.tau + inputs.tau_err * rng.standard_normal()),
        noise=np.abs(inputs.noise + inputs.noise_err * rng.standard_normal(inputs.noise.size)),
        in_flow=in_flow,
    )


def density_inputs(
    summary: pd.DataFrame,
    local_yield: Mapping[float, pd.DataFrame],
    runs: pd.DataFrame,
    ingredients: IngredientSet,
    *,
    summary_file: str = "results/summary.parquet",
    runs_file: str = "results/diffusion_summary.parquet",
) -> list[DensityInputs]:
    """Collect each density's ingredients from the workflow's tables.

    Parameters
    ----------
    summary : DataFrame
        Table 1 (G0, tau_p, alpha_micro_dhl and, for ``in_flow``, IN_FLOW_SUMMARY_COLUMNS).
    local_yield : mapping of density to DataFrame
        ``local_yield.parquet`` of each density (frozen-matrix blocks).
    runs : DataFrame
        Run-level table (density, shear_rate, D_HL, D_HL_err and, for ``in_flow``,
        ``D_noise``, ``D_noise_err``); averaged over seeds here.
    ingredients : {"frozen_matrix", "in_flow"}
    summary_file, runs_file : str
        Names used in the error messages.

    Errors that are NaN or absent enter the bootstrap as 0 and are named in
    :attr:`DensityInputs.missing_errors`.

    Raises
    ------
    ValueError
        Naming the missing column and its file when the in-flow set lacks its inputs, or
        the density whose frozen-matrix table is missing.
    """
    if ingredients not in ("frozen_matrix", "in_flow"):
        raise ValueError(f"ingredients must be 'frozen_matrix' or 'in_flow', got {ingredients!r}")
    noise_col = "D_HL"
    if ingredients == "in_flow":
        require_columns(summary, list(IN_FLOW_SUMMARY_COLUMNS), summary_file)
        require_columns(runs, [IN_FLOW_NOISE_COLUMN], runs_file)
        noise_col = IN_FLOW_NOISE_COLUMN
    out = []
    for _, row in summary.sort_values("density").iterrows():
        rho = float(row["density"])
        match = [v for k, v in local_yield.items() if math.isclose(k, rho, rel_tol=1e-9)]
        if not match:
            raise ValueError(f"no local_yield table for density {rho}")
        ly = match[0]
        along = ly[ly["direction"] == 1]
        against = ly[(ly["direction"] == -1) & ly["yielded"]]
        thresholds = np.where(along["yielded"], along["sigma_c"], along["stress_max"])
        yielded = along[along["yielded"]]
        r = runs[np.isclose(runs["density"], rho)]
        grouped = r.groupby("shear_rate")
        rates = np.array(sorted(grouped.groups), dtype=np.float64)
        factor = NOISE_MSD_FACTOR if ingredients == "in_flow" else 1.0
        noise = np.array([grouped.get_group(q)[noise_col].mean() for q in rates]) / factor
        err_col = f"{noise_col}_err"
        noise_err = (
            np.array(
                [
                    math.sqrt(float((grouped.get_group(q)[err_col] ** 2).sum(skipna=False)))
                    / len(grouped.get_group(q))
                    for q in rates
                ]
            )
            / factor
            if err_col in r
            else np.zeros(rates.size)
        )
        in_flow = None
        if ingredients == "in_flow":
            bad = [k for k in IN_FLOW_SUMMARY_COLUMNS if not math.isfinite(float(row[k]))]
            if bad:
                raise ValueError(f"{summary_file}: {bad} not finite at density {rho}")
            in_flow = {
                k: float(row[k])
                for k in summary.columns
                if k.startswith(IN_FLOW_SUMMARY_COLUMNS) and math.isfinite(float(row[k]))
            }
        missing = [k for k in ("G0_err", "tau_p_err") if not math.isfinite(float(row[k]))]
        n_nan = int(np.count_nonzero(~np.isfinite(noise_err))) if err_col in r else rates.size
        if n_nan:
            missing.append(f"{err_col} at {n_nan} of {rates.size} rates")
        if in_flow is not None:
            missing += [f"{k}_err" for k in IN_FLOW_SUMMARY_COLUMNS if f"{k}_err" not in in_flow]
        out.append(
            DensityInputs(
                density=rho,
                thresholds=np.asarray(thresholds, dtype=np.float64),
                drops=yielded["sigma_drop"].to_numpy(dtype=np.float64),
                drop_thresholds=yielded["sigma_c"].to_numpy(dtype=np.float64),
                reverse_thresholds=against["sigma_c"].to_numpy(dtype=np.float64),
                G0=float(row["G0"]),
                G0_err=float(np.nan_to_num(row["G0_err"])),
                tau=float(row["tau_p"]),
                tau_err=float(np.nan_to_num(row["tau_p_err"])),
                shear_rates=rates,
                noise=noise,
                noise_err=np.nan_to_num(noise_err),
                alpha_micro=float(row.get("alpha_micro_dhl", math.nan)),
                in_flow=in_flow,
                missing_errors=tuple(missing),
            )
        )
    return out
