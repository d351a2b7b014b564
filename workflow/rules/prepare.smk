# Glass preparation: random liquid -> T = 1 -> fast quench -> minimized T = 0 glass.


rule quench_glass:
    input:
        script=get_lammps_script("in.prepare"),
        includes=get_lammps_includes("in.prepare"),
    output:
        data=f"{GLASS}/glass.data",
    log:
        f"{LOGS}/prepare/rho{{rho}}_seed{{seed}}.log",
    benchmark:
        f"{LOGS}/benchmarks/quench_glass/rho{{rho}}_seed{{seed}}.tsv"
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


# Glass quality: partial g(r) and local hexatic order with freud; crystallised glasses are
# flagged in the job log, results/glass_quality.parquet and the report.
rule compute_glass_structure:
    input:
        data=rules.quench_glass.output.data,
    output:
        rdf=f"{GLASS}/rdf.parquet",
        structure=f"{GLASS}/structure.parquet",
    log:
        f"{LOGS}/prepare/structure_rho{{rho}}_seed{{seed}}.log",
    benchmark:
        f"{LOGS}/benchmarks/compute_glass_structure/structure_rho{{rho}}_seed{{seed}}.tsv"
    params:
        rdf_r_max=float(config["analysis"]["structure"]["rdf_r_max"]),
        rdf_bins=int(config["analysis"]["structure"]["rdf_bins"]),
        psi6_threshold=float(config["analysis"]["structure"]["psi6_threshold"]),
    script:
        "../scripts/compute_glass_structure.py"


rule summarize_glass_quality:
    input:
        all_glasses(f"{GLASS}/structure.parquet"),
    output:
        "results/glass_quality.parquet",
    log:
        f"{LOGS}/prepare/glass_quality.log",
    params:
        psi6_threshold=float(config["analysis"]["structure"]["psi6_threshold"]),
        max_crystalline_fraction=float(
            config["analysis"]["structure"]["max_crystalline_fraction"]
        ),
    script:
        "../scripts/summarize_glass_quality.py"


rule plot_glass_quality:
    input:
        quality="results/glass_quality.parquet",
        rdf=all_glasses(f"{GLASS}/rdf.parquet"),
        structure=all_glasses(f"{GLASS}/structure.parquet"),
    output:
        report(
            "results/figures/glass_quality.png",
            caption="../report/glass_quality.rst",
            category="Glass",
        ),
    log:
        f"{LOGS}/prepare/glass_quality_figure.log",
    params:
        dpi=int(config["figures"]["dpi"]),
    script:
        "../scripts/plot_glass_quality.py"
