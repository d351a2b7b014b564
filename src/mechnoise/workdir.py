"""The working directory of a workflow run: its paths, its physics stamp and a stale lock.

Called from ``workflow/rules/common.smk`` before any job is planned:

* :func:`check_paths` refuses, at start-up, a checkout or working directory whose path
  LAMMPS cannot take (its input parser splits words at white space and treats ``$``, ``#``
  and quotes specially); paths inside the tree are handed to LAMMPS relative to the run, so
  only the part that differs matters.
* :func:`check_physics_stamp` keeps runs made with different physics apart: ``results/``
  remembers the per-run physics settings (:func:`physics_settings`) it was made with, and a
  different set is refused unless asked (``--config replace_results=true``). Adding a
  density, a rate or a seed is *not* a different configuration: finished runs are reused.
* :func:`remove_stale_lock` removes Snakemake's lock when the Snakemake that held it on
  this host was killed (``kill -9``, a closed terminal), so the same command resumes.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from mechnoise.config import ConfigError

log = logging.getLogger(__name__)

#: Characters LAMMPS's input parser does not take literally inside a word.
_LAMMPS_SPECIAL = re.compile(r"[\s$#'\"&]")

#: The physics stamp of a results folder.
STAMP_NAME = ".mechnoise-physics.yaml"

#: Keys of the config that change what a run computes, but not which runs exist. Lists of
#: densities, rates and seeds are left out (adding one reuses the finished runs), and so
#: are the analysis and the execution settings (the top-level ``execution:`` block, which
#: is not recorded at all; ``shear.engine`` is its old place, refused by the config check).
_RUN_LISTS = {("system", "densities"), ("system", "seeds"), ("shear", "shear_rates")}
_EXECUTION = {("shear", "engine")}

#: Keys added after results folders were first stamped, with the value that changes nothing
#: (the runs an older version made): absent from an old stamp, they compare equal to it.
_ADDED_LATER: dict[str, Any] = {
    "shear.cascade.enabled": False,
    "shear.cascade.transient_strain": 0.1,
    "shear.cascade.sampled_strain": None,
    "shear.min_sampled_time": 0.0,
    "shear.segment_time": 0.0,
    "shear.frames.survey_interval": 0.0,
    "shear.frames.survey_strain": None,
}


def check_paths(checkout: str | Path, workdir: str | Path) -> None:
    """Refuse paths LAMMPS cannot take, before any job starts.

    LAMMPS gets the include directory (in the checkout) and the run's files (in the working
    directory) relative to the run's folder, so a space in a common parent (``/home/my
    files/mechnoise``) is fine; a special character in the part that differs is not.

    Raises
    ------
    ConfigError
        Naming the path and the character.

    Examples
    --------
    >>> check_paths("/home/my files/mechnoise", "/home/my files/mechnoise")
    >>> check_paths("/opt/mech noise", "/scratch/run")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mechnoise.config.ConfigError: checkout path: ...
    """
    checkout, workdir = Path(checkout).resolve(), Path(workdir).resolve()
    rel = os.path.relpath(checkout / "lammps_inputs", workdir / "results")
    match = _LAMMPS_SPECIAL.search(rel)
    if match:
        raise ConfigError(
            f"checkout path: LAMMPS reaches {checkout / 'lammps_inputs'} from the working "
            f"directory {workdir} as {rel!r}, which holds {match.group()!r}; LAMMPS splits "
            "its input at white space and treats $ # & and quotes specially. Run from a "
            "working directory inside the checkout, or move the checkout to a plain path"
        )


def physics_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """The per-run physics settings of a config: ``system``, ``quench`` and ``shear``
    without the lists of densities, seeds and rates and without the engine.

    Examples
    --------
    >>> physics_settings({"system": {"n_particles": 400, "densities": [1.1]},
    ...                   "quench": {"timestep": 0.005},
    ...                   "shear": {"shear_rates": [0.1], "engine": {"kind": "python"}}})
    {'system': {'n_particles': 400}, 'quench': {'timestep': 0.005}, 'shear': {}}
    """
    out: dict[str, Any] = {}
    for section in ("system", "quench", "shear"):
        out[section] = {
            k: v
            for k, v in dict(config.get(section, {})).items()
            if (section, k) not in _RUN_LISTS | _EXECUTION
        }
    return out


def _flatten(node: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(node, Mapping):
        flat: dict[str, Any] = {}
        for k, v in node.items():
            flat.update(_flatten(v, f"{prefix}{k}."))
        return flat
    return {prefix[:-1]: node}


def check_physics_stamp(
    results: str | Path, config: Mapping[str, Any], *, replace: bool = False
) -> None:
    """Refuse a config whose physics differ from those ``results/`` was made with.

    Parameters
    ----------
    results : path
        The results folder (``results/`` of the working directory).
    config : mapping
        The validated config.
    replace : bool
        Accept the new physics (the workflow then reruns what they change, overwriting the
        old runs) and rewrite the stamp.

    Raises
    ------
    ConfigError
        Naming the keys that differ, with both values, and the ways out.
    """
    stamp = Path(results) / STAMP_NAME
    if not stamp.exists():
        return
    before = _flatten(yaml.safe_load(stamp.read_text()) or {})
    now = _flatten(json.loads(json.dumps(physics_settings(config))))
    for key, neutral in _ADDED_LATER.items():
        if key not in before and key in now and now[key] == neutral:
            before[key] = neutral
    changed = sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))
    if not changed or replace:
        return
    listing = "; ".join(f"{k}: {before.get(k)!r} there, {now.get(k)!r} now" for k in changed[:6])
    raise ConfigError(
        f"{changed[0]}: {Path(results).resolve()} holds runs made with other physics settings "
        f"({listing}). Use another working directory (snakemake --directory DIR), move "
        "results/ away, or add --config replace_results=true to rerun them in place "
        "(the old runs are overwritten). Adding densities, rates or seeds needs none of this"
    )


def write_physics_stamp(results: str | Path, config: Mapping[str, Any]) -> None:
    """Record the per-run physics settings of ``config`` in ``results/`` (at each start)."""
    results = Path(results)
    results.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(json.loads(json.dumps(physics_settings(config))), sort_keys=True)
    tmp = results / (STAMP_NAME + ".partial")
    tmp.write_text(
        "# Physics settings of the runs in this folder (mechnoise.workdir); a config with\n"
        "# other values is refused unless --config replace_results=true.\n" + text
    )
    tmp.replace(results / STAMP_NAME)


#: File in .snakemake/ naming the host and process of the Snakemake that holds the lock.
OWNER_NAME = "mechnoise-owner.json"


def record_lock_owner(workdir: str | Path, pid: int | None = None) -> None:
    """Note which Snakemake holds the lock (called from ``onstart``, i.e. once it holds it)."""
    path = Path(workdir) / ".snakemake" / OWNER_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    pid = os.getpid() if pid is None else pid
    path.write_text(json.dumps({"host": socket.gethostname(), "pid": pid}))


def clear_lock_owner(workdir: str | Path) -> None:
    """Forget the lock owner (called from ``onsuccess`` / ``onerror``)."""
    (Path(workdir) / ".snakemake" / OWNER_NAME).unlink(missing_ok=True)


def remove_stale_lock(workdir: str | Path) -> bool:
    """Remove Snakemake's lock if the Snakemake that took it on this host is dead.

    Only a lock whose owner (recorded by :func:`record_lock_owner`) ran on this host and no
    longer exists is removed; a lock of a live Snakemake, of another host, or of unknown
    origin is left for Snakemake to report.

    Returns
    -------
    bool
        True if a stale lock was removed.
    """
    snake = Path(workdir) / ".snakemake"
    locks = list((snake / "locks").glob("*.lock")) if (snake / "locks").is_dir() else []
    owner_file = snake / OWNER_NAME
    if not locks or not owner_file.exists():
        return False
    try:
        owner = json.loads(owner_file.read_text())
        host, pid = str(owner["host"]), int(owner["pid"])
    except (ValueError, KeyError, TypeError):
        return False
    if host != socket.gethostname() or _is_snakemake(pid):
        return False
    for lock in locks:
        lock.unlink(missing_ok=True)
    owner_file.unlink(missing_ok=True)
    log.warning("removed the lock of a Snakemake (pid %d) that was killed", pid)
    return True


def _is_snakemake(pid: int) -> bool:
    """True if process ``pid`` exists and runs Snakemake."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"snakemake" in cmdline
