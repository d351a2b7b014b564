"""The HL noise ``D_noise`` and the couplings α on every coarse block width ``W`` (issue 19 #6).

The coarse block width ``W`` is a choice of the analysis. The LAMMPS block series
(:mod:`mechnoise.block_series`) holds one grid per width of ``shear.block_series.widths``, and
the block-size scan (:mod:`mechnoise.plasticity.block_scan`) measures, on the grids of
``analysis.inflow.widths``, the in-flow threshold ``σ_c^flow(W)`` and drop ``⟨Δσ_flow⟩(W)``.
This module adds, per grid:

- :func:`width_noise`: ``D_noise`` and ``D_all`` (:func:`mechnoise.noise.block_noise`, the
  estimator of ``block_noise.parquet``, with the onsets re-binned on the grid by their
  centroids) and Γ of the persistent onsets, all with their delete-one values over the
  **same** time segments;
- :func:`width_alphas`: with :func:`mechnoise.hl.couplings.alpha_variants_with_errors`,

  - ``alpha_micro_flow`` = 2 D_noise / (⟨Δσ_flow⟩² Γ) (paper Eq. 8 with ``D_σ = 2 D_noise``
    and the in-flow drop of the same grid),
  - ``alpha_kappa_flow`` = κ tanh(1/(2κ)), κ = D_noise / (G0 γ̇ σ_c^flow(W)),
  - ``alpha_kappa_noise``: the same with the frozen-matrix ⟨σ_c^m⟩, only on the grid the
    frozen-matrix test used (NaN on the others: thresholds measured on another block size
    are not the thresholds of this grid).

Errors: D_noise, Γ, σ_c^flow(W) and ⟨Δσ_flow⟩(W) enter through their delete-one values over
the same time segments (a joint jackknife: their correlation is in the error; the in-flow
means from the scan's onsets, ``block_width_onsets.parquet``); G0 and the frozen-matrix σ_c
enter as independent errors added in quadrature. Without the in-flow delete-one values (an
old jackknife table) σ_c^flow and ⟨Δσ_flow⟩ fall back to independent errors. An independent
error that is unknown (NaN, e.g. one onset) makes the error of every α it enters NaN, never
zero.

A grid of ``analysis.inflow.widths`` with no block-series grid of the same ``M`` gives a row of
NaN whose ``note`` says why (the series has no such grid: add the width to
``shear.block_series.widths``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from mechnoise import columns
from mechnoise.block_series import block_matrix
from mechnoise.blocks import n_blocks_per_side
from mechnoise.hl.couplings import alpha_variants_with_errors
from mechnoise.noise import block_noise, inflow_means, onset_rate_jackknife
from mechnoise.plasticity.block_scan import rebin_onsets
from mechnoise.stats import combine_runs, jackknife_error

__all__ = [
    "WIDTH_ALPHA_COLUMNS",
    "WIDTH_NOISE_COLUMNS",
    "WIDTH_NOISE_JACKKNIFE_COLUMNS",
    "combine_seeds",
    "frozen_grid",
    "frozen_threshold",
    "width_alphas",
    "width_noise",
]

#: column -> (dtype, unit, description) of ``{RUN}/width_noise.parquet`` (one row per W).
WIDTH_NOISE_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("hl.width_scan.width_noise")

#: column -> (dtype, unit, description) of ``{RUN}/width_noise_jackknife.parquet`` (one row per
#: W and left-out time segment).
WIDTH_NOISE_JACKKNIFE_COLUMNS: dict[str, tuple[str, str, str]] = columns.view(
    "hl.width_scan.width_noise_jackknife"
)

#: column -> (dtype, unit, description) of ``results/width_alphas.parquet`` (one row per run at
#: the lowest rate and W).
WIDTH_ALPHA_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("hl.width_scan.width_alpha")

#: The α of this module -> the name in :func:`mechnoise.hl.couplings.alpha_variants`.
_ALPHAS = {
    "alpha_micro_flow": "alpha_micro",
    "alpha_kappa_flow": "alpha_kappa_flow",
    "alpha_kappa_noise": "alpha_kappa",
}

#: The independent (not jackknifed) inputs each α depends on.
_INDEPENDENT = {
    "alpha_micro_flow": ("drop_mean",),
    "alpha_kappa_flow": ("g0", "sigma_c_flow"),
    "alpha_kappa_noise": ("g0", "sigma_c"),
}

#: Inputs of each α that must be finite and > 0, by the column that holds them (for ``note``).
_NEEDS = {
    "alpha_micro_flow": {"d_hl": "D_noise", "gamma": "Gamma", "drop_mean": "stress_drop_flow"},
    "alpha_kappa_flow": {"d_hl": "D_noise", "g0": "G0", "sigma_c_flow": "sigma_c_flow"},
}


def _nan_noise_row(width: float, m: int, note: str) -> dict[str, object]:
    row: dict[str, object] = {c: math.nan for c in WIDTH_NOISE_COLUMNS}
    row.update(W=float(width), M=int(m), n_events=0, n_onsets=0, pairs_noise=0, note=note)
    return row


def width_noise(
    series: pd.DataFrame,
    events: pd.DataFrame,
    persistent: np.ndarray,
    grids: Sequence[tuple[float, int]],
    *,
    fit_window: tuple[float, float],
    margin: float,
    coverage: Sequence[tuple[float, float]] | None,
    n_segments: int,
    gamma_note: str = "",
    inflow_onsets: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``D_noise``, ``D_all`` and Γ with their delete-one values on every grid ``(W, M)``.

    Parameters
    ----------
    series : DataFrame
        ``block_series.parquet`` of the run (one LAMMPS grid per ``shear.block_series.widths``).
    events : DataFrame
        ``events.parquet`` of the run (``time``, ``centroid_x``, ``centroid_y``, ...).
    persistent : ndarray of bool
        Which onsets are events (:func:`mechnoise.plasticity.rate.persistent_onsets`).
    grids : sequence of (float, int)
        The grids ``(W, M)`` of the block-size scan (``block_width_scan.parquet``).
    fit_window, margin, coverage, n_segments
        As in :func:`mechnoise.noise.block_noise` (``analysis.noise``, the D²min lag, the
        frame windows, the jackknife segments).
    gamma_note : str
        The run's ``Gamma_note`` (percolation): if not empty, Γ is NaN on every grid, as in
        the plasticity summary and the block-size scan, and the note says why.
    inflow_onsets : DataFrame, optional
        ``block_width_onsets.parquet`` of the run (the onsets of the block-size scan's in-flow
        means, per ``M``): their delete-one means ``sigma_c_flow``, ``stress_drop_flow`` and
        ``stress_drop_sq_flow`` over the same segments go into the jackknife table
        (:func:`mechnoise.noise.inflow_means`); NaN without it.

    Returns
    -------
    (DataFrame, DataFrame)
        :data:`WIDTH_NOISE_COLUMNS` (one row per grid) and
        :data:`WIDTH_NOISE_JACKKNIFE_COLUMNS` (one row per grid with a series and segment).

    Notes
    -----
    Every onset (flickers included) spoils the increment pairs of its block, exactly as in
    ``block_noise.parquet``, so the row of the analysis grid repeats its ``D_noise``, ``D_all``
    and ``Gamma_all``. Γ counts the persistent onsets only: it pairs with the in-flow drop,
    which is averaged over persistent onsets. Γ is counted per block of the grid over the
    covered time, on the segments of ``D_noise``
    (:func:`mechnoise.noise.onset_rate_jackknife`), so Γ M² is the same on every grid.

    Raises
    ------
    ValueError
        If ``persistent`` does not have one entry per onset.
    """
    persistent = np.asarray(persistent, dtype=bool)
    if persistent.shape != (len(events),):
        raise ValueError(f"persistent has shape {persistent.shape}, expected ({len(events)},)")
    have = series.drop_duplicates("width")[["width", "m"]]
    rows: list[dict[str, object]] = []
    jacks: list[pd.DataFrame] = []
    for width, m in grids:
        match = have[have["m"] == m]
        if match.empty:
            pairs = zip(have["width"], have["m"], strict=True)
            grid_list = ", ".join(f"W {w:g}: M {k}" for w, k in pairs)
            rows.append(
                _nan_noise_row(
                    width,
                    m,
                    f"no block-series grid with M = {m} (series has {grid_list}): add the "
                    "width to shear.block_series.widths",
                )
            )
            continue
        series_width = float(match["width"].iloc[0])
        on_grid = rebin_onsets(events, m)
        row, jack = block_noise(
            series,
            on_grid,
            width=series_width,
            fit_window=fit_window,
            margin=margin,
            coverage=coverage,
            n_segments=n_segments,
        )
        r = row.iloc[0]
        time = block_matrix(series, series_width)[0]
        span = list(coverage) if coverage else [(float(time[0]), float(time[-1]))]
        kept = on_grid["time"].to_numpy(np.float64)[persistent]
        gamma, gamma_jack = onset_rate_jackknife(kept, m * m, time, span, n_segments)
        own = None if inflow_onsets is None else inflow_onsets[inflow_onsets["M"] == m]
        flow = inflow_means(own, time, n_segments)
        notes = []
        if int(r["pairs_noise"]) == 0:
            notes.append(
                "D_noise: no onset-free pairs (frame windows shorter than 2 D2min lags plus "
                "the fit window's end)"
            )
        if gamma_note:
            gamma, gamma_jack = math.nan, np.full(n_segments, math.nan)
            notes.append(f"Gamma: {gamma_note}")
        rows.append(
            {
                "W": float(width),
                "M": int(m),
                "D_noise": float(r["D_noise"]),
                "D_noise_err": float(r["D_noise_err"]),
                "D_all": float(r["D_all"]),
                "D_all_err": float(r["D_all_err"]),
                "Gamma": gamma,
                "Gamma_err": jackknife_error(gamma_jack),
                "Gamma_all": float(r["Gamma"]),
                "Gamma_all_err": float(r["Gamma_err"]),
                "n_events": int(persistent.sum()),
                "n_onsets": int(r["n_onsets"]),
                "pairs_noise": int(r["pairs_noise"]),
                "note": "; ".join(notes),
            }
        )
        jacks.append(
            pd.DataFrame(
                {
                    "W": float(width),
                    "M": int(m),
                    "segment": jack["segment"].to_numpy(),
                    "D_noise": jack["D_noise"].to_numpy(),
                    "D_all": jack["D_all"].to_numpy(),
                    "Gamma": gamma_jack,
                    "Gamma_all": jack["Gamma"].to_numpy(),
                    **{k: loo for k, (_, loo) in flow.items()},
                }
            )
        )
    table = pd.DataFrame(rows, columns=list(WIDTH_NOISE_COLUMNS))
    jack_table = (
        pd.concat(jacks, ignore_index=True)
        if jacks
        else pd.DataFrame(columns=list(WIDTH_NOISE_JACKKNIFE_COLUMNS))
    )
    return table, jack_table


