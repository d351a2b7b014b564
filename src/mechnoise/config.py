"""Configuration: schema validation, cross-field checks and run slugs.

:func:`validate_config` runs before any Snakemake rule is defined. It checks the JSON schema
(types, ranges, no unknown keys) and then what a schema cannot say: a box large enough for the
block grids, windows that fit the steady state at every rate, lags that fit a window, indices
inside their lists. Every error names the offending key as a dotted path. Before the schema,
:func:`check_finite` rejects any nan or inf; the schema's ``integer`` means a Python int
(``1.0`` is refused, not silently taken); :func:`check_folder_names` refuses two densities
or rates that would share a run folder.
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
from mechnoise.lammps.schedule import ShearPlan, plan_shear

# re-exported: the workflow and users import them from here
from mechnoise.run_plan import (  # noqa: F401
    segment_strain_at,
    shear_run_strains,
    slug,
    sorted_rates,
    starts_from_glass,
    survey_settings,
)


class ConfigError(ValueError):
    """A configuration value is wrong; the message starts with the dotted key."""


#: Keys that moved: old dotted key -> where it lives now.
MOVED_KEYS = {"shear.engine": "execution"}


def load_schema(path: str | Path) -> dict[str, Any]:
    """The config JSON schema (``workflow/schemas/config.schema.yaml``, passed by the caller:
    the schema belongs to the workflow, not to the installed package) as a dict."""
    return dict(yaml.safe_load(Path(path).read_text()))


def deep_update(base: MutableMapping[str, Any], update: Mapping[str, Any]) -> None:
    """Recursively merge ``update`` into ``base`` (how Snakemake merges ``--configfile``)."""
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), MutableMapping):
            deep_update(base[key], value)
        else:
            base[key] = copy.deepcopy(value)


def load_config(*paths: str | Path, schema: Mapping[str, Any]) -> dict[str, Any]:
    """Load and merge YAML config files (later ones override), then validate with ``schema``."""
    config: dict[str, Any] = {}
    for p in paths:
        deep_update(config, yaml.safe_load(Path(p).read_text()) or {})
    validate_config(config, schema)
    return config


def _dotted(path: Any) -> str:
    parts = [str(p) for p in path]
    return ".".join(parts) if parts else "(top level)"


def validate_config(config: Mapping[str, Any], schema: Mapping[str, Any]) -> None:
    """Validate a config dict against ``schema`` (:func:`load_schema`) and the cross-field
    rules; raise :class:`ConfigError` naming the first bad key.

    Examples
    --------
    >>> validate_config({}, {"type": "object", "required": ["system"]})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mechnoise.config.ConfigError: (top level): 'system' is a required property
    """
    for old, new in MOVED_KEYS.items():
        section, key = old.split(".")
        if isinstance(config.get(section), Mapping) and key in config[section]:
            raise ConfigError(f"{old}: moved to the top-level `{new}:` block (see config.yaml)")
    _check_loading_angles(config)
    check_finite(config)
    validator = _strict_validator()(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        if err.validator == "additionalProperties":
            extra = set(err.instance) - set(err.schema.get("properties", {}))
            where = _dotted(err.absolute_path)
            keys = ", ".join(f"{where}.{k}" if err.absolute_path else k for k in sorted(extra))
            raise ConfigError(f"{keys}: unknown key (check the spelling; see config.yaml)")
        raise ConfigError(f"{_dotted(err.absolute_path)}: {err.message}")
    check_folder_names(config)
    _check_cross_fields(config)


def _check_loading_angles(config: Mapping[str, Any]) -> None:
    """``yield_test.directions`` are angles in degrees; the former +1 / -1 flags get a
    message saying what to write (checked before the schema, whose message would not)."""
    from mechnoise.frozen_matrix.loading import loading_angles

    test = config.get("yield_test")
    if isinstance(test, Mapping) and isinstance(test.get("directions"), list):
        try:
            loading_angles(test["directions"])
        except ValueError as exc:
            raise ConfigError(str(exc)) from None


def _strict_validator() -> type:
    """The schema's validator class with ``integer`` meaning a Python int (1.0 is no integer).

    JSON Schema counts 1.0 as an integer; a float for a count or a seed then passes and fails
    late (a float ``mpi_ranks`` even made Snakemake rerun and delete a valid glass).
    """
    base = jsonschema.Draft202012Validator
    checker = base.TYPE_CHECKER.redefine(
        "integer", lambda _checker, value: isinstance(value, int) and not isinstance(value, bool)
    )
    return jsonschema.validators.extend(base, type_checker=checker)


def check_finite(node: Any, path: tuple[Any, ...] = ()) -> None:
    """Raise :class:`ConfigError` naming the first non-finite number (nan, inf) in ``node``.

    Examples
    --------
    >>> check_finite({"shear": {"damping_time": float("nan")}})
    Traceback (most recent call last):
    ...
    mechnoise.config.ConfigError: shear.damping_time: nan is not a finite number
    """
    if isinstance(node, float) and not math.isfinite(node):
        raise ConfigError(f"{_dotted(path)}: {node} is not a finite number")
    if isinstance(node, Mapping):
        for key, value in node.items():
            check_finite(value, (*path, key))
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            check_finite(value, (*path, i))


def check_folder_names(config: Mapping[str, Any]) -> None:
    """Raise :class:`ConfigError` if two densities or two rates share one folder name.

    Folders are named by :func:`slug` (``%g``, six significant digits); two values that
    print alike would share one run folder and be counted twice.

    Examples
    --------
    >>> check_folder_names({"system": {"densities": [1.149, 1.1490000001]},
    ...                     "shear": {"shear_rates": [0.01]}})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mechnoise.config.ConfigError: system.densities: 1.149 and 1.1490000001 share the folder ...
    """
    for key, prefix, values in [
        ("system.densities", "rho", config["system"]["densities"]),
        ("shear.shear_rates", "rate", config["shear"]["shear_rates"]),
    ]:
        seen: dict[str, float] = {}
        for value in values:
            name = slug(value)
            if name in seen:
                raise ConfigError(
                    f"{key}: {seen[name]!r} and {value!r} share the folder name "
                    f"'{prefix}{name}' (values must differ within 6 significant digits)"
                )
            seen[name] = value


def _check_cross_fields(cfg: Mapping[str, Any]) -> None:
    """Checks that involve several keys (the schema checks each key alone).

    Each failure is a :class:`ConfigError` naming the key to change, raised before any job:

    * box size (smallest side, at the largest density) against the analysis lengths: a 2 x 2
      grid of ``analysis.blocks.width``, ``analysis.structure.rdf_r_max`` below half the side,
      ``analysis.activity_block`` and the cutoff plus ``shear.neighbor_skin``;
    * strains: ``shear.segment_strain`` and ``shear.steady_strain`` within
      ``shear.total_strain``;
    * ``execution.command`` given when ``execution.kind`` is ``command``;
    * times: ``shear.frames.frame_interval`` at least one time step; for every shear rate,
      ``analysis.d2min.lag`` shorter than a dense frame window and at least one frame
      interval; ``shear.frames.survey_interval`` a multiple of the time step, at least the
      frame interval, at most ``analysis.inflow.level_width``, dividing ``analysis.d2min.lag``;
      ``analysis.event_duration.short_lag`` a multiple of the frame interval and its longest
      lag plus ``analysis.autocorr.max_lag`` inside a window; the stress-MSD fit window
      inside ``analysis.stress_msd.max_lag``;
    * rate indices (``*_rate_index``) among the configured rates, and ordered rate ranges
      (``analysis.flow.hb_rate_range``, ``hl_model.shear_rates``).
    """
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
    series = shear.get("block_series")
    if series is not None and not analysis["blocks"]["from_cluster_size"]:
        if not any(math.isclose(width, w) for w in series["widths"]):
            raise ConfigError(
                f"analysis.blocks.width: {width} is not one of shear.block_series.widths "
                f"{series['widths']}: the LAMMPS block series has no such grid (add the width "
                "there; that reruns the shear segments)"
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
    execution = cfg["execution"]
    if execution["kind"] == "command" and not execution.get("command"):
        raise ConfigError("execution.command: required (a non-empty list) when kind is 'command'")
    frames = shear["frames"]
    if frames["frame_interval"] < shear["timestep"]:
        raise ConfigError(
            f"shear.frames.frame_interval: {frames['frame_interval']} is below the time step"
        )
    survey = survey_settings(frames)
    if survey:
        _check_survey(survey[0], frames["frame_interval"], shear["timestep"], analysis)
    min_window = math.inf
    for rate in shear["shear_rates"]:
        plan = shear_plan(cfg, rate)
        w = plan.dense_windows[0]
        min_window = min(min_window, (w.stop - w.start) * shear["timestep"])
    _check_segment_wall_time(system["n_particles"], shear, execution)
    lag = analysis["d2min"]["lag"]
    if lag >= min_window:
        raise ConfigError(
            f"analysis.d2min.lag: {lag} tau0 does not fit in the shortest frame window "
            f"({min_window:.3g} tau0 at the highest rate); lengthen the run or shorten the lag"
        )
    if lag < frames["frame_interval"]:
        raise ConfigError(f"analysis.d2min.lag: {lag} is shorter than shear.frames.frame_interval")
    short = analysis["event_duration"]["short_lag"]
    ratio = short / frames["frame_interval"]
    if ratio < 1 - 1e-6 or abs(ratio - round(ratio)) > 1e-6:
        raise ConfigError(
            f"analysis.event_duration.short_lag: {short} must be a multiple of "
            f"shear.frames.frame_interval ({frames['frame_interval']})"
        )
    longest = short * analysis["event_duration"]["n_short_lags"]
    if longest + analysis["autocorr"]["max_lag"] >= min_window:
        raise ConfigError(
            f"analysis.event_duration: short_lag * n_short_lags ({longest:.3g}) + "
            f"analysis.autocorr.max_lag does not fit in the shortest frame window "
            f"({min_window:.3g} tau0)"
        )
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
    _check_yield_test(cfg["yield_test"])
    rate_range = analysis["flow"].get("hb_rate_range")
    if rate_range is not None and not 0 < rate_range[0] < rate_range[1]:
        raise ConfigError(
            f"analysis.flow.hb_rate_range: need 0 < min < max, got {list(rate_range)}"
        )
    hl = cfg["hl_model"]["shear_rates"]
    if hl["min"] >= hl["max"]:
        raise ConfigError(f"hl_model.shear_rates.min: {hl['min']} must be below max {hl['max']}")


def _check_yield_test(yt: Mapping[str, Any]) -> None:
    """The stored curves must support the drop rule and its halved / doubled sensitivity."""
    if yt["max_strain"] <= yt["strain_step"]:
        raise ConfigError(
            f"yield_test.max_strain: {yt['max_strain']} must exceed yield_test.strain_step "
            f"{yt['strain_step']}"
        )
    factor, lo, hi = yt["drop_factor"], yt["bisect_factor"], yt["stop_factor"]
    if not lo <= factor / 2 or not 2 * factor <= hi:
        raise ConfigError(
            f"yield_test.drop_factor: {factor} needs yield_test.bisect_factor <= drop_factor / 2 "
            f"and yield_test.stop_factor >= 2 drop_factor (got {lo} and {hi}): the curves must "
            "resolve the halved and doubled rules of the sensitivity table"
        )


#: plan_shear's parameter names -> config keys (errors of planning name the key).
_PLAN_KEYS = {
    "rate": "shear.shear_rates",
    "dt": "shear.timestep",
    "total_strain": "shear.total_strain",
    "segment_strain": "shear.segment_strain",
    "steady_strain": "shear.steady_strain",
    "thermo_strain_interval": "shear.thermo_strain_interval",
    "frame_interval": "shear.frames.frame_interval",
    "window_duration": "shear.frames.window_duration",
    "survey_interval": "shear.frames.survey_interval",
    "survey_strain": "shear.frames.survey_strain",
}


def _check_survey(
    interval: float, frame_interval: float, timestep: float, analysis: Mapping[str, Any]
) -> None:
    """Survey frames: a multiple of the time step, >= frame_interval, and the D2min lag a
    multiple of the survey interval (onsets are found at that lag in every window)."""
    key = "shear.frames.survey_interval"
    steps = interval / timestep
    if abs(steps - round(steps)) > 1e-6 * max(steps, 1.0):
        raise ConfigError(f"{key}: {interval} is not a multiple of shear.timestep ({timestep})")
    if interval < frame_interval * (1 - 1e-9):
        raise ConfigError(f"{key}: {interval} is below shear.frames.frame_interval")
    if interval > analysis["inflow"]["level_width"] + 1e-9:
        raise ConfigError(f"{key}: {interval} exceeds analysis.inflow.level_width (onset levels)")
    lag = analysis["d2min"]["lag"]
    ratio = lag / interval
    if ratio < 1 - 1e-6 or abs(ratio - round(ratio)) > 1e-6:
        raise ConfigError(
            f"{key}: analysis.d2min.lag ({lag}) must be a multiple of the survey interval "
            f"({interval}): D2min, onsets and Gamma use the lag in every window"
        )


def shear_plan(config: Mapping[str, Any], rate: float) -> ShearPlan:
    """The segments and frame windows of a run at ``rate`` under ``config``.

    In a rate cascade every run but the highest rate's discards
    ``shear.cascade.transient_strain`` and samples ``shear.cascade.sampled_strain``
    (:func:`mechnoise.lammps.schedule.run_strains`).

    The one place the workflow plans a shear run (validation and the rules' input
    functions), so an impossible plan is a :class:`ConfigError` naming its key.

    Examples
    --------
    >>> cfg = {"shear": {"timestep": 0.005, "total_strain": 0.6, "segment_strain": 0.3,
    ...        "steady_strain": 0.2, "thermo_strain_interval": 0.001,
    ...        "frames": {"n_windows": 200, "window_duration": 8.0, "frame_interval": 0.2}}}
    >>> shear_plan(cfg, 0.02)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mechnoise.config.ConfigError: shear.frames.n_windows: at rate 0.02, the steady state ...
    """
    shear = config["shear"]
    frames = shear["frames"]
    try:
        total, discarded = shear_run_strains(config, rate)
        return plan_shear(
            rate,
            shear["timestep"],
            total,
            segment_strain_at(shear, rate),
            discarded,
            shear["thermo_strain_interval"],
            frames["n_windows"],
            frames["window_duration"],
            frames["frame_interval"],
            *survey_settings(frames),
        )
    except ValueError as exc:
        key = _PLAN_KEYS.get(str(exc).split()[0], "shear.frames.n_windows")
        raise ConfigError(f"{key}: at rate {rate:g}, {exc}") from None


def _check_segment_wall_time(
    n_particles: int, shear: Mapping[str, Any], engine: Mapping[str, Any]
) -> None:
    """A shear segment's estimated wall time must fit execution.max_segment_hours."""
    max_hours = engine.get("max_segment_hours", 0) or 0
    if max_hours <= 0:
        return
    throughput = engine.get("atom_steps_per_second", cost.CONSERVATIVE_ATOM_STEPS_PER_SECOND)
    ranks = engine.get("mpi_ranks", 1)
    kw = {"atom_steps_per_second": throughput, "ranks": ranks}
    dt = shear["timestep"]

    def strain_of(rate: float) -> float:  # a segment cannot be longer than its run
        return min(segment_strain_at(shear, rate), shear_run_strains({"shear": shear}, rate)[0])

    def hours(rate: float) -> float:
        return cost.segment_seconds(n_particles, rate, dt, strain_of(rate), **kw) / 3600

    # the longest segment: the slowest rate's, or a higher rate's if segment_time makes it
    rate = max(shear["shear_rates"], key=hours)
    longest = hours(rate) * cost.WALL_TIME_SAFETY
    if longest <= max_hours:
        return
    key = "shear.segment_strain"
    if segment_strain_at(shear, rate) > float(shear["segment_strain"]):
        key = "shear.segment_time"
    try:
        strain = cost.suggest_segment_strain(n_particles, rate, dt, max_hours * 3600, **kw)
        fits = f"at most {strain:g} at that rate"
        if key == "shear.segment_time":
            fits += f", i.e. segment_time at most {strain / rate:g}"
    except ValueError as exc:
        fits = f"none ({exc})"
    raise ConfigError(
        f"{key}: a segment of strain {strain_of(rate):g} at rate {rate:g} "
        f"needs about {longest:.3g} h (x{cost.WALL_TIME_SAFETY} safety at "
        f"{throughput:g} atom-steps/s on {ranks} rank(s)), more than "
        f"execution.max_segment_hours={max_hours}; a segment strain that fits: {fits}"
    )
