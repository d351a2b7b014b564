# Glass preparation: random liquid -> T = 1 -> fast quench -> minimized T = 0 glass.


rule quench_glass:
    input:
        script=get_lammps_script("in.prepare"),
        includes=get_lammps_includes("in.prepare"),
    output:
        data=f"{GLASS}/glass.data",
    log:
        f"{LOGS}/prepare/rho{{rho}}_seed{{seed}}.log",
    threads: get_lammps_ranks
    resources:
        lammps=get_lammps_ranks,
        tasks=get_lammps_ranks,
        cpus_per_task=1,
        mpi=get_mpi_launcher,
        runtime=get_quench_runtime,
        mem_mb=get_quench_mem_mb,
    params:
        model=get_model_params(),
        quench=get_quench_params(),
    script:
        "../scripts/quench_glass.py"
