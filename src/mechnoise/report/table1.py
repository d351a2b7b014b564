"""Table 1 of the paper and the HL comparison: every per-density quantity in one table.

Inputs are the tables of the earlier stages (flow: G0, Herschel–Bulkley; plasticity: tau_p,
phi; stress: D_sigma, Gamma; yield: <sigma_c^m>, <Delta sigma^m>). The HL couplings follow
DESIGN §3: alpha_micro = D_sigma / (<Delta sigma^m>^2 Gamma) (paper Eq. 8, D_sigma = MSD/t),
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

from mechnoise import hl
from mechnoise.plasticity.rate import strain_balance
from mechnoise.stats import combine_runs

log = logging.getLogger(__name__)

_S = "eps/sigma^2"

#: Columns of ``results/summary.parquet`` (one row per density).
SUMMARY_COLUMNS: dict[str, tuple[str, str, str]] = {
    "density": ("float64", "sigma^-2", "number density"),
    "shear_rate": ("float64", "1/tau0", "rate of the runs giving tau_p, D_sigma, phi, Gamma"),
    "G0": ("float64", _S, "shear modulus from elastic branches (flow stage)"),
    "G0_err": ("float64", _S, "error of G0"),
    "tau_p": (
        "float64",
        "tau0",
        "plastic event duration, time-resolved estimator (short-lag non-affine amplitude); "
        "HL tau in the rescalings (Fig. 2, 3)",
    ),
    "tau_p_err": ("float64", "tau0", "error of tau_p"),
    "sigma_c": (
        "float64",
        _S,
        "<sigma_c^m>, mean local yield stress, censored (Kaplan-Meier) estimate: the HL "
        "sigma_c of every rescaling (blocks that never yielded by the strain cap have the "
        "largest thresholds; leaving them out biases the mean low)",
    ),
    "sigma_c_err": ("float64", _S, "bootstrap error (over blocks) of sigma_c"),
    "sigma_c_yielded": (
        "float64",
        _S,
        "<sigma_c^m> over the blocks that yielded only (survivor-biased; for comparison)",
    ),
    "sigma_c_yielded_err": ("float64", _S, "bootstrap error of sigma_c_yielded"),
    "fraction_yielded": ("float64", "-", "fraction of tested blocks that yielded by the cap"),
    "delta_sigma_c": ("float64", _S, "spread of sigma_c^m (Kaplan-Meier standard deviation)"),
    "delta_sigma_c_err": ("float64", _S, "bootstrap error of delta_sigma_c"),
    "stress_drop": ("float64", _S, "<Delta sigma^m>, mean local stress drop"),
    "stress_drop_err": ("float64", _S, "bootstrap error of <Delta sigma^m>"),
    "D_sigma": ("float64", "eps^2/sigma^4/tau0", "stress diffusion D_sigma = MSD/t"),
    "D_sigma_err": ("float64", "eps^2/sigma^4/tau0", "error of D_sigma"),
    "phi": ("float64", "-", "mean fraction of coarse blocks holding an active particle"),
    "phi_err": ("float64", "-", "error of phi"),
    "Gamma": (
        "float64",
        "1/tau0",
        "activity rate per block: event onsets per coarse block and time; enters alpha_micro*",
    ),
    "Gamma_err": ("float64", "1/tau0", "error of Gamma"),
    "alpha_micro": ("float64", "-", "D_sigma / (<Delta sigma^m>^2 Gamma) (Eq. 8)"),
    "alpha_micro_err": ("float64", "-", "propagated error of alpha_micro"),
    "alpha_micro_dhl": (
        "float64",
        "-",
        "D_HL / (<Delta sigma^m>^2 Gamma) = alpha_micro / 2: Eq. 8 with the HL equation's own "
        "D (MSD = 2 D t); the coupling that enters the (modified) HL model",
    ),
    "alpha_micro_dhl_err": ("float64", "-", "error of alpha_micro_dhl"),
    "alpha_micro_hl": ("float64", "-", "D_sigma / (<sigma_c^m>^2 Gamma)"),
    "alpha_micro_hl_err": ("float64", "-", "propagated error of alpha_micro_hl"),
    "sigma_y": ("float64", _S, "dynamical yield stress (HB fit, n = 1/2)"),
    "sigma_y_err": ("float64", _S, "error of sigma_y"),
    "prefactor": ("float64", "eps/sigma^2 tau0^(1/2)", "HB prefactor A (n = 1/2)"),
    "prefactor_err": ("float64", "eps/sigma^2 tau0^(1/2)", "error of A"),
    "yield_stress_rescaled": ("float64", "-", "sigma_Y / <sigma_c^m> (Fig. 3 abscissa)"),
    "yield_stress_rescaled_err": ("float64", "-", "error of sigma_Y / <sigma_c^m>"),
    "prefactor_rescaled": ("float64", "-", "A / sqrt(G0 <sigma_c^m> tau_p) (Fig. 3 ordinate)"),
    "prefactor_rescaled_err": ("float64", "-", "error of the rescaled prefactor"),
    "alpha_flow": ("float64", "-", "alpha with HL sigma_Y/sigma_c(alpha) = sigma_Y/<sigma_c^m>"),
    "alpha_flow_err": ("float64", "-", "propagated error of alpha_flow (NaN: no HL solution)"),
    "alpha_flow_hl": (
        "float64",
        "-",
        "alpha of the HL stationary curve fitted to the flow curve (alpha, sigma_c, G0 tau "
        "free): a second alpha_flow, independent of <sigma_c^m>",
    ),
    "alpha_flow_hl_err": ("float64", "-", "fit error of alpha_flow_hl"),
    "drop_ratio": ("float64", "-", "<Delta sigma^m> / <sigma_c^m> over yielded blocks"),
    "drop_ratio_err": ("float64", "-", "bootstrap error of drop_ratio"),
    "x_mean": ("float64", _S, "<x> = <sigma_c^m - sigma^m>, distance to threshold at the start"),
    "x_mean_err": ("float64", _S, "bootstrap error of x_mean"),
    "x_post_mean": ("float64", _S, "<x_post>, renewed distance to threshold after a yield"),
    "x_post_mean_err": ("float64", _S, "bootstrap error of x_post_mean"),
    "tau_p_window": (
        "float64",
        "tau0",
        "paper's literal event duration (C_p of the lag-delta-t D2min); not used in any alpha",
    ),
    "tau_p_window_err": ("float64", "tau0", "error of tau_p_window"),
    "Gamma_phi": (
        "float64",
        "1/tau0",
        "occupancy rate phi / tau_p_window (the former Gamma); not used in any alpha",
    ),
    "Gamma_phi_err": ("float64", "1/tau0", "error of Gamma_phi"),
    "strain_balance": ("float64", "-", "R = Gamma <Delta sigma^m> / (G0 gamma_dot), ~1 expected"),
    "strain_balance_err": ("float64", "-", "error of R"),
    "strain_balance_hl": ("float64", "-", "Gamma <sigma_c^m> / (G0 gamma_dot) (HL reset to 0)"),
    "D_HL": ("float64", "eps^2/sigma^4/tau0", "D_HL = D_sigma / 2 (HL equation's D)"),
    "kappa": ("float64", "-", "kappa = D_HL / (G0 gamma_dot <sigma_c^m>)"),
    "kappa_err": ("float64", "-", "error of kappa"),
    "alpha_kappa": (
        "float64",
        "-",
        "HL coupling from kappa alone: kappa tanh(1/(2 kappa)) (needs neither Gamma nor tau)",
    ),
    "alpha_kappa_err": ("float64", "-", "error of alpha_kappa"),
}

# --- issue 19 (mean-field test, helper 19a): every alpha side by side ------------------------
#: Table-1 columns of :func:`add_meanfield_alphas` (appended to :data:`SUMMARY_COLUMNS`).
MEANFIELD_COLUMNS: dict[str, tuple[str, str, str]] = {
    "D_noise": ("float64", "eps^2/sigma^4/tau0", "HL D of own-onset-free block increments"),
    "D_noise_err": ("float64", "eps^2/sigma^4/tau0", "jackknife error of D_noise"),
    "D_all": ("float64", "eps^2/sigma^4/tau0", "HL D of all block increments (LAMMPS series)"),
    "D_all_err": ("float64", "eps^2/sigma^4/tau0", "jackknife error of D_all"),
    **{
        name: spec
        for key, text in (
            ("alpha_micro_noise", "2 D_noise / (<Delta sigma^m>^2 Gamma) (Eq. 8)"),
            ("alpha_micro_sq", "2 D_noise / (<(Delta sigma^m)^2> Gamma)"),
            (
                "alpha_kappa_noise",
                "kappa tanh(1/(2 kappa)), kappa = D_noise/(G0 rate sigma_c): the HL test",
            ),
            ("alpha_kappa_flow", "alpha_kappa_noise with sigma_c_flow (NaN without it)"),
            ("alpha_bal", "2 D_noise / (<Delta sigma^m> G0 rate): Gamma from strain balance"),
        )
        for name, spec in (
            (key, ("float64", "-", text)),
            (f"{key}_err", ("float64", "-", f"joint jackknife error of {key}")),
        )
    },
}
SUMMARY_COLUMNS.update(MEANFIELD_COLUMNS)


def add_meanfield_alphas(
    table: pd.DataFrame, run_couplings: pd.DataFrame | None, shear_rate: float
) -> pd.DataFrame:
    """Add :data:`MEANFIELD_COLUMNS` per density from ``results/run_couplings.parquet``.

    Rows at ``shear_rate`` are combined over seeds (:func:`mechnoise.stats.combine_runs`).
    If ``table`` has a ``sigma_c_flow`` column (in-flow thresholds), ``alpha_kappa_flow`` is
    recomputed from D_noise, G0 and that threshold; its error adds the errors of D_noise and
    ``sigma_c_flow_err`` in quadrature (they are not yet jackknifed over the same segments).
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
            if col.endswith("_err") or f"{col}_err" not in MEANFIELD_COLUMNS:
                continue
            vals, errs = runs[col].to_numpy(float), runs[f"{col}_err"].to_numpy(float)
            if np.all(np.isfinite(vals)):
                out.loc[i, col], out.loc[i, f"{col}_err"] = combine_runs(vals, np.nan_to_num(errs))
        if "sigma_c_flow" in out and math.isfinite(float(row["sigma_c_flow"])):
            d, d_e = float(out.loc[i, "D_noise"]), float(out.loc[i, "D_noise_err"])
            scf = float(row["sigma_c_flow"])
            scf_e = float(row.get("sigma_c_flow_err", 0.0))
            kappa = hl.noise_ratio(d, d_e, float(row["G0"]), 0.0, shear_rate, scf, scf_e)
            out.loc[i, "alpha_kappa_flow"], out.loc[i, "alpha_kappa_flow_err"] = (
                hl.alpha_from_noise_ratio(*kappa)
            )
    return out