def frozen_threshold(yield_summary: pd.DataFrame) -> tuple[float, float]:
    """``(⟨σ_c^m⟩, error)`` of one density's frozen-matrix test, loading along the flow.

    The Kaplan–Meier mean (``sigma_c_km``, censoring blocks that never yield) when the summary
    has it, as Table 1 and ``run_couplings.parquet`` use, else the mean over yielded blocks.

    Raises
    ------
    ValueError
        If the summary has no row along the flow (direction 1).

    Examples
    --------
    >>> frozen_threshold(pd.DataFrame({"direction": [1], "sigma_c_mean": [2.0],
    ...                                "sigma_c_mean_err": [0.1]}))
    (2.0, 0.1)
    """
    along = yield_summary[yield_summary["direction"] == 1]
    if along.empty:
        raise ValueError("the yield summary has no row along the flow (direction 1)")
    key = "sigma_c_km" if "sigma_c_km" in along.columns else "sigma_c_mean"
    return float(along[key].iloc[0]), float(along[f"{key}_err"].iloc[0])


def frozen_grid(block_side: float, m: int, width: float) -> int:
    """``M`` of the frozen-matrix grid: ``round(L / W)`` with ``L = M block_side = sqrt(lx ly)``.

    ``width`` is the block width of the frozen-matrix test (``analysis.blocks.width``, or the
    measured ``<l_pl>`` of its run with ``analysis.blocks.from_cluster_size``); the box side
    ``L`` is read off any grid of the scan (the same for every run of a density: shear keeps
    the area).

    Examples
    --------
    >>> frozen_grid(6.2, 5, 6.0), frozen_grid(7.75, 4, 6.0), frozen_grid(31.0, 1, 12.0)
    (5, 5, 3)
    """
    side = float(m) * float(block_side)
    return n_blocks_per_side((side, side, 0.0), float(width))


