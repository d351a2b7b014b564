"""Table 1 of the paper and the HL comparison: every per-density quantity in one table.

Inputs are the tables of the earlier stages (flow: G0, Herschel–Bulkley; plasticity: tau_p,
phi; stress: D_sigma, Gamma; yield: <sigma_c^m>, <Delta sigma^m>). The HL couplings follow
docs/design.md §3: alpha_micro = D_sigma / (<Delta sigma^m>^2 Gamma) (paper Eq. 8, D_sigma = MSD/t),
alpha_micro^HL = D_sigma / (<sigma_c^m>^2 Gamma), alpha_flow from inverting the HL relation
sigma_Y/sigma_c = f(alpha) (Eq. 15) at sigma_Y / <sigma_c^m> of the n = 1/2 fit, and
alpha_kappa = kappa tanh(1/(2 kappa)) with kappa = D_HL / (G0 gamma_dot <sigma_c^m>), which
needs neither Gamma nor tau. Gamma is the event rate (onsets per block and time) and tau_p
the time-resolved event duration (:mod:`mechnoise.plasticity`); the literal tau_p_window and
the occupancy rate Gamma_phi = phi / tau_p_window are reported beside them. R = Gamma
<Delta sigma^m> / (G0 gamma_dot) checks Gamma by the strain balance.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from mechnoise import columns, hl
from mechnoise.plasticity.rate import strain_balance
from mechnoise.stats import combine_runs

log = logging.getLogger(__name__)


#: Table 1 columns of the in-flow thresholds and drops (issue 19 item 3; defined in the registry).
INFLOW_TABLE1_COLUMNS: tuple[str, ...] = (
    "sigma_c_flow",
    "sigma_c_flow_err",
    "stress_drop_flow",
    "stress_drop_flow_err",
    "stress_drop_sq_flow",
    "stress_drop_sq_flow_err",
    "stress_drop_sq",
    "stress_drop_sq_err",
    "sigma_c_flow_ratio",
    "sigma_c_flow_ratio_err",
    "stress_drop_flow_ratio",
    "stress_drop_flow_ratio_err",
    "stress_drop_sq_flow_ratio",
    "stress_drop_sq_flow_ratio_err",
)

#: Columns of ``results/summary.parquet`` (one row per density).
SUMMARY_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("report.summary")

_INFLOW_KEYS = (
    "sigma_c_flow",
    "stress_drop_flow",
    "stress_drop_sq_flow",
)


def _ratio(a: float, a_e: float, b: float, b_e: float) -> tuple[float, float]:
    """``a / b`` with the error of independent ``a`` and ``b`` (NaN if b is not finite or 0)."""
    if not (math.isfinite(a) and math.isfinite(b)) or b == 0:
        return math.nan, math.nan
    r = a / b
    return r, abs(r) * math.hypot(_rel(a, a_e) if a else 0.0, _rel(b, b_e))


def inflow_columns(inflow: pd.Series | None, sigma_c: float, sigma_c_err: float,
                   stress_drop: float, stress_drop_err: float) -> dict[str, float]:  # fmt: skip
    """Table 1's in-flow columns of one density from its ``inflow_thresholds.parquet`` row.

    The frozen-matrix counterparts are Table 1's ``sigma_c`` (Kaplan-Meier) and
    ``stress_drop``, and the mean square ``stress_drop_sq`` of the in-flow table; the ratios
    are in-flow / frozen with errors of independent measurements. All NaN without a row.
    """
    nan = math.nan
    if inflow is None:
        return dict.fromkeys(INFLOW_TABLE1_COLUMNS, nan)
    out: dict[str, float] = {}
    for key in _INFLOW_KEYS:
        out[key], out[f"{key}_err"] = float(inflow[key]), float(inflow[f"{key}_err"])
    sq, sq_e = float(inflow["stress_drop_sq_frozen"]), float(inflow["stress_drop_sq_frozen_err"])
    out["stress_drop_sq"], out["stress_drop_sq_err"] = sq, sq_e
    pairs = {
        "sigma_c_flow_ratio": ("sigma_c_flow", sigma_c, sigma_c_err),
        "stress_drop_flow_ratio": ("stress_drop_flow", stress_drop, stress_drop_err),
        "stress_drop_sq_flow_ratio": ("stress_drop_sq_flow", sq, sq_e),
    }
    for name, (key, b, b_e) in pairs.items():
        b_e = b_e if math.isfinite(b_e) else 0.0
        out[name], out[f"{name}_err"] = _ratio(out[key], out[f"{key}_err"], b, b_e)
    return out


# --- issue 19 (mean-field test, helper 19a): every alpha side by side ------------------------
#: Table-1 columns of :func:`add_meanfield_alphas` (defined in the registry, last in Table 1).
MEANFIELD_COLUMNS: tuple[str, ...] = (
    "D_noise",
    "D_noise_err",
    "D_all",
    "D_all_err",
    "alpha_micro_noise",
    "alpha_micro_noise_err",
    "alpha_micro_sq",
    "alpha_micro_sq_err",
    "alpha_kappa_noise",
    "alpha_kappa_noise_err",
    "alpha_kappa_flow",
    "alpha_kappa_flow_err",
    "drift_ratio",
    "drift_ratio_err",
    "alpha_kappa_drift",
    "alpha_kappa_drift_err",
    "alpha_bal",
    "alpha_bal_err",
    "yield_stress_rescaled_flow",
    "yield_stress_rescaled_flow_err",
    "alpha_flow_inflow",
    "alpha_flow_inflow_err",
)


#: Of :data:`MEANFIELD_COLUMNS`, those computed here from Table 1's own σ_Y and sigma_c_flow.
_FROM_TABLE1 = ("yield_stress_rescaled_flow", "alpha_flow_inflow")


def add_meanfield_alphas(
    table: pd.DataFrame, run_couplings: pd.DataFrame | None, shear_rate: float
) -> pd.DataFrame:
    """Add :data:`MEANFIELD_COLUMNS` per density from ``results/run_couplings.parquet``.

    Rows at ``shear_rate`` are combined over seeds (:func:`mechnoise.stats.combine_runs`).
    ``alpha_kappa_flow`` comes from the runs too: each run's own in-flow threshold,
    jackknifed jointly with D_noise and Γ over the same time segments
    (:mod:`mechnoise.report.runs`). Only where the runs lack it (tables written before the
    joint errors) and ``table`` has a ``sigma_c_flow`` column is it recomputed from D_noise,
    G0 and that threshold, with the two errors in quadrature.
    The HL test with the in-flow threshold compares it with ``alpha_flow_inflow``, the α_flow
    of ``σ_Y / sigma_c_flow`` (``yield_stress_rescaled_flow``), not with ``alpha_flow``: both
    sides must use the same σ_c. Where ``σ_Y / sigma_c_flow`` is not in (0, ½) HL has no
    solution and ``alpha_flow_inflow`` is NaN (the ratio says why).
    Without ``run_couplings`` the columns are NaN.
    """
    out = table.copy()
    for col in MEANFIELD_COLUMNS:
        out[col] = math.nan
    if run_couplings is None:
        return out
    for i, row in out.iterrows():
        runs = run_couplings[
            np.isclose(run_couplings["density"], row["density"])
            & np.isclose(run_couplings["shear_rate"], shear_rate)
        ]
        if runs.empty:
            continue
        for col in MEANFIELD_COLUMNS:
            if col.endswith("_err") or col in _FROM_TABLE1 or f"{col}_err" not in MEANFIELD_COLUMNS:
                continue
            vals, errs = runs[col].to_numpy(float), runs[f"{col}_err"].to_numpy(float)
            if np.all(np.isfinite(vals)):
                # an unknown (NaN) error stays unknown: never summed as 0
                out.loc[i, col], out.loc[i, f"{col}_err"] = combine_runs(vals, errs)
        from_runs = runs["alpha_kappa_flow"].to_numpy(float) if "alpha_kappa_flow" in runs else []
        joint = len(from_runs) > 0 and bool(np.all(np.isfinite(from_runs)))
        if not joint and "sigma_c_flow" in out and math.isfinite(float(row["sigma_c_flow"])):
            d, d_e = float(out.loc[i, "D_noise"]), float(out.loc[i, "D_noise_err"])
            scf = float(row["sigma_c_flow"])
            scf_e = float(row.get("sigma_c_flow_err", 0.0))
            kappa = hl.noise_ratio(d, d_e, float(row["G0"]), 0.0, shear_rate, scf, scf_e)
            out.loc[i, "alpha_kappa_flow"], out.loc[i, "alpha_kappa_flow_err"] = (
                hl.alpha_from_noise_ratio(*kappa)
            )
        if "sigma_c_flow" in out and "sigma_y" in out:
            sy, sy_e = float(row["sigma_y"]), float(row.get("sigma_y_err", math.nan))
            scf, scf_e = float(row["sigma_c_flow"]), float(row.get("sigma_c_flow_err", math.nan))
            if math.isfinite(sy) and math.isfinite(scf) and scf > 0:
                (
                    out.loc[i, "yield_stress_rescaled_flow"],
                    out.loc[i, "yield_stress_rescaled_flow_err"],
                ) = _ratio(sy, sy_e, scf, scf_e)
                try:
                    af = hl.alpha_flow(sy, sy_e, scf, scf_e)
                except ValueError as exc:  # ratio outside (0, 1/2): no HL solution
                    log.info("density %g: no alpha_flow_inflow (%s)", row["density"], exc)
                else:
                    out.loc[i, "alpha_flow_inflow"], out.loc[i, "alpha_flow_inflow_err"] = af
    return out


def _rel(value: float, err: float) -> float:
    return abs(err / value) if value else math.inf


def _alpha_micro(
    d: float, s: float, g: float, d_e: float, s_e: float, g_e: float, alpha_convention: str
) -> tuple[float, float]:
    """D / (s^2 Gamma) with its error: s = <Delta sigma^m> (alpha_micro) or <sigma_c^m> (HL)."""
    return hl.alpha_micro(
        d,
        s,
        g,
        d_sigma_err=d_e,
        stress_drop_err=s_e,
        activity_rate_err=g_e,
        alpha_convention=alpha_convention,  # type: ignore[arg-type]
    )


def _coupling(
    fn: Callable[..., tuple[float, float]],
    finite: bool,
    d: float,
    d_e: float,
    s: float,
    s_e: float,
    gam: float,
    gam_e: float,
    convention: str,
) -> tuple[float, float]:
    """D / (s^2 Gamma) through ``fn`` with its error: NaN when an input is missing, and a NaN
    error when an input error is unknown (one yielded block has no standard error)."""
    if not finite:
        return math.nan, math.nan
    errors = [d_e, s_e, gam_e]
    known = all(math.isfinite(e) for e in errors)
    d_e, s_e, gam_e = (e if math.isfinite(e) else 0.0 for e in errors)
    value, err = fn(d, s, gam, d_e, s_e, gam_e, alpha_convention=convention)
    return value, err if known else math.nan


def summary_row(
    density: float,
    modulus: pd.Series,
    fit: pd.Series,
    yield_summary: pd.Series,
    diffusion: pd.Series,
    hl_fit: pd.Series | None = None,
) -> dict[str, float]:
    """Table 1 row of one density from one row of each stage's table."""
    g0, g0_e = float(modulus["G0"]), float(modulus["G0_err"])
    # the censored (Kaplan-Meier) <sigma_c^m> enters every rescaling (see SUMMARY_COLUMNS)
    sc, sc_e = float(yield_summary["sigma_c_km"]), float(yield_summary["sigma_c_km_err"])
    ds, ds_e = float(yield_summary["sigma_drop_mean"]), float(yield_summary["sigma_drop_mean_err"])
    d, d_e = float(diffusion["D_sigma"]), float(diffusion["D_sigma_err"])
    gam, gam_e = float(diffusion["Gamma"]), float(diffusion["Gamma_err"])
    tau, tau_e = float(diffusion["tau_p"]), float(diffusion["tau_p_err"])
    sy, sy_e = float(fit["sigma_y"]), float(fit["sigma_y_err"])
    a, a_e = float(fit["prefactor"]), float(fit["prefactor_err"])
    nan = (math.nan, math.nan)
    finite = all(math.isfinite(v) and v > 0 for v in (d, gam, ds, sc))
    am = _coupling(_alpha_micro, finite, d, d_e, ds, ds_e, gam, gam_e, "paper")
    am_dhl = _coupling(_alpha_micro, finite, d, d_e, ds, ds_e, gam, gam_e, "hl")
    am_hl = _coupling(_alpha_micro, finite, d, d_e, sc, sc_e, gam, gam_e, "paper")
    try:
        af = hl.alpha_flow(sy, sy_e, sc, sc_e)
    except ValueError as exc:
        log.warning("density %g: no alpha_flow (%s)", density, exc)
        af = nan
    ys = sy / sc
    ys_e = abs(ys) * math.hypot(_rel(sy, sy_e), _rel(sc, sc_e))
    scale = math.sqrt(g0 * sc * tau) if g0 > 0 and sc > 0 and tau > 0 else math.nan
    pr = a / scale
    pr_e = abs(pr) * math.sqrt(
        _rel(a, a_e) ** 2
        + 0.25 * (_rel(g0, g0_e) ** 2 + _rel(sc, sc_e) ** 2 + _rel(tau, tau_e) ** 2)
    )
    return {
        "density": density,
        "shear_rate": float(diffusion["shear_rate"]),
        "G0": g0,
        "G0_err": g0_e,
        "tau_p": tau,
        "tau_p_err": tau_e,
        "sigma_c": sc,
        "sigma_c_err": sc_e,
        "sigma_c_yielded": float(yield_summary["sigma_c_mean"]),
        "sigma_c_yielded_err": float(yield_summary["sigma_c_mean_err"]),
        "fraction_yielded": float(yield_summary["fraction_yielded"]),
        "delta_sigma_c": float(yield_summary["sigma_c_km_std"]),
        "delta_sigma_c_err": float(yield_summary["sigma_c_km_std_err"]),
        "stress_drop": ds,
        "stress_drop_err": ds_e,
        "D_sigma": d,
        "D_sigma_err": d_e,
        "phi": float(diffusion["phi"]),
        "phi_err": float(diffusion["phi_err"]),
        "Gamma": gam,
        "Gamma_err": gam_e,
        "alpha_micro": am[0],
        "alpha_micro_err": am[1],
        "alpha_micro_dhl": am_dhl[0],
        "alpha_micro_dhl_err": am_dhl[1],
        "alpha_micro_hl": am_hl[0],
        "alpha_micro_hl_err": am_hl[1],
        "sigma_y": sy,
        "sigma_y_err": sy_e,
        "prefactor": a,
        "prefactor_err": a_e,
        "yield_stress_rescaled": ys,
        "yield_stress_rescaled_err": ys_e,
        "prefactor_rescaled": pr,
        "prefactor_rescaled_err": pr_e,
        "alpha_flow": af[0],
        "alpha_flow_err": af[1],
        "alpha_flow_hl": float(hl_fit["alpha"]) if hl_fit is not None else math.nan,
        "alpha_flow_hl_err": float(hl_fit["alpha_err"]) if hl_fit is not None else math.nan,
        "drop_ratio": float(yield_summary["drop_ratio"]),
        "drop_ratio_err": float(yield_summary["drop_ratio_err"]),
        "x_mean": float(yield_summary["x_mean"]),
        "x_mean_err": float(yield_summary["x_mean_err"]),
        "x_post_mean": float(yield_summary["x_post_mean"]),
        "x_post_mean_err": float(yield_summary["x_post_mean_err"]),
        **_rate_checks(diffusion, g0, g0_e, sc, sc_e, ds, ds_e),
    }


