"""mechnoise: athermal rheology of amorphous solids with LAMMPS and Snakemake.

Modules (one per topic): :mod:`mechnoise.lammps` (running LAMMPS, provenance),
:mod:`mechnoise.io` (readers, parquet tables, box conversions), :mod:`mechnoise.config`
(config validation), :mod:`mechnoise.schedule` (strain segments and frame windows),
:mod:`mechnoise.rheology` (flow curves, G0, Herschel–Bulkley), :mod:`mechnoise.plasticity`
(D²min, activity, clusters, C_p), :mod:`mechnoise.blocks` (block stresses),
:mod:`mechnoise.diffusion` (stress MSD, D_σ), :mod:`mechnoise.yield_stress` (frozen matrix),
:mod:`mechnoise.hl` (Hébraud–Lequeux model), :mod:`mechnoise.plotting`.

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
    "hl",
    "io",
    "lammps",
    "plasticity",
    "plotting",
    "rheology",
    "schedule",
    "yield_stress",
}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"mechnoise.{name}")
    raise AttributeError(f"module 'mechnoise' has no attribute {name!r}")