def width_alphas(
    noise: pd.DataFrame,
    jackknife: pd.DataFrame,
    scan: pd.DataFrame,
    *,
    g0: tuple[float, float],
    shear_rate: float,
    sigma_c: tuple[float, float] = (math.nan, math.nan),
    frozen_m: int | None = None,
) -> pd.DataFrame:
    """Every α per block width of one run (module notes), with joint jackknife errors.

    Parameters
    ----------
    noise, jackknife : DataFrame
        The run's :func:`width_noise` tables.
    scan : DataFrame
        The run's ``block_width_scan.parquet`` rows (W, M, block_side, sigma_c_flow,
        stress_drop_flow and their errors).
    g0 : (float, float)
        G0 and its error (eps/sigma²).
    shear_rate : float
        γ̇ of the run (1/tau0).
    sigma_c : (float, float)
        Frozen-matrix ⟨σ_c^m⟩ and its error (:func:`frozen_threshold`).
    frozen_m : int or None
        ``M`` of the frozen-matrix grid (:func:`frozen_grid`); ``alpha_kappa_noise`` is
        filled on that grid only. None: nowhere.

    Returns
    -------
    DataFrame
        :data:`WIDTH_ALPHA_COLUMNS` without density, shear_rate and seed; one row per row of
        ``noise``.

    Raises
    ------
    ValueError
        If a grid of ``noise`` is missing from ``scan``.
    """
    rows = []
    for _, r in noise.iterrows():
        m = int(r["M"])
        match = scan[scan["M"] == m]
        if match.empty:
            raise ValueError(f"grid M = {m} (W = {r['W']}) is not in the block-size scan")
        s = match.iloc[0]
        on_frozen = frozen_m is not None and m == frozen_m
        sc, sc_err = sigma_c if on_frozen else (math.nan, math.nan)
        inputs = {
            "d_hl": float(r["D_noise"]),
            "gamma": float(r["Gamma"]),
            "drop_mean": float(s["stress_drop_flow"]),
            "drop_sq": math.nan,
            "sigma_c": sc,
            "g0": g0[0],
            "shear_rate": float(shear_rate),
            "sigma_c_flow": float(s["sigma_c_flow"]),
        }
        errors = {
            "drop_mean": float(s["stress_drop_flow_err"]),
            "sigma_c_flow": float(s["sigma_c_flow_err"]),
            "g0": g0[1],
            "sigma_c": sc_err,
        }
        jack = jackknife[jackknife["M"] == m].sort_values("segment")
        joint: dict[str, list[float]] = (
            {"d_hl": jack["D_noise"].tolist(), "gamma": jack["Gamma"].tolist()}
            if len(jack)
            else {}
        )
        for key, col in (("drop_mean", "stress_drop_flow"), ("sigma_c_flow", "sigma_c_flow")):
            # the in-flow mean delete-one over the segments of D_noise: joint, not independent
            loo = jack[col].to_numpy(np.float64) if col in jack and len(jack) else np.zeros(0)
            if loo.size and np.all(np.isfinite(loo)) and math.isfinite(inputs[key]):
                joint[key] = loo.tolist()
                del errors[key]
        alphas = _alphas(inputs, joint, errors)
        notes = [str(r["note"])] if str(r["note"]) else []
        for name, needs in _NEEDS.items():
            bad = [col for key, col in needs.items() if not inputs[key] > 0]  # NaN fails too
            if bad and math.isfinite(inputs["d_hl"]):
                notes.append(f"{name}: {', '.join(bad)} not > 0")
        rows.append(
            {
                "W": float(r["W"]),
                "M": m,
                "block_side": float(s["block_side"]),
                "D_noise": inputs["d_hl"],
                "D_noise_err": float(r["D_noise_err"]),
                "D_all": float(r["D_all"]),
                "D_all_err": float(r["D_all_err"]),
                "Gamma": inputs["gamma"],
                "Gamma_err": float(r["Gamma_err"]),
                "sigma_c_flow": inputs["sigma_c_flow"],
                "sigma_c_flow_err": float(s["sigma_c_flow_err"]),
                "stress_drop_flow": inputs["drop_mean"],
                "stress_drop_flow_err": float(s["stress_drop_flow_err"]),
                "G0": g0[0],
                "G0_err": g0[1],
                "sigma_c_frozen": sc,
                "sigma_c_frozen_err": sc_err,
                **alphas,
                "note": "; ".join(notes),
            }
        )
    names = [c for c in WIDTH_ALPHA_COLUMNS if c not in ("density", "shear_rate", "seed")]
    return pd.DataFrame(rows, columns=names)


