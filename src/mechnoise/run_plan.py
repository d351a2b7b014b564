"""The plan of the runs a configuration asks for: which start from the glass, their strains,
segment lengths, survey frames, run-folder slugs and the order of the rates.

Pure functions of the (validated) configuration mapping, used by :mod:`mechnoise.config`
(checks and :func:`mechnoise.config.shear_plan`, which re-exports them) and by the workflow.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mechnoise.lammps.schedule import run_strains


def starts_from_glass(config: Mapping[str, Any], rate: float) -> bool:
    """True if the run at ``rate`` starts from the glass: always without a rate cascade
    (``shear.cascade.enabled``), only the highest rate with one.

    Examples
    --------
    >>> cfg = {"shear": {"shear_rates": [1e-3, 1e-2], "cascade": {"enabled": True}}}
    >>> starts_from_glass(cfg, 1e-2), starts_from_glass(cfg, 1e-3)
    (True, False)
    """
    cascade = config["shear"].get("cascade", {})
    return not cascade.get("enabled", False) or rate == max(config["shear"]["shear_rates"])


def shear_run_strains(config: Mapping[str, Any], rate: float) -> tuple[float, float]:
    """(total, discarded) strain of the run at ``rate``: ``shear.total_strain`` and
    ``shear.steady_strain`` from the glass, the ``shear.cascade`` strains in a rate cascade
    (:func:`mechnoise.lammps.schedule.run_strains`); either way at least
    ``shear.min_sampled_time`` × ``rate`` of sampled strain.

    Examples
    --------
    >>> cfg = {"shear": {"total_strain": 0.6, "steady_strain": 0.2, "min_sampled_time": 100}}
    >>> shear_run_strains(cfg, 1e-2), shear_run_strains(cfg, 1e-3)
    ((1.2, 0.2), (0.6, 0.2))
    """
    shear = config["shear"]
    total, steady = float(shear["total_strain"]), float(shear["steady_strain"])
    least = float(shear.get("min_sampled_time", 0.0)) * rate
    if starts_from_glass(config, rate):
        return run_strains(total, steady, min_sampled_strain=least)
    cascade = shear["cascade"]
    sampled = cascade["sampled_strain"]
    return run_strains(
        total,
        steady,
        float(cascade["transient_strain"]),
        None if sampled is None else float(sampled),
        least,
    )


def segment_strain_at(shear: Mapping[str, Any], rate: float) -> float:
    """Strain of one segment at ``rate``: ``shear.segment_strain``, or more where
    ``shear.segment_time`` (tau0) covers more strain (segments of about equal wall time at
    every rate instead of many short ones at the high rates).

    Examples
    --------
    >>> shear = {"segment_strain": 0.01, "segment_time": 1e4}
    >>> segment_strain_at(shear, 1e-6), segment_strain_at(shear, 1e-4)
    (0.01, 1.0)
    """
    return max(float(shear["segment_strain"]), float(shear.get("segment_time", 0.0)) * rate)


def survey_settings(frames: Mapping[str, Any]) -> tuple[float, float | None] | tuple[()]:
    """``(survey_interval, survey_strain)`` of ``shear.frames``, or ``()`` if off (0 or absent):
    rule params then stay as before survey frames existed, so leaving them off reruns nothing.

    Examples
    --------
    >>> survey_settings({"survey_interval": 0.0}), survey_settings({})
    ((), ())
    >>> survey_settings({"survey_interval": 1, "survey_strain": None})
    (1.0, None)
    """
    interval = float(frames.get("survey_interval", 0.0) or 0.0)
    if interval == 0:
        return ()
    strain = frames.get("survey_strain")
    return (interval, None if strain is None else float(strain))


def slug(value: float) -> str:
    """Wildcard slug of a density or rate (``f"{value:g}"``): 1.149 -> '1.149'."""
    return f"{value:g}"


def sorted_rates(config: Mapping[str, Any]) -> list[float]:
    """Configured shear rates from the highest to the lowest."""
    return sorted(config["shear"]["shear_rates"], reverse=True)
