# Coarse-grained block stresses (Eq. 6), their MSD (Eq. 7), D_sigma, D_HL, Gamma and Fig. 4b.
# Per-run tables live beside the run's frames in RUN; the collected table and the figure in
# results/. Needs: RUN/frames.parquet (shear), results/modulus.parquet (flow) and
# RUN/plasticity_summary.parquet (plasticity: phi, phi_err, tau_p, tau_p_err, l_pl).


rule compute_block_stress:
    input:
        frames=f"{RUN}/frames.parquet",
        plasticity=get_cluster_size_input(RUN),
    output:
        f"{RUN}/block_stress.parquet",
    log:
        f"{LOGS}/stress/rho{{rho}}_rate{{rate}}_seed{{seed}}_block_stress.log",
    benchmark:
        f"{LOGS}/benchmarks/compute_block_stress/rho{{rho}}_rate{{rate}}_seed{{seed}}_block_stress.tsv"
    params:
        width=float(config["analysis"]["blocks"]["width"]),
        from_cluster_size=bool(config["analysis"]["blocks"]["from_cluster_size"]),
    script:
        "../scripts/compute_block_stress.py"


rule compute_stress_msd:
    input:
        block_stress=f"{RUN}/block_stress.parquet",
        modulus="results/modulus.parquet",
    output:
        msd=f"{RUN}/stress_msd.parquet",
        samples=f"{RUN}/stress_msd_blocks.parquet",
    log:
        f"{LOGS}/stress/rho{{rho}}_rate{{rate}}_seed{{seed}}_stress_msd.log",
    benchmark:
        f"{LOGS}/benchmarks/compute_stress_msd/rho{{rho}}_rate{{rate}}_seed{{seed}}_stress_msd.tsv"
    params:
        max_lag=float(config["analysis"]["stress_msd"]["max_lag"]),
    script:
        "../scripts/compute_stress_msd.py"


rule summarize_diffusion:
    input:
        samples=f"{RUN}/stress_msd_blocks.parquet",
        block_stress=f"{RUN}/block_stress.parquet",
        plasticity=f"{RUN}/plasticity_summary.parquet",
        modulus="results/modulus.parquet",
    output:
        f"{RUN}/diffusion_summary.parquet",
    log:
        f"{LOGS}/stress/rho{{rho}}_rate{{rate}}_seed{{seed}}_diffusion_summary.log",
    params:
        fit_window=tuple(
            float(t) for t in config["analysis"]["stress_msd"]["fit_window"]
        ),
    script:
        "../scripts/summarize_diffusion.py"


rule collect_diffusion:
    input:
        all_runs(f"{RUN}/diffusion_summary.parquet"),
    output:
        "results/diffusion_summary.parquet",
    log:
        f"{LOGS}/stress/diffusion_summary.log",
    script:
        "../scripts/collect_diffusion.py"


rule plot_fig4b:
    input:
        msd=get_lowest_rate_runs(f"{RUN}/stress_msd.parquet"),
        summary="results/diffusion_summary.parquet",
    output:
        report(
            "results/figures/fig4b.png",
            caption="../report/fig4b.rst",
            category="Stress diffusion",
        ),
    log:
        f"{LOGS}/stress/fig4b.log",
    params:
        pattern=get_label_pattern(f"{RUN}/stress_msd.parquet"),
        shear_rate=get_lowest_rate(),
        dpi=int(config["figures"]["dpi"]),
    script:
        "../scripts/plot_fig4b.py"


rule compute_block_noise:
    input:
        series=f"{RUN}/block_series.parquet",
        events=f"{RUN}/events.parquet",
        activity=f"{RUN}/activity.parquet",
        onsets=f"{RUN}/onset_stress.parquet",
    output:
        noise=f"{RUN}/block_noise.parquet",
        jackknife=f"{RUN}/block_noise_jackknife.parquet",
    log:
        f"{LOGS}/stress/rho{{rho}}_rate{{rate}}_seed{{seed}}_block_noise.log",
    params:
        plan=get_plan_settings,
        margin=float(config["analysis"]["d2min"]["lag"]),
        fit_window=tuple(float(t) for t in config["analysis"]["noise"]["fit_window"]),
        n_segments=int(config["analysis"]["noise"]["n_segments"]),
    script:
        "../scripts/compute_block_noise.py"


rule collect_block_noise:
    input:
        noise=all_runs(f"{RUN}/block_noise.parquet"),
        jackknife=all_runs(f"{RUN}/block_noise_jackknife.parquet"),
    output:
        noise="results/block_noise.parquet",
        jackknife="results/block_noise_jackknife.parquet",
    log:
        f"{LOGS}/stress/block_noise.log",
    script:
        "../scripts/collect_block_noise.py"
