"""Block-stress mean-square displacement, increment variance and stress diffusion coefficient.

Paper §3.3, Eq. (7): ``<(Δσ^m)²>(t) = <(σ^m(t0 + t) − σ^m(t0) − G0 γ̇ t)²>`` over blocks ``m``
and time origins ``t0``. Origins and lags stay inside one dense frame window (frames are
equally spaced within a window; a lag never crosses a window boundary). The elastic drift
uses the applied strain of the two frames, ``G0 (γ(t0 + t) − γ(t0)) = G0 γ̇ t``.

Two diffusion coefficients are reported and named apart (docs/design.md §3):

- ``D_sigma = <(Δσ^m)²>(t) / t`` in the linear regime: the paper's ``D_σ`` (Fig. 4b inset),
  which enters ``α_micro = D_σ / (<Δσ^m>² Γ)`` (Eq. 8);
- ``D_HL = D_sigma / 2``: the diffusion constant of the HL equation (Eq. 1), whose
  solution spreads as ``<Δσ²> = 2 D_HL t``; it enters ``D_HL = α̃ σ_c² Γ`` (Eq. 3).

Fit (decision): ``MSD = D_sigma t`` *without* intercept, as the paper defines
``D_σ = MSD / t``, with equal relative errors at every lag, i.e.
``D_sigma = mean over the lags t_k in the fit window of MSD(t_k) / t_k``. The slope and
intercept of a fit *with* intercept and the log–log exponent of the MSD in the same window
are reported as diagnostics of linearity (exponent ≈ 1 and intercept ≈ 0 when the window
lies in the diffusive regime).

Error (decision): the same estimator applied to each (window, block) sample separately
gives ``D_s``; the pooled ``D_sigma`` is (up to count weights) their mean. Two standard
errors are computed: over blocks, ``std(D_s) / sqrt(n_samples)``, which treats blocks as
independent although blocks of one window feel the same plastic events; and over windows,
``std(D_w) / sqrt(n_windows)`` with ``D_w`` the mean of a window's ``D_s`` (windows are
independent stretches of the steady state, but few). ``D_sigma_err`` is the larger of the
two (the block error alone came out 2–4 times smaller than the scatter between windows at
the lowest demo rates); both are reported.

Increment variance (beside Eq. 7): ``Var(Δσ^m)(t) = <(Δσ^m)²> − <Δσ^m>²`` with the raw
increment ``Δσ^m = σ^m(t0 + t) − σ^m(t0)`` and its mean over every block, origin and window
at that lag subtracted. In steady state the mean increment is ≈ 0, not ``G0 γ̇ t``, so Eq. 7
adds ``(G0 γ̇ t − <Δσ^m>)²`` to the variance: at the demo rates ``G0 γ̇ t`` is not negligible
(see ``drift_fraction``). ``D_sigma_var`` is the same no-intercept fit of the variance.
The local exponent ``d ln MSD / d ln t`` at every lag (``stress_msd.parquet``) and its range
over the fit window (``msd_exponent_min``/``max``) show whether the diffusion is normal
(exponent 1) where ``D_sigma`` is fitted.

A run's one-row summary (the fit beside Γ, τ_p and G0) is assembled in
:mod:`mechnoise.run_summary`.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mechnoise import columns
from mechnoise._typing import FloatArray
from mechnoise.stats import standard_error

log = logging.getLogger(__name__)


#: column -> (dtype, unit, description) of ``stress_msd.parquet`` (the pooled curve).
STRESS_MSD_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("diffusion.stress_msd")

#: column -> (dtype, unit, description) of ``stress_msd_blocks.parquet`` (per window and block).
STRESS_MSD_SAMPLE_COLUMNS: dict[str, tuple[str, str, str]] = columns.view(
    "diffusion.stress_msd_sample"
)

# Relative tolerance on equal frame spacing inside a window.
_SPACING_RTOL = 1e-6


def _log_log_slope(t: FloatArray, y: FloatArray) -> float:
    """Least-squares slope of log y against log t over the points with y > 0 (NaN if < 2)."""
    positive = y > 0
    if positive.sum() < 2:
        return math.nan
    return float(np.polyfit(np.log(t[positive]), np.log(y[positive]), 1)[0])


def _window_spacing(times: FloatArray, window: int) -> float:
    """Frame interval of one window; raise if frames are not equally spaced."""
    if times.size < 2:
        return math.nan
    steps = np.diff(times)
    dt = float((times[-1] - times[0]) / (times.size - 1))
    if not (dt > 0 and np.all(np.abs(steps - dt) <= _SPACING_RTOL * dt)):
        raise ValueError(
            f"frames of window {window} are not equally spaced in time: intervals "
            f"{np.unique(np.round(steps, 9))[:5]}; expected a constant frame interval"
        )
    return dt


def stress_msd_samples(
    block_stress: pd.DataFrame, shear_modulus: float, max_lag: float
) -> pd.DataFrame:
    """Block-stress MSD (Eq. 7) of every (window, block) sample, lags inside windows only.

    Parameters
    ----------
    block_stress : DataFrame
        ``block_stress.parquet`` of one run: columns window, time, strain, bx, by, stress
        (see :data:`mechnoise.blocks.BLOCK_STRESS_COLUMNS`); every window holds every block
        in every frame.
    shear_modulus : float
        ``G0`` (eps/sigma²) for the elastic drift ``G0 (γ(t0+t) − γ(t0))``.
    max_lag : float
        Largest lag (tau0); lags are ``k dt`` for ``k = 1 .. floor(max_lag / dt)``, limited
        by the window's length.

    Returns
    -------
    DataFrame
        Columns of :data:`STRESS_MSD_SAMPLE_COLUMNS` plus ``k`` (lag in the run's finest
        frame interval; each window uses its own spacing, a multiple of it).

    Raises
    ------
    ValueError
        If columns are missing, a window's frames are not equally spaced, a window's interval
        is not a multiple of the finest one, blocks are missing in some frame, or no lag fits.

    Examples
    --------
    A block whose stress grows exactly like ``G0 γ̇ t`` has zero MSD:

    >>> t = np.arange(5) * 0.5
    >>> df = pd.DataFrame({"window": 0, "time": t, "strain": 0.25 * t, "bx": 0, "by": 0,
    ...                    "stress": 1.0 + 8.0 * 0.25 * t})
    >>> stress_msd_samples(df, 8.0, 1.0)[["lag", "msd", "n"]]
       lag  msd  n
    0  0.5  0.0  4
    1  1.0  0.0  3
    """
    required = {"window", "time", "strain", "bx", "by", "stress"}
    missing = required - set(block_stress.columns)
    if missing:
        raise ValueError(f"block stress table lacks columns {sorted(missing)}")
    if not (np.isfinite(shear_modulus) and np.isfinite(max_lag) and max_lag > 0):
        raise ValueError(
            f"expected finite G0 and max_lag > 0, got G0={shear_modulus!r}, max_lag={max_lag!r}"
        )
    parts: list[pd.DataFrame] = []
    # windows may have different spacings (dense and survey frames): k counts the finest one
    finest = block_stress.groupby("window")["time"].agg(
        lambda t: np.diff(np.unique(t)).min() if t.nunique() > 1 else np.nan
    )
    spacing = float(finest.min()) if finest.notna().any() else None
    for window, df in block_stress.groupby("window", sort=True):
        wide = df.pivot_table(index="time", columns=["bx", "by"], values="stress", aggfunc="first")
        if wide.isna().to_numpy().any():
            raise ValueError(f"window {window}: some blocks are missing in some frames")
        times = wide.index.to_numpy(np.float64)
        strain = df.groupby("time")["strain"].first().reindex(wide.index).to_numpy(np.float64)
        dt = _window_spacing(times, int(window))
        if math.isnan(dt):
            log.warning("window %s has a single frame: no lag", window)
            continue
        step = dt / spacing if spacing else 1.0
        if abs(step - round(step)) > _SPACING_RTOL * step:
            raise ValueError(
                f"window {window} has frame interval {dt}, not a multiple of the finest "
                f"interval {spacing} of the run"
            )
        sigma = wide.to_numpy(np.float64)
        bx = wide.columns.get_level_values("bx").to_numpy()
        by = wide.columns.get_level_values("by").to_numpy()
        k_max = min(times.size - 1, int(math.floor(max_lag / dt * (1 + 1e-9))))
        for k in range(1, k_max + 1):
            drift = shear_modulus * (strain[k:] - strain[:-k])
            raw = sigma[k:] - sigma[:-k]
            d = raw - drift[:, None]
            parts.append(
                pd.DataFrame(
                    {
                        "window": window,
                        "bx": bx,
                        "by": by,
                        "k": k * round(step),
                        "lag": float(np.mean(times[k:] - times[:-k])),
                        "msd": np.mean(d * d, axis=0),
                        "drift": float(np.mean(drift)),
                        "n": times.size - k,
                        "increment": np.mean(raw, axis=0),
                        "increment_sq": np.mean(raw * raw, axis=0),
                    }
                )
            )
    if not parts:
        raise ValueError(f"no lag <= max_lag={max_lag} fits inside any window")
    return pd.concat(parts, ignore_index=True)


def pool_stress_msd(samples: pd.DataFrame) -> pd.DataFrame:
    """Pool per-sample MSDs into one curve (weights = number of origins).

    Parameters
    ----------
    samples : DataFrame
        Output of :func:`stress_msd_samples`; without the columns increment and
        increment_sq the variance is NaN.

    Returns
    -------
    DataFrame
        Columns of :data:`STRESS_MSD_COLUMNS`, one row per lag (sorted), with ``n`` the
        number of (block, origin) pairs, ``msd_err`` the standard error over samples, the
        increment variance (its mean over every sample at the lag subtracted) and the local
        exponent ``d ln msd / d ln t`` (NaN with one lag).

    Examples
    --------
    >>> s = pd.DataFrame({"k": [1, 1], "lag": [0.5, 0.5], "msd": [1.0, 3.0],
    ...                   "drift": [0.0, 0.0], "n": [4, 4], "increment": [1.0, -1.0],
    ...                   "increment_sq": [1.0, 3.0]})
    >>> pool_stress_msd(s)[["lag", "msd", "msd_err", "n", "mean_increment", "variance"]]
       lag  msd  msd_err  n  mean_increment  variance
    0  0.5  2.0      1.0  8             0.0       2.0
    """
    has_increments = {"increment", "increment_sq"} <= set(samples.columns)
    rows = []
    for _k, g in samples.groupby("k", sort=True):
        w = g["n"].to_numpy(np.float64)
        msd = g["msd"].to_numpy(np.float64)
        err = float(np.std(msd, ddof=1) / math.sqrt(msd.size)) if msd.size > 1 else math.nan
        if has_increments:
            mean_inc = float(np.average(g["increment"], weights=w))
            variance = float(np.average(g["increment_sq"], weights=w)) - mean_inc**2
        else:
            mean_inc = variance = math.nan
        rows.append(
            {
                "lag": float(np.average(g["lag"], weights=w)),
                "msd": float(np.average(msd, weights=w)),
                "msd_err": err,
                "drift": float(np.average(g["drift"], weights=w)),
                "n": int(w.sum()),
                "mean_increment": mean_inc,
                "variance": variance,
            }
        )
    pooled = pd.DataFrame(rows, columns=list(STRESS_MSD_COLUMNS))
    pooled["local_exponent"] = local_exponent(pooled["lag"], pooled["msd"])
    return pooled


def local_exponent(lag: pd.Series | FloatArray, values: pd.Series | FloatArray) -> FloatArray:
    """Local log–log slope ``d ln f / d ln t`` (centred differences, one-sided at the ends).

    NaN where a value is not positive, and everywhere for fewer than two lags.

    Examples
    --------
    >>> t = np.array([0.5, 1.0, 2.0, 4.0])
    >>> local_exponent(t, 3.0 * t).round(12).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    t = np.asarray(lag, dtype=np.float64)
    f = np.asarray(values, dtype=np.float64)
    if t.size < 2:
        return np.full(t.shape, math.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        logf = np.where(f > 0, np.log(np.where(f > 0, f, 1.0)), np.nan)
        return np.asarray(np.gradient(logf, np.log(t)), dtype=np.float64)


@dataclass(frozen=True)
class DiffusionFit:
    """Linear fit of the block-stress MSD in a window of lags (see module docstring).

    Attributes
    ----------
    d_sigma, d_sigma_err : float
        Paper's ``D_σ = MSD / t`` and its error, the larger of ``d_sigma_err_blocks`` and
        ``d_sigma_err_windows`` (eps²/(sigma⁴ tau0)).
    d_sigma_err_blocks, d_sigma_err_windows : float
        Standard errors over (window, block) samples and over windows (NaN if only one).
    d_hl, d_hl_err : float
        ``D_HL = D_σ / 2`` and its error.
    t_min, t_max : float
        Smallest and largest lag used (tau0).
    n_lags, n_samples, n_windows : int
        Lags in the fit window; (window, block) samples; frame windows.
    slope_with_intercept, intercept : float
        Diagnostic least-squares fit ``MSD = a + b t`` (NaN with fewer than 2 lags).
    exponent : float
        Diagnostic log–log slope of the MSD (NaN with fewer than 2 lags).
    drift_fraction : float
        ``drift² / MSD`` at ``t_max``.
    d_sigma_var, d_sigma_var_err : float
        The same fit applied to the increment variance (mean increment subtracted).
    exponent_min, exponent_max : float
        Range of the local exponent ``d ln MSD / d ln t`` over the lags of the fit window.
    variance_exponent : float
        Log–log slope of the increment variance in the fit window.
    """

    d_sigma: float
    d_sigma_err: float
    d_hl: float
    d_hl_err: float
    t_min: float
    t_max: float
    n_lags: int
    n_samples: int
    n_windows: int
    d_sigma_err_blocks: float
    d_sigma_err_windows: float
    slope_with_intercept: float
    intercept: float
    exponent: float
    drift_fraction: float
    d_sigma_var: float = math.nan
    d_sigma_var_err: float = math.nan
    exponent_min: float = math.nan
    exponent_max: float = math.nan
    variance_exponent: float = math.nan


def fit_stress_diffusion(samples: pd.DataFrame, t_min: float, t_max: float) -> DiffusionFit:
    """Fit ``MSD = D_σ t`` (no intercept) over lags in ``[t_min, t_max]``.

    Parameters
    ----------
    samples : DataFrame
        Output of :func:`stress_msd_samples` (columns window, bx, by, k, lag, msd, drift, n).
    t_min, t_max : float
        Fit window (tau0), ``analysis.stress_msd.fit_window``.

    Returns
    -------
    DiffusionFit

    Raises
    ------
    ValueError
        If the window is empty or inverted, or no lag falls inside it.

    Notes
    -----
    ``D_σ = (1/K) Σ_k MSD(t_k) / t_k`` over the K lags in the window: the least-squares
    fit through the origin with errors proportional to ``t``, i.e. the paper's
    ``D_σ = <(Δσ^m)²>(t) / t`` (Eq. 7, Fig. 4b) averaged over the linear regime.
    ``D_HL = D_σ / 2`` because the HL equation's diffusion gives ``<Δσ²> = 2 D_HL t``.

    Examples
    --------
    >>> lag = np.array([0.5, 1.0, 1.5])
    >>> s = pd.DataFrame({"window": 0, "bx": np.repeat([0, 1], 3), "by": 0,
    ...                   "k": np.tile([1, 2, 3], 2), "lag": np.tile(lag, 2),
    ...                   "msd": np.concatenate([2.0 * lag, 4.0 * lag]), "drift": 0.0, "n": 10})
    >>> fit = fit_stress_diffusion(s, 0.4, 2.0)
    >>> float(fit.d_sigma), float(fit.d_sigma_err), float(fit.d_hl)
    (3.0, 1.0, 1.5)
    """
    if not (np.isfinite(t_min) and np.isfinite(t_max) and 0 <= t_min < t_max):
        raise ValueError(f"fit window must satisfy 0 <= t_min < t_max, got [{t_min}, {t_max}]")
    tol = 1e-9 * t_max
    inside = samples[(samples["lag"] >= t_min - tol) & (samples["lag"] <= t_max + tol)]
    if inside.empty:
        lags = np.unique(samples["lag"].to_numpy())
        raise ValueError(
            f"no MSD lag inside the fit window [{t_min}, {t_max}] tau0; lags available: "
            f"{lags[:3]} ... {lags[-1:]} (frame interval too long or max_lag too short?)"
        )
    pooled_all = pool_stress_msd(samples)
    in_window = (pooled_all["lag"] >= t_min - tol) & (pooled_all["lag"] <= t_max + tol)
    pooled = pooled_all[in_window]
    t = pooled["lag"].to_numpy(np.float64)
    msd = pooled["msd"].to_numpy(np.float64)
    d_sigma = float(np.mean(msd / t))
    local = pooled["local_exponent"].to_numpy(np.float64)
    exp_min = float(np.nanmin(local)) if np.isfinite(local).any() else math.nan
    exp_max = float(np.nanmax(local)) if np.isfinite(local).any() else math.nan

    def sample_errors(ratio: pd.Series) -> tuple[float, float, float, int, int]:
        """Errors over (window, block) samples and over windows of a per-row ratio."""
        per_sample = inside.assign(ratio=ratio).groupby(["window", "bx", "by"])["ratio"].mean()
        per_window = per_sample.groupby(level="window").mean().to_numpy(np.float64)
        e_b = standard_error(per_sample.to_numpy(np.float64))
        e_w = standard_error(per_window)
        e = float(np.nanmax([e_b, e_w])) if per_sample.size > 1 else math.nan
        return e, e_b, e_w, int(per_sample.size), int(per_window.size)

    d_err, err_blocks, err_windows, n_samples, n_windows = sample_errors(
        inside["msd"] / inside["lag"]
    )
    variance = pooled["variance"].to_numpy(np.float64)
    if np.isfinite(variance).all():
        d_var = float(np.mean(variance / t))
        ks = np.sort(samples["k"].unique())  # pool_stress_msd's rows, in this order
        mu = inside["k"].map(dict(zip(ks, pooled_all["mean_increment"], strict=True)))
        contribution = inside["increment_sq"] - 2.0 * mu * inside["increment"] + mu**2
        d_var_err = sample_errors(contribution / inside["lag"])[0]
        var_exponent = _log_log_slope(t, variance)
    else:
        d_var = d_var_err = var_exponent = math.nan

    if t.size >= 2:
        slope, intercept = (float(v) for v in np.polyfit(t, msd, 1))
        exponent = _log_log_slope(t, msd)
    else:
        slope = intercept = exponent = math.nan
    drift_last = float(pooled["drift"].iloc[-1])
    drift_fraction = drift_last**2 / msd[-1] if msd[-1] > 0 else math.nan
    return DiffusionFit(
        d_sigma=d_sigma,
        d_sigma_err=d_err,
        d_hl=d_sigma / 2,
        d_hl_err=d_err / 2,
        t_min=float(t[0]),
        t_max=float(t[-1]),
        n_lags=int(t.size),
        n_samples=n_samples,
        n_windows=n_windows,
        d_sigma_err_blocks=err_blocks,
        d_sigma_err_windows=err_windows,
        slope_with_intercept=slope,
        intercept=intercept,
        exponent=exponent,
        drift_fraction=float(drift_fraction),
        d_sigma_var=d_var,
        d_sigma_var_err=d_var_err,
        exponent_min=exp_min,
        exponent_max=exp_max,
        variance_exponent=var_exponent,
    )


def shear_modulus_for_density(modulus: pd.DataFrame, density: float) -> tuple[float, float]:
    """``(G0, G0_err)`` of ``density`` from ``results/modulus.parquet``.

    Raises
    ------
    ValueError
        If no row (or more than one) matches ``density`` to 1e-9 relative.

    Examples
    --------
    >>> shear_modulus_for_density(pd.DataFrame({"density": [1.149, 1.2], "G0": [15.0, 18.0],
    ...                                         "G0_err": [0.5, 0.6]}), 1.2)
    (18.0, 0.6)
    """
    match = modulus[np.isclose(modulus["density"].to_numpy(np.float64), density, rtol=1e-9)]
    if len(match) != 1:
        raise ValueError(
            f"expected one modulus row for density {density}, found {len(match)} among "
            f"{sorted(modulus['density'].tolist())}"
        )
    row = match.iloc[0]
    return float(row["G0"]), float(row["G0_err"])
