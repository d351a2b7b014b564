"""Configuration: schema validation, cross-field checks and run slugs.

:func:`validate_config` runs before any Snakemake rule is defined. It checks the JSON schema
(types, ranges, no unknown keys) and then what a schema cannot say: a box large enough for the
block grids, windows that fit the steady state at every rate, lags that fit a window, indices
inside their lists. Every error names the offending key as a dotted path.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from mechnoise.lammps import cost
from mechnoise.lammps.schedule import plan_shear, run_strains


class ConfigError(ValueError):
    """A configuration value is wrong; the message starts with the dotted key."""


def schema_path() -> Path:
    """Path of ``workflow/schemas/config.schema.yaml`` in this checkout."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "workflow" / "schemas" / "config.schema.yaml"
        if candidate.exists():
            return candidate
    raise FileNotFoundError("cannot find workflow/schemas/config.schema.yaml")


def load_schema() -> dict[str, Any]:
    """The config JSON schema as a dict."""
    return dict(yaml.safe_load(schema_path().read_text()))


def deep_update(base: MutableMapping[str, Any], update: Mapping[str, Any]) -> None:
    """Recursively merge ``update`` into ``base`` (how Snakemake merges ``--configfile``)."""
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), MutableMapping):
            deep_update(base[key], value)
        else:
            base[key] = copy.deepcopy(value)


def load_config(*paths: str | Path) -> dict[str, Any]:
    """Load and merge YAML config files (later ones override), then validate."""
    config: dict[str, Any] = {}
    for p in paths:
        deep_update(config, yaml.safe_load(Path(p).read_text()) or {})
    validate_config(config)
    return config


def _dotted(path: Any) -> str:
    parts = [str(p) for p in path]
    return ".".join(parts) if parts else "(top level)"


def validate_config(config: Mapping[str, Any]) -> None:
    """Validate a config dict; raise :class:`ConfigError` naming the first bad key.

    Examples
    --------
    >>> validate_config({})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mechnoise.config.ConfigError: (top level): 'system' is a required property
    """
    validator = jsonschema.Draft202012Validator(load_schema())
    errors = sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        if err.validator == "additionalProperties":
            extra = set(err.instance) - set(err.schema.get("properties", {}))
            where = _dotted(err.absolute_path)
            keys = ", ".join(f"{where}.{k}" if err.absolute_path else k for k in sorted(extra))
            raise ConfigError(f"{keys}: unknown key (check the spelling; see config.yaml)")
        raise ConfigError(f"{_dotted(err.absolute_path)}: {err.message}")
    _check_cross_fields(config)


