"""Couplings α measured from simulations: α_micro (paper Eq. 8, and its HL form) and α_flow.

α_micro = D_σ / (⟨Δσ^m⟩² Γ) with the paper's D_σ = MSD/t; the HL equation's D has
MSD = 2 D t (docs/design.md §3). α_flow inverts σ_Y/σ_c = f(α) of :mod:`mechnoise.hl.asymptotics`.
κ = D_HL/(G0 γ̇ σ_c) needs neither Γ nor τ; in HL at small γ̇, α = κ tanh(1/(2κ)).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np

from mechnoise.hl.asymptotics import alpha_from_yield_stress

DiffusionConvention = Literal["msd_over_t", "hl"]


def _diffusions(
    diffusion: float, diffusion_err: float, convention: DiffusionConvention
) -> tuple[float, float]:
    """Return the paper's D_σ = MSD/t and its error from a diffusion in ``convention``."""
    if convention == "msd_over_t":
        return diffusion, diffusion_err
    if convention == "hl":
        return 2.0 * diffusion, 2.0 * diffusion_err
    raise ValueError(f"diffusion_convention must be 'msd_over_t' or 'hl', got {convention!r}")


def _ratio_with_error(
    d_sigma: float,
    d_err: float,
    scale: float,
    scale_err: float,
    activity_rate: float,
    activity_err: float,
) -> tuple[float, float]:
    for name, value in (("diffusion", d_sigma), ("stress", scale), ("activity", activity_rate)):
        if not math.isfinite(value) or value <= 0.0:
            raise ValueError(f"{name} must be finite and > 0, got {value!r}")
    for name, value in (("d_err", d_err), ("stress_err", scale_err), ("activity", activity_err)):
        if not math.isfinite(value) or value < 0.0:
            raise ValueError(f"error {name} must be finite and >= 0, got {value!r}")
    alpha = d_sigma / (scale * scale * activity_rate)
    rel = math.sqrt(
        (d_err / d_sigma) ** 2
        + (2.0 * scale_err / scale) ** 2
        + (activity_err / activity_rate) ** 2
    )
    return alpha, alpha * rel


def alpha_micro(
    d_sigma: float,
    stress_drop: float,
    activity_rate: float,
    *,
    d_sigma_err: float = 0.0,
    stress_drop_err: float = 0.0,
    activity_rate_err: float = 0.0,
    diffusion_convention: DiffusionConvention = "msd_over_t",
    alpha_convention: Literal["paper", "hl"] = "paper",
) -> tuple[float, float]:
    """Microscopic coupling α_micro = D_σ / (⟨Δσ^m⟩² Γ) (paper Eq. 8), with its error.

    Parameters
    ----------
    d_sigma : float
        Stress diffusion coefficient (stress²/time), in the convention given by
        ``diffusion_convention``.
    stress_drop : float
        Mean local stress drop ⟨Δσ^m⟩ (stress units).
    activity_rate : float
        Plastic activity rate Γ (1/time).
    d_sigma_err, stress_drop_err, activity_rate_err : float, optional
        One-standard-deviation errors (independent), default 0.
    diffusion_convention : {"msd_over_t", "hl"}
        ``"msd_over_t"``: ``d_sigma`` is the paper's D_σ = ⟨Δσ²⟩(t)/t. ``"hl"``: it is the HL
        D with ⟨Δσ²⟩ = 2 D t (D_σ = 2 D).
    alpha_convention : {"paper", "hl"}
        Which diffusion enters the numerator: ``"paper"`` uses D_σ = MSD/t exactly as Eq. 8
        and Table 1 of the paper; ``"hl"`` uses the HL D = MSD/(2t), the α that enters Eq. 3
        and hence :func:`stationary_flow_curve` (half the ``"paper"`` value).

    Returns
    -------
    tuple of (float, float)
        (α_micro, error) with first-order propagation
        (δα/α)² = (δD/D)² + (2 δΔσ/Δσ)² + (δΓ/Γ)².

    Raises
    ------
    ValueError
        On non-positive values, negative errors or an unknown convention.

    Examples
    --------
    >>> alpha_micro(2.0, 1.0, 4.0, d_sigma_err=0.2)
    (0.5, 0.05)
    >>> alpha_micro(1.0, 1.0, 4.0, diffusion_convention="hl")[0]
    0.5
    """
    d, d_err = _diffusions(float(d_sigma), float(d_sigma_err), diffusion_convention)
    if alpha_convention == "hl":
        d, d_err = 0.5 * d, 0.5 * d_err
    elif alpha_convention != "paper":
        raise ValueError(f"alpha_convention must be 'paper' or 'hl', got {alpha_convention!r}")
    return _ratio_with_error(
        d,
        d_err,
        float(stress_drop),
        float(stress_drop_err),
        float(activity_rate),
        float(activity_rate_err),
    )


