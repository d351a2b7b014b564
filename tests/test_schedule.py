"""Shear plans: windows inside the steady state, frames on a common grid, segment scripts."""

from __future__ import annotations

import pytest

from mechnoise.lammps.schedule import plan_shear, render_segment_schedule


@pytest.mark.parametrize("rate", [1e-2, 3e-3, 1e-4, 1e-6])
def test_windows_lie_in_steady_state_and_do_not_touch(rate: float) -> None:
    dt = 0.005
    plan = plan_shear(rate, dt, 0.6, 0.25, 0.2, 1e-3, 3, 20.0, 0.2)
    steady_step = 0.2 / (rate * dt)
    assert plan.total_steps == round(0.6 / (rate * dt))
    prev_stop = -1
    for w in plan.windows:
        assert w.start >= steady_step - 1e-9
        assert w.stop <= plan.total_steps
        assert w.start > prev_stop
        assert w.start % w.every == 0 and (w.stop - w.start) % w.every == 0
        assert (w.stop - w.start) * dt <= 20.0 + 1e-12
        prev_stop = w.stop
    assert plan.segment_ends[-1] == plan.total_steps
    assert list(plan.segment_ends) == sorted(plan.segment_ends)


def test_every_frame_step_is_dumped_by_exactly_one_segment_window() -> None:
    plan = plan_shear(1e-2, 0.005, 0.6, 0.1, 0.2, 1e-3, 2, 20.0, 0.2)
    text = "".join(render_segment_schedule(plan, k) for k in range(len(plan.segment_ends)))
    assert text.count("dump frames") == text.count("undump frames") * 2
    for k in range(len(plan.segment_ends)):
        runs = [ln for ln in render_segment_schedule(plan, k).splitlines() if ln.startswith("run")]
        assert runs[-1] == f"run {plan.segment_ends[k]} upto"
        targets = [int(r.split()[1]) for r in runs]
        assert targets == sorted(targets)


def test_too_short_steady_state_is_an_error() -> None:
    with pytest.raises(ValueError, match="too short"):
        plan_shear(0.1, 0.005, 0.3, 0.3, 0.29, 1e-3, 4, 20.0, 1.0)
