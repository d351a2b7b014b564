"""mechnoise: athermal rheology of amorphous solids with LAMMPS and Snakemake.

The package follows the pipeline, config → LAMMPS → parquet → analysis → figures and report:

- :mod:`mechnoise.config` (validation), :mod:`mechnoise.io` (readers, parquet tables, boxes);
- :mod:`mechnoise.lammps` (engine, protocols, schedule, cost);
- :mod:`mechnoise.rheology` (flow curves, G0, Herschel–Bulkley);
- :mod:`mechnoise.plasticity` (D²min, activity, clusters, τ_p, Γ);
- :mod:`mechnoise.blocks` (block stresses) and :mod:`mechnoise.diffusion` (stress MSD, D_σ);
- :mod:`mechnoise.frozen_matrix` (local yield stresses);
- :mod:`mechnoise.hl` (Hébraud–Lequeux model);
- :mod:`mechnoise.figures` and :mod:`mechnoise.report` (Figs. 2–5, Table 1, report.html);
- :mod:`mechnoise.stats` (errors and averages), :mod:`mechnoise._typing` (array aliases).

Submodules are imported lazily so ``from mechnoise import hl`` does not load LAMMPS.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_SUBMODULES = {
    "blocks",
    "config",
    "diffusion",
    "figures",
    "frozen_matrix",
    "hl",
    "io",
    "lammps",
    "plasticity",
    "report",
    "rheology",
    "stats",
}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"mechnoise.{name}")
    raise AttributeError(f"module 'mechnoise' has no attribute {name!r}")
