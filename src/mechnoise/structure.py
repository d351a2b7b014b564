"""Glass quality after the quench: partial radial distribution functions and hexatic order.

The binary Lennard-Jones mixture of the paper (A:B = 65:35) is known to stay amorphous when
quenched at the paper's four densities; at other densities or compositions it may form
triangular crystallites of A particles. This module measures, with freud, what a user needs
to tell a glass from a (partly) crystallised sample:

* the partial radial distribution functions g_AA, g_AB, g_BB and the total g(r);
* the local hexatic order |ψ6| of every particle (Voronoi neighbours weighted by the length
  of the shared Voronoi edge);
* which particles are crystal-like (ordered, with at least :data:`MIN_COHERENT_NEIGHBORS`
  ordered neighbours of the same lattice orientation), and from their fraction a
  ``crystallised`` flag per glass.

Box convention: mechnoise's LAMMPS ``(lx, ly, xy)`` with the lower corner at the origin;
:func:`mechnoise.io.freud_system` converts to freud's centred box with tilt factors.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pandas as pd

from mechnoise import columns
from mechnoise._typing import Box, ComplexArray, IntArray
from mechnoise.io import freud_system
from mechnoise.plasticity.neighbors import as_positions, check_box

__all__ = [
    "GLASS_QUALITY_COLUMNS",
    "LOCAL_ORDER_COLUMNS",
    "MIN_COHERENT_NEIGHBORS",
    "PAIRS",
    "RDF_COLUMNS",
    "SPECIES",
    "count_coherent_neighbors",
    "crystallisation_warnings",
    "glass_structure",
    "hexatic_order",
    "local_order_table",
    "partial_rdfs",
    "summarize_glass_quality",
]


#: Species label of each LAMMPS atom type.
SPECIES: dict[int, str] = {1: "A", 2: "B"}

#: Pairs of the partial RDFs, in table order, then the total g(r).
PAIRS: tuple[str, ...] = ("AA", "AB", "BB", "all")

#: column -> (dtype, unit, description) of ``rdf.parquet`` (one glass).
RDF_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("structure.rdf")

#: A crystal-like particle has at least this many coherent bonds (of 6 in a triangular
#: lattice): a majority of its shell continues its lattice orientation.
MIN_COHERENT_NEIGHBORS = 4

#: column -> (dtype, unit, description) of ``structure.parquet`` (one row per particle).
LOCAL_ORDER_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("structure.local_order")

#: column -> (dtype, unit, description) of ``glass_quality.parquet`` (one row per glass).
GLASS_QUALITY_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("structure.glass_quality")


def _species_masks(types: npt.ArrayLike, n: int) -> dict[str, npt.NDArray[np.bool_]]:
    """Boolean masks of the A and B particles; ValueError for another type or length."""
    t = np.asarray(types)
    if t.shape != (n,):
        raise ValueError(f"types must have shape ({n},) like the positions, got {t.shape}")
    unknown = np.setdiff1d(np.unique(t), list(SPECIES))
    if unknown.size:
        raise ValueError(f"types must be 1 (A) or 2 (B), got {unknown.tolist()}")
    return {name: t == code for code, name in SPECIES.items()}


def partial_rdfs(
    positions: npt.ArrayLike,
    types: npt.ArrayLike,
    box: Box,
    r_max: float,
    bins: int,
) -> pd.DataFrame:
    """Partial radial distribution functions g_AA, g_AB, g_BB and the total g(r) of a 2D box.

    Parameters
    ----------
    positions : array_like, shape (N, 2)
        Positions (sigma), wrapped or not.
    types : array_like of int, shape (N,)
        Species, 1 = A and 2 = B.
    box : tuple of float
        LAMMPS ``(lx, ly, xy)`` (sigma).
    r_max : float
        Largest distance (sigma); below half the box's smallest width.
    bins : int
        Number of bins of width ``r_max / bins`` over ``[0, r_max]``.

    Returns
    -------
    DataFrame
        Columns ``pair`` (AA, AB, BB, all), ``r`` (bin centre, sigma) and ``g``; ``bins``
        rows per pair. g_aa is NaN if species a has fewer than two particles, g_AB if
        either species is absent.

    Raises
    ------
    ValueError
        If ``r_max`` is not positive or not below half the box's smallest width, ``bins``
        is below 1, or the types are not 1 and 2.

    Notes
    -----
    ``g_ab(r) = A n_ab(r) / (N_a (N_b − δ_ab) 2π r dr)``, with ``n_ab(r) dr`` the number of
    ordered pairs (i of species a, j ≠ i of species b) at distance r and ``A`` the box
    area. Normalised by the number of *other* particles, every partial tends to 1 at large
    r for any N, and the pair counts add up exactly:
    ``g = Σ_ab w_ab g_ab`` with ``w_ab = N_a (N_b − δ_ab) / (N (N − 1))`` (AB counted
    twice, as AB and BA). The pair counts come from :class:`freud.density.RDF`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> pos = rng.uniform(0.0, 20.0, size=(800, 2))
    >>> g = partial_rdfs(pos, rng.integers(1, 3, 800), (20.0, 20.0, 0.0), 6.0, 12)
    >>> sorted(g["pair"].unique()), len(g)
    (['AA', 'AB', 'BB', 'all'], 48)
    >>> bool(abs(g.loc[(g["pair"] == "all") & (g["r"] > 3.0), "g"].mean() - 1.0) < 0.05)
    True
    """
    import freud

    pos = as_positions(positions, "positions")
    lx, ly, xy = check_box(box)
    masks = _species_masks(types, pos.shape[0])
    if int(bins) != bins or bins < 1:
        raise ValueError(f"bins must be a positive integer, got {bins!r}")
    half_width = 0.5 * min(lx * ly / math.hypot(ly, xy), ly)
    if not (math.isfinite(r_max) and 0.0 < r_max < half_width):
        raise ValueError(
            f"r_max must be positive and below half the box's smallest width "
            f"({half_width:.4g} sigma), got {r_max!r}"
        )
    fbox, points = freud_system(pos, (lx, ly, xy))
    groups = {"A": points[masks["A"]], "B": points[masks["B"]], "all": points}
    frames = []
    for pair in PAIRS:
        a, b = ("all", "all") if pair == "all" else (pair[0], pair[1])
        n_a, n_b = len(groups[a]), len(groups[b])
        n_other = n_b - 1 if a == b else n_b
        rdf = freud.density.RDF(bins=int(bins), r_max=float(r_max), normalization_mode="exact")
        if n_a >= 1 and n_other >= 1:
            if a == b:  # query points = points: freud excludes i == j
                rdf.compute(system=(fbox, groups[a]))
            else:
                rdf.compute(system=(fbox, groups[b]), query_points=groups[a])
            # freud normalises by N_a N_b / A; use the N_b - 1 other particles instead.
            g = np.asarray(rdf.rdf, dtype=np.float64) * n_b / n_other
        else:
            g = np.full(int(bins), np.nan)
        frames.append(
            pd.DataFrame({"pair": pair, "r": np.asarray(rdf.bin_centers, np.float64), "g": g})
        )
    return pd.concat(frames, ignore_index=True)


def hexatic_order(positions: npt.ArrayLike, box: Box) -> tuple[ComplexArray, IntArray, IntArray]:
    """Local hexatic order ψ6 of every particle, over its weighted Voronoi neighbours.

    Parameters
    ----------
    positions : array_like, shape (N, 2)
        Positions (sigma), wrapped or not.
    box : tuple of float
        LAMMPS ``(lx, ly, xy)`` (sigma).

    Returns
    -------
    psi6 : ndarray of complex128, shape (N,)
        ``ψ6,i``; ``|ψ6,i|`` is in [0, 1].
    i, j : ndarray of int64, shape (P,)
        Voronoi neighbour pairs (each unordered pair appears as (i, j) and (j, i)).

    Notes
    -----
    ``ψ6,i = Σ_j l_ij exp(6 i θ_ij) / Σ_j l_ij`` over the Voronoi neighbours j of i, with
    ``θ_ij`` the angle of the bond i → j and ``l_ij`` the length of the Voronoi edge they
    share (:class:`freud.order.Hexatic` with ``weighted=True``). Weighting by edge length
    makes ψ6 continuous in the positions: an almost-degenerate Voronoi vertex adds a
    neighbour of near-zero weight instead of a full bond (Mickel et al. 2013). A perfect
    triangular lattice gives ``|ψ6| = 1``, an ideal gas about 0.43 on average.

    References
    ----------
    W. Mickel, S. C. Kapfer, G. E. Schröder-Turk and K. Mecke, J. Chem. Phys. 138, 044501
    (2013).

    Examples
    --------
    >>> a, nx, ny = 1.0, 8, 8
    >>> i, j = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    >>> pos = np.column_stack([(i + 0.5 * (j % 2)).ravel() * a, j.ravel() * a * 3**0.5 / 2])
    >>> pos += np.random.default_rng(0).normal(0.0, 1e-7, pos.shape)  # no exact degeneracy
    >>> psi6, i, j = hexatic_order(pos, (nx * a, ny * a * 3**0.5 / 2, 0.0))
    >>> bool(np.allclose(np.abs(psi6), 1.0, atol=1e-5)), set(np.bincount(i).tolist())
    (True, {6})
    """
    import freud

    pos = as_positions(positions, "positions")
    fbox, points = freud_system(pos, check_box(box))
    system = (fbox, points)
    voronoi = freud.locality.Voronoi()
    voronoi.compute(system)
    nlist = voronoi.nlist
    hexatic = freud.order.Hexatic(k=6, weighted=True)
    hexatic.compute(system, neighbors=nlist)
    return (
        np.asarray(hexatic.particle_order, dtype=np.complex128),
        np.asarray(nlist.query_point_indices, dtype=np.int64),
        np.asarray(nlist.point_indices, dtype=np.int64),
    )


def count_coherent_neighbors(
    psi6: npt.ArrayLike, i: npt.ArrayLike, j: npt.ArrayLike, threshold: float
) -> IntArray:
    """Number of ordered neighbours of each particle whose hexatic phase matches its own.

    Parameters
    ----------
    psi6 : array_like of complex, shape (N,)
        Local hexatic order of every particle (:func:`hexatic_order`).
    i, j : array_like of int, shape (P,)
        Neighbour pairs, each unordered pair listed both ways.
    threshold : float
        Bond (i, j) is coherent if ``|ψ6,i| > threshold``, ``|ψ6,j| > threshold`` and
        ``Re(ψ6,i ψ6,j*) / (|ψ6,i| |ψ6,j|) > threshold`` (0 < threshold < 1).

    Returns
    -------
    ndarray of int64, shape (N,)
        Coherent bonds of each particle.

    Notes
    -----
    The coherence ``cos(6 Δφ)`` compares the lattice orientations ``φ = arg(ψ6) / 6`` of
    two neighbours; 0.7 allows a misorientation of 7.6°. Inside a crystallite every bond is
    coherent; in a glass a particle with a hexagonal shell is rarely surrounded by others
    with the same orientation (ten Wolde, Ruiz-Montero and Frenkel 1996, here with ψ6 in 2D).

    Examples
    --------
    >>> psi6 = np.array([1.0, 0.9, 0.9j, 0.1])
    >>> i, j = np.array([0, 1, 0, 2, 0, 3]), np.array([1, 0, 2, 0, 3, 0])
    >>> count_coherent_neighbors(psi6, i, j, 0.7).tolist()
    [1, 1, 0, 0]
    """
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be between 0 and 1, got {threshold!r}")
    psi = np.asarray(psi6, dtype=np.complex128)
    ii, jj = np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64)
    mag = np.abs(psi)
    ordered = mag > threshold
    both = ordered[ii] & ordered[jj]
    coherence = np.zeros(ii.shape)
    coherence[both] = np.real(psi[ii[both]] * np.conj(psi[jj[both]])) / (
        mag[ii[both]] * mag[jj[both]]
    )
    return np.bincount(ii[both & (coherence > threshold)], minlength=psi.size).astype(np.int64)


def local_order_table(
    ids: npt.ArrayLike,
    types: npt.ArrayLike,
    positions: npt.ArrayLike,
    box: Box,
    psi6_threshold: float,
) -> pd.DataFrame:
    """One row per particle: |ψ6|, Voronoi and coherent neighbours, crystal-like or not.

    Parameters
    ----------
    ids, types : array_like of int, shape (N,)
        Atom ids and species (1 = A, 2 = B).
    positions : array_like, shape (N, 2)
        Positions (sigma).
    box : tuple of float
        LAMMPS ``(lx, ly, xy)`` (sigma).
    psi6_threshold : float
        Order and coherence threshold of :func:`count_coherent_neighbors`.

    Returns
    -------
    DataFrame
        Columns ``id, type, psi6, n_neighbors, n_coherent, crystalline`` of
        :data:`LOCAL_ORDER_COLUMNS`, rows in the order of ``ids``. A particle is
        crystalline if ``|ψ6| > psi6_threshold`` and at least
        :data:`MIN_COHERENT_NEIGHBORS` of its bonds are coherent.
    """
    pos = as_positions(positions, "positions")
    _species_masks(types, pos.shape[0])
    ids_arr = np.asarray(ids, dtype=np.int64)
    if ids_arr.shape != (pos.shape[0],):
        raise ValueError(f"ids must have shape ({pos.shape[0]},), got {ids_arr.shape}")
    psi6, i, j = hexatic_order(pos, box)
    n_coherent = count_coherent_neighbors(psi6, i, j, psi6_threshold)
    magnitude = np.clip(np.abs(psi6), 0.0, 1.0)
    return pd.DataFrame(
        {
            "id": ids_arr,
            "type": np.asarray(types, dtype=np.int8),
            "psi6": magnitude,
            "n_neighbors": np.bincount(i, minlength=pos.shape[0]).astype(np.int32),
            "n_coherent": n_coherent.astype(np.int32),
            "crystalline": (magnitude > psi6_threshold) & (n_coherent >= MIN_COHERENT_NEIGHBORS),
        }
    )


def glass_structure(
    ids: npt.ArrayLike,
    types: npt.ArrayLike,
    positions: npt.ArrayLike,
    box: Box,
    *,
    density: float,
    seed: int,
    rdf_r_max: float,
    rdf_bins: int,
    psi6_threshold: float,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``rdf.parquet`` and ``structure.parquet`` tables of one glass.

    Parameters
    ----------
    ids, types, positions, box
        The glass, as :func:`mechnoise.frozen_matrix.read_data_file` returns it.
    density : float
        Its configured number density (sigma^-2), written as a column.
    seed : int
        Its seed, written as a column.
    rdf_r_max, rdf_bins
        Range (sigma) and bins of :func:`partial_rdfs`.
    psi6_threshold : float
        Threshold of :func:`local_order_table`.

    Returns
    -------
    rdf, local_order : DataFrame
        Columns of :data:`RDF_COLUMNS` and :data:`LOCAL_ORDER_COLUMNS`.
    """
    rdf = partial_rdfs(positions, types, box, rdf_r_max, rdf_bins)
    order = local_order_table(ids, types, positions, box, psi6_threshold)
    for table in (rdf, order):
        table.insert(0, "seed", int(seed))
        table.insert(0, "density", float(density))
    return rdf, order