def alpha_micro_hl(
    d_sigma: float,
    yield_stress_local: float,
    activity_rate: float,
    *,
    d_sigma_err: float = 0.0,
    yield_stress_local_err: float = 0.0,
    activity_rate_err: float = 0.0,
    diffusion_convention: DiffusionConvention = "msd_over_t",
    alpha_convention: Literal["paper", "hl"] = "paper",
) -> tuple[float, float]:
    """HL-style microscopic coupling α_micro^HL = D_σ / (⟨σ_c^m⟩² Γ) (paper §4 (b)).

    :func:`alpha_micro` with the mean local yield stress ⟨σ_c^m⟩ (and its error) in place of
    the stress drop: the HL assumption of full relaxation, Δσ = σ_c. Parameters, returns and
    errors as there.

    Examples
    --------
    >>> alpha_micro_hl(0.02, 1.0, 1.0)
    (0.02, 0.0)
    """
    return alpha_micro(
        d_sigma,
        yield_stress_local,
        activity_rate,
        d_sigma_err=d_sigma_err,
        stress_drop_err=yield_stress_local_err,
        activity_rate_err=activity_rate_err,
        diffusion_convention=diffusion_convention,
        alpha_convention=alpha_convention,
    )


def alpha_flow(
    yield_stress: float,
    yield_stress_err: float,
    sigma_c: float,
    sigma_c_err: float,
) -> tuple[float, float]:
    """Macroscopic coupling α_flow from σ_Y/σ_c by inverting Eq. 15, with its error.

    Parameters
    ----------
    yield_stress : float
        Dynamical yield stress σ_Y from a Herschel–Bulkley fit (stress units).
    yield_stress_err : float
        Its one-standard-deviation error.
    sigma_c : float
        Local yield stress scale σ_c = ⟨σ_c^m⟩ (same units).
    sigma_c_err : float
        Its error.

    Returns
    -------
    tuple of (float, float)
        (α_flow, error); the ratio error is (δr/r)² = (δσ_Y/σ_Y)² + (δσ_c/σ_c)², propagated
        through dα/dr (see :func:`alpha_from_yield_stress`).

    Raises
    ------
    ValueError
        If σ_Y/σ_c is not in (0, ½), σ_c ≤ 0 or an error is negative.

    Examples
    --------
    >>> a, err = alpha_flow(0.25278778, 0.0, 1.0, 0.0)
    >>> round(a, 6), err
    (0.26, 0.0)
    """
    ys, ys_err, sc, sc_err = map(float, (yield_stress, yield_stress_err, sigma_c, sigma_c_err))
    if not math.isfinite(sc) or sc <= 0.0:
        raise ValueError(f"sigma_c must be finite and > 0, got {sc!r}")
    if ys_err < 0.0 or sc_err < 0.0:
        raise ValueError(f"errors must be >= 0, got {ys_err!r}, {sc_err!r}")
    ratio = ys / sc
    ratio_err = abs(ratio) * math.hypot(ys_err / ys, sc_err / sc) if ys != 0.0 else 0.0
    return alpha_from_yield_stress(ratio, ratio_err)