def _rate_checks(
    diffusion: pd.Series,
    g0: float,
    g0_e: float,
    sc: float,
    sc_e: float,
    ds: float,
    ds_e: float,
) -> dict[str, float]:
    """Table 1's literal-estimator, strain-balance and kappa columns of one density."""
    rate = float(diffusion["shear_rate"])
    gam, gam_e = float(diffusion["Gamma"]), float(diffusion["Gamma_err"])

    def known(e: float) -> float:
        return e if math.isfinite(e) else 0.0

    r = strain_balance(gam, known(gam_e), ds, known(ds_e), g0, rate)
    r_hl = strain_balance(gam, known(gam_e), sc, known(sc_e), g0, rate)
    d_hl, d_hl_e = float(diffusion["D_sigma"]) / 2, float(diffusion["D_sigma_err"]) / 2
    kappa = hl.noise_ratio(d_hl, known(d_hl_e), g0, known(g0_e), rate, sc, known(sc_e))
    alpha = hl.alpha_from_noise_ratio(*kappa)
    return {
        "tau_p_window": float(diffusion.get("tau_p_window", math.nan)),
        "tau_p_window_err": float(diffusion.get("tau_p_window_err", math.nan)),
        "Gamma_phi": float(diffusion.get("Gamma_phi", math.nan)),
        "Gamma_phi_err": float(diffusion.get("Gamma_phi_err", math.nan)),
        "strain_balance": r[0],
        "strain_balance_err": r[1],
        "strain_balance_hl": r_hl[0],
        "D_HL": d_hl,
        "kappa": kappa[0],
        "kappa_err": kappa[1],
        "alpha_kappa": alpha[0],
        "alpha_kappa_err": alpha[1],
    }


