# D_noise and the alphas per coarse block width W (issue 19, item 6), at the lowest rate.
# Per run: D_noise, D_all and Gamma on every grid of the block-size scan, with their
# delete-one values (compute_width_noise). Over all runs: every alpha per W with joint
# jackknife errors, the frozen-matrix threshold on its own grid only (summarize_width_alphas;
# an aggregate, so the per-run job group never waits for the frozen-matrix tests), and the
# figure. Needs: RUN/block_series.parquet (shear), RUN/events.parquet,
# RUN/plasticity_summary.parquet, RUN/block_width_scan.parquet (plasticity),
# results/modulus.parquet (flow) and YIELD/yield_summary.parquet (yield).


rule compute_width_noise:
    input:
        series=f"{RUN}/block_series.parquet",
        events=f"{RUN}/events.parquet",
        plasticity=f"{RUN}/plasticity_summary.parquet",
        scan=f"{RUN}/block_width_scan.parquet",
        onsets=f"{RUN}/block_width_onsets.parquet",
    output:
        noise=f"{RUN}/width_noise.parquet",
        jackknife=f"{RUN}/width_noise_jackknife.parquet",
    log:
        f"{LOGS}/stress/rho{{rho}}_rate{{rate}}_seed{{seed}}_width_noise.log",
    params:
        plan=get_plan_settings,
        margin=float(config["analysis"]["d2min"]["lag"]),
        fit_window=tuple(float(t) for t in config["analysis"]["noise"]["fit_window"]),
        n_segments=int(config["analysis"]["noise"]["n_segments"]),
        min_particles=int(config["analysis"]["events"]["min_particles"]),
        min_duration=float(config["analysis"]["events"]["min_duration"]),
    script:
        "../scripts/compute_width_noise.py"


rule summarize_width_alphas:
    input:
        noise=get_lowest_rate_runs(f"{RUN}/width_noise.parquet"),
        jackknife=get_lowest_rate_runs(f"{RUN}/width_noise_jackknife.parquet"),
        scan="results/block_width_scan.parquet",
        modulus="results/modulus.parquet",
        yield_summary=all_densities(f"{YIELD}/yield_summary.parquet"),
        cluster_size=all_densities(get_cluster_size_input(get_yield_run_dir())),
    output:
        "results/width_alphas.parquet",
    log:
        f"{LOGS}/stress/width_alphas.log",
    params:
        pattern=get_label_pattern(f"{RUN}/width_noise.parquet"),
        yield_pattern=get_label_pattern(f"{YIELD}/yield_summary.parquet"),
        cluster_pattern=get_label_pattern(
            f"{get_yield_run_dir()}/plasticity_summary.parquet"
        ),
        frozen_width=float(config["analysis"]["blocks"]["width"]),
    script:
        "../scripts/summarize_width_alphas.py"


rule plot_width_alphas:
    input:
        alphas="results/width_alphas.parquet",
        summary="results/summary.parquet",
    output:
        report(
            "results/figures/width_alphas.png",
            caption="../report/width_alphas.rst",
            category="Mean-field test",
        ),
    log:
        f"{LOGS}/stress/width_alphas_figure.log",
    params:
        dpi=int(config["figures"]["dpi"]),
    script:
        "../scripts/plot_width_alphas.py"
