"""Figures 4a and 5a are drawn from small hand-made tables (smoke and content checks)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mechnoise.figures.plasticity import plot_fig4a, plot_fig5a
from mechnoise.plasticity.decay_fit import decay_times_by_density, pool_autocorrelations


def test_fig4a_draws_stress_and_active_count(tmp_path) -> None:
    strain = np.linspace(0.0, 0.5, 501)
    thermo = pd.DataFrame({"strain": strain, "stress": 0.8 + 0.05 * np.sin(200 * strain)})
    activity = pd.DataFrame(
        {"window": [0, 0, 0, 1], "strain": [0.30, 0.31, 0.32, 0.45], "n_active": [5, 40, 7, 3]}
    )
    fig = plot_fig4a(thermo, activity)
    stress_line, active = fig.axes[0].lines[0], fig.axes[1].lines[0]
    assert stress_line.get_xdata().min() >= 0.29 and stress_line.get_xdata().max() <= 0.35
    assert active.get_ydata().tolist() == [5, 40, 7]  # window 0 only
    fig.savefig(tmp_path / "fig4a.png")
    with pytest.raises(ValueError, match="window 3"):
        plot_fig4a(thermo, activity, window=3)


def test_fig5a_fits_each_density() -> None:
    lag = np.arange(0.0, 3.01, 0.2)
    curves = pd.concat(
        [
            pd.DataFrame({"lag": lag, "C_p": np.exp(-lag / tau), "n": 50, "density": rho})
            for rho, tau in ((1.149, 1.0), (1.253, 1.6))
        ],
        ignore_index=True,
    )
    fits = decay_times_by_density(curves)
    np.testing.assert_allclose(fits["tau_p"], [1.0, 1.6], rtol=1e-8)
    fig = plot_fig5a(curves, fits)
    assert len(fig.axes[0].lines) == 4  # points and fit per density
    with pytest.raises(ValueError, match="no C_p"):
        plot_fig5a(curves.iloc[:0], fits)


def test_pooling_weights_by_pair_count() -> None:
    c = pd.DataFrame({"lag": [0.0, 0.2, 0.2], "C_p": [1.0, 0.5, 0.8], "n": [4, 1, 3]})
    pooled = pool_autocorrelations(c)
    assert pooled["C_p"].tolist() == pytest.approx([1.0, 0.725])
    assert pooled["n"].tolist() == [4, 4]


def test_fig5a_shows_both_estimators_with_their_fits(tmp_path) -> None:
    from mechnoise.plasticity.decay_fit import event_durations_by_density

    lag = np.arange(0.0, 6.01, 0.2)
    literal = pd.DataFrame({"lag": lag, "C_p": np.exp(-lag / 2.5), "n": 50, "density": 1.2})
    events = pd.concat(
        [
            pd.DataFrame(
                {"short_lag": s, "lag": lag, "C": 0.8 * np.exp(-lag / 1.1) + 0.1, "n": 40,
                 "density": 1.2}
            )
            for s in (0.2, 0.4)
        ],
        ignore_index=True,
    )  # fmt: skip
    event_fits = event_durations_by_density(events)
    assert event_fits["tau_p"].tolist() == pytest.approx([1.1], rel=1e-6)
    assert event_fits["plateau"].tolist() == pytest.approx([0.1], rel=1e-6)
    fig = plot_fig5a(
        literal, decay_times_by_density(literal), event_curves=events, event_fits=event_fits
    )
    left, right = fig.axes
    assert len(left.lines) == 2 and len(right.lines) == 2  # points and fit in each panel
    fit_line = right.lines[1]
    t = fit_line.get_xdata()
    assert fit_line.get_ydata() == pytest.approx(0.8 * np.exp(-t / 1.1) + 0.1, rel=1e-6)
    fig.savefig(tmp_path / "fig5a.png")
