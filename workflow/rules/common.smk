# Shared names and helpers of every rule file. Validation runs here, before any rule exists;
# it checks the config (every error names its dotted key), the paths LAMMPS will be given
# and the physics the results folder was made with (mechnoise.workdir). A lock left by a
# killed Snakemake on this host is removed first, so the same command resumes.
#
# Reuse of finished jobs (docs/running.md, "Reuse of finished jobs"). Snakemake reruns a job when the
# repr of one of its params changes, when its set of input files changes, when an input is
# newer and has a different checksum, or when its script is newer than its outputs. So:
# - every params: entry is a scalar or a small tuple of what changes that job's output, for
#   the job's own wildcards, built by a get_* helper below: never a config section (a dict's
#   repr follows the YAML's key order), never the list of densities, rates or seeds;
# - numbers are normalised with float()/int(), so `1` and `1.0` or `1.0e-3` and `0.001` in the
#   YAML are the same param;
# - the `execution:` block (engine, MPI ranks, launcher, throughput, wall-time cap, watchdog)
#   is never a param: scripts read it from snakemake.config when they run
#   (mechnoise.scripting), and the resource functions of resources.smk use it (resources are
#   no rerun trigger);
# - the LAMMPS scripts a job runs, with their include files, are declared inputs;
# - densities, rates and seeds are sorted, so their order in the YAML does not matter.
import os
import sys

from mechnoise import workdir as mechnoise_workdir
from mechnoise.config import (
    load_schema,
    shear_plan,
    segment_strain_at,
    shear_run_strains,
    slug,
    survey_settings,
    sorted_rates,
    validate_config,
)
from mechnoise.config import starts_from_glass as run_starts_from_glass
from mechnoise.lammps import included_files
from mechnoise.lammps.protocols import Model

mechnoise_workdir.remove_stale_lock(os.getcwd())
validate_config(
    config,
    load_schema(
        os.path.join(workflow.basedir, "workflow", "schemas", "config.schema.yaml")
    ),
)
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

DENSITIES = [slug(r) for r in sorted(config["system"]["densities"])]
RATES = [slug(r) for r in sorted_rates(config)]
SEEDS = [str(s) for s in sorted(config["system"]["seeds"])]

GLASS = "results/glass/rho{rho}/seed{seed}"
RUN = "results/shear/rho{rho}/rate{rate}/seed{seed}"
YIELD = "results/yield/rho{rho}"
LOGS = "logs"
#: lammps_inputs/ of this checkout, relative to the working directory (so that moving the
#: checkout with its results does not change the jobs' recorded input files).
LAMMPS_INPUTS = os.path.relpath(os.path.join(workflow.basedir, "lammps_inputs"))


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


def get_lammps_script(name):
    """Path of the LAMMPS input `name` (e.g. "in.shear") in lammps_inputs/."""
    return os.path.join(LAMMPS_INPUTS, name)


def get_lammps_includes(*names):
    """Include files that the LAMMPS files `names` (in lammps_inputs/) read, recursively.

    Names under include/ count themselves (the frozen-matrix test includes them from Python).
    """
    files = set()
    for name in names:
        path = get_lammps_script(name)
        if os.path.dirname(name) == "include":
            files.add(path)
        files.update(str(p) for p in included_files(path))
    return sorted(files)


def get_model_params():
    """(n_particles, fraction_a, cutoff, cutoff_mode): the binary LJ model (system.*)."""
    system = config["system"]
    return (
        int(system["n_particles"]),
        float(system["fraction_a"]),
        float(system["cutoff"]),
        system["cutoff_mode"],
    )


def get_cutoffs():
    """(cutoff_aa, cutoff_ab, cutoff_bb) of the model (sigma_AA)."""
    cut = Model(*get_model_params()).cutoffs()
    return (cut["cutoff_aa"], cut["cutoff_ab"], cut["cutoff_bb"])


def get_quench_params():
    """(temperature, equilibration_time, quench_time, timestep, neighbor_skin) of in.prepare."""
    quench = config["quench"]
    return (
        float(quench["temperature"]),
        float(quench["equilibration_time"]),
        float(quench["quench_time"]),
        float(quench["timestep"]),
        float(config["shear"]["neighbor_skin"]),
    )


def get_plan_settings(wildcards):
    """Arguments of mechnoise.lammps.schedule.plan_shear after the rate, in its order, for the
    run named by the wildcards (in a rate cascade a run's discarded and total strain depend on
    whether it starts from the glass). Survey frames add (survey_interval, survey_strain) only
    when on, so leaving them off changes no params and reruns nothing."""
    shear = config["shear"]
    frames = shear["frames"]
    rate = float(wildcards.rate)
    total, discarded = shear_run_strains(config, rate)
    return (
        float(shear["timestep"]),
        total,
        segment_strain_at(shear, rate),
        discarded,
        float(shear["thermo_strain_interval"]),
        int(frames["n_windows"]),
        float(frames["window_duration"]),
        float(frames["frame_interval"]),
        *survey_settings(frames),
    )


