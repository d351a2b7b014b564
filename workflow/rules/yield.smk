# Local yield stresses from frozen-matrix tests (paper section 3.4, Fig. 5b), the distances to
# threshold before and after the first event (fig5c_thresholds) and the drop-rule sensitivity.
# Snapshots come from the steady state of the run at rate index yield_test.shear_rate_index
# (-1: the lowest rate) and the first seed; every per-density result lives in YIELD.
# Needs: RUN/frames.parquet (shear); with analysis.blocks.from_cluster_size also
# RUN/plasticity_summary.parquet (plasticity: l_pl).

YIELD = "results/yield/rho{rho}"
YIELD_RUN = RUN.replace(
    "{rate}", get_rate_slug(config["yield_test"]["shear_rate_index"])
).replace("{seed}", SEEDS[0])


rule prepare_yield_snapshots:
    input:
        frames=f"{YIELD_RUN}/frames.parquet",
    output:
        expand(
            f"{YIELD}/snapshots/snapshot{{k}}.data",
            k=range(config["yield_test"]["n_configs"]),
            allow_missing=True,
        ),
    log:
        f"{LOGS}/yield/rho{{rho}}_snapshots.log",
    params:
        n_configs=config["yield_test"]["n_configs"],
        system=config["system"],
        engine=config["shear"]["engine"],
        workdir=f"{YIELD}/snapshots",
    script:
        "../scripts/prepare_yield_snapshots.py"


rule run_frozen_matrix:
    input:
        snapshots=rules.prepare_yield_snapshots.output,
        plasticity=(
            f"{YIELD_RUN}/plasticity_summary.parquet"
            if config["analysis"]["blocks"]["from_cluster_size"]
            else []
        ),
    output:
        curves=f"{YIELD}/curves.parquet",
    log:
        f"{LOGS}/yield/rho{{rho}}_frozen_matrix.log",
    threads: 2
    params:
        # the protocol only: the drop rule (yield_test.drop_factor) is analysis and changing
        # it must not rerun LAMMPS (summarize_local_yield re-applies it to the curves)
        strain_step=config["yield_test"]["strain_step"],
        refine_steps=config["yield_test"]["refine_steps"],
        max_strain=config["yield_test"]["max_strain"],
        bisect_factor=config["yield_test"]["bisect_factor"],
        stop_factor=config["yield_test"]["stop_factor"],
        directions=config["yield_test"]["directions"],
        max_blocks=config["yield_test"]["max_blocks"],
        n_particles=config["system"]["n_particles"],
        fraction_a=config["system"]["fraction_a"],
        cutoff=config["system"]["cutoff"],
        cutoff_mode=config["system"]["cutoff_mode"],
        width=config["analysis"]["blocks"]["width"],
        workdir=f"{YIELD}/frozen_matrix",
    script:
        "../scripts/run_frozen_matrix.py"


rule summarize_local_yield:
    input:
        curves=f"{YIELD}/curves.parquet",
    output:
        local=f"{YIELD}/local_yield.parquet",
        summary=f"{YIELD}/yield_summary.parquet",
        sensitivity=f"{YIELD}/drop_rule_sensitivity.parquet",
    log:
        f"{LOGS}/yield/rho{{rho}}_summary.log",
    params:
        strain_step=config["yield_test"]["strain_step"],
        drop_factor=config["yield_test"]["drop_factor"],
    script:
        "../scripts/summarize_local_yield.py"


rule plot_fig5b:
    input:
        local=all_densities(f"{YIELD}/local_yield.parquet"),
        summary=all_densities(f"{YIELD}/yield_summary.parquet"),
    output:
        fig5b="results/figures/fig5b.png",
        thresholds="results/figures/fig5c_thresholds.png",
    log:
        f"{LOGS}/yield/fig5b.log",
    params:
        densities=config["system"]["densities"],
        dpi=config["figures"]["dpi"],
    script:
        "../scripts/plot_fig5b.py"
