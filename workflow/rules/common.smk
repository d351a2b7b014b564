# Shared names and helpers of every rule file. Validation runs here, before any rule exists:
# the config (every error names its dotted key), the paths LAMMPS will be given, and the
# physics the results folder was made with (mechnoise.workdir). A lock left by a killed
# Snakemake on this host is removed first, so the same command resumes.
import os
import sys

from mechnoise import workdir as mechnoise_workdir
from mechnoise.config import shear_plan, sorted_rates, slug, validate_config
from mechnoise.config import starts_from_glass as run_starts_from_glass

mechnoise_workdir.remove_stale_lock(os.getcwd())
validate_config(config)
mechnoise_workdir.check_paths(workflow.basedir, os.getcwd())
mechnoise_workdir.check_physics_stamp(
    "results",
    config,
    replace=str(config.get("replace_results", False)).lower() == "true",
)


onstart:
    mechnoise_workdir.record_lock_owner(os.getcwd())
    mechnoise_workdir.write_physics_stamp("results", config)


onsuccess:
    mechnoise_workdir.clear_lock_owner(os.getcwd())


onerror:
    mechnoise_workdir.clear_lock_owner(os.getcwd())


# A rate cascade chains every segment of every rate of a run (paper preset: ~800 jobs deep);
# Snakemake builds the DAG recursively, a few Python frames per job.
sys.setrecursionlimit(max(sys.getrecursionlimit(), 50000))

DENSITIES = [slug(r) for r in config["system"]["densities"]]
RATES = [slug(r) for r in sorted_rates(config)]
SEEDS = [str(s) for s in config["system"]["seeds"]]

GLASS = "results/glass/rho{rho}/seed{seed}"
RUN = "results/shear/rho{rho}/rate{rate}/seed{seed}"
LOGS = "logs"


wildcard_constraints:
    rho=r"[0-9.eE+-]+",
    rate=r"[0-9.eE+-]+",
    seed=r"\d+",
    segment=r"\d+",


def all_runs(pattern):
    """Expand a pattern over every configured density, rate and seed."""
    return expand(pattern, rho=DENSITIES, rate=RATES, seed=SEEDS)


def all_densities(pattern):
    """Expand a pattern over every configured density."""
    return expand(pattern, rho=DENSITIES)


def all_glasses(pattern):
    """Expand a pattern over every configured density and seed."""
    return expand(pattern, rho=DENSITIES, seed=SEEDS)


def starts_from_glass(rate):
    """True if the run at ``rate`` (a slug) starts from the glass, False in a rate cascade."""
    return run_starts_from_glass(config, float(rate))


def get_shear_plan(wildcards):
    """Segments and frame windows of the run named by the wildcards."""
    return get_rate_plan(wildcards.rate)


def get_rate_plan(rate):
    """Segments and frame windows of a run at ``rate`` (a slug; same for every density, seed)."""
    return shear_plan(config, float(rate))


def get_segment_ids(wildcards):
    """Indices 0..n-1 of the strain segments of a run."""
    return list(range(len(get_shear_plan(wildcards).segment_ends)))


def get_previous_restart(wildcards):
    """Restart file the segment starts from: the previous segment's; for the first segment
    none (from the glass) or, in a rate cascade, the last one of the next higher rate's run.
    """
    k = int(wildcards.segment)
    if k > 0:
        return f"{RUN}/segments/seg{k - 1}.restart".format(**wildcards)
    if starts_from_glass(wildcards.rate):
        return []
    higher = RATES[RATES.index(wildcards.rate) - 1]
    last = len(get_rate_plan(higher).segment_ends) - 1
    run = RUN.format(rho=wildcards.rho, rate=higher, seed=wildcards.seed)
    return f"{run}/segments/seg{last}.restart"


def get_segment_tables(kind):
    """Input function: every segment's `kind` ('thermo' or 'frames') parquet of a run."""

    def inner(wildcards):
        return [
            f"{RUN}/segments/{kind}{k}.parquet".format(**wildcards)
            for k in get_segment_ids(wildcards)
        ]

    return inner


def get_rate_slug(index):
    """Rate slug for an index into the rates sorted from high to low (-1: lowest)."""
    return RATES[index]


def get_report_figures():
    """Every figure the report shows."""
    names = [
        "fig2",
        "fig2_rescaled",
        "fig3",
        "fig4a",
        "fig4b",
        "fig5a",
        "fig5b",
        "fig5c_thresholds",
        "glass_quality",
    ]
    return [f"results/figures/{n}.png" for n in names]


def get_final_targets():
    """Everything `rule all` asks for."""
    targets = [
        "results/flow_curve.parquet",
        "results/hb_fit.parquet",
        "results/hl_fit.parquet",
        "results/modulus.parquet",
        "results/plasticity_summary.parquet",
        "results/diffusion_summary.parquet",
        "results/summary.parquet",
        "results/hl/modified_vs_md.parquet",
        "results/hl/parametric_curve.parquet",
        "results/hl/flow_curves.parquet",
        "results/hl/modified_flow_curves.parquet",
        "results/glass_quality.parquet",
        "results/report.html",
    ]
    targets += all_densities("results/yield/rho{rho}/local_yield.parquet")
    targets += all_runs(f"{RUN}/plasticity_summary.parquet")
    targets += all_runs(f"{RUN}/diffusion_summary.parquet")
    return targets + get_report_figures()