def get_dynamics_params():
    """(damping, damping_time, neighbor_skin) of the shear runs."""
    shear = config["shear"]
    return (
        shear["damping"],
        float(shear["damping_time"]),
        float(shear["neighbor_skin"]),
    )


def get_block_series_params():
    """(interval in tau0, widths as a space-separated string) of the block series: scalars."""
    series = config["shear"]["block_series"]
    return (
        float(series["interval"]),
        " ".join(repr(float(w)) for w in series["widths"]),
    )


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
    """Input function: every segment's `kind` ('thermo', 'frames' or 'blocks') parquet of a run."""

    def inner(wildcards):
        return [
            f"{RUN}/segments/{kind}{k}.parquet".format(**wildcards)
            for k in get_segment_ids(wildcards)
        ]

    return inner


def get_rate_slug(index):
    """Rate slug for an index into the rates sorted from high to low (-1: lowest).

    A negative index counts from the lowest rate, so adding a higher rate keeps its choice;
    adding a rate below it moves it (and reruns what reads that rate's run).
    """
    return RATES[index]


def get_lowest_rate():
    """The lowest configured shear rate (1/tau0): the rate of Figs 4a, 4b, 5a and Table 1."""
    return float(get_rate_slug(-1))


def get_modulus_runs(pattern):
    """`pattern` for every density and seed at the rate analysis.flow.modulus_rate_index."""
    rate = get_rate_slug(config["analysis"]["flow"]["modulus_rate_index"])
    return expand(pattern, rho=DENSITIES, rate=rate, seed=SEEDS)


def get_lowest_rate_runs(pattern):
    """`pattern` for every density and seed at the lowest rate."""
    return expand(pattern, rho=DENSITIES, rate=get_rate_slug(-1), seed=SEEDS)


def get_fig4a_run(pattern):
    """`pattern` of the run of Fig. 4a: lowest density, lowest rate, lowest seed."""
    return expand(pattern, rho=DENSITIES[0], rate=get_rate_slug(-1), seed=SEEDS[0])


def get_yield_run_dir():
    """Run the frozen-matrix snapshots come from, with {rho} left open.

    That run is the one at yield_test.shear_rate_index (-1: the lowest rate), first seed.
    """
    rate = get_rate_slug(config["yield_test"]["shear_rate_index"])
    return RUN.replace("{rate}", rate).replace("{seed}", SEEDS[0])


def get_cluster_size_input(run_pattern):
    """The run's plasticity_summary.parquet if the block width comes from <l_pl>, else []."""
    if config["analysis"]["blocks"]["from_cluster_size"]:
        return f"{run_pattern}/plasticity_summary.parquet"
    return []


def get_snapshot_outputs():
    """Snapshot data files of one density ({rho} left open)."""
    n_configs = config["yield_test"]["n_configs"]
    return [f"{YIELD}/snapshots/snapshot{k}.data" for k in range(n_configs)]


def get_frozen_matrix_params():
    """(strain_step, refine_steps, max_strain, bisect_factor, stop_factor) of the
    frozen-matrix loading; the drop rule (drop_factor) is analysis, not a param here."""
    test = config["yield_test"]
    return (
        float(test["strain_step"]),
        int(test["refine_steps"]),
        float(test["max_strain"]),
        float(test["bisect_factor"]),
        float(test["stop_factor"]),
    )


def get_block_count_targets():
    """yield_test.target_error, or (target_error, drop_target_error) when a drop target is
    set: the param of a run without one is the scalar it always was (no rerun)."""
    test = config["yield_test"]
    target = float(test.get("target_error", 0.0))
    drop = float(test.get("drop_target_error", 0.0))
    return (target, drop) if drop > 0 else target


def get_hl_rate_range():
    """(min, max, n) of the dimensionless rates of the HL curves (hl_model.shear_rates)."""
    rates = config["hl_model"]["shear_rates"]
    return (float(rates["min"]), float(rates["max"]), int(rates["n"]))


def get_label_pattern(pattern):
    """Params function: `pattern` with its wildcards left in; an aggregating rule's script
    reads each input's density, rate or seed back from its path with it
    (mechnoise.scripting.wildcards_from_path), instead of a list of them in its params.
    """

    def inner(wildcards):
        return pattern

    return inner


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
        "modified_hl_stress",
        "modified_hl_stress_distribution",
        "modified_hl_distance_distribution",
        "modified_hl_activity",
        "meanfield_alphas",
        "width_alphas",
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
        "results/block_noise.parquet",
        "results/summary.parquet",
        "results/run_couplings.parquet",
        "results/hl/modified_vs_md.parquet",
        "results/hl/parametric_curve.parquet",
        "results/hl/flow_curves.parquet",
        "results/hl/modified_flow_curves.parquet",
        "results/glass_quality.parquet",
        "results/report.html",
    ]
    targets += all_densities(f"{YIELD}/local_yield.parquet")
    targets += all_runs(f"{RUN}/plasticity_summary.parquet")
    targets += all_runs(f"{RUN}/diffusion_summary.parquet")
    targets.append("results/figures/inflow_thresholds.png")  # in-flow thresholds
    targets.append("results/figures/block_width_scan.png")  # block-size scan
    return targets + get_report_figures()
