"""The one registry of table columns: every column is defined here once, every table lists its own.

A column is defined once, in :data:`COLUMNS`, with its dtype, unit (LJ reduced units) and
meaning. A table (:data:`TABLES`) holds registered columns by key, in file order, and
:func:`view` gives the ``column -> (dtype, unit, description)`` dict that the writing modules
expose (``mechnoise.plasticity.SUMMARY_COLUMNS`` and the others are such views), that
:mod:`mechnoise.reference` turns into the documentation, and that stages use to pass columns on
by name.

A key is the column name, or ``name@variant`` where one name means a different quantity (or has
another dtype or unit) in another table: ``stress`` (thermo, macroscopic) and ``stress@block``
are both written as a column ``stress``. Keys are unique by construction: :func:`define` refuses
a key given twice, :func:`view` a key not defined.

Adding a column is one line in :data:`COLUMNS` and its key in the table(s) that hold it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["COLUMNS", "TABLES", "Column", "column_name", "define", "view"]


@dataclass(frozen=True)
class Column:
    """One registered column.

    Attributes
    ----------
    name : str
        The column name in the parquet file.
    dtype : str
        Its numpy dtype (``float64``, ``int32``, ``str`` ...).
    unit : str
        Its unit in LJ reduced units (``-`` for dimensionless or an index).
    description : str
        What it holds.
    """

    name: str
    dtype: str
    unit: str
    description: str


def column_name(key: str) -> str:
    """The column name of a registry key (``"stress@block"`` -> ``"stress"``)."""
    return key.split("@", 1)[0]


def define(rows: Iterable[tuple[str, str, str, str]]) -> dict[str, Column]:
    """Registry of ``(key, dtype, unit, description)`` rows; a key given twice is an error.

    Raises
    ------
    ValueError
        If a key appears twice, naming it.
    """
    out: dict[str, Column] = {}
    for key, dtype, unit, description in rows:
        if key in out:
            raise ValueError(f"column {key!r} is defined twice in the column registry")
        out[key] = Column(column_name(key), dtype, unit, description)
    return out


#: key -> Column. One line per column; ``name@variant`` for a homonym (see module docstring).
COLUMNS: dict[str, Column] = define(
    [
        # (key, dtype, unit, description)
        ("density", "float64", "sigma^-2", "number density N / area of the glass"),
        ("seed", "int64", "-", "seed of the glass"),
        ("pair", "str", "-", "AA, AB, BB (partial g_ab) or all (total g)"),
        ("r", "float64", "sigma", "bin centre"),
        (
            "g",
            "float64",
            "-",
            "g_ab(r) = A n_ab(r) / (N_a (N_b - delta_ab) 2 pi r dr); tends to 1 at large r; "
            "g = sum_ab N_a (N_b - delta_ab) g_ab / (N (N - 1))",
        ),
        ("id", "int64", "-", "LAMMPS atom id"),
        ("type", "int8", "-", "species: 1 = A, 2 = B"),
        (
            "psi6",
            "float64",
            "-",
            "local hexatic order |psi6| = |sum_j l_ij exp(6i theta_ij)| / sum_j l_ij over "
            "the Voronoi neighbours j (l_ij: length of the shared Voronoi edge); 1 in a "
            "triangular lattice",
        ),
        ("n_neighbors", "int32", "-", "number of Voronoi neighbours"),
        (
            "n_coherent",
            "int32",
            "-",
            "Voronoi neighbours j with |psi6_i|, |psi6_j| and Re(psi6_i psi6_j*)/|psi6_i "
            "psi6_j| all > analysis.structure.psi6_threshold (same lattice orientation)",
        ),
        (
            "crystalline",
            "bool",
            "-",
            "crystal-like particle: |psi6| > psi6_threshold and n_coherent >= 4",
        ),
        ("n_particles", "int64", "-", "number of particles N"),
        ("psi6_mean", "float64", "-", "mean local hexatic order <|psi6|> over all particles"),
        (
            "ordered_fraction",
            "float64",
            "-",
            "fraction of particles with |psi6| > psi6_threshold (isolated ones included)",
        ),
        ("crystalline_fraction", "float64", "-", "fraction of crystal-like particles"),
        (
            "crystalline_fraction_a",
            "float64",
            "-",
            "fraction of the A particles that are crystal-like",
        ),
        ("psi6_threshold", "float64", "-", "analysis.structure.psi6_threshold"),
        ("max_crystalline_fraction", "float64", "-", "analysis.structure.max_crystalline_fraction"),
        (
            "crystallised",
            "bool",
            "-",
            "crystalline_fraction > max_crystalline_fraction: the glass holds crystallites",
        ),
        ("step", "int64", "-", "MD step counted from the start of shear"),
        ("time", "float64", "tau0", "time since the start of shear"),
        ("strain", "float64", "-", "applied shear strain gamma = gamma_dot * time"),
        ("stress", "float64", "eps/sigma^2", "shear stress sigma_xy = -p_xy (virial + kinetic)"),
        ("pressure", "float64", "eps/sigma^2", "pressure p = (p_xx + p_yy) / 2"),
        ("pe", "float64", "eps", "potential energy per particle"),
        ("lx", "float64", "sigma", "box length along x"),
        ("ly", "float64", "sigma", "box length along y"),
        ("xy", "float64", "sigma", "box tilt length (jumps by -lx at a flip)"),
        (
            "steady",
            "bool",
            "-",
            "row belongs to the steady state: strain >= the run's discarded strain "
            "(shear.steady_strain from the glass, shear.cascade_strain in a rate cascade)",
        ),
        ("frame", "int32", "-", "frame index within the run, increasing with time"),
        ("window", "int16", "-", "index of the dense frame window the frame belongs to"),
        ("id@frame", "int32", "-", "LAMMPS atom id"),
        ("x", "float64", "sigma", "unwrapped x position"),
        ("y", "float64", "sigma", "unwrapped y position"),
        (
            "sxy",
            "float64",
            "eps",
            "per-atom stress times area from compute stress/atom, xy component; sum(sxy) / "
            "(lx*ly) = sigma_xy = -p_xy",
        ),
        ("shear_rate", "float64", "1/tau0", "imposed shear rate"),
        ("stress@mean", "float64", "eps/sigma^2", "steady-state mean shear stress sigma_xy"),
        ("stress_err", "float64", "eps/sigma^2", "standard error from block averaging over strain"),
        ("n_seeds", "int32", "-", "independent runs averaged"),
        ("strain_span", "float64", "-", "steady-state strain averaged over (per seed)"),
        ("exponent_mode", "str", "-", "'free': n fitted; 'fixed': n = 1/2"),
        ("sigma_y", "float64", "eps/sigma^2", "dynamical yield stress sigma_Y"),
        ("sigma_y_err", "float64", "eps/sigma^2", "one-sigma error of sigma_Y"),
        ("prefactor", "float64", "eps/sigma^2 tau0^n", "Herschel-Bulkley prefactor A"),
        ("prefactor_err", "float64", "eps/sigma^2 tau0^n", "one-sigma error of A"),
        ("exponent", "float64", "-", "exponent n"),
        ("exponent_err", "float64", "-", "one-sigma error of n (0 when fixed)"),
        ("chi2_red", "float64", "-", "reduced chi^2 of the fit"),
        ("n_rates", "int32", "-", "number of shear rates fitted"),
        ("rate_min", "float64", "1/tau0", "lowest rate fitted"),
        (
            "rate_max",
            "float64",
            "1/tau0",
            "highest rate fitted (n = 1/2: analysis.flow.hb_rate_range, default the "
            "lowest-rate decade, where HL is still close to Herschel-Bulkley; n free: every "
            "rate)",
        ),
        ("alpha", "float64", "-", "HL coupling alpha of the best fit (a second alpha_flow)"),
        ("alpha_err", "float64", "-", "one-sigma error of alpha (x sqrt(chi2_red) if > 1)"),
        ("sigma_c", "float64", "eps/sigma^2", "stress scale sigma_c of the fit"),
        ("sigma_c_err", "float64", "eps/sigma^2", "one-sigma error of sigma_c"),
        ("G0_tau", "float64", "eps/sigma^2 tau0", "time scale G0 tau of the fit"),
        ("G0_tau_err", "float64", "eps/sigma^2 tau0", "one-sigma error of G0 tau"),
        (
            "G0",
            "float64",
            "eps/sigma^2",
            "shear modulus from the elastic branches of the steady state",
        ),
        ("G0_err", "float64", "eps/sigma^2", "standard error over branches"),
        ("n_branches", "int32", "-", "elastic branches used"),
        (
            "G0_initial",
            "float64",
            "eps/sigma^2",
            "slope of the initial loading (strain < max); NaN for a run of a rate cascade",
        ),
        ("G0_initial_err", "float64", "eps/sigma^2", "fit error of the initial slope"),
        (
            "d2min",
            "float64",
            "sigma^2",
            "D2min(i, t, lag), Eq. 5: SUM over neighbours within r_max in frame t of the "
            "squared non-affine bond change; NaN if the particle has < 2 non-collinear "
            "neighbours",
        ),
        ("n_active", "int64", "-", "N_pl: number of particles with D2min > threshold"),
        ("k", "int16", "-", "small blocks per side (w0 grid): max(1, round(sqrt(lx ly) / w0))"),
        (
            "active_block_fraction",
            "float64",
            "-",
            "fraction of the k*k small blocks holding >= 1 active particle",
        ),
        ("n_clusters", "int32", "-", "periodic 4-connected clusters of active small blocks"),
        ("m", "int16", "-", "coarse blocks per side M = max(1, round(sqrt(lx ly) / W))"),
        (
            "coarse_active_fraction",
            "float64",
            "-",
            "fraction of the M*M coarse blocks holding >= 1 active particle",
        ),
        ("coarse_width", "float64", "sigma", "coarse block side sqrt(lx ly) / M"),
        ("cluster", "int32", "-", "cluster label within the frame, 1..n"),
        ("n_blocks", "int32", "-", "number of active small blocks in the cluster"),
        ("area", "float64", "sigma^2", "A_pl = n_blocks * lx * ly / k^2"),
        ("bx", "int16", "-", "coarse block (x index) holding the cluster's centroid"),
        ("by", "int16", "-", "coarse block (y index) holding the cluster's centroid"),
        ("n_particles@event", "int32", "-", "active particles of the cluster at onset"),
        ("lag", "float64", "tau0", "time lag t between the two D2min reference times"),
        (
            "C_p",
            "float64",
            "-",
            "C_p(t) = sum D2(i,t0) D2(i,t0+t) / sum D2(i,t0)^2 over particles i active at "
            "t0 (D2 > threshold) and origins t0 with t0 + t in the same window",
        ),
        ("n", "int64", "-", "number of (particle, origin) pairs in the sums"),
        (
            "short_lag",
            "float64",
            "tau0",
            "short lag ds of the non-affine amplitude sqrt(D2min(t, ds))",
        ),
        (
            "C",
            "float64",
            "-",
            "C(t) = sum a(i,t0) a(i,t0+t) / sum a(i,t0)^2, a = sqrt(D2min(i,t,ds)) minus "
            "its median over the frame's particles, over particles active at t0 (paper "
            "criterion, lag delta t)",
        ),
        ("tau_p", "float64", "tau0", "event duration: decay time of C(t) = A exp(-t/tau_p) + c"),
        (
            "tau_p_err",
            "float64",
            "tau0",
            "error of tau_p: the larger of the fit error and the jackknife error over "
            "windows",
        ),
        ("amplitude", "float64", "-", "fitted A"),
        (
            "plateau",
            "float64",
            "-",
            "fitted plateau c (later, uncorrelated events at the same place)",
        ),
        ("fit_t_min", "float64", "tau0", "smallest lag in the fit (= short_lag)"),
        ("fit_t_max", "float64", "tau0", "largest lag in the fit"),
        ("n_pairs", "int64", "-", "(particle, origin) pairs at lag 0"),
        ("l_pl", "float64", "sigma", "<l_pl> = <A_pl>^(1/2), mean over all clusters of all frames"),
        ("l_pl_err", "float64", "sigma", "standard error of <l_pl> from blocks of frames"),
        ("mean_cluster_area", "float64", "sigma^2", "<A_pl>"),
        ("n_clusters@total", "int64", "-", "clusters counted over all frames"),
        ("tau_p_short_lag", "float64", "tau0", "short lag ds behind tau_p"),
        ("tau_p_plateau", "float64", "-", "plateau c of the fit A exp(-t/tau_p) + c"),
        (
            "tau_p_window",
            "float64",
            "tau0",
            "the paper's literal estimator: decay time of C_p(t) of the lag-delta-t D2min, "
            "exp(-t/tau) fit (Fig. 5a); grows with the lag",
        ),
        ("tau_p_window_err", "float64", "tau0", "standard error of tau_p_window (fit covariance)"),
        ("phi", "float64", "-", "mean fraction of coarse (M x M) blocks with >= 1 active particle"),
        ("phi_err", "float64", "-", "standard error of phi from blocks of frames"),
        (
            "Gamma",
            "float64",
            "1/tau0",
            "Gamma: onsets of clusters of active particles per coarse block and unit time "
            "(each onset in the block of its centroid; events.parquet)",
        ),
        (
            "Gamma_err",
            "float64",
            "1/tau0",
            "error of Gamma: block average of onsets per frame, at least the Poisson error",
        ),
        ("n_events", "int64", "-", "event onsets counted"),
        ("observation_time", "float64", "tau0", "time over which onsets are counted"),
        (
            "Gamma_phi",
            "float64",
            "1/tau0",
            "occupancy rate phi / tau_p_window (the former Gamma recipe; grows with the "
            "lag)",
        ),
        ("Gamma_phi_err", "float64", "1/tau0", "error of Gamma_phi"),
        ("n_active_mean", "float64", "-", "mean number N_pl of active particles per frame"),
        ("n_frames", "int64", "-", "reference frames analysed"),
        ("n_error_blocks", "int64", "-", "blocks of frames behind the standard errors"),
        ("k@run", "int64", "-", "small (w0) blocks per side"),
        ("M", "int64", "-", "coarse (W) blocks per side"),
        ("threshold", "float64", "sigma^2", "activity threshold on D2min"),
        ("lag@d2min", "float64", "tau0", "D2min time lag delta t"),
        (
            "stress@block",
            "float64",
            "eps/sigma^2",
            "block shear stress sigma^m_xy = sum of per-atom S_xy in the block / block area "
            "(Eq. 6); blocks in fractional coordinates of the tilt continued from the "
            "window start",
        ),
        (
            "block_area",
            "float64",
            "sigma^2",
            "block area A_m = lx ly / M^2 (the same for all rows)",
        ),
        ("k@lag", "int32", "-", "time lag in frame intervals"),
        ("msd", "float64", "eps^2/sigma^4", "MSD of this block over the window's origins (Eq. 7)"),
        ("drift", "float64", "eps/sigma^2", "mean elastic drift G0 gamma_dot t subtracted"),
        ("n@origins", "int64", "-", "number of time origins averaged"),
        ("increment", "float64", "eps/sigma^2", "mean raw increment sigma^m(t0+t) - sigma^m(t0)"),
        ("increment_sq", "float64", "eps^2/sigma^4", "mean squared raw increment"),
        (
            "msd_err",
            "float64",
            "eps^2/sigma^4",
            "standard error of msd over (window, block) samples (NaN for a single sample)",
        ),
        ("n@block_origins", "int64", "-", "number of (block, origin) pairs averaged"),
        (
            "mean_increment",
            "float64",
            "eps/sigma^2",
            "<sigma^m(t0+t) - sigma^m(t0)> over blocks, origins and windows (~0 in steady "
            "state)",
        ),
        (
            "variance",
            "float64",
            "eps^2/sigma^4",
            "variance of the block-stress increment, its mean (mean_increment) subtracted",
        ),
        (
            "local_exponent",
            "float64",
            "-",
            "d ln msd / d ln t (centred differences; 1 = normal diffusion)",
        ),
        (
            "D_sigma",
            "float64",
            "eps^2/(sigma^4 tau0)",
            "paper's D_sigma = MSD/t, fit MSD = D_sigma t (no intercept)",
        ),
        (
            "D_sigma_err",
            "float64",
            "eps^2/(sigma^4 tau0)",
            "error of D_sigma: max of the standard errors over blocks and over windows",
        ),
        (
            "D_HL",
            "float64",
            "eps^2/(sigma^4 tau0)",
            "HL diffusion constant D_HL = D_sigma / 2 (MSD = 2 D_HL t)",
        ),
        ("D_HL_err", "float64", "eps^2/(sigma^4 tau0)", "standard error of D_HL"),
        (
            "D_sigma_var",
            "float64",
            "eps^2/(sigma^4 tau0)",
            "Var(increment)/t: the D_sigma fit applied to the increment variance (mean "
            "subtracted)",
        ),
        (
            "D_sigma_var_err",
            "float64",
            "eps^2/(sigma^4 tau0)",
            "error of D_sigma_var (as D_sigma_err)",
        ),
        (
            "D_sigma_over_Gamma",
            "float64",
            "eps^2/sigma^4",
            "D_sigma / Gamma (constant across shear rates if D_sigma is proportional to "
            "Gamma)",
        ),
        ("W", "float64", "sigma", "actual block side sqrt(lx ly) / M"),
        ("n_fit_lags", "int64", "-", "number of lags in the fit window"),
        ("n_samples", "int64", "-", "number of (window, block) samples"),
        ("n_windows", "int64", "-", "number of frame windows"),
        (
            "D_sigma_err_blocks",
            "float64",
            "eps^2/(sigma^4 tau0)",
            "standard error of D_sigma over (window, block) samples (NaN for one sample)",
        ),
        (
            "D_sigma_err_windows",
            "float64",
            "eps^2/(sigma^4 tau0)",
            "standard error of D_sigma over windows (NaN for one window)",
        ),
        (
            "slope_with_intercept",
            "float64",
            "eps^2/(sigma^4 tau0)",
            "diagnostic: slope of a least-squares fit MSD = a + b t in the fit window",
        ),
        ("intercept", "float64", "eps^2/sigma^4", "diagnostic: intercept a of that fit"),
        (
            "msd_exponent",
            "float64",
            "-",
            "diagnostic: slope of log MSD against log t in the fit window (1 = diffusive)",
        ),
        (
            "msd_exponent_min",
            "float64",
            "-",
            "smallest local exponent d ln MSD / d ln t over the lags of the fit window",
        ),
        (
            "msd_exponent_max",
            "float64",
            "-",
            "largest local exponent d ln MSD / d ln t over the lags of the fit window",
        ),
        (
            "variance_exponent",
            "float64",
            "-",
            "slope of log Var(increment) against log t in the fit window (1 = diffusive)",
        ),
        (
            "drift_fraction",
            "float64",
            "-",
            "diagnostic: (G0 gamma_dot t)^2 / MSD at fit_t_max, the share of the MSD that "
            "the drift subtraction adds when the mean block-stress increment is zero "
            "(steady state)",
        ),
        ("config", "int32", "-", "snapshot index"),
        ("bx@frozen", "int32", "-", "block index along the first lattice vector"),
        ("by@frozen", "int32", "-", "block index along y"),
        ("direction", "int8", "-", "loading direction (1 = +xy, -1 = -xy)"),
        (
            "strain@frozen",
            "float64",
            "-",
            "applied strain along the loading direction (0 = snapshot)",
        ),
        (
            "stress@frozen",
            "float64",
            "eps/sigma^2",
            "block shear stress along the loading direction, direction * sigma_xy^m",
        ),
        (
            "sigma_c@local",
            "float64",
            "eps/sigma^2",
            "local yield stress sigma_c^m: largest block stress (along the loading "
            "direction) before the first plastic drop; NaN if the block never yielded",
        ),
        (
            "sigma_drop",
            "float64",
            "eps/sigma^2",
            "local stress drop Delta sigma^m across the first plastic drop; NaN if never "
            "yielded",
        ),
        ("strain_at_yield", "float64", "-", "applied strain at sigma_c; NaN if never yielded"),
        (
            "local_modulus",
            "float64",
            "eps/sigma^2",
            "initial slope of the block stress-strain curve (frozen-matrix local shear "
            "modulus)",
        ),
        (
            "initial_stress",
            "float64",
            "eps/sigma^2",
            "sigma^m: block stress of the relaxed unstrained snapshot, along the loading "
            "direction (direction * sigma_xy^m)",
        ),
        ("yielded", "bool", "-", "False if no plastic drop occurred up to the end of the curve"),
        (
            "stress_max",
            "float64",
            "eps/sigma^2",
            "largest stress before the first drop (= sigma_c) or, if never yielded, on the "
            "whole curve: the censoring value, a lower bound of the unknown sigma_c^m",
        ),
        ("strain_end", "float64", "-", "last strain of the curve (the cap, or the second drop)"),
        (
            "x@threshold",
            "float64",
            "eps/sigma^2",
            "distance to threshold x = sigma_c^m - sigma^m; NaN if never yielded",
        ),
        (
            "stress_after_drop",
            "float64",
            "eps/sigma^2",
            "block stress just after the first plastic drop; NaN if never yielded",
        ),
        (
            "sigma_c2",
            "float64",
            "eps/sigma^2",
            "second maximum sigma_c^(2): largest stress after the first drop up to the "
            "second plastic drop; NaN unless the block yielded twice",
        ),
        (
            "sigma_drop2",
            "float64",
            "eps/sigma^2",
            "stress decrease across the second plastic drop; NaN if none",
        ),
        (
            "x_post",
            "float64",
            "eps/sigma^2",
            "renewed distance to threshold x_post = sigma_c^(2) - stress_after_drop (>= 0); "
            "NaN unless the block yielded twice",
        ),
        ("yielded_twice", "bool", "-", "True if a second plastic drop occurred before the end"),
        (
            "n_blocks@tested",
            "int32",
            "-",
            "blocks tested (all configs) whose minimizations converged",
        ),
        ("n_yielded", "int32", "-", "blocks with a plastic drop before the strain cap"),
        ("fraction_yielded", "float64", "-", "n_yielded / n_blocks"),
        ("fraction_never_yielded", "float64", "-", "1 - n_yielded / n_blocks (censored blocks)"),
        ("strain_cap", "float64", "-", "largest strain a curve reached (yield_test.max_strain)"),
        (
            "sigma_c_mean",
            "float64",
            "eps/sigma^2",
            "<sigma_c^m> over yielded blocks only (biased low when blocks are censored)",
        ),
        ("sigma_c_mean_err", "float64", "eps/sigma^2", "bootstrap error of sigma_c_mean"),
        (
            "sigma_c_std",
            "float64",
            "eps/sigma^2",
            "standard deviation of sigma_c^m over yielded blocks",
        ),
        (
            "sigma_c_km",
            "float64",
            "eps/sigma^2",
            "<sigma_c^m> of the Kaplan-Meier distribution (never-yielded blocks censored at "
            "their largest stress): the estimate that enters the HL rescalings",
        ),
        ("sigma_c_km_err", "float64", "eps/sigma^2", "bootstrap error of sigma_c_km"),
        (
            "sigma_c_km_std",
            "float64",
            "eps/sigma^2",
            "standard deviation delta sigma_c^m of the KM distribution",
        ),
        ("sigma_c_km_std_err", "float64", "eps/sigma^2", "bootstrap error of sigma_c_km_std"),
        (
            "gauss_mu",
            "float64",
            "eps/sigma^2",
            "mean of a Gaussian fitted to the histogram (yielded blocks)",
        ),
        ("gauss_mu_err", "float64", "eps/sigma^2", "1-sigma error of gauss_mu (fit covariance)"),
        ("gauss_sigma", "float64", "eps/sigma^2", "width of the fitted Gaussian"),
        ("gauss_sigma_err", "float64", "eps/sigma^2", "1-sigma error of gauss_sigma"),
        ("sigma_drop_mean", "float64", "eps/sigma^2", "<Delta sigma^m> over yielded blocks"),
        ("sigma_drop_mean_err", "float64", "eps/sigma^2", "bootstrap error of <Delta sigma^m>"),
        (
            "drop_ratio",
            "float64",
            "-",
            "<Delta sigma^m> / <sigma_c^m> (yielded blocks; paper: ~0.2)",
        ),
        ("drop_ratio_err", "float64", "-", "bootstrap error of drop_ratio"),
        (
            "drop_factor",
            "float64",
            "-",
            "drop rule used: decrease > drop_factor G_local strain_step",
        ),
        ("drop_ratio_half_factor", "float64", "-", "drop_ratio re-analysed at drop_factor / 2"),
        ("drop_ratio_double_factor", "float64", "-", "drop_ratio re-analysed at 2 drop_factor"),
        (
            "sigma_c_mean_half_factor",
            "float64",
            "eps/sigma^2",
            "<sigma_c^m> (yielded) at drop_factor / 2",
        ),
        (
            "sigma_c_mean_double_factor",
            "float64",
            "eps/sigma^2",
            "<sigma_c^m> (yielded) at 2 drop_factor",
        ),
        ("local_modulus_mean", "float64", "eps/sigma^2", "mean local (frozen-matrix) modulus"),
        ("local_modulus_err", "float64", "eps/sigma^2", "bootstrap error of the mean modulus"),
        (
            "initial_stress_mean",
            "float64",
            "eps/sigma^2",
            "mean block stress sigma^m of the snapshots",
        ),
        ("x_mean", "float64", "eps/sigma^2", "<x> = <sigma_c^m - sigma^m> over yielded blocks"),
        ("x_mean_err", "float64", "eps/sigma^2", "bootstrap error of x_mean"),
        (
            "stress_after_drop_mean",
            "float64",
            "eps/sigma^2",
            "<stress just after the first drop> (yielded)",
        ),
        ("n_yielded_twice", "int32", "-", "blocks with a second plastic drop (x_post measured)"),
        (
            "sigma_c2_mean",
            "float64",
            "eps/sigma^2",
            "<sigma_c^(2)>, second maximum, over blocks yielding twice",
        ),
        ("sigma_c2_mean_err", "float64", "eps/sigma^2", "bootstrap error of sigma_c2_mean"),
        ("x_post_mean", "float64", "eps/sigma^2", "<x_post> over blocks that yielded twice"),
        ("x_post_mean_err", "float64", "eps/sigma^2", "bootstrap error of x_post_mean"),
        (
            "rule",
            "str",
            "-",
            "'first maximum' (any decrease), 'half' (drop_factor / 2), 'config' "
            "(drop_factor), 'double' (2 drop_factor)",
        ),
        (
            "sigma_c_rel_change",
            "float64",
            "-",
            "sigma_c_mean / its value under the config rule - 1",
        ),
        ("sigma_drop_rel_change", "float64", "-", "sigma_drop_mean / config value - 1"),
        ("drop_ratio_rel_change", "float64", "-", "drop_ratio / config value - 1"),
        ("yield_stress", "float64", "sigma_c", "small-rate yield stress sigma_Y (Eq. 15)"),
        (
            "hb_prefactor",
            "float64",
            "(sigma_c G0 tau)^(1/2)",
            "Herschel-Bulkley prefactor A (corrected Eq. 24, docs/design.md §4)",
        ),
        ("shear_rate@hl", "float64", "sigma_c/(G0 tau)", "dimensionless shear rate"),
        ("stress@hl", "float64", "sigma_c", "stationary mean stress <sigma> (Eq. 4)"),
        ("activity", "float64", "1/tau", "plastic activity rate Gamma (Eq. 2)"),
        ("diffusion", "float64", "sigma_c^2/tau", "HL diffusion D = alpha Gamma (MSD = 2 D t)"),
        ("threshold_width", "float64", "sigma_c", "std of the Gaussian local thresholds"),
        ("relaxation_fraction", "float64", "1", "mean stress drop / threshold at yield"),
        ("relaxation_width", "float64", "1", "std of the relaxation fraction"),
        ("thresholds", "str", "", "'renewed' (new threshold at each yield) or 'quenched'"),
        ("stress_drop", "float64", "sigma_c", "mean stress drop <Delta sigma> entering D"),
        (
            "sigma_c@km",
            "float64",
            "eps/sigma^2",
            "<sigma_c^m>, mean local yield stress, censored (Kaplan-Meier) estimate: the HL "
            "sigma_c of every rescaling (blocks that never yielded by the strain cap have "
            "the largest thresholds; leaving them out biases the mean low)",
        ),
        ("sigma_c_err@km", "float64", "eps/sigma^2", "bootstrap error (over blocks) of sigma_c"),
        (
            "sigma_c_yielded",
            "float64",
            "eps/sigma^2",
            "<sigma_c^m> over the blocks that yielded only (survivor-biased; for "
            "comparison)",
        ),
        ("sigma_c_yielded_err", "float64", "eps/sigma^2", "bootstrap error of sigma_c_yielded"),
        (
            "delta_sigma_c",
            "float64",
            "eps/sigma^2",
            "spread of sigma_c^m (Kaplan-Meier standard deviation)",
        ),
        ("delta_sigma_c_err", "float64", "eps/sigma^2", "bootstrap error of delta_sigma_c"),
        ("stress_drop@lj", "float64", "eps/sigma^2", "<Delta sigma^m>, mean local stress drop"),
        ("stress_drop_err", "float64", "eps/sigma^2", "bootstrap error of <Delta sigma^m>"),
        ("alpha_micro", "float64", "-", "D_sigma / (<Delta sigma^m>^2 Gamma) (Eq. 8)"),
        ("alpha_micro_err", "float64", "-", "propagated error of alpha_micro"),
        (
            "alpha_micro_dhl",
            "float64",
            "-",
            "D_HL / (<Delta sigma^m>^2 Gamma) = alpha_micro / 2: Eq. 8 with the HL "
            "equation's own D (MSD = 2 D t); the coupling that enters the (modified) HL "
            "model",
        ),
        ("alpha_micro_dhl_err", "float64", "-", "error of alpha_micro_dhl"),
        ("alpha_micro_hl", "float64", "-", "D_sigma / (<sigma_c^m>^2 Gamma)"),
        ("alpha_micro_hl_err", "float64", "-", "propagated error of alpha_micro_hl"),
        ("prefactor@half", "float64", "eps/sigma^2 tau0^(1/2)", "HB prefactor A (n = 1/2)"),
        ("prefactor_err@half", "float64", "eps/sigma^2 tau0^(1/2)", "error of A"),
        ("yield_stress_rescaled", "float64", "-", "sigma_Y / <sigma_c^m> (Fig. 3 abscissa)"),
        ("yield_stress_rescaled_err", "float64", "-", "error of sigma_Y / <sigma_c^m>"),
        ("prefactor_rescaled", "float64", "-", "A / sqrt(G0 <sigma_c^m> tau_p) (Fig. 3 ordinate)"),
        ("prefactor_rescaled_err", "float64", "-", "error of the rescaled prefactor"),
        (
            "alpha_flow",
            "float64",
            "-",
            "alpha with HL sigma_Y/sigma_c(alpha) = sigma_Y/<sigma_c^m>",
        ),
        ("alpha_flow_err", "float64", "-", "propagated error of alpha_flow (NaN: no HL solution)"),
        (
            "alpha_flow_hl",
            "float64",
            "-",
            "alpha of the HL stationary curve fitted to the flow curve (alpha, sigma_c, G0 "
            "tau free): a second alpha_flow, independent of <sigma_c^m>",
        ),
        ("alpha_flow_hl_err", "float64", "-", "fit error of alpha_flow_hl"),
        (
            "strain_balance",
            "float64",
            "-",
            "R = Gamma <Delta sigma^m> / (G0 gamma_dot), ~1 expected",
        ),
        ("strain_balance_err", "float64", "-", "error of R"),
        ("strain_balance_hl", "float64", "-", "Gamma <sigma_c^m> / (G0 gamma_dot) (HL reset to 0)"),
        ("kappa", "float64", "-", "kappa = D_HL / (G0 gamma_dot <sigma_c^m>)"),
        ("kappa_err", "float64", "-", "error of kappa"),
        (
            "alpha_kappa",
            "float64",
            "-",
            "HL coupling from kappa alone: kappa tanh(1/(2 kappa)) (needs neither Gamma nor "
            "tau)",
        ),
        ("alpha_kappa_err", "float64", "-", "error of alpha_kappa"),
        ("strain_balance_hl_err", "float64", "-", "error of strain_balance_hl"),
        (
            "strain_balance_phi",
            "float64",
            "-",
            "Gamma_phi <Delta sigma^m> / (G0 gamma_dot): R with the former Gamma",
        ),
        (
            "kappa_var",
            "float64",
            "-",
            "kappa with D_sigma_var / 2 (increment variance, mean increment subtracted)",
        ),
        ("alpha_kappa_var", "float64", "-", "kappa_var tanh(1/(2 kappa_var))"),
        ("error_note", "str", "-", "inputs whose error is unknown, making errors NaN ('' if none)"),
        (
            "relaxation_fraction@prediction",
            "float64",
            "-",
            "relaxation fraction used: drop_ratio clipped into [1e-3, 1] (the solver's "
            "range)",
        ),
        ("relaxation_clipped", "bool", "-", "True if drop_ratio lay outside [1e-3, 1]"),
        ("rule@cost", "string", "-", "Snakemake rule (kind of job)"),
        ("jobs", "int64", "-", "jobs of this rule with a benchmark file"),
        ("wall_total_min", "float64", "min", "wall time summed over the jobs"),
        ("wall_max_min", "float64", "min", "wall time of the longest job"),
        ("cpu_total_min", "float64", "min", "CPU time summed over the jobs (as psutil saw it)"),
        ("max_rss_mb", "float64", "MB", "largest resident memory of one job"),
        (
            "n_unconverged",
            "int32",
            "-",
            "points of the curve whose minimization did not reach ftol, even with the "
            "fallback minimizer",
        ),
        (
            "converged_to_drop",
            "bool",
            "-",
            "every minimization converged up to the point just after the first plastic drop "
            "(the whole curve if never yielded); False: the block is left out of the "
            "summary statistics",
        ),
        (
            "fnorm",
            "float64",
            "eps/sigma",
            "final 2-norm of the block atoms' forces of the minimization of this point",
        ),
        ("converged", "bool", "-", "the minimization reached fnorm <= yield_test ftol"),
        (
            "fallback",
            "bool",
            "-",
            "the first minimizer stopped short of ftol and the fallback minimizer continued "
            "it",
        ),
        (
            "n_unconverged_blocks",
            "int32",
            "-",
            "blocks left out: a minimization up to their first drop did not converge",
        ),
    ]
)

#: table -> keys of the registered columns it holds, in file order.
TABLES: dict[str, tuple[str, ...]] = {
    "structure.rdf": (
        "density",
        "seed",
        "pair",
        "r",
        "g",
    ),
    "structure.local_order": (
        "density",
        "seed",
        "id",
        "type",
        "psi6",
        "n_neighbors",
        "n_coherent",
        "crystalline",
    ),
    "structure.glass_quality": (
        "density",
        "seed",
        "n_particles",
        "psi6_mean",
        "ordered_fraction",
        "crystalline_fraction",
        "crystalline_fraction_a",
        "psi6_threshold",
        "max_crystalline_fraction",
        "crystallised",
    ),
    "io.thermo": (
        "step",
        "time",
        "strain",
        "stress",
        "pressure",
        "pe",
        "lx",
        "ly",
        "xy",
        "steady",
    ),
    "io.frame": (
        "frame",
        "window",
        "step",
        "time",
        "strain",
        "lx",
        "ly",
        "xy",
        "id@frame",
        "type",
        "x",
        "y",
        "sxy",
    ),
    "rheology.flow_curve": (
        "density",
        "shear_rate",
        "stress@mean",
        "stress_err",
        "n_seeds",
        "strain_span",
    ),
    "rheology.hb_fit": (
        "density",
        "exponent_mode",
        "sigma_y",
        "sigma_y_err",
        "prefactor",
        "prefactor_err",
        "exponent",
        "exponent_err",
        "chi2_red",
        "n_rates",
        "rate_min",
        "rate_max",
    ),
    "rheology.hl_fit": (
        "density",
        "alpha",
        "alpha_err",
        "sigma_c",
        "sigma_c_err",
        "G0_tau",
        "G0_tau_err",
        "chi2_red",
        "n_rates",
    ),
    "rheology.modulus": (
        "density",
        "G0",
        "G0_err",
        "n_branches",
        "G0_initial",
        "G0_initial_err",
        "shear_rate",
    ),
    "plasticity.d2min": (
        "frame",
        "window",
        "time",
        "id@frame",
        "d2min",
    ),
    "plasticity.activity": (
        "frame",
        "window",
        "time",
        "strain",
        "n_active",
        "k",
        "active_block_fraction",
        "n_clusters",
        "m",
        "coarse_active_fraction",
        "coarse_width",
    ),
    "plasticity.cluster": (
        "frame",
        "cluster",
        "n_blocks",
        "area",
    ),
    "plasticity.event": (
        "frame",
        "window",
        "time",
        "bx",
        "by",
        "n_particles@event",
        "n_blocks",
    ),
    "plasticity.autocorr": (
        "lag",
        "C_p",
        "n",
    ),
    "plasticity.event_autocorr": (
        "short_lag",
        "lag",
        "C",
        "n",
    ),
    "plasticity.event_duration": (
        "short_lag",
        "tau_p",
        "tau_p_err",
        "amplitude",
        "plateau",
        "fit_t_min",
        "fit_t_max",
        "n_pairs",
    ),
    "plasticity.summary": (
        "l_pl",
        "l_pl_err",
        "mean_cluster_area",
        "n_clusters@total",
        "tau_p",
        "tau_p_err",
        "tau_p_short_lag",
        "tau_p_plateau",
        "tau_p_window",
        "tau_p_window_err",
        "phi",
        "phi_err",
        "Gamma",
        "Gamma_err",
        "n_events",
        "observation_time",
        "Gamma_phi",
        "Gamma_phi_err",
        "n_active_mean",
        "n_frames",
        "n_error_blocks",
        "k@run",
        "M",
        "coarse_width",
        "threshold",
        "lag@d2min",
    ),
    "plasticity.collected_summary": (
        "density",
        "shear_rate",
        "seed",
        "l_pl",
        "l_pl_err",
        "mean_cluster_area",
        "n_clusters@total",
        "tau_p",
        "tau_p_err",
        "tau_p_short_lag",
        "tau_p_plateau",
        "tau_p_window",
        "tau_p_window_err",
        "phi",
        "phi_err",
        "Gamma",
        "Gamma_err",
        "n_events",
        "observation_time",
        "Gamma_phi",
        "Gamma_phi_err",
        "n_active_mean",
        "n_frames",
        "n_error_blocks",
        "k@run",
        "M",
        "coarse_width",
        "threshold",
        "lag@d2min",
    ),
    "blocks.block_stress": (
        "frame",
        "window",
        "step",
        "time",
        "strain",
        "bx",
        "by",
        "stress@block",
        "block_area",
    ),
    "diffusion.stress_msd_sample": (
        "window",
        "bx",
        "by",
        "k@lag",
        "lag",
        "msd",
        "drift",
        "n@origins",
        "increment",
        "increment_sq",
    ),
    "diffusion.stress_msd": (
        "lag",
        "msd",
        "msd_err",
        "drift",
        "n@block_origins",
        "mean_increment",
        "variance",
        "local_exponent",
    ),
    "diffusion.diffusion_summary": (
        "density",
        "shear_rate",
        "seed",
        "D_sigma",
        "D_sigma_err",
        "D_HL",
        "D_HL_err",
        "D_sigma_var",
        "D_sigma_var_err",
        "Gamma",
        "Gamma_err",
        "Gamma_phi",
        "Gamma_phi_err",
        "phi",
        "phi_err",
        "tau_p",
        "tau_p_err",
        "tau_p_window",
        "tau_p_window_err",
        "D_sigma_over_Gamma",
        "M",
        "W",
        "G0",
        "G0_err",
        "fit_t_min",
        "fit_t_max",
        "n_fit_lags",
        "n_samples",
        "n_windows",
        "D_sigma_err_blocks",
        "D_sigma_err_windows",
        "slope_with_intercept",
        "intercept",
        "msd_exponent",
        "msd_exponent_min",
        "msd_exponent_max",
        "variance_exponent",
        "drift_fraction",
    ),
    "frozen_matrix.curve": (
        "config",
        "bx@frozen",
        "by@frozen",
        "direction",
        "strain@frozen",
        "stress@frozen",
        "fnorm",
        "converged",
        "fallback",
    ),
    "frozen_matrix.local_yield": (
        "config",
        "bx@frozen",
        "by@frozen",
        "direction",
        "sigma_c@local",
        "sigma_drop",
        "strain_at_yield",
        "local_modulus",
        "initial_stress",
        "yielded",
        "stress_max",
        "strain_end",
        "x@threshold",
        "stress_after_drop",
        "sigma_c2",
        "sigma_drop2",
        "x_post",
        "yielded_twice",
        "n_unconverged",
        "converged_to_drop",
    ),
    "frozen_matrix.summary": (
        "density",
        "direction",
        "n_blocks@tested",
        "n_unconverged_blocks",
        "n_yielded",
        "fraction_yielded",
        "fraction_never_yielded",
        "strain_cap",
        "sigma_c_mean",
        "sigma_c_mean_err",
        "sigma_c_std",
        "sigma_c_km",
        "sigma_c_km_err",
        "sigma_c_km_std",
        "sigma_c_km_std_err",
        "gauss_mu",
        "gauss_mu_err",
        "gauss_sigma",
        "gauss_sigma_err",
        "sigma_drop_mean",
        "sigma_drop_mean_err",
        "drop_ratio",
        "drop_ratio_err",
        "drop_factor",
        "drop_ratio_half_factor",
        "drop_ratio_double_factor",
        "sigma_c_mean_half_factor",
        "sigma_c_mean_double_factor",
        "local_modulus_mean",
        "local_modulus_err",
        "initial_stress_mean",
        "x_mean",
        "x_mean_err",
        "stress_after_drop_mean",
        "n_yielded_twice",
        "sigma_c2_mean",
        "sigma_c2_mean_err",
        "x_post_mean",
        "x_post_mean_err",
    ),
    "frozen_matrix.sensitivity": (
        "density",
        "direction",
        "rule",
        "drop_factor",
        "fraction_yielded",
        "sigma_c_mean",
        "sigma_c_mean_err",
        "sigma_c_km",
        "sigma_c_km_err",
        "sigma_drop_mean",
        "sigma_drop_mean_err",
        "drop_ratio",
        "drop_ratio_err",
        "sigma_c_rel_change",
        "sigma_drop_rel_change",
        "drop_ratio_rel_change",
    ),
    "hl.parametric_curve": (
        "alpha",
        "yield_stress",
        "hb_prefactor",
    ),
    "hl.flow_curve": (
        "alpha",
        "shear_rate@hl",
        "stress@hl",
        "activity",
        "diffusion",
    ),
    "hl.modified_flow_curve": (
        "alpha",
        "threshold_width",
        "relaxation_fraction",
        "relaxation_width",
        "thresholds",
        "shear_rate@hl",
        "stress@hl",
        "activity",
        "diffusion",
        "stress_drop",
    ),
    "report.summary": (
        "density",
        "shear_rate",
        "G0",
        "G0_err",
        "tau_p",
        "tau_p_err",
        "sigma_c@km",
        "sigma_c_err@km",
        "sigma_c_yielded",
        "sigma_c_yielded_err",
        "fraction_yielded",
        "delta_sigma_c",
        "delta_sigma_c_err",
        "stress_drop@lj",
        "stress_drop_err",
        "D_sigma",
        "D_sigma_err",
        "phi",
        "phi_err",
        "Gamma",
        "Gamma_err",
        "alpha_micro",
        "alpha_micro_err",
        "alpha_micro_dhl",
        "alpha_micro_dhl_err",
        "alpha_micro_hl",
        "alpha_micro_hl_err",
        "sigma_y",
        "sigma_y_err",
        "prefactor@half",
        "prefactor_err@half",
        "yield_stress_rescaled",
        "yield_stress_rescaled_err",
        "prefactor_rescaled",
        "prefactor_rescaled_err",
        "alpha_flow",
        "alpha_flow_err",
        "alpha_flow_hl",
        "alpha_flow_hl_err",
        "drop_ratio",
        "drop_ratio_err",
        "x_mean",
        "x_mean_err",
        "x_post_mean",
        "x_post_mean_err",
        "tau_p_window",
        "tau_p_window_err",
        "Gamma_phi",
        "Gamma_phi_err",
        "strain_balance",
        "strain_balance_err",
        "strain_balance_hl",
        "D_HL",
        "kappa",
        "kappa_err",
        "alpha_kappa",
        "alpha_kappa_err",
    ),
    "report.run_coupling": (
        "density",
        "shear_rate",
        "seed",
        "G0",
        "sigma_c@km",
        "stress_drop@lj",
        "tau_p",
        "tau_p_window",
        "Gamma",
        "Gamma_err",
        "Gamma_phi",
        "strain_balance",
        "strain_balance_err",
        "strain_balance_hl",
        "strain_balance_hl_err",
        "strain_balance_phi",
        "D_HL",
        "kappa",
        "kappa_err",
        "alpha_kappa",
        "alpha_kappa_err",
        "kappa_var",
        "alpha_kappa_var",
        "error_note",
    ),
    "report.prediction": (
        "density",
        "shear_rate@hl",
        "stress@hl",
        "relaxation_fraction@prediction",
        "relaxation_clipped",
    ),
    "report.cost": (
        "rule@cost",
        "jobs",
        "wall_total_min",
        "wall_max_min",
        "cpu_total_min",
        "max_rss_mb",
    ),
}


def view(
    table: str,
    registry: dict[str, Column] | None = None,
    tables: dict[str, tuple[str, ...]] | None = None,
) -> dict[str, tuple[str, str, str]]:
    """``column -> (dtype, unit, description)`` of one table, in file order.

    Parameters
    ----------
    table : str
        A key of :data:`TABLES` (``"plasticity.summary"``).
    registry, tables : dict, optional
        Defaults :data:`COLUMNS` and :data:`TABLES` (given in tests).

    Raises
    ------
    KeyError
        If the table is unknown, or it holds a key that is not registered (naming both).
    ValueError
        If the table holds one column name twice.
    """
    registry = COLUMNS if registry is None else registry
    tables = TABLES if tables is None else tables
    if table not in tables:
        raise KeyError(f"unknown table {table!r}; known: {sorted(tables)}")
    out: dict[str, tuple[str, str, str]] = {}
    for key in tables[table]:
        if key not in registry:
            raise KeyError(f"table {table!r} holds column {key!r}, which is not registered")
        col = registry[key]
        if col.name in out:
            raise ValueError(f"table {table!r} holds column {col.name!r} twice")
        out[col.name] = (col.dtype, col.unit, col.description)
    return out