def summarize_glass_quality(
    local_order: pd.DataFrame, psi6_threshold: float, max_crystalline_fraction: float
) -> pd.DataFrame:
    """One row per glass: mean |ψ6|, ordered and crystalline fractions, crystallised flag.

    Parameters
    ----------
    local_order : DataFrame
        Rows of :data:`LOCAL_ORDER_COLUMNS` for one or more glasses (told apart by
        ``density`` and ``seed``).
    psi6_threshold : float
        The threshold the table was made with (0 < value < 1); a particle is ordered if
        ``|ψ6| > psi6_threshold``.
    max_crystalline_fraction : float
        A glass whose crystalline fraction exceeds this is flagged ``crystallised``
        (0 < value < 1).

    Returns
    -------
    DataFrame
        Columns of :data:`GLASS_QUALITY_COLUMNS`, sorted by density and seed.

    Raises
    ------
    ValueError
        If a threshold is outside (0, 1) or the table is empty.

    Examples
    --------
    >>> t = pd.DataFrame({"density": 1.2, "seed": 1, "type": [1, 1, 2, 2],
    ...                   "psi6": [0.95, 0.9, 0.3, 0.8],
    ...                   "crystalline": [True, True, False, False]})
    >>> q = summarize_glass_quality(t, 0.7, 0.25)
    >>> q[["ordered_fraction", "crystalline_fraction", "crystallised"]].values.tolist()
    [[0.75, 0.5, True]]
    """
    for name, value in [
        ("psi6_threshold", psi6_threshold),
        ("max_crystalline_fraction", max_crystalline_fraction),
    ]:
        if not 0.0 < value < 1.0:
            raise ValueError(f"{name} must be between 0 and 1, got {value!r}")
    if local_order.empty:
        raise ValueError("local_order has no rows")
    rows = []
    for (density, seed), df in local_order.groupby(["density", "seed"], sort=True):
        crystalline = df["crystalline"].to_numpy(bool)
        is_a = df["type"].to_numpy() == 1
        fraction = float(crystalline.mean())
        rows.append(
            {
                "density": float(density),
                "seed": int(seed),
                "n_particles": len(df),
                "psi6_mean": float(df["psi6"].mean()),
                "ordered_fraction": float((df["psi6"].to_numpy() > psi6_threshold).mean()),
                "crystalline_fraction": fraction,
                "crystalline_fraction_a": float(crystalline[is_a].mean())
                if is_a.any()
                else math.nan,
                "psi6_threshold": float(psi6_threshold),
                "max_crystalline_fraction": float(max_crystalline_fraction),
                "crystallised": fraction > max_crystalline_fraction,
            }
        )
    return pd.DataFrame(rows, columns=list(GLASS_QUALITY_COLUMNS))


def crystallisation_warnings(quality: pd.DataFrame) -> list[str]:
    """One sentence per glass flagged ``crystallised`` in a glass-quality table.

    Examples
    --------
    >>> q = pd.DataFrame({"density": [1.2, 1.5], "seed": [1, 1],
    ...                   "crystalline_fraction": [0.05, 0.8],
    ...                   "max_crystalline_fraction": 0.25, "crystallised": [False, True]})
    >>> crystallisation_warnings(q)  # doctest: +NORMALIZE_WHITESPACE
    ['glass rho = 1.5, seed 1 has crystallised: 80% of its particles are crystal-like (limit
      25%, analysis.structure.max_crystalline_fraction); its rheology is not that of an
      amorphous solid']
    """
    messages = []
    for row in quality[quality["crystallised"].astype(bool)].itertuples(index=False):
        messages.append(
            f"glass rho = {row.density:g}, seed {row.seed} has crystallised: "
            f"{row.crystalline_fraction:.0%} of its particles are crystal-like "
            f"(limit {row.max_crystalline_fraction:.0%}, "
            "analysis.structure.max_crystalline_fraction); "
            "its rheology is not that of an amorphous solid"
        )
    return messages