def noise_ratio(
    d_hl: float,
    d_hl_err: float,
    shear_modulus: float,
    shear_modulus_err: float,
    shear_rate: float,
    sigma_c: float,
    sigma_c_err: float,
) -> tuple[float, float]:
    """κ = D_HL / (G0 γ̇ σ_c), the HL noise test that needs neither Γ nor τ, and its error.

    Parameters
    ----------
    d_hl, d_hl_err : float
        Stress diffusion in the HL equation's convention (MSD = 2 D_HL t) and its error
        (eps²/(sigma⁴ tau0)).
    shear_modulus, shear_modulus_err : float
        G0 and its error (eps/sigma²).
    shear_rate : float
        γ̇ (1/tau0).
    sigma_c, sigma_c_err : float
        ⟨σ_c^m⟩ and its error (eps/sigma²).

    Returns
    -------
    tuple of (float, float)
        (κ, error) with relative errors in quadrature; NaN if an input is not positive.

    Examples
    --------
    >>> noise_ratio(0.02, 0.0, 20.0, 0.0, 1e-3, 2.0, 0.0)
    (0.5, 0.0)
    """
    values = (d_hl, shear_modulus, shear_rate, sigma_c)
    if not all(math.isfinite(v) and v > 0 for v in values):
        return math.nan, math.nan
    kappa = d_hl / (shear_modulus * shear_rate * sigma_c)
    rel = math.sqrt(
        (d_hl_err / d_hl) ** 2
        + (shear_modulus_err / shear_modulus) ** 2
        + (sigma_c_err / sigma_c) ** 2
    )
    return float(kappa), float(kappa * rel)


def alpha_from_noise_ratio(kappa: float, kappa_err: float = 0.0) -> tuple[float, float]:
    """α = κ tanh(1/(2κ)): the HL coupling implied by κ = D_HL/(G0 γ̇ σ_c) at small γ̇.

    In HL (units σ_c = G0 = τ = 1, u = 1/d, α = tanh(u/2)/u) the small-rate limits
    Γ/γ̇ → coth(u/2) and D = αΓ give κ = D/γ̇ → α coth(u/2) = 1/u, hence
    α = κ tanh(1/(2κ)) (docs/design.md §4). α → κ for small κ and → 1/2 for large κ.

    Parameters
    ----------
    kappa, kappa_err : float
        κ and its error.

    Returns
    -------
    tuple of (float, float)
        (α, error) with the error propagated through dα/dκ; NaN if κ is not positive.

    Examples
    --------
    >>> a, _ = alpha_from_noise_ratio(0.5)
    >>> round(a, 12) == round(0.5 * math.tanh(1.0), 12)
    True
    """
    if not (math.isfinite(kappa) and kappa > 0):
        return math.nan, math.nan
    x = 1.0 / (2.0 * kappa)
    alpha = kappa * math.tanh(x)
    slope = math.tanh(x) - x / math.cosh(x) ** 2  # dα/dκ
    return float(alpha), float(abs(slope) * kappa_err)


#: The α variants of :func:`alpha_variants`, in the order of the report.
ALPHA_VARIANTS = (
    "alpha_micro",
    "alpha_micro_sq",
    "alpha_kappa",
    "alpha_kappa_flow",
    "alpha_kappa_drift",
    "alpha_bal",
)