def _alphas(
    inputs: dict[str, float],
    joint: Mapping[str, Sequence[float]],
    errors: dict[str, float],
) -> dict[str, float]:
    """The α of :data:`_ALPHAS` with errors; an unknown independent error gives a NaN error.

    ``errors`` holds the independent errors only: an input of ``joint`` has none.
    """
    finite = {k: v for k, v in errors.items() if math.isfinite(v) and math.isfinite(inputs[k])}
    values = alpha_variants_with_errors(inputs, joint, finite)
    out: dict[str, float] = {}
    for name, key in _ALPHAS.items():
        value, err = values[key]
        if any(not math.isfinite(errors.get(k, 0.0)) for k in _INDEPENDENT[name]):
            err = math.nan
        out[name], out[f"{name}_err"] = value, err
    return out


#: Quantities :func:`combine_seeds` combines over seeds (each with its ``_err``).
COMBINED = (
    "D_noise",
    "D_all",
    "Gamma",
    "alpha_micro_flow",
    "alpha_kappa_flow",
    "alpha_kappa_noise",
)


def combine_seeds(table: pd.DataFrame) -> pd.DataFrame:
    """Per density and ``W``: every quantity of :data:`COMBINED` over seeds
    (:func:`mechnoise.stats.combine_runs`, seeds with a finite value and error only).

    Returns
    -------
    DataFrame
        Columns density, W, block_side (mean) and each quantity with its ``_err``; NaN where
        no seed has a finite value.
    """
    rows = []
    for (rho, width), part in table.groupby(["density", "W"], sort=True):
        row: dict[str, float] = {
            "density": float(rho),
            "W": float(width),
            "block_side": float(part["block_side"].mean()),
        }
        for key in COMBINED:
            v = part[key].to_numpy(np.float64)
            e = part[f"{key}_err"].to_numpy(np.float64)
            ok = np.isfinite(v) & np.isfinite(e)
            value, err = combine_runs(v[ok], e[ok]) if ok.any() else (math.nan, math.nan)
            row[key], row[f"{key}_err"] = value, err
        rows.append(row)
    return pd.DataFrame(rows)
