# Hébraud–Lequeux model: Fig. 3's parametric line, exact HL flow curves and the modified
# model (threshold distribution + partial relaxation). Units σ_c = G0 = τ = 1; no MD input,
# except plot_modified_hl, which draws the prediction from measured ingredients (report.smk).


rule compute_hl_parametric_curve:
    output:
        "results/hl/parametric_curve.parquet",
    log:
        f"{LOGS}/hl/parametric_curve.log",
    benchmark:
        f"{LOGS}/benchmarks/compute_hl_parametric_curve/parametric_curve.tsv"
    script:
        "../scripts/compute_hl_parametric_curve.py"


rule solve_hl_flow_curves:
    output:
        "results/hl/flow_curves.parquet",
    log:
        f"{LOGS}/hl/flow_curves.log",
    benchmark:
        f"{LOGS}/benchmarks/solve_hl_flow_curves/flow_curves.tsv"
    params:
        alphas=tuple(float(a) for a in config["hl_model"]["alphas"]),
        rate_range=get_hl_rate_range(),
    script:
        "../scripts/solve_hl_flow_curves.py"


rule solve_modified_hl_flow_curves:
    output:
        "results/hl/modified_flow_curves.parquet",
    log:
        f"{LOGS}/hl/modified_flow_curves.log",
    benchmark:
        f"{LOGS}/benchmarks/solve_modified_hl_flow_curves/modified_flow_curves.tsv"
    params:
        alphas=tuple(float(a) for a in config["hl_model"]["alphas"]),
        rate_range=get_hl_rate_range(),
        threshold_width=float(config["hl_model"]["modified"]["threshold_width"]),
        relaxation_fraction=float(config["hl_model"]["modified"]["relaxation_fraction"]),
    script:
        "../scripts/solve_modified_hl_flow_curves.py"


rule plot_modified_hl:
    input:
        prediction="results/hl/modified_vs_md.parquet",
        distributions="results/hl/modified_distributions.parquet",
    output:
        stress="results/figures/modified_hl_stress.png",
        stress_distribution="results/figures/modified_hl_stress_distribution.png",
        distance_distribution="results/figures/modified_hl_distance_distribution.png",
        activity="results/figures/modified_hl_activity.png",
    log:
        f"{LOGS}/hl/plot_modified_hl.log",
    params:
        dpi=int(config["figures"]["dpi"]),
    script:
        "../scripts/plot_modified_hl.py"