def _rel(value: float, err: float) -> float:
    return abs(err / value) if value else math.inf


def _by_drop(
    d: float, s: float, g: float, d_e: float, s_e: float, g_e: float, alpha_convention: str
) -> tuple[float, float]:
    return hl.alpha_micro(
        d,
        s,
        g,
        d_sigma_err=d_e,
        stress_drop_err=s_e,
        activity_rate_err=g_e,
        alpha_convention=alpha_convention,  # type: ignore[arg-type]
    )


def _by_threshold(
    d: float, s: float, g: float, d_e: float, s_e: float, g_e: float, alpha_convention: str
) -> tuple[float, float]:
    return hl.alpha_micro_hl(
        d,
        s,
        g,
        d_sigma_err=d_e,
        yield_stress_local_err=s_e,
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
    am = _coupling(_by_drop, finite, d, d_e, ds, ds_e, gam, gam_e, "paper")
    am_dhl = _coupling(_by_drop, finite, d, d_e, ds, ds_e, gam, gam_e, "hl")
    am_hl = _coupling(_by_threshold, finite, d, d_e, sc, sc_e, gam, gam_e, "paper")
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
    run_couplings: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Table 1: one row per density (columns :data:`SUMMARY_COLUMNS`).

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
        rows.append(summary_row(float(density), mod, fit.iloc[0], ys.iloc[0], mean, hl_row))
    base = [c for c in SUMMARY_COLUMNS if c not in MEANFIELD_COLUMNS]
    table = add_meanfield_alphas(pd.DataFrame(rows, columns=base), run_couplings, shear_rate)
    return table[list(SUMMARY_COLUMNS)]


def modified_hl_prediction(summary: pd.DataFrame, shear_rates: np.ndarray) -> pd.DataFrame:
    """Modified-HL flow curves with each density's measured ingredients.

    Uses alpha_micro_dhl (the HL equation's convention D = alpha <Delta sigma>^2 Gamma with
    MSD = 2 D t), the threshold width delta_sigma_c / <sigma_c^m> and the relaxation
    fraction <Delta sigma^m> / <sigma_c^m> (DESIGN §3, paper's conclusion). Returns
    density, shear_rate (dimensionless, units sigma_c / (G0 tau)) and stress (units sigma_c).
    """
    from mechnoise.hl.modified import modified_flow_curve

    out = []
    for _, row in summary.iterrows():
        if not all(
            math.isfinite(row[c]) for c in ("alpha_micro_dhl", "delta_sigma_c", "drop_ratio")
        ):
            continue
        width = float(row["delta_sigma_c"] / row["sigma_c"])
        frac = float(min(max(row["drop_ratio"], 1e-3), 1.0))
        curve = modified_flow_curve(
            float(row["alpha_micro_dhl"]),
            shear_rates,
            threshold_width=width,
            relaxation_fraction=frac,
        )
        curve.insert(0, "density", float(row["density"]))
        out.append(curve[["density", "shear_rate", "stress"]])
    if not out:
        return pd.DataFrame(columns=["density", "shear_rate", "stress"])
    return pd.concat(out, ignore_index=True)


#: Columns of ``results/hl/modified_vs_md.parquet``.
PREDICTION_COLUMNS: dict[str, tuple[str, str, str]] = {
    "density": ("float64", "sigma^-2", "density whose measured ingredients were used"),
    "shear_rate": ("float64", "sigma_c/(G0 tau)", "dimensionless shear rate"),
    "stress": ("float64", "sigma_c", "modified-HL mean stress <sigma> / <sigma_c^m>"),
}
