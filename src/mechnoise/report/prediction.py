"""Modified-HL prediction of the MD flow curves from measured ingredients (issue 20).

Every ingredient is measured; nothing is fitted to the flow curves and nothing is
calibrated (the HL time τ is the measured event duration τ_p, D(γ̇) is the measured noise
at each rate, so the activity Γ is an output). The prediction functions take only the
ingredient tables; the MD stresses enter afterwards, in :func:`compare_with_md`, so the
prediction of a rate can never read the MD stress of that rate (a test checks it).

Two ingredient sets, chosen by ``hl_model.modified.ingredients``:

- ``frozen_matrix``: thresholds σ_c^m and drops Δσ^m of the frozen-matrix tests on
  steady-state snapshots (``local_yield.parquet``, one sample per block; blocks that never
  yielded enter at their censoring value ``stress_max``, a lower bound), s⁻/s from the
  tests against the flow (fallback 1 when there are none), noise D_HL = D_sigma/2 per rate
  from the block-stress MSD (``diffusion_summary.parquet``).
- ``in_flow``: the in-flow thresholds and drops of Table 1 (``sigma_c_flow``,
  ``stress_drop_flow``, ``stress_drop_sq_flow``) and the in-flow noise ``D_noise`` of the
  run-level table; the shape of the threshold distribution is the frozen-matrix one,
  rescaled to the in-flow mean (stated fallback until the in-flow distribution is tabulated),
  the drop distribution a two-point law with the in-flow mean and second moment.

Units: the model runs in σ̄_c = G0 = τ = 1 with σ̄_c the mean of the threshold population
and τ = τ_p; the table is in LJ units (ε/σ², 1/τ0).

The ingredients of one density (:class:`DensityInputs`), how they are collected from the
workflow's tables and resampled live in :mod:`mechnoise.report.ingredients` (its names are
re-exported here).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd

from mechnoise import columns
from mechnoise._typing import FloatArray
from mechnoise.hl.measured import Ingredients, StationaryState, stationary_state
from mechnoise.report.ingredients import (  # the names this module re-exports are aliased
    F_RANGE,
    DensityInputs,
    IngredientSet,
    clipped_drop_ratios,
    drop_ratios,
    resample,
)
from mechnoise.report.ingredients import IN_FLOW_NOISE_COLUMN as IN_FLOW_NOISE_COLUMN
from mechnoise.report.ingredients import IN_FLOW_SUMMARY_COLUMNS as IN_FLOW_SUMMARY_COLUMNS
from mechnoise.report.ingredients import NOISE_MSD_FACTOR as NOISE_MSD_FACTOR
from mechnoise.report.ingredients import density_inputs as density_inputs
from mechnoise.report.ingredients import require_columns as require_columns

#: Threshold classes and drop classes the measured samples are binned into (quantiles).
THRESHOLD_CLASSES = 8
DROP_CLASSES = 5


#: Columns of ``results/hl/modified_vs_md.parquet`` (one row per density, set and rate).
PREDICTION_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("report.prediction")

#: Columns of ``results/hl/modified_ingredients.parquet`` (which change moves how far).
INGREDIENT_TABLE_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("report.ingredient_table")

#: Columns of ``results/hl/modified_distributions.parquet``.
DISTRIBUTION_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("report.distribution")


@dataclass(frozen=True)
class Variant:
    """Which ingredients the model uses (the four single changes of the ingredient table)."""

    thresholds: IngredientSet = "frozen_matrix"
    renewal: Literal["fitted", "independent"] = "fitted"
    drops: Literal["measured", "fixed"] = "measured"
    noise: Literal["measured", "closure"] = "measured"


#: The old model (before issue 20) and the single changes towards the full one.
OLD_MODEL = Variant(renewal="independent", drops="fixed", noise="closure")
CHANGES: dict[str, Variant] = {
    "old model (frozen, independent renewal, fixed f, D = alpha<Delta sigma>^2 Gamma)": OLD_MODEL,
    "frozen-matrix -> in-flow thresholds": replace(OLD_MODEL, thresholds="in_flow"),
    "independent -> measured renewal": replace(OLD_MODEL, renewal="fitted"),
    "fixed f -> measured p_Delta": replace(OLD_MODEL, drops="measured"),
    "D from Gamma -> measured D": replace(OLD_MODEL, noise="measured"),
    "all four (full model, frozen-matrix set)": Variant(),
}


def _classes(samples: FloatArray, n: int) -> tuple[FloatArray, FloatArray]:
    """Bin samples into ≤ n equal-count classes: (class means, weights)."""
    x = np.sort(np.asarray(samples, dtype=np.float64))
    groups = [g for g in np.array_split(x, min(n, x.size)) if g.size]
    nodes = np.array([g.mean() for g in groups])
    weights = np.array([g.size for g in groups], dtype=np.float64) / x.size
    keep_nodes, keep_w = [nodes[0]], [weights[0]]
    for v, w in zip(nodes[1:], weights[1:], strict=True):
        if v - keep_nodes[-1] > 1e-9 * abs(v):
            keep_nodes.append(v)
            keep_w.append(w)
        else:
            keep_w[-1] += w
    return np.asarray(keep_nodes), np.asarray(keep_w)


def build_ingredients(inputs: DensityInputs, variant: Variant) -> tuple[Ingredients, float]:
    """Model ingredients (units σ̄_c) and σ̄_c (ε/σ²) for one variant.

    Relative drops outside :data:`F_RANGE` are moved to its bounds
    (:func:`clipped_drop_ratios` counts them; the prediction table reports the count).

    Raises
    ------
    ValueError
        If the in-flow set is asked for without its columns, or there are no samples.
    """
    s = np.asarray(inputs.thresholds, dtype=np.float64)
    s = s[np.isfinite(s) & (s > 0)]
    if s.size == 0:
        raise ValueError(f"density {inputs.density}: no positive frozen-matrix thresholds")
    f_samples = drop_ratios(inputs, "frozen_matrix")
    if f_samples.size == 0:
        raise ValueError(f"density {inputs.density}: no yielded block (no stress drop)")
    f_samples = np.clip(f_samples, *F_RANGE)
    # s-/s from the frozen-matrix tests against the flow (fallback 1: symmetric thresholds)
    rev = np.asarray(inputs.reverse_thresholds, dtype=np.float64)
    rev = rev[np.isfinite(rev) & (rev > 0)]
    ratio = float(rev.mean() / s.mean()) if rev.size else 1.0
    if variant.thresholds == "in_flow":
        if inputs.in_flow is None:
            raise ValueError("in-flow ingredients requested but none given")
        mean_c = float(inputs.in_flow["sigma_c_flow"])
        s = s * mean_c / s.mean()
        f_nodes = np.clip(drop_ratios(inputs, "in_flow"), *F_RANGE)
        f_w = np.full(f_nodes.size, 1.0 / f_nodes.size)
    else:
        f_nodes, f_w = _classes(f_samples, DROP_CLASSES)
    nodes, weights = _classes(s, THRESHOLD_CLASSES)
    scale = float(weights @ nodes)
    if variant.drops == "fixed":
        f_nodes, f_w = np.array([float(f_w @ f_nodes)]), np.array([1.0])
    return Ingredients(nodes / scale, weights, f_nodes, f_w, ratio), scale


def predict_density(
    inputs: DensityInputs, variant: Variant = Variant(), *, rate_index: list[int] | None = None
) -> tuple[pd.DataFrame, list[StationaryState]]:
    """Predicted ⟨σ⟩ and Γ at the MD rates of one density (no MD stress is read).

    Returns
    -------
    (pandas.DataFrame, list of StationaryState)
        Columns ``shear_rate_md`` (1/τ0), ``stress_pred`` (ε/σ²), ``activity_pred`` (1/τ0),
        ``diffusion`` (ε²/σ⁴/τ0); and the model states (units σ̄_c = G0 = τ = 1).
    """
    ing, scale = build_ingredients(inputs, variant)
    idx = range(inputs.shear_rates.size) if rate_index is None else rate_index
    rows, states = [], []
    for i in idx:
        rate = float(inputs.shear_rates[i])
        reduced_rate = rate * inputs.G0 * inputs.tau / scale
        if variant.noise == "measured":
            d = float(inputs.noise[i])
            st = stationary_state(
                ing, reduced_rate, d * inputs.tau / scale**2, renewal=variant.renewal
            )
        else:
            if not (math.isfinite(inputs.alpha_micro) and inputs.alpha_micro > 0):
                raise ValueError(
                    f"density {inputs.density}: the closure D = alpha <Delta sigma>^2 Gamma needs "
                    f"a finite alpha_micro_dhl > 0 in Table 1, got {inputs.alpha_micro!r}"
                )
            coupling = inputs.alpha_micro * ing.mean_drop**2
            st = stationary_state(
                ing, reduced_rate, noise_coupling=coupling, renewal=variant.renewal
            )
            d = st.diffusion * scale**2 / inputs.tau
        rows.append((rate, st.stress * scale, st.activity / inputs.tau, d))
        states.append(st)
    table = pd.DataFrame(
        rows, columns=["shear_rate_md", "stress_pred", "activity_pred", "diffusion"]
    )
    return table, states


def bootstrap_prediction(
    inputs: DensityInputs, variant: Variant, n_bootstrap: int, rng: np.random.Generator
) -> tuple[pd.DataFrame, FloatArray]:
    """Central prediction and the (n_bootstrap, n_rates) stresses of the replicas."""
    return _predict_replicas(inputs, variant, [resample(inputs, rng) for _ in range(n_bootstrap)])


def _predict_replicas(
    inputs: DensityInputs, variant: Variant, replicas: list[DensityInputs]
) -> tuple[pd.DataFrame, FloatArray]:
    """Central prediction and the (len(replicas), n_rates) stresses of ``replicas``."""
    central, _ = predict_density(inputs, variant)
    reps = np.array(
        [predict_density(r, variant)[0]["stress_pred"].to_numpy() for r in replicas]
    ).reshape(len(replicas), len(central))
    return central, reps


def compare_with_md(
    inputs: DensityInputs,
    ingredients: IngredientSet,
    central: pd.DataFrame,
    replicas: FloatArray,
    flow: pd.DataFrame,
    activity: pd.DataFrame,
    rng: np.random.Generator,
    *,
    replicas_clipped: int,
) -> pd.DataFrame:
    """Join one density's prediction with the MD ⟨σ⟩ and Γ (columns PREDICTION_COLUMNS).

    ``flow`` is ``flow_curve.parquet``; ``activity`` has ``density``, ``shear_rate``,
    ``Gamma``, ``Gamma_err`` (``diffusion_summary.parquet``, averaged over seeds here).
    ``replicas_clipped``: bootstrap replicas in which a relative drop was moved into
    :data:`F_RANGE` (reported beside the count of the central inputs).
    """
    out = central.copy()
    md = flow[np.isclose(flow["density"], inputs.density)]
    stress_md, stress_md_err, act, act_err = [], [], [], []
    for rate in out["shear_rate_md"]:
        row = md[np.isclose(md["shear_rate"], rate)]
        stress_md.append(float(row["stress"].iloc[0]) if len(row) else math.nan)
        stress_md_err.append(float(row["stress_err"].iloc[0]) if len(row) else math.nan)
        a = activity[
            np.isclose(activity["density"], inputs.density)
            & np.isclose(activity["shear_rate"], rate)
        ]
        act.append(float(a["Gamma"].mean()) if len(a) else math.nan)
        act_err.append(float(np.sqrt(np.sum(a["Gamma_err"] ** 2)) / len(a)) if len(a) else math.nan)
    out["stress_md"], out["stress_md_err"] = stress_md, stress_md_err
    out["activity_md"], out["activity_md_err"] = act, act_err
    md_draws = out["stress_md"].to_numpy() + out["stress_md_err"].to_numpy() * rng.standard_normal(
        replicas.shape
    )
    ratios = replicas / md_draws
    out["ratio"] = out["stress_pred"] / out["stress_md"]
    if replicas.shape[0]:
        out["stress_pred_lo"], out["stress_pred_hi"] = np.percentile(replicas, [16, 84], axis=0)
        out["ratio_lo"], out["ratio_hi"] = np.percentile(ratios, [16, 84], axis=0)
    else:
        for c in ("stress_pred_lo", "stress_pred_hi", "ratio_lo", "ratio_hi"):
            out[c] = math.nan
    _, scale_frozen = build_ingredients(inputs, Variant())
    out["density"] = inputs.density
    out["ingredients"] = ingredients
    out["n_drop_ratios"] = drop_ratios(inputs, ingredients).size
    out["n_drops_clipped"] = clipped_drop_ratios(inputs, ingredients)
    out["replicas_clipped"] = replicas_clipped
    out["errors_left_out"] = "; ".join(inputs.missing_errors)
    out["shear_rate"] = out["shear_rate_md"] * inputs.G0 * inputs.tau / scale_frozen
    out["stress"] = out["stress_pred"] / scale_frozen
    return out[list(PREDICTION_COLUMNS)]


def ingredient_table(
    inputs: DensityInputs, n_bootstrap: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Which single change of ingredient moves the prediction how far, at the lowest rate.

    Every variant is evaluated on the same bootstrap replicas, so the shift from the old
    model carries a paired error. Variants needing in-flow data are skipped without it.
    """
    replicas = [resample(inputs, rng) for _ in range(n_bootstrap)]
    base = None
    rows = []
    for name, variant in CHANGES.items():
        if variant.thresholds == "in_flow" and inputs.in_flow is None:
            continue
        if variant.noise == "closure" and not (
            math.isfinite(inputs.alpha_micro) and inputs.alpha_micro > 0
        ):
            # no alpha_micro (e.g. no counted onset): the old closure cannot be evaluated
            value, reps = math.nan, np.full(len(replicas), math.nan)
        else:
            value = float(
                predict_density(inputs, variant, rate_index=[0])[0]["stress_pred"].iloc[0]
            )
            reps = np.array(
                [
                    float(predict_density(r, variant, rate_index=[0])[0]["stress_pred"].iloc[0])
                    for r in replicas
                ]
            )
        if base is None:
            base = (value, reps)
        rows.append(
            (
                inputs.density,
                float(inputs.shear_rates[0]),
                name,
                value,
                float(np.std(reps, ddof=1)) if reps.size > 1 else math.nan,
                value - base[0],
                float(np.std(reps - base[1], ddof=1)) if reps.size > 1 else math.nan,
            )
        )
    return pd.DataFrame(rows, columns=list(INGREDIENT_TABLE_COLUMNS))