def summary_table(
    modulus: pd.DataFrame,
    hb_fit: pd.DataFrame,
    yield_summary: pd.DataFrame,
    diffusion: pd.DataFrame,
    shear_rate: float,
    hl_fit: pd.DataFrame | None = None,
    inflow: pd.DataFrame | None = None,
    run_couplings: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Table 1: one row per density (columns :data:`SUMMARY_COLUMNS`).

    ``inflow`` (optional, ``results/inflow_thresholds.parquet``) gives the in-flow threshold
    and drop columns (:func:`inflow_columns`); without it they are NaN.

    ``diffusion`` is the collected per-run diffusion summary; rows at ``shear_rate`` are
    combined over seeds by the one rule for time series (:func:`mechnoise.stats.combine_runs`:
    one seed keeps its between-window error, several give the between-seed spread). The
    yield summary row along the flow (direction +1) is used; ``hl_fit`` (optional) gives
    ``alpha_flow_hl``; ``run_couplings`` (optional) the issue-19 alphas
    (:func:`add_meanfield_alphas`).
    """
    rows = []
    for density in sorted(modulus["density"]):
        mod = modulus[np.isclose(modulus["density"], density)].iloc[0]
        fit = hb_fit[np.isclose(hb_fit["density"], density) & (hb_fit["exponent_mode"] == "fixed")]
        ys = yield_summary[
            np.isclose(yield_summary["density"], density) & (yield_summary["direction"] == 1)
        ]
        dif = diffusion[
            np.isclose(diffusion["density"], density)
            & np.isclose(diffusion["shear_rate"], shear_rate)
        ]
        if fit.empty or ys.empty or dif.empty:
            raise ValueError(f"density {density}: missing fit, yield or diffusion results")
        mean = dif.mean(numeric_only=True)
        for col in ("D_sigma", "Gamma", "phi", "tau_p", "tau_p_window", "Gamma_phi"):
            if col in dif and f"{col}_err" in dif:
                mean[col], mean[f"{col}_err"] = combine_runs(dif[col], dif[f"{col}_err"])
        hl_row = None
        if hl_fit is not None:
            match = hl_fit[np.isclose(hl_fit["density"], density)]
            hl_row = match.iloc[0] if len(match) else None
        row = summary_row(float(density), mod, fit.iloc[0], ys.iloc[0], mean, hl_row)
        flow = None
        if inflow is not None:
            match = inflow[np.isclose(inflow["density"], density)]
            flow = match.iloc[0] if len(match) else None
        row.update(
            inflow_columns(
                flow, row["sigma_c"], row["sigma_c_err"], row["stress_drop"], row["stress_drop_err"]
            )
        )
        rows.append(row)
    base = [c for c in SUMMARY_COLUMNS if c not in MEANFIELD_COLUMNS]
    table = add_meanfield_alphas(pd.DataFrame(rows, columns=base), run_couplings, shear_rate)
    return table[list(SUMMARY_COLUMNS)]