def alpha_variants(
    *,
    d_hl: float,
    gamma: float,
    drop_mean: float,
    drop_sq: float,
    sigma_c: float,
    g0: float,
    shear_rate: float,
    sigma_c_flow: float = math.nan,
    drift: float = math.nan,
) -> dict[str, float]:
    """Every α measured from one run, side by side (point values; NaN where undefined).

    With the paper's ``D_σ = MSD/t = 2 D_HL`` (``d_hl`` in the HL convention, e.g. ``D_noise``):

    - ``alpha_micro`` = D_σ / (⟨Δσ⟩² Γ) (paper Eq. 8);
    - ``alpha_micro_sq`` = D_σ / (⟨Δσ²⟩ Γ): the noise of random kicks is Γ⟨Δσ²⟩;
    - ``alpha_kappa`` = κ tanh(1/(2κ)), κ = D_HL / (G0 γ̇ σ_c), frozen-matrix σ_c;
    - ``alpha_kappa_flow``: the same with the in-flow threshold ``sigma_c_flow``;
    - ``alpha_kappa_drift``: the same as ``alpha_kappa`` with the measured net loading rate
      ``drift`` of a block without an onset of its own (``drift_rate`` of
      ``block_noise.parquet``) in place of G0 γ̇: the mean of the noise (the unloading of a
      block by other blocks' events) moved into HL's drift term, where a Fokker–Planck
      equation puts it;
    - ``alpha_bal`` = D_σ / (⟨Δσ⟩ G0 γ̇): α_micro with Γ from the strain balance
      Γ⟨Δσ⟩ = G0 γ̇.

    Examples
    --------
    >>> a = alpha_variants(d_hl=0.01, gamma=0.1, drop_mean=0.5, drop_sq=0.5, sigma_c=1.0,
    ...                    g0=10.0, shear_rate=0.002)
    >>> round(a["alpha_micro"], 6), round(a["alpha_micro_sq"], 6), round(a["alpha_bal"], 6)
    (0.8, 0.4, 2.0)

    A block that loads at a fifth of G0 γ̇ has five times HL's noise ratio κ:

    >>> b = alpha_variants(d_hl=0.001, gamma=0.1, drop_mean=0.5, drop_sq=0.5, sigma_c=1.0,
    ...                    g0=10.0, shear_rate=0.002, drift=0.004)
    >>> c = alpha_from_noise_ratio(5 * 0.001 / (10.0 * 0.002 * 1.0))[0]
    >>> abs(b["alpha_kappa_drift"] - c) < 1e-15, math.isnan(a["alpha_kappa_drift"])
    (True, True)
    """

    def ok(*xs: float) -> bool:
        return all(math.isfinite(x) and x > 0 for x in xs)

    d_sigma = 2.0 * d_hl
    out = dict.fromkeys(ALPHA_VARIANTS, math.nan)
    if ok(d_sigma, drop_mean, gamma):
        out["alpha_micro"] = d_sigma / (drop_mean**2 * gamma)
    if ok(d_sigma, drop_sq, gamma):
        out["alpha_micro_sq"] = d_sigma / (drop_sq * gamma)
    for key, sc in (("alpha_kappa", sigma_c), ("alpha_kappa_flow", sigma_c_flow)):
        if ok(d_hl, g0, shear_rate, sc):
            out[key] = alpha_from_noise_ratio(d_hl / (g0 * shear_rate * sc))[0]
    if ok(d_hl, drift, sigma_c):
        out["alpha_kappa_drift"] = alpha_from_noise_ratio(d_hl / (drift * sigma_c))[0]
    if ok(d_sigma, drop_mean, g0, shear_rate):
        out["alpha_bal"] = d_sigma / (drop_mean * g0 * shear_rate)
    return out


def alpha_variants_with_errors(
    inputs: Mapping[str, float],
    jackknife: Mapping[str, Sequence[float]],
    errors: Mapping[str, float],
) -> dict[str, tuple[float, float]]:
    """Every α of :func:`alpha_variants` with a joint jackknife error.

    Parameters
    ----------
    inputs : mapping
        The keyword arguments of :func:`alpha_variants` (full-sample values).
    jackknife : mapping
        Delete-one values over the *same* time segments for the inputs measured in the run
        (e.g. ``d_hl`` and ``gamma``, later the in-flow drops): every α is recomputed per
        segment from all of them at once, so their correlations enter the error.
    errors : mapping
        Independent one-sigma errors of the other inputs (frozen-matrix σ_c and drops, G0);
        propagated linearly (central differences) and added in quadrature.

    Returns
    -------
    dict
        name -> (value, error); NaN where the value is undefined.

    Raises
    ------
    ValueError
        If the jackknife arrays differ in length or a key is not an input.
    """
    lengths = {len(v) for v in jackknife.values()}
    if len(lengths) > 1:
        raise ValueError(f"jackknife arrays differ in length: {sorted(lengths)}")
    for key in (*jackknife, *errors):
        if key not in inputs:
            raise ValueError(f"{key!r} is not an input of alpha_variants")
    full = alpha_variants(**inputs)
    n = lengths.pop() if lengths else 0
    jack = {k: np.empty(n) for k in ALPHA_VARIANTS}
    for s in range(n):
        values = alpha_variants(**{**inputs, **{k: float(v[s]) for k, v in jackknife.items()}})
        for k in ALPHA_VARIANTS:
            jack[k][s] = values[k]
    out = {}
    for k in ALPHA_VARIANTS:
        var = 0.0
        if n > 1:
            j = jack[k]
            var = (
                (n - 1) / n * float(np.sum((j - j.mean()) ** 2))
                if np.all(np.isfinite(j))
                else math.nan
            )
        for name, err in errors.items():
            if err > 0:
                h = 1e-6 * abs(inputs[name]) or 1e-9
                up = alpha_variants(**{**inputs, name: inputs[name] + h})[k]
                down = alpha_variants(**{**inputs, name: inputs[name] - h})[k]
                var += ((up - down) / (2 * h) * err) ** 2
        out[k] = (full[k], math.sqrt(var) if math.isfinite(full[k]) else math.nan)
    return out
