"""LAMMPS input files and ``-var`` values: includes, argument lists, paths made safe."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

#: ``include ${inc}/NAME`` in a LAMMPS script (also inside quoted ``if`` branches).
_INCLUDE_RE = re.compile(r"\binclude\s+\$\{inc\}/(\S+?)[\"'\s]")


def include_dir(input_file: str | Path) -> Path:
    """Directory of the include files of a ``lammps_inputs/`` script: ``include/`` beside it.

    The package never looks for ``lammps_inputs/`` itself (it is not installed with it): the
    caller passes the script's path, and the includes are found next to it.

    Examples
    --------
    >>> include_dir("lammps_inputs/in.shear").as_posix()
    'lammps_inputs/include'
    >>> include_dir("lammps_inputs/include/frozen_setup.lmp").as_posix()
    'lammps_inputs/include'
    """
    path = Path(input_file)
    return path.parent if path.parent.name == "include" else path.parent / "include"


def included_files(input_file: str | Path) -> list[Path]:
    """Include files that a LAMMPS script reads through ``include ${inc}/NAME``, recursively.

    Parameters
    ----------
    input_file : path
        A script of ``lammps_inputs/`` or one of its ``include/`` files.

    Returns
    -------
    list of Path
        Sorted, without ``input_file`` itself; ``include ${other}`` lines (a file named by
        another variable, such as the shear schedule) are not followed.

    Raises
    ------
    FileNotFoundError
        If the script or one of its includes is missing (the message names it).
    """
    inc = include_dir(input_file)
    found: set[Path] = set()
    todo = [Path(input_file)]
    while todo:
        path = todo.pop()
        if not path.is_file():
            raise FileNotFoundError(f"LAMMPS input {path} not found (included by a script)")
        for name in _INCLUDE_RE.findall(path.read_text() + "\n"):
            child = inc / name
            if child not in found:
                found.add(child)
                todo.append(child)
    return sorted(found)


def lammps_arguments(
    input_file: Path, variables: Mapping[str, object], log_file: Path, suffix: str
) -> list[str]:
    """LAMMPS command-line arguments for an input, its variables and a log file."""
    args = ["-in", str(input_file), "-log", str(log_file), "-screen", "none", "-nocite"]
    if suffix and suffix != "none":
        args += ["-sf", suffix]
    for key, value in variables.items():
        args += ["-var", str(key), format_variable(value)]
    return args


def format_variable(value: object) -> str:
    """Format a ``-var`` value (floats with full precision, no spaces)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    if not text or any(c.isspace() for c in text):
        raise ValueError(f"LAMMPS variable value {text!r} is empty or contains white space")
    return text


def lammps_path(value: object, workdir: Path, key: str = "") -> object:
    """A ``-var`` path relative to the run's folder if that spares LAMMPS a special character.

    LAMMPS splits its input at white space and treats ``$``, ``#``, quotes and ``&``
    specially; a checkout under ``/home/my files`` reaches its files from the run's folder
    without them. Non-path values are returned unchanged.

    Raises
    ------
    ValueError
        If the path still holds such a character, naming the variable and the path.

    Examples
    --------
    >>> lammps_path("/data/my runs/res/glass.data", Path("/data/my runs/res/shear"))
    '../glass.data'
    >>> lammps_path(0.5, Path("/x"))
    0.5
    """
    text = os.fspath(value) if isinstance(value, os.PathLike) else value
    if not isinstance(text, str) or not text.startswith("/") or not _LAMMPS_SPECIAL.search(text):
        return value
    rel = os.path.relpath(text, workdir)
    if _LAMMPS_SPECIAL.search(rel):
        raise ValueError(
            f"LAMMPS variable {key}: the path {value!r} holds a space or one of $ # & ' \" "
            "that LAMMPS cannot take; move the checkout or the working directory to a plain path"
        )
    return rel


_LAMMPS_SPECIAL = re.compile(r"[\s$#'\"&]")