def _check_cross_fields(cfg: Mapping[str, Any]) -> None:
    system, shear, analysis = cfg["system"], cfg["shear"], cfg["analysis"]
    n = system["n_particles"]
    side_min = math.sqrt(n / max(system["densities"]))
    width = analysis["blocks"]["width"]
    if side_min < 2 * width:
        raise ConfigError(
            f"analysis.blocks.width: {width} needs a box of side >= {2 * width} for a 2x2 block "
            f"grid, but system.n_particles={n} at density {max(system['densities'])} gives "
            f"a side of {side_min:.3g}"
        )
    rdf_r_max = analysis["structure"]["rdf_r_max"]
    if rdf_r_max >= side_min / 2:
        raise ConfigError(
            f"analysis.structure.rdf_r_max: {rdf_r_max} must be below half the box side "
            f"{side_min:.3g} (system.n_particles={n} at density {max(system['densities'])})"
        )
    if side_min < 2 * analysis["activity_block"]:
        raise ConfigError(
            f"analysis.activity_block: {analysis['activity_block']} is larger than half the box "
            f"side {side_min:.3g}"
        )
    r_cut = system["cutoff"]  # sigma_AA = 1 is the largest sigma, so this bounds both modes
    if side_min < 2 * (r_cut + shear["neighbor_skin"]):
        raise ConfigError(
            f"system.n_particles: box side {side_min:.3g} is smaller than twice the cutoff + skin"
        )
    if shear["segment_strain"] > shear["total_strain"]:
        raise ConfigError(
            f"shear.segment_strain: {shear['segment_strain']} exceeds shear.total_strain "
            f"{shear['total_strain']}"
        )
    if shear["steady_strain"] >= shear["total_strain"]:
        raise ConfigError(
            f"shear.steady_strain: {shear['steady_strain']} must be below shear.total_strain "
            f"{shear['total_strain']}"
        )
    if shear["engine"]["kind"] == "command" and not shear["engine"].get("command"):
        raise ConfigError(
            "shear.engine.command: required (a non-empty list) when kind is 'command'"
        )
    frames = shear["frames"]
    if frames["frame_interval"] < shear["timestep"]:
        raise ConfigError(
            f"shear.frames.frame_interval: {frames['frame_interval']} is below the time step"
        )
    min_window = math.inf
    cascade = shear["cascade"]
    for i, rate in enumerate(sorted_rates(cfg)):
        from_glass = i == 0 or not cascade["enabled"]
        total, discarded = run_strains(
            shear["total_strain"],
            shear["steady_strain"],
            None if from_glass else cascade["transient_strain"],
            None if from_glass else cascade["sampled_strain"],
        )
        try:
            plan = plan_shear(
                rate,
                shear["timestep"],
                total,
                shear["segment_strain"],
                discarded,
                shear["thermo_strain_interval"],
                frames["n_windows"],
                frames["window_duration"],
                frames["frame_interval"],
            )
        except ValueError as exc:
            raise ConfigError(f"shear.frames: {exc}") from None
        w = plan.windows[0]
        min_window = min(min_window, (w.stop - w.start) * shear["timestep"])
    _check_segment_wall_time(system["n_particles"], shear)
    lag = analysis["d2min"]["lag"]
    if lag >= min_window:
        raise ConfigError(
            f"analysis.d2min.lag: {lag} tau0 does not fit in the shortest frame window "
            f"({min_window:.3g} tau0 at the highest rate); lengthen the run or shorten the lag"
        )
    if lag < frames["frame_interval"]:
        raise ConfigError(f"analysis.d2min.lag: {lag} is shorter than shear.frames.frame_interval")
    t_min, t_max = analysis["stress_msd"]["fit_window"]
    if not t_min < t_max <= analysis["stress_msd"]["max_lag"]:
        raise ConfigError(
            "analysis.stress_msd.fit_window: need t_min < t_max <= analysis.stress_msd.max_lag, "
            f"got [{t_min}, {t_max}] with max_lag {analysis['stress_msd']['max_lag']}"
        )
    n_rates = len(shear["shear_rates"])
    for key, index in [
        ("analysis.flow.modulus_rate_index", analysis["flow"]["modulus_rate_index"]),
        ("yield_test.shear_rate_index", cfg["yield_test"]["shear_rate_index"]),
    ]:
        if not -n_rates <= index < n_rates:
            raise ConfigError(f"{key}: {index} is outside the {n_rates} configured shear rates")
    hl = cfg["hl_model"]["shear_rates"]
    if hl["min"] >= hl["max"]:
        raise ConfigError(f"hl_model.shear_rates.min: {hl['min']} must be below max {hl['max']}")


def _check_segment_wall_time(n_particles: int, shear: Mapping[str, Any]) -> None:
    """A shear segment's estimated wall time must fit shear.engine.max_segment_hours."""
    engine = shear["engine"]
    max_hours = engine.get("max_segment_hours", 0) or 0
    if max_hours <= 0:
        return
    throughput = engine.get("atom_steps_per_second", cost.CONSERVATIVE_ATOM_STEPS_PER_SECOND)
    ranks = engine.get("mpi_ranks", 1)
    rate = min(shear["shear_rates"])  # the slowest rate has the longest segments
    kw = {"atom_steps_per_second": throughput, "ranks": ranks}
    hours = (
        cost.segment_seconds(n_particles, rate, shear["timestep"], shear["segment_strain"], **kw)
        * cost.WALL_TIME_SAFETY
        / 3600
    )
    if hours > max_hours:
        try:
            strain = cost.suggest_segment_strain(
                n_particles, rate, shear["timestep"], max_hours * 3600, **kw
            )
            fits = f"at most {strain:g}"
        except ValueError as exc:
            fits = f"none ({exc})"
        raise ConfigError(
            f"shear.segment_strain: a segment of {shear['segment_strain']} at rate {rate:g} "
            f"needs about {hours:.3g} h (x{cost.WALL_TIME_SAFETY} safety at "
            f"{throughput:g} atom-steps/s on {ranks} rank(s)), more than "
            f"shear.engine.max_segment_hours={max_hours}; a segment strain that fits: {fits}"
        )


def slug(value: float) -> str:
    """Wildcard slug of a density or rate (``f"{value:g}"``): 1.149 -> '1.149'."""
    return f"{value:g}"


def sorted_rates(config: Mapping[str, Any]) -> list[float]:
    """Configured shear rates from the highest to the lowest."""
    return sorted(config["shear"]["shear_rates"], reverse=True)
