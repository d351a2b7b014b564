"""Tables, frames and box conversions: the only module that knows dump and parquet columns.

Every parquet table of the workflow is described here (column → dtype, unit, meaning) and
the docs' output tables (docs/outputs.md) are written from the same dictionaries.

Box convention: a box is LAMMPS's ``(lx, ly, xy)`` for a 2D triclinic cell with its lower
corner at the origin; ``xy`` is the tilt *length* (not freud's tilt factor ``xy / ly``).
Positions are ``(N, 2)`` float64 arrays of *unwrapped* coordinates.

Integrity at every table boundary: :func:`write_table` writes page checksums and
:func:`read_table` (the one parquet reader of the package and the workflow's scripts)
verifies them, so a corrupt file is an error naming it, never silently wrong numbers.
:func:`read_thermo` and :func:`read_frames` also reject non-finite or absurd values
(:data:`ABSURD_STRESS`). Data and restart files LAMMPS reads get a SHA-256 sidecar
(:func:`write_checksum`, :func:`verify_checksum`).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from mechnoise import columns
from mechnoise._typing import Box, FloatArray

log = logging.getLogger(__name__)


#: |stress| (eps/sigma^2), |pressure| and |per-atom stress x area| (eps) above which a value
#: cannot come from the LJ glass (its stresses are of order 1-100): a corrupt file.
ABSURD_STRESS = 1.0e4
#: |potential energy per particle| (eps) above which a value is absurd.
ABSURD_ENERGY = 1.0e4

REGENERATE = "delete it and rerun the same command to regenerate it"


class CorruptFileError(ValueError):
    """A file the workflow made is damaged or holds impossible values; the message names it."""


#: column -> (dtype, unit, description) of ``thermo.parquet``.
THERMO_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("io.thermo")

#: column -> (dtype, unit, description) of ``frames.parquet`` (one row per atom and frame).
FRAME_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("io.frame")


@dataclass(frozen=True)
class Frame:
    """One configuration of a shear run.

    Attributes
    ----------
    frame, window, step : int
        Frame index, window index and MD step.
    time, strain : float
        Time since the start of shear (tau0) and applied strain.
    box : tuple of float
        ``(lx, ly, xy)`` (sigma).
    ids : ndarray of int, shape (N,)
        Atom ids, sorted ascending (rows of every array follow them).
    types : ndarray of int, shape (N,)
        Species (1 = A, 2 = B).
    positions : ndarray of float64, shape (N, 2)
        Unwrapped positions (sigma).
    stress_xy : ndarray of float64, shape (N,)
        Per-atom stress × area ``S_i,xy`` (eps); ``sum / area`` is ``sigma_xy``.
    """

    frame: int
    window: int
    step: int
    time: float
    strain: float
    box: Box
    ids: npt.NDArray[np.int64]
    types: npt.NDArray[np.int64]
    positions: FloatArray
    stress_xy: FloatArray


def schema_for(columns: Mapping[str, tuple[str, str, str]]) -> pa.Schema:
    """Arrow schema of a documented table (units stored as field metadata)."""
    fields = []
    for name, (dtype, unit, desc) in columns.items():
        arrow_type = pa.string() if dtype == "str" else pa.from_numpy_dtype(np.dtype(dtype))
        fields.append(
            pa.field(
                name,
                arrow_type,
                metadata={"unit": unit, "description": desc},
            )
        )
    return pa.schema(fields)


def write_table(
    df: pd.DataFrame, path: str | Path, columns: Mapping[str, tuple[str, str, str]]
) -> None:
    """Write ``df`` to parquet with exactly the documented columns and dtypes.

    The file is written to a temporary name and renamed, so a crash never leaves a
    parquet that looks complete.

    Raises
    ------
    ValueError
        If a documented column is missing or an undocumented one is present.
    """
    missing = [c for c in columns if c not in df.columns]
    extra = [c for c in df.columns if c not in columns]
    if missing or extra:
        raise ValueError(f"table for {path}: missing columns {missing}, undocumented {extra}")
    out = df[list(columns)].astype({c: spec[0] for c, spec in columns.items()})
    table = pa.Table.from_pandas(out, schema=schema_for(columns), preserve_index=False)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    pq.write_table(table, tmp, write_page_checksum=True)
    tmp.replace(path)


def read_table(path: str | Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Read a parquet table, verifying its page checksums.

    Parameters
    ----------
    path : path
        A parquet file (written by :func:`write_table`, which adds the checksums).
    columns : sequence of str, optional
        Read only these columns.

    Raises
    ------
    CorruptFileError
        If the file cannot be decoded or a page checksum does not match; the message names
        the file and says how to regenerate it.
    FileNotFoundError
        If the file does not exist.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such table")
    try:
        table = pq.read_table(
            path,
            columns=list(columns) if columns is not None else None,
            page_checksum_verification=True,
        )
    except (OSError, pa.ArrowException) as exc:
        raise CorruptFileError(f"{path}: corrupt parquet file ({exc}); {REGENERATE}") from exc
    return table.to_pandas()


def check_values(df: pd.DataFrame, path: str | Path, limits: Mapping[str, float]) -> None:
    """Raise :class:`CorruptFileError` if a column holds a non-finite or absurd value.

    Parameters
    ----------
    df : DataFrame
        The table read from ``path``.
    path : path
        Its file (named in the message).
    limits : mapping
        Column -> largest plausible absolute value (``inf``: only finiteness is checked).

    Examples
    --------
    >>> df = pd.DataFrame({"stress": [0.5, 1e85]})
    >>> check_values(df, "t.parquet", {"stress": 1e4})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mechnoise.io.CorruptFileError: t.parquet: column 'stress' holds 1e+85 at row 1, beyond any ...
    """
    for column, limit in limits.items():
        if column not in df.columns:
            continue
        values = df[column].to_numpy(np.float64)
        bad = ~np.isfinite(values) | (np.abs(values) > limit)
        if bad.any():
            row = int(np.argmax(bad))
            what = "beyond any LJ value" if np.isfinite(values[row]) else "not finite"
            raise CorruptFileError(
                f"{path}: column {column!r} holds {values[row]:g} at row {row}, {what} "
                f"(|x| <= {limit:g}); {REGENERATE}"
            )


#: Plausibility limits of the thermo table's columns.
THERMO_LIMITS: dict[str, float] = {
    "time": np.inf,
    "strain": np.inf,
    "stress": ABSURD_STRESS,
    "pressure": ABSURD_STRESS,
    "pe": ABSURD_ENERGY,
    "lx": np.inf,
    "ly": np.inf,
    "xy": np.inf,
}
#: Plausibility limits of the frames table's columns.
FRAME_LIMITS: dict[str, float] = {
    "time": np.inf,
    "strain": np.inf,
    "lx": np.inf,
    "ly": np.inf,
    "xy": np.inf,
    "x": np.inf,
    "y": np.inf,
    "sxy": ABSURD_STRESS,
}


def read_thermo(path: str | Path) -> pd.DataFrame:
    """Read a ``thermo.parquet`` (a run's or a segment's), checked: checksums, finite and
    plausible values (:data:`THERMO_LIMITS`)."""
    df = read_table(path)
    check_values(df, path, THERMO_LIMITS)
    return df


def read_frames_table(path: str | Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Read a ``frames.parquet`` as a DataFrame, checked like :func:`read_thermo`."""
    df = read_table(path, columns)
    check_values(df, path, FRAME_LIMITS)
    return df


