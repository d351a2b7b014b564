"""Standard errors, block averages and the combination of independent runs (seeds).

One home for every error estimate of the package, so that each table states its errors by
the same rules:

- :func:`standard_error`: standard error of the mean of (assumed independent) samples;
- :func:`block_average`: mean and standard error of a correlated series, from the spread of
  the means of contiguous blocks;
- :func:`combine_runs`: mean over independent runs (seeds) and its error, the larger of the
  propagated per-run errors and the between-run spread.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = ["block_average", "combine_runs", "standard_error"]


def standard_error(values: npt.ArrayLike) -> float:
    """Standard error of the mean of the finite ``values`` (NaN for fewer than two).

    Examples
    --------
    >>> standard_error([1.0, 3.0])
    1.0
    >>> standard_error([2.0, float("nan")])
    nan
    """
    v = np.asarray(values, dtype=np.float64).ravel()
    v = v[np.isfinite(v)]
    if v.size < 2:
        return math.nan
    return float(np.std(v, ddof=1) / math.sqrt(v.size))


def block_average(values: npt.ArrayLike, n_blocks: int) -> tuple[float, float]:
    """Mean and standard error of a correlated series by block averaging.

    The series is cut into ``n_blocks`` contiguous blocks; the error is the standard
    deviation of the block means over sqrt(n_blocks).

    Raises
    ------
    ValueError
        If ``n_blocks < 2`` or the series is shorter than ``n_blocks``.

    Examples
    --------
    >>> block_average([1.0, 1.0, 3.0, 3.0], 2)
    (2.0, 1.0)
    """
    x = np.asarray(values, dtype=np.float64)
    if n_blocks < 2:
        raise ValueError(f"n_blocks must be >= 2, got {n_blocks}")
    if x.size < n_blocks:
        raise ValueError(f"need at least {n_blocks} values for {n_blocks} blocks, got {x.size}")
    means = np.array([b.mean() for b in np.array_split(x, n_blocks)])
    return float(means.mean()), float(means.std(ddof=1) / np.sqrt(n_blocks))


def combine_runs(means: npt.ArrayLike, errors: npt.ArrayLike) -> tuple[float, float]:
    """Combine independent runs (seeds): plain mean, error max(propagated, spread).

    The propagated error is sqrt(Σ e_i²)/n; the spread error is the standard error of the
    run means. With one run its own error is returned.

    Examples
    --------
    >>> combine_runs([1.0, 3.0], [0.1, 0.1])
    (2.0, 1.0)
    >>> combine_runs([2.0], [0.5])
    (2.0, 0.5)
    """
    m = np.asarray(means, dtype=np.float64)
    e = np.asarray(errors, dtype=np.float64)
    if m.size == 0:
        raise ValueError("combine_runs needs at least one run")
    if m.size == 1:
        return float(m[0]), float(e[0])
    err_prop = float(np.sqrt(np.sum(e**2)) / m.size)
    err_spread = float(m.std(ddof=1) / np.sqrt(m.size))
    return float(m.mean()), max(err_prop, err_spread)