def distribution_table(
    inputs: DensityInputs,
    ingredients: IngredientSet,
    block_stress: FloatArray,
    frozen_x: FloatArray,
    n_bins: int = 40,
) -> pd.DataFrame:
    """P(σ) and P(x) of the model at the lowest rate against the MD block stresses (steady
    state, lowest rate) and the frozen-matrix distances to threshold x (columns
    DISTRIBUTION_COLUMNS, densities in 1/(ε/σ²))."""
    _, states = predict_density(inputs, Variant(thresholds=ingredients), rate_index=[0])
    st = states[0]
    _, scale = build_ingredients(inputs, Variant(thresholds=ingredients))
    mass = np.concatenate(st.masses)
    model_values = {
        "stress": np.concatenate(st.nodes) * scale,
        "distance": np.concatenate([c - x for c, x in zip(st.thresholds, st.nodes, strict=True)])
        * scale,
    }
    parts = []
    for quantity, samples, model_fn in (
        ("stress", block_stress, st.stress_density),
        ("distance", frozen_x, st.distance_density),
    ):
        x = np.asarray(samples, dtype=np.float64)
        x = x[np.isfinite(x)]
        # bins cover the MD samples and the model's central 99.8 % alike
        order = np.argsort(model_values[quantity])
        cdf = np.cumsum(mass[order])
        support = model_values[quantity][order][np.searchsorted(cdf, [1e-3, 1 - 1e-3])]
        lo = float(min(support[0], np.min(x))) if x.size else float(support[0])
        hi = float(max(support[1], np.max(x))) if x.size else float(support[1])
        pad = 0.05 * (hi - lo) + 1e-12
        edges = np.linspace(lo - pad, hi + pad, n_bins + 1)
        md = np.histogram(x, bins=edges, density=True)[0] if x.size else np.full(n_bins, math.nan)
        model = model_fn(edges / scale) / scale
        parts.append(
            pd.DataFrame(
                {
                    "density": inputs.density,
                    "ingredients": ingredients,
                    "quantity": quantity,
                    "value": 0.5 * (edges[1:] + edges[:-1]),
                    "model": model,
                    "md": md,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)[list(DISTRIBUTION_COLUMNS)]


def modified_vs_md(
    inputs: list[DensityInputs],
    ingredients: IngredientSet,
    flow: pd.DataFrame,
    activity: pd.DataFrame,
    n_bootstrap: int,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """The table ``results/hl/modified_vs_md.parquet`` for one ingredient set.

    The predictions are made first from ``inputs`` alone; ``flow`` (MD stresses) and
    ``activity`` (counted onsets) are joined afterwards (module notes).
    """
    parts = []
    for item in inputs:
        replicas = [resample(item, rng) for _ in range(n_bootstrap)]
        central, stresses = _predict_replicas(item, Variant(thresholds=ingredients), replicas)
        clipped = sum(clipped_drop_ratios(r, ingredients) > 0 for r in replicas)
        parts.append(
            compare_with_md(
                item, ingredients, central, stresses, flow, activity, rng, replicas_clipped=clipped
            )
        )
    return pd.concat(parts, ignore_index=True)
