"""Rule run_frozen_matrix: frozen-matrix tests of every snapshot of one density -> curves."""

from pathlib import Path

from mechnoise import io
from mechnoise.blocks import block_width, n_blocks_per_side
from mechnoise.frozen_matrix.analysis import CURVE_COLUMNS, curves_table
from mechnoise.frozen_matrix.runs import run_frozen_matrix
from mechnoise.frozen_matrix.settings import SHELL_MARGIN, FrozenMatrixSettings
from mechnoise.frozen_matrix.snapshots import read_data_file
from mechnoise.lammps.engine import RunLimits
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
strain_step, refine_steps, max_strain, bisect_factor, stop_factor = sm.params.protocol
targets = sm.params.target_error  # a scalar, or (target_error, drop_target_error)
target_error, drop_target_error = (
    (float(targets[0]), float(targets[1])) if isinstance(targets, (tuple, list)) else (targets, 0.0)
)
cluster_size = None
if sm.input.plasticity:
    cluster_size = float(io.read_table(sm.input.plasticity, columns=["l_pl"])["l_pl"].iloc[0])
_, _, _, box = read_data_file(sm.input.snapshots[0])
grid = n_blocks_per_side(box, block_width(sm.params.width, cluster_size))
execution = sm.config["execution"]
limits = RunLimits.from_config(execution)
if execution.get("kind", "python") != "python":
    log.info(
        "execution.kind=%s: frozen-matrix tests still use the in-process lammps module (the "
        "adaptive protocol needs control after every minimization); suffix, stall limit and "
        "progress lines apply",
        execution.get("kind"),
    )
settings = FrozenMatrixSettings(
    suffix=str(execution.get("suffix", "opt")),
    strain_step=strain_step,
    refine_steps=refine_steps,
    max_strain=max_strain,
    bisect_factor=bisect_factor,
    stop_factor=stop_factor,
    cutoffs=sm.params.cutoffs,
    shell=max(sm.params.cutoffs) + SHELL_MARGIN,
    matrix=sm.params.matrix,
    **({"thawed_stiffness": sm.params.thawed_stiffness} if sm.params.matrix == "thawed" else {}),
)
log.info("grid %d x %d (box %s), settings %s", grid, grid, box, settings)
results = run_frozen_matrix(
    list(sm.input.snapshots),
    grid,
    settings,
    sm.params.workdir,
    include_dir=Path(sm.input.setup).parent,
    angles=[float(a) for a in sm.params.angles.split(",")],
    max_blocks=sm.params.max_blocks,
    target_error=target_error,
    drop_target_error=drop_target_error,
    processes=sm.threads,
    progress_seconds=60.0 * limits.progress_minutes,
    stall_seconds=60.0 * limits.stall_minutes,
)
io.write_table(curves_table(results), sm.output.curves, CURVE_COLUMNS)
