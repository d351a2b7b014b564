"""The physics stamp of a results folder: keys added in a later version do not refuse the
folders an older version filled, unless their value changes the runs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mechnoise.config import ConfigError
from mechnoise.workdir import STAMP_NAME, check_physics_stamp, physics_settings

OLD = {
    "system": {"n_particles": 400, "densities": [1.149]},
    "quench": {"timestep": 0.005},
    "shear": {"total_strain": 0.6, "steady_strain": 0.2, "shear_rates": [0.01]},
}


def _stamped(tmp_path: Path) -> Path:
    (tmp_path / STAMP_NAME).write_text(yaml.safe_dump(physics_settings(OLD)))
    return tmp_path


def _with(**shear: object) -> dict:
    return {**OLD, "shear": {**OLD["shear"], **shear}}


def test_new_keys_at_their_neutral_value_match_an_old_stamp(tmp_path: Path) -> None:
    cascade = {"enabled": False, "transient_strain": 0.1, "sampled_strain": None}
    check_physics_stamp(_stamped(tmp_path), _with(min_sampled_time=0.0, cascade=cascade))


def _frames(**frames: object) -> dict:
    base = {"n_windows": 4, "window_duration": 30.0, "frame_interval": 0.2}
    return _with(frames={**base, **frames})


def test_survey_frames_off_match_a_stamp_made_before_they_existed(tmp_path: Path) -> None:
    """A results folder stamped before survey frames existed (the N = 4000 mean-field run of
    4 December 2026) is reused by a version that has them, off."""
    (tmp_path / STAMP_NAME).write_text(yaml.safe_dump(physics_settings(_frames())))
    check_physics_stamp(tmp_path, _frames(survey_interval=0.0, survey_strain=None))
    with pytest.raises(ConfigError, match=r"shear\.frames\.survey_interval: None there, 1\.0 now"):
        check_physics_stamp(tmp_path, _frames(survey_interval=1.0, survey_strain=None))


@pytest.mark.parametrize(
    ("shear", "named"),
    [
        ({"min_sampled_time": 300.0}, "shear.min_sampled_time: None there, 300.0 now"),
        ({"cascade": {"enabled": True}}, "shear.cascade.enabled: None there, True now"),
        ({"total_strain": 1.0}, "shear.total_strain: 0.6 there, 1.0 now"),
    ],
)
def test_a_value_that_changes_the_runs_is_still_refused(
    tmp_path: Path, shear: dict, named: str
) -> None:
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        check_physics_stamp(_stamped(tmp_path), _with(**shear))
