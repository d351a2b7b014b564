"""Per-run HL ingredients: the strain balance R and the noise ratio κ of every run.

For every run (density, shear rate, seed) with the density's frozen-matrix results
(``yield_summary``, loading along the flow):

- ``strain_balance`` ``R = Γ <Δσ^m> / (G0 γ̇)`` with Γ the event rate
  (:func:`mechnoise.plasticity.rate.strain_balance`): in steady state plastic events relax
  what shear loads, so R is of order one if Γ counts events. ``strain_balance_hl`` uses
  ``<σ_c^m>`` for the stress relaxed per event (HL: reset from σ_c to 0). The same ratio
  with the occupancy rate φ/τ_p_window (``strain_balance_phi``) shows what the former Γ gave.
- ``kappa`` ``κ = D_HL / (G0 γ̇ <σ_c^m>)`` with ``D_HL = D_sigma / 2`` of Eq. 7, and
  ``kappa_var`` with the increment variance instead (``D_sigma_var / 2``); in HL at small γ̇
  ``α = κ tanh(1/(2κ))`` (``alpha_kappa``), a coupling that needs neither Γ nor τ
  (:func:`mechnoise.hl.couplings.alpha_from_noise_ratio`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from mechnoise import columns
from mechnoise.hl.couplings import (
    alpha_from_noise_ratio,
    alpha_variants_with_errors,
    noise_ratio,
)
from mechnoise.plasticity.rate import strain_balance

__all__ = ["RUN_COUPLING_COLUMNS", "run_couplings"]


#: column -> (dtype, unit, description) of ``results/run_couplings.parquet`` (one row per run).
RUN_COUPLING_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("report.run_coupling")


def _error_note(errors: dict[str, float]) -> str:
    """Why some propagated errors are NaN: the inputs whose error is unknown ("" if none)."""
    unknown = [name for name, err in errors.items() if not math.isfinite(err)]
    return "; ".join(f"{name} unknown" for name in unknown)


def run_couplings(
    diffusion: pd.DataFrame,
    yield_summary: pd.DataFrame,
    noise: pd.DataFrame | None = None,
    noise_jackknife: pd.DataFrame | None = None,
    local_yield: pd.DataFrame | None = None,
    sigma_c_flow: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """R, κ and the α it implies for every run (module notes).

    Parameters
    ----------
    diffusion : DataFrame
        ``results/diffusion_summary.parquet`` (one row per run, with G0, D_HL,
        D_sigma_var, Gamma, Gamma_phi, tau_p, tau_p_window and errors).
    yield_summary : DataFrame
        Every density's ``yield_summary.parquet`` (columns density, direction,
        sigma_c_km or sigma_c_mean with its error, sigma_drop_mean, sigma_drop_mean_err).

    noise, noise_jackknife : DataFrame, optional
        ``results/block_noise.parquet`` and ``results/block_noise_jackknife.parquet``
        (:mod:`mechnoise.noise`): D_noise, D_all, Gamma, the run's in-flow threshold
        sigma_c_flow and their delete-one values over the same time segments. Without them the
        issue-19 columns are NaN.
    local_yield : DataFrame, optional
        Every density's ``local_yield.parquet`` (for ``<(Delta sigma^m)^2>``).
    sigma_c_flow : DataFrame, optional
        Columns density, sigma_c_flow, sigma_c_flow_err (Table 1, in-flow thresholds): the
        fallback for ``alpha_kappa_flow`` (error added in quadrature) when the noise tables
        have no in-flow values of the run; with them the run's own sigma_c_flow enters the
        joint jackknife with D_noise over the same segments.

    Returns
    -------
    DataFrame
        :data:`RUN_COUPLING_COLUMNS`, one row per run, sorted by density, rate and seed.
        A missing input error (e.g. one yielded block) is not taken as zero: the errors it
        enters stay NaN and ``error_note`` names it.

    Raises
    ------
    ValueError
        If a run's density has no yield summary along the flow (direction 1).
    """
    rows = []
    along = yield_summary[yield_summary["direction"] == 1]
    for _, run in diffusion.sort_values(["density", "shear_rate", "seed"]).iterrows():
        ys = along[np.isclose(along["density"], run["density"])]
        if ys.empty:
            raise ValueError(f"density {run['density']}: no yield summary along the flow")
        y = ys.iloc[0]
        # the censored (Kaplan-Meier) <sigma_c^m> when the yield summary has it (as Table 1)
        key = "sigma_c_km" if "sigma_c_km" in y.index else "sigma_c_mean"
        sc, sc_e = float(y[key]), float(y[f"{key}_err"])
        ds, ds_e = float(y["sigma_drop_mean"]), float(y["sigma_drop_mean_err"])
        g0, g0_e, rate = float(run["G0"]), float(run["G0_err"]), float(run["shear_rate"])
        gam, gam_e = float(run["Gamma"]), float(run["Gamma_err"])
        d_hl_e = float(run["D_HL_err"])
        note = _error_note(
            {
                f"{key}_err": sc_e,
                "sigma_drop_mean_err": ds_e,
                "G0_err": g0_e,
                "Gamma_err": gam_e,
                "D_HL_err": d_hl_e,
            }
        )
        r = strain_balance(gam, gam_e, ds, ds_e, g0, rate)
        r_hl = strain_balance(gam, gam_e, sc, sc_e, g0, rate)
        r_phi = strain_balance(float(run["Gamma_phi"]), 0.0, ds, 0.0, g0, rate)
        kappa = noise_ratio(float(run["D_HL"]), d_hl_e, g0, g0_e, rate, sc, sc_e)
        kappa_var = noise_ratio(float(run["D_sigma_var"]) / 2, 0.0, g0, 0.0, rate, sc, 0.0)
        alpha = alpha_from_noise_ratio(*kappa)
        rows.append(
            {
                "density": float(run["density"]),
                "shear_rate": rate,
                "seed": int(run["seed"]),
                "G0": g0,
                "sigma_c": sc,
                "stress_drop": ds,
                "tau_p": float(run["tau_p"]),
                "tau_p_window": float(run["tau_p_window"]),
                "Gamma": gam,
                "Gamma_err": float(run["Gamma_err"]),
                "Gamma_phi": float(run["Gamma_phi"]),
                "strain_balance": r[0],
                "strain_balance_err": r[1],
                "strain_balance_hl": r_hl[0],
                "strain_balance_hl_err": r_hl[1],
                "strain_balance_phi": r_phi[0],
                "D_HL": float(run["D_HL"]),
                "kappa": kappa[0],
                "kappa_err": kappa[1],
                "alpha_kappa": alpha[0],
                "alpha_kappa_err": alpha[1],
                "kappa_var": kappa_var[0],
                "alpha_kappa_var": alpha_from_noise_ratio(kappa_var[0])[0],
                "error_note": note,
                **_issue19_alphas(
                    run,
                    noise,
                    noise_jackknife,
                    local_yield,
                    sigma_c_flow,
                    sc=(sc, sc_e),
                    ds=(ds, ds_e),
                    g0=(g0, g0_e),
                ),
            }
        )
    return pd.DataFrame(rows, columns=list(RUN_COUPLING_COLUMNS))


def _select_run(table: pd.DataFrame | None, run: pd.Series) -> pd.DataFrame:
    if table is None:
        return pd.DataFrame()
    return table[
        np.isclose(table["density"], run["density"])
        & np.isclose(table["shear_rate"], run["shear_rate"])
        & (table["seed"] == run["seed"])
    ]


def _issue19_alphas(
    run: pd.Series,
    noise: pd.DataFrame | None,
    noise_jackknife: pd.DataFrame | None,
    local_yield: pd.DataFrame | None,
    sigma_c_flow: pd.DataFrame | None,
    *,
    sc: tuple[float, float],
    ds: tuple[float, float],
    g0: tuple[float, float],
) -> dict[str, float]:
    """Issue-19 columns of one run: every alpha with joint jackknife errors (NaN if no data)."""
    out = {k: math.nan for k in RUN_COUPLING_COLUMNS if k in _ISSUE19}
    row = _select_run(noise, run)
    if row.empty:
        return out
    r = row.iloc[0]
    drop_sq, drop_sq_err = math.nan, math.nan
    if local_yield is not None:
        blocks = local_yield[
            np.isclose(local_yield["density"], run["density"]) & (local_yield["direction"] == 1)
        ]["sigma_drop"].dropna()
        if len(blocks):
            sq = blocks.to_numpy() ** 2
            drop_sq = float(sq.mean())
            drop_sq_err = float(sq.std(ddof=1) / math.sqrt(sq.size)) if sq.size > 1 else math.nan
    scf, scf_err = math.nan, math.nan
    if sigma_c_flow is not None and "sigma_c_flow" in sigma_c_flow:
        match = sigma_c_flow[np.isclose(sigma_c_flow["density"], run["density"])]
        if len(match):
            scf = float(match["sigma_c_flow"].iloc[0])
            # an unknown error stays NaN (it makes the alpha_kappa_flow error NaN, not zero)
            scf_err = float(match.get("sigma_c_flow_err", pd.Series([math.nan])).iloc[0])
    inputs = {
        "d_hl": float(r["D_noise"]),
        "gamma": float(r["Gamma"]),
        "drop_mean": ds[0],
        "drop_sq": drop_sq,
        "sigma_c": sc[0],
        "g0": g0[0],
        "shear_rate": float(run["shear_rate"]),
        "sigma_c_flow": scf,
        "drift": float(r.get("drift_rate", math.nan)),
    }
    jack = _select_run(noise_jackknife, run).sort_values("segment")
    joint = {"d_hl": jack["D_noise"].to_numpy(), "gamma": jack["Gamma"].to_numpy()}
    if "drift_rate" in jack:
        # the onset-free drift from the same pairs as D_noise: jointly
        joint["drift"] = jack["drift_rate"].to_numpy(np.float64)
    own = float(r.get("sigma_c_flow", math.nan))
    loo = jack["sigma_c_flow"].to_numpy(np.float64) if "sigma_c_flow" in jack else np.zeros(0)
    if math.isfinite(own) and len(loo) and np.all(np.isfinite(loo)):
        # the run's own in-flow threshold, delete-one over the segments of D_noise and Gamma:
        # alpha_kappa_flow's error is joint (no independent sigma_c_flow error)
        inputs["sigma_c_flow"], scf = own, own
        joint["sigma_c_flow"] = loo
    errors = {
        "drop_mean": ds[1],
        "drop_sq": drop_sq_err,
        "sigma_c": sc[1],
        "g0": g0[1],
    }
    if "sigma_c_flow" not in joint:
        errors["sigma_c_flow"] = scf_err
    if "drift" not in joint:  # a jackknife table written before the drift was kept
        errors["drift"] = float(r.get("drift_rate_err", math.nan))
    alphas = alpha_variants_with_errors(inputs, joint if len(jack) else {}, errors)
    out.update(
        D_noise=inputs["d_hl"],
        D_noise_err=float(r["D_noise_err"]),
        D_all=float(r["D_all"]),
        D_all_err=float(r["D_all_err"]),
        Gamma_series=inputs["gamma"],
        Gamma_series_err=float(r["Gamma_err"]),
        stress_drop_sq=drop_sq,
        sigma_c_flow=scf,
    )
    load = g0[0] * float(run["shear_rate"])
    if load > 0 and math.isfinite(inputs["drift"]):
        ratio = inputs["drift"] / load
        out["drift_ratio"] = ratio
        out["drift_ratio_err"] = math.hypot(
            float(r.get("drift_rate_err", math.nan)) / load, ratio * g0[1] / g0[0]
        )
    for name, key in (
        ("alpha_micro_noise", "alpha_micro"),
        ("alpha_micro_sq", "alpha_micro_sq"),
        ("alpha_kappa_noise", "alpha_kappa"),
        ("alpha_kappa_flow", "alpha_kappa_flow"),
        ("alpha_kappa_drift", "alpha_kappa_drift"),
        ("alpha_bal", "alpha_bal"),
    ):
        out[name], out[f"{name}_err"] = alphas[key]
    return out


#: The issue-19 columns of :data:`RUN_COUPLING_COLUMNS` (D_noise .. alpha_bal_err).
_ISSUE19 = list(RUN_COUPLING_COLUMNS)[
    list(RUN_COUPLING_COLUMNS).index("D_noise") : list(RUN_COUPLING_COLUMNS).index("alpha_bal_err")
    + 1
]
