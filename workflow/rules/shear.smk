# Steady shear in restartable strain segments, then one thermo and one frames table per run,
# and the per-block stress series LAMMPS wrote over the whole run (block_series.parquet).


rule run_shear_segment:
    input:
        glass=f"{GLASS}/glass.data",
        restart=get_previous_restart,
        script=get_lammps_script("in.shear"),
        includes=get_lammps_includes("in.shear", "include/block_grid.lmp"),
    output:
        restart=f"{RUN}/segments/seg{{segment}}.restart",
        thermo=f"{RUN}/segments/thermo{{segment}}.parquet",
        frames=f"{RUN}/segments/frames{{segment}}.parquet",
        blocks=f"{RUN}/segments/blocks{{segment}}.parquet",
    log:
        f"{LOGS}/shear/rho{{rho}}_rate{{rate}}_seed{{seed}}_seg{{segment}}.log",
    benchmark:
        f"{LOGS}/benchmarks/run_shear_segment/rho{{rho}}_rate{{rate}}_seed{{seed}}_seg{{segment}}.tsv"
    threads: get_lammps_ranks
    resources:
        lammps=get_lammps_ranks,
        tasks=get_lammps_ranks,
        cpus_per_task=1,
        mpi=get_mpi_launcher,
        runtime=get_shear_runtime,
        mem_mb=get_shear_mem_mb,
    params:
        model=get_model_params(),
        plan=get_plan_settings,
        dynamics=get_dynamics_params(),
        block_series=get_block_series_params(),
        workdir=f"{RUN}/segments",
    script:
        "../scripts/run_shear_segment.py"


rule merge_shear_run:
    input:
        thermo=get_segment_tables("thermo"),
        frames=get_segment_tables("frames"),
    output:
        thermo=f"{RUN}/thermo.parquet",
        frames=f"{RUN}/frames.parquet",
    log:
        f"{LOGS}/shear/rho{{rho}}_rate{{rate}}_seed{{seed}}_merge.log",
    benchmark:
        f"{LOGS}/benchmarks/merge_shear_run/rho{{rho}}_rate{{rate}}_seed{{seed}}_merge.tsv"
    resources:
        runtime=get_merge_runtime,
        mem_mb=get_merge_mem_mb,
    params:
        plan=get_plan_settings,
    script:
        "../scripts/merge_shear_run.py"


rule merge_block_series:
    input:
        get_segment_tables("blocks"),
    output:
        f"{RUN}/block_series.parquet",
    log:
        f"{LOGS}/shear/rho{{rho}}_rate{{rate}}_seed{{seed}}_merge_block_series.log",
    params:
        model=get_model_params(),
    script:
        "../scripts/merge_block_series.py"
