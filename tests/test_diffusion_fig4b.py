"""Smoke test of Fig. 4b (stress MSD per density, D_sigma(rho) inset)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mechnoise.figures.stress import plot_fig4b


def _inputs():
    lag = 0.2 * np.arange(1, 21)
    msd = pd.concat(
        [
            pd.DataFrame({"lag": lag, "msd": d * lag, "n": 100, "density": rho, "seed": seed})
            for rho, d in [(1.149, 0.3), (1.253, 0.9)]
            for seed in (1, 2)
        ],
        ignore_index=True,
    )
    summary = pd.DataFrame(
        [
            {
                "density": rho,
                "shear_rate": rate,
                "seed": seed,
                "D_sigma": d * rate / 0.001,
                "D_sigma_err": 0.01,
                "fit_t_min": 0.2,
                "fit_t_max": 2.0,
            }
            for rho, d in [(1.149, 0.3), (1.253, 0.9)]
            for rate in (0.001, 0.01)
            for seed in (1, 2)
        ]
    )
    return msd, summary


def test_fig4b_draws_points_fits_and_inset(tmp_path):
    msd, summary = _inputs()
    fig = plot_fig4b(msd, summary, 0.001)
    ax = fig.axes[0]
    assert ax.get_xscale() == ax.get_yscale() == "log"
    # per density: points, fit over the window, dotted extension
    assert len(ax.lines) == 3 * 2
    points = ax.lines[0]
    np.testing.assert_allclose(points.get_ydata(), 0.3 * points.get_xdata(), rtol=1e-12)
    inset = ax.child_axes[0]
    assert len(inset.containers) == 2  # one errorbar series per shear rate
    fig.savefig(tmp_path / "fig4b.png", dpi=40)
    assert (tmp_path / "fig4b.png").stat().st_size > 0


def test_fig4b_rejects_missing_rate():
    msd, summary = _inputs()
    with pytest.raises(ValueError, match="shear rate"):
        plot_fig4b(msd, summary, 0.5)
