# Local yield stresses from frozen-matrix tests (paper section 3.4, Fig. 5b), the distances to
# threshold before and after the first event (fig5c_thresholds), the drop-rule sensitivity and
# the thresholds over loading directions resolved on the flow (yield_test.directions).
# Snapshots come from the steady state of the run at rate index yield_test.shear_rate_index
# (-1: the lowest rate) and the first seed (get_yield_run_dir); every per-density result lives
# in YIELD. Needs: RUN/frames.parquet (shear); with analysis.blocks.from_cluster_size also
# RUN/plasticity_summary.parquet (plasticity: l_pl).


rule prepare_yield_snapshots:
    input:
        frames=f"{get_yield_run_dir()}/frames.parquet",
        script=get_lammps_script("in.frozen_matrix"),
        includes=get_lammps_includes("include/frozen_snapshot.lmp"),
    output:
        get_snapshot_outputs(),
    log:
        f"{LOGS}/yield/rho{{rho}}_snapshots.log",
    benchmark:
        f"{LOGS}/benchmarks/prepare_yield_snapshots/rho{{rho}}_snapshots.tsv"
    params:
        n_configs=int(config["yield_test"]["n_configs"]),
        cutoffs=get_cutoffs(),
        workdir=f"{YIELD}/snapshots",
    script:
        "../scripts/prepare_yield_snapshots.py"


rule run_frozen_matrix:
    input:
        snapshots=rules.prepare_yield_snapshots.output,
        plasticity=get_cluster_size_input(get_yield_run_dir()),
        setup=get_lammps_script("include/frozen_setup.lmp"),
        includes=get_lammps_includes(
            "include/frozen_setup.lmp", "include/frozen_step.lmp"
        ),
    output:
        curves=f"{YIELD}/curves.parquet",
    log:
        f"{LOGS}/yield/rho{{rho}}_frozen_matrix.log",
    benchmark:
        f"{LOGS}/benchmarks/run_frozen_matrix/rho{{rho}}_frozen_matrix.tsv"
    threads: 2
    params:
        # the protocol only: the drop rule (yield_test.drop_factor) is analysis and changing
        # it must not rerun LAMMPS (summarize_local_yield re-applies it to the curves)
        protocol=get_frozen_matrix_params(),
        # loading angles (degrees) as one scalar: changing them reruns the tests
        angles=",".join(repr(float(a)) for a in config["yield_test"]["directions"]),
        matrix=str(config["yield_test"]["matrix"]),
        # only a thawed matrix uses it: a frozen job does not rerun when it changes
        thawed_stiffness=(
            float(config["yield_test"]["thawed_stiffness"])
            if config["yield_test"]["matrix"] == "thawed"
            else 0.0
        ),
        max_blocks=int(config["yield_test"]["max_blocks"]),
        # adaptive block count: target_error, or (target_error, drop_target_error)
        target_error=get_block_count_targets(),
        cutoffs=get_cutoffs(),
        width=float(config["analysis"]["blocks"]["width"]),
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
        flow=f"{YIELD}/flow_thresholds.parquet",
        flow_summary=f"{YIELD}/flow_threshold_summary.parquet",
    log:
        f"{LOGS}/yield/rho{{rho}}_summary.log",
    benchmark:
        f"{LOGS}/benchmarks/summarize_local_yield/rho{{rho}}_summary.tsv"
    params:
        strain_step=float(config["yield_test"]["strain_step"]),
        drop_factor=float(config["yield_test"]["drop_factor"]),
    script:
        "../scripts/summarize_local_yield.py"


rule plot_fig5b:
    input:
        local=all_densities(f"{YIELD}/local_yield.parquet"),
        summary=all_densities(f"{YIELD}/yield_summary.parquet"),
    output:
        fig5b=report(
            "results/figures/fig5b.png",
            caption="../report/fig5b.rst",
            category="Local yield",
        ),
        thresholds=report(
            "results/figures/fig5c_thresholds.png",
            caption="../report/fig5c_thresholds.rst",
            category="Local yield",
        ),
    log:
        f"{LOGS}/yield/fig5b.log",
    params:
        pattern=get_label_pattern(f"{YIELD}/local_yield.parquet"),
        dpi=int(config["figures"]["dpi"]),
    script:
        "../scripts/plot_fig5b.py"
