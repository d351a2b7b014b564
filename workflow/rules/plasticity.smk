# Plastic activity (paper §3, Eq. 5; §3.2; §3.3): D2min per frame pair, active particles and
# blocks, periodic clusters (<l_pl>), coarse active fraction phi, event onsets (Gamma), the
# literal C_p(t) (tau_p_window) and the time-resolved C(t) (tau_p), Figs 4a, 5a.
# Per-run tables live beside the run's frames in RUN; the collected table and figures in
# results/. Needs RUN/frames.parquet and RUN/thermo.parquet (shear).


rule compute_d2min:
    input:
        frames=f"{RUN}/frames.parquet",
    output:
        f"{RUN}/d2min.parquet",
    log:
        f"{LOGS}/plasticity/rho{{rho}}_rate{{rate}}_seed{{seed}}_d2min.log",
    benchmark:
        f"{LOGS}/benchmarks/compute_d2min/rho{{rho}}_rate{{rate}}_seed{{seed}}_d2min.tsv"
    params:
        lag=float(config["analysis"]["d2min"]["lag"]),
        r_max=float(config["analysis"]["d2min"]["r_max"]),
    script:
        "../scripts/compute_d2min.py"


rule compute_activity:
    input:
        frames=f"{RUN}/frames.parquet",
        d2min=f"{RUN}/d2min.parquet",
    output:
        activity=f"{RUN}/activity.parquet",
        clusters=f"{RUN}/clusters.parquet",
        events=f"{RUN}/events.parquet",
    log:
        f"{LOGS}/plasticity/rho{{rho}}_rate{{rate}}_seed{{seed}}_activity.log",
    benchmark:
        f"{LOGS}/benchmarks/compute_activity/rho{{rho}}_rate{{rate}}_seed{{seed}}_activity.tsv"
    params:
        threshold=float(config["analysis"]["d2min"]["threshold"]),
        activity_block=float(config["analysis"]["activity_block"]),
        coarse_width=float(config["analysis"]["blocks"]["width"]),
        from_cluster_size=bool(config["analysis"]["blocks"]["from_cluster_size"]),
    script:
        "../scripts/compute_activity.py"


rule compute_d2min_autocorr:
    input:
        f"{RUN}/d2min.parquet",
    output:
        f"{RUN}/d2min_autocorr.parquet",
    log:
        f"{LOGS}/plasticity/rho{{rho}}_rate{{rate}}_seed{{seed}}_d2min_autocorr.log",
    benchmark:
        f"{LOGS}/benchmarks/compute_d2min_autocorr/rho{{rho}}_rate{{rate}}_seed{{seed}}_d2min_autocorr.tsv"
    params:
        threshold=float(config["analysis"]["d2min"]["threshold"]),
        max_lag=float(config["analysis"]["autocorr"]["max_lag"]),
    script:
        "../scripts/compute_d2min_autocorr.py"


rule compute_event_duration:
    input:
        frames=f"{RUN}/frames.parquet",
        d2min=f"{RUN}/d2min.parquet",
    output:
        curves=f"{RUN}/event_autocorr.parquet",
        durations=f"{RUN}/event_duration.parquet",
    log:
        f"{LOGS}/plasticity/rho{{rho}}_rate{{rate}}_seed{{seed}}_event_duration.log",
    benchmark:
        f"{LOGS}/benchmarks/compute_event_duration/rho{{rho}}_rate{{rate}}_seed{{seed}}_event_duration.tsv"
    params:
        threshold=config["analysis"]["d2min"]["threshold"],
        lag=config["analysis"]["d2min"]["lag"],
        r_max=config["analysis"]["d2min"]["r_max"],
        short_lag=config["analysis"]["event_duration"]["short_lag"],
        n_short_lags=config["analysis"]["event_duration"]["n_short_lags"],
        max_lag=config["analysis"]["autocorr"]["max_lag"],
    script:
        "../scripts/compute_event_duration.py"


rule summarize_plasticity:
    input:
        activity=f"{RUN}/activity.parquet",
        clusters=f"{RUN}/clusters.parquet",
        autocorr=f"{RUN}/d2min_autocorr.parquet",
        durations=f"{RUN}/event_duration.parquet",
        events=f"{RUN}/events.parquet",
    output:
        f"{RUN}/plasticity_summary.parquet",
    log:
        f"{LOGS}/plasticity/rho{{rho}}_rate{{rate}}_seed{{seed}}_summary.log",
    params:
        threshold=float(config["analysis"]["d2min"]["threshold"]),
        lag=float(config["analysis"]["d2min"]["lag"]),
        min_particles=int(config["analysis"]["events"]["min_particles"]),
        min_duration=float(config["analysis"]["events"]["min_duration"]),
        percolation_limit=float(config["analysis"]["events"]["percolation_limit"]),
    script:
        "../scripts/summarize_plasticity.py"


rule collect_plasticity:
    input:
        all_runs(f"{RUN}/plasticity_summary.parquet"),
    output:
        "results/plasticity_summary.parquet",
    log:
        f"{LOGS}/plasticity/plasticity_summary.log",
    params:
        pattern=get_label_pattern(f"{RUN}/plasticity_summary.parquet"),
    script:
        "../scripts/collect_plasticity.py"


rule plot_fig4a:
    input:
        thermo=get_fig4a_run(f"{RUN}/thermo.parquet"),
        activity=get_fig4a_run(f"{RUN}/activity.parquet"),
    output:
        report(
            "results/figures/fig4a.png",
            caption="../report/fig4a.rst",
            category="Plasticity",
        ),
    log:
        f"{LOGS}/plasticity/fig4a.log",
    params:
        dpi=int(config["figures"]["dpi"]),
    script:
        "../scripts/plot_fig4a.py"