def checksum_path(path: str | Path) -> Path:
    """The SHA-256 sidecar of a file: ``<file>.sha256``."""
    path = Path(path)
    return path.with_name(path.name + ".sha256")


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file (read in chunks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_checksum(path: str | Path, name: str | None = None) -> Path:
    """Write the sidecar ``<name or file>.sha256`` of ``path`` (``sha256sum`` format).

    Call it on the finished temporary file with ``name`` = the final name, *before* the
    rename, so a file in place always has its sidecar.
    """
    path = Path(path)
    target = path.with_name(name) if name else path
    side = checksum_path(target)
    side.write_text(f"{file_sha256(path)}  {target.name}\n")
    return side


def verify_checksum(path: str | Path) -> bool:
    """Check a file against its ``.sha256`` sidecar before LAMMPS reads it.

    Returns
    -------
    bool
        True if checked; False if the file has no sidecar (made by an older mechnoise; a
        warning is logged and the file is trusted).

    Raises
    ------
    CorruptFileError
        If the file's SHA-256 differs from the one recorded when it was made.
    """
    path = Path(path)
    side = checksum_path(path)
    if not side.exists():
        log.warning("%s has no checksum file %s; trusting it", path, side.name)
        return False
    recorded = side.read_text().split()[0] if side.read_text().split() else ""
    actual = file_sha256(path)
    if actual != recorded:
        raise CorruptFileError(
            f"{path}: its SHA-256 differs from the one recorded when it was made "
            f"({side.name}): the file is damaged or was changed; {REGENERATE}"
        )
    return True


def iter_frames(frames: pd.DataFrame) -> Iterator[Frame]:
    """Yield :class:`Frame` objects from a ``frames.parquet`` DataFrame, in frame order."""
    for frame_index, df in frames.groupby("frame", sort=True):
        df = df.sort_values("id")
        first = df.iloc[0]
        yield Frame(
            frame=int(frame_index),
            window=int(first["window"]),
            step=int(first["step"]),
            time=float(first["time"]),
            strain=float(first["strain"]),
            box=(float(first["lx"]), float(first["ly"]), float(first["xy"])),
            ids=df["id"].to_numpy(np.int64),
            types=df["type"].to_numpy(np.int64),
            positions=df[["x", "y"]].to_numpy(np.float64),
            stress_xy=df["sxy"].to_numpy(np.float64),
        )


def read_frames(path: str | Path) -> list[Frame]:
    """Read every frame of a ``frames.parquet`` file (checked, :func:`read_frames_table`)."""
    return list(iter_frames(read_frames_table(path)))


def freud_box(box: Box) -> object:
    """freud 2D box for a LAMMPS ``(lx, ly, xy)`` box (tilt factor ``xy / ly``)."""
    import freud

    lx, ly, xy = box
    return freud.box.Box(Lx=lx, Ly=ly, xy=xy / ly, is2D=True)


def freud_system(positions: FloatArray, box: Box) -> tuple[object, FloatArray]:
    """freud box and points ``(N, 3)`` for positions in a LAMMPS ``(lx, ly, xy)`` box.

    freud's box is centred on the origin and the points must lie inside it with z = 0: the
    positions are wrapped in fractional coordinates (any image, tilt or flip) and mapped
    with :meth:`freud.box.Box.make_absolute`. Pass the pair as ``system=(box, points)``.

    Examples
    --------
    >>> fbox, points = freud_system(np.array([[0.5, 0.5], [20.5, 3.0]]), (10.0, 4.0, 2.0))
    >>> np.round(points, 12).tolist()
    [[-5.5, -1.5, 0.0], [4.5, 1.0, 0.0]]
    """
    fbox = freud_box(box)
    frac = np.zeros((len(positions), 3))
    frac[:, :2] = np.mod(fractional_coordinates(positions, box), 1.0)
    # np.mod(-1e-17, 1.0) is 1.0: a point on the far face is outside freud's half-open box,
    # and freud's Voronoi may crash on it (freud issue #841); fold it back to 0
    frac[:, :2][frac[:, :2] >= 1.0] = 0.0
    points = np.asarray(fbox.make_absolute(frac), dtype=np.float64)  # type: ignore[attr-defined]
    return fbox, points


def fractional_coordinates(positions: FloatArray, box: Box) -> FloatArray:
    """Fractional (lattice) coordinates ``(s_x, s_y)`` of positions in a triclinic box.

    ``y = s_y ly`` and ``x = s_x lx + s_y xy``, box origin at 0. Unwrapped positions give
    fractional coordinates outside [0, 1); take them modulo 1 to wrap.
    """
    lx, ly, xy = box
    pos = np.asarray(positions, dtype=np.float64)
    sy = pos[:, 1] / ly
    sx = (pos[:, 0] - sy * xy) / lx
    return np.column_stack([sx, sy])


#: Columns of the thermo text file written by ``in.shear`` (fix ave/time), in order.
THERMO_FILE_COLUMNS = ("step", "time", "strain", "stress", "pressure", "pe", "lx", "ly", "xy")


def read_thermo_file(path: str | Path) -> pd.DataFrame:
    """Read the thermo file of ``in.shear`` into a DataFrame with :data:`THERMO_COLUMNS`."""
    data = np.loadtxt(path, comments="#", ndmin=2)
    if data.shape[0] == 0:
        raise ValueError(f"{path}: no thermo rows")
    if data.shape[1] != len(THERMO_FILE_COLUMNS) + 1:
        raise ValueError(f"{path}: expected {len(THERMO_FILE_COLUMNS) + 1} columns")
    df = pd.DataFrame(data[:, 1:], columns=list(THERMO_FILE_COLUMNS))
    df["step"] = df["step"].round().astype("int64")
    return df


def box_from_dump_bounds(bounds: FloatArray) -> tuple[Box, tuple[float, float]]:
    """LAMMPS ``(lx, ly, xy)`` and origin ``(xlo, ylo)`` from a triclinic dump header.

    A dump header of a tilted box holds the *bounding* box ``xlo_bound xhi_bound xy`` /
    ``ylo_bound yhi_bound xz`` / ``zlo_bound zhi_bound yz``, not ``xlo, xhi``.

    Examples
    --------
    >>> b = np.array([[-1.0, 10.0, -1.0], [0.0, 8.0, 0.0], [-0.5, 0.5, 0.0]])
    >>> box_from_dump_bounds(b)
    ((10.0, 8.0, -1.0), (0.0, 0.0))
    """
    (xlo_b, xhi_b, xy), (ylo_b, yhi_b, xz), (_, _, yz) = bounds
    xlo = xlo_b - min(0.0, xy, xz, xy + xz)
    xhi = xhi_b - max(0.0, xy, xz, xy + xz)
    ylo = ylo_b - min(0.0, yz)
    yhi = yhi_b - max(0.0, yz)
    return (float(xhi - xlo), float(yhi - ylo), float(xy)), (float(xlo), float(ylo))


#: Columns returned by :func:`read_dump`.
DUMP_COLUMNS = ("step", "lx", "ly", "xy", "id", "type", "x", "y", "sxy")


def read_dump(path: str | Path) -> pd.DataFrame:
    """Read a text dump of ``in.shear`` (id type xu yu sxy) into a long DataFrame.

    Returns columns step, lx, ly, xy, id, type, x, y, sxy; positions are shifted so the box
    origin is at 0 (mechnoise's convention).
    """
    text = Path(path).read_text()
    chunks = text.split("ITEM: TIMESTEP\n")[1:]
    frames = []
    for chunk in chunks:
        lines = chunk.split("\n")
        step = int(lines[0])
        n = int(lines[2])
        if not lines[3].startswith("ITEM: BOX BOUNDS xy"):
            raise ValueError(f"{path}: expected a triclinic box header, got {lines[3]!r}")
        bounds = np.array([[float(v) for v in lines[i].split()] for i in (4, 5, 6)])
        box, origin = box_from_dump_bounds(bounds)
        if lines[7].split()[2:] != ["id", "type", "xu", "yu", "c_satom[4]"]:
            raise ValueError(f"{path}: unexpected dump columns {lines[7]!r}")
        atoms = np.array(" ".join(lines[8 : 8 + n]).split(), dtype=np.float64).reshape(n, 5)
        if atoms.shape[0] != n:
            raise ValueError(f"{path}: truncated frame at step {step}")
        frames.append(
            pd.DataFrame(
                {
                    "step": step,
                    "lx": box[0],
                    "ly": box[1],
                    "xy": box[2],
                    "id": atoms[:, 0].astype(np.int64),
                    "type": atoms[:, 1].astype(np.int64),
                    "x": atoms[:, 2] - origin[0],
                    "y": atoms[:, 3] - origin[1],
                    "sxy": atoms[:, 4],
                }
            )
        )
    if not frames:
        raise ValueError(f"{path}: no frames")
    return pd.concat(frames, ignore_index=True)