rule plot_fig5a:
    input:
        autocorr=get_lowest_rate_runs(f"{RUN}/d2min_autocorr.parquet"),
        event_autocorr=get_lowest_rate_runs(f"{RUN}/event_autocorr.parquet"),
    output:
        report(
            "results/figures/fig5a.png",
            caption="../report/fig5a.rst",
            category="Plasticity",
        ),
    log:
        f"{LOGS}/plasticity/fig5a.log",
    params:
        pattern=get_label_pattern(f"{RUN}/d2min_autocorr.parquet"),
        event_pattern=get_label_pattern(f"{RUN}/event_autocorr.parquet"),
        dpi=int(config["figures"]["dpi"]),
    script:
        "../scripts/plot_fig5a.py"


rule compute_onset_stress:
    input:
        block_stress=f"{RUN}/block_stress.parquet",
        events=f"{RUN}/events.parquet",
        activity=f"{RUN}/activity.parquet",
    output:
        onsets=f"{RUN}/onset_stress.parquet",
        profile=f"{RUN}/onset_profile.parquet",
        summary=f"{RUN}/inflow_summary.parquet",
    log:
        f"{LOGS}/plasticity/rho{{rho}}_rate{{rate}}_seed{{seed}}_onset_stress.log",
    params:
        min_particles=int(config["analysis"]["events"]["min_particles"]),
        min_duration=float(config["analysis"]["events"]["min_duration"]),
        drop_delay=float(config["analysis"]["inflow"]["drop_delay"]),
        level_width=float(config["analysis"]["inflow"]["level_width"]),
        pre=float(config["analysis"]["inflow"]["pre"]),
        post=float(config["analysis"]["inflow"]["post"]),
        n_segments=int(config["analysis"]["inflow"]["n_segments"]),
    script:
        "../scripts/compute_onset_stress.py"


rule collect_inflow:
    input:
        all_runs(f"{RUN}/inflow_summary.parquet"),
    output:
        "results/inflow_summary.parquet",
    log:
        f"{LOGS}/plasticity/inflow_summary.log",
    params:
        pattern=get_label_pattern(f"{RUN}/inflow_summary.parquet"),
    script:
        "../scripts/collect_inflow.py"


rule compare_inflow_thresholds:
    input:
        inflow="results/inflow_summary.parquet",
        local=all_densities(f"{YIELD}/local_yield.parquet"),
    output:
        "results/inflow_thresholds.parquet",
    log:
        f"{LOGS}/plasticity/inflow_thresholds.log",
    params:
        shear_rate=get_lowest_rate(),
        local_pattern=get_label_pattern(f"{YIELD}/local_yield.parquet"),
    script:
        "../scripts/compare_inflow_thresholds.py"


rule plot_inflow_thresholds:
    input:
        local=all_densities(f"{YIELD}/local_yield.parquet"),
        onsets=get_lowest_rate_runs(f"{RUN}/onset_stress.parquet"),
        profiles=get_lowest_rate_runs(f"{RUN}/onset_profile.parquet"),
    output:
        "results/figures/inflow_thresholds.png",
    log:
        f"{LOGS}/plasticity/inflow_thresholds_figure.log",
    params:
        local_pattern=get_label_pattern(f"{YIELD}/local_yield.parquet"),
        pattern=get_label_pattern(f"{RUN}/onset_stress.parquet"),
        profile_pattern=get_label_pattern(f"{RUN}/onset_profile.parquet"),
        dpi=int(config["figures"]["dpi"]),
    script:
        "../scripts/plot_inflow_thresholds.py"


rule compute_block_width_scan:
    input:
        frames=f"{RUN}/frames.parquet",
        events=f"{RUN}/events.parquet",
        activity=f"{RUN}/activity.parquet",
        plasticity=f"{RUN}/plasticity_summary.parquet",
        modulus="results/modulus.parquet",
    output:
        scan=f"{RUN}/block_width_scan.parquet",
        onsets=f"{RUN}/block_width_onsets.parquet",
    log:
        f"{LOGS}/plasticity/rho{{rho}}_rate{{rate}}_seed{{seed}}_block_width_scan.log",
    params:
        widths=tuple(float(w) for w in config["analysis"]["inflow"]["widths"]),
        max_lag=float(config["analysis"]["stress_msd"]["max_lag"]),
        fit_window=tuple(
            float(t) for t in config["analysis"]["stress_msd"]["fit_window"]
        ),
        min_particles=int(config["analysis"]["events"]["min_particles"]),
        min_duration=float(config["analysis"]["events"]["min_duration"]),
        drop_delay=float(config["analysis"]["inflow"]["drop_delay"]),
        level_width=float(config["analysis"]["inflow"]["level_width"]),
        n_segments=int(config["analysis"]["inflow"]["n_segments"]),
    script:
        "../scripts/compute_block_width_scan.py"


rule collect_block_width_scan:
    input:
        get_lowest_rate_runs(f"{RUN}/block_width_scan.parquet"),
    output:
        "results/block_width_scan.parquet",
    log:
        f"{LOGS}/plasticity/block_width_scan.log",
    params:
        pattern=get_label_pattern(f"{RUN}/block_width_scan.parquet"),
    script:
        "../scripts/collect_block_width_scan.py"


rule plot_block_width_scan:
    input:
        "results/block_width_scan.parquet",
    output:
        "results/figures/block_width_scan.png",
    log:
        f"{LOGS}/plasticity/block_width_scan_figure.log",
    params:
        shear_rate=get_lowest_rate(),
        dpi=int(config["figures"]["dpi"]),
    script:
        "../scripts/plot_block_width_scan.py"
