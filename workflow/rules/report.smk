# Table 1 (summary.parquet), per-run couplings (R, kappa), Fig. 3 (HL vs MD), the modified-HL
# prediction and report.html.


rule summarize_densities:
    input:
        modulus="results/modulus.parquet",
        fit="results/hb_fit.parquet",
        hl_fit="results/hl_fit.parquet",
        yield_summary=all_densities("results/yield/rho{rho}/yield_summary.parquet"),
        diffusion="results/diffusion_summary.parquet",
        inflow="results/inflow_thresholds.parquet",
        run_couplings="results/run_couplings.parquet",
    output:
        "results/summary.parquet",
    log:
        f"{LOGS}/report/summary.log",
    params:
        shear_rate=get_lowest_rate(),
    script:
        "../scripts/summarize_densities.py"


rule summarize_run_couplings:
    input:
        yield_summary=all_densities("results/yield/rho{rho}/yield_summary.parquet"),
        local_yield=all_densities("results/yield/rho{rho}/local_yield.parquet"),
        diffusion="results/diffusion_summary.parquet",
        noise="results/block_noise.parquet",
        noise_jackknife="results/block_noise_jackknife.parquet",
        inflow="results/inflow_thresholds.parquet",
    output:
        "results/run_couplings.parquet",
    log:
        f"{LOGS}/report/run_couplings.log",
    script:
        "../scripts/summarize_run_couplings.py"


rule predict_modified_hl:
    input:
        summary="results/summary.parquet",
        local_yield=all_densities("results/yield/rho{rho}/local_yield.parquet"),
        runs="results/diffusion_summary.parquet",
        noise="results/block_noise.parquet",
        flow="results/flow_curve.parquet",
        block_stress=get_lowest_rate_runs(f"{RUN}/block_stress.parquet"),
    output:
        prediction="results/hl/modified_vs_md.parquet",
        ingredients="results/hl/modified_ingredients.parquet",
        distributions="results/hl/modified_distributions.parquet",
    log:
        f"{LOGS}/report/modified_vs_md.log",
    params:
        ingredients=config["hl_model"]["modified"]["ingredients"],
        n_bootstrap=int(config["hl_model"]["modified"]["n_bootstrap"]),
        steady_strain=float(config["shear"]["steady_strain"]),
        local_yield_pattern=get_label_pattern(
            "results/yield/rho{rho}/local_yield.parquet"
        ),
        block_stress_pattern=get_label_pattern(f"{RUN}/block_stress.parquet"),
    script:
        "../scripts/predict_modified_hl.py"


rule plot_hl_comparison:
    input:
        summary="results/summary.parquet",
        flow="results/flow_curve.parquet",
        prediction="results/hl/modified_vs_md.parquet",
        parametric="results/hl/parametric_curve.parquet",
    output:
        fig3=report(
            "results/figures/fig3.png",
            caption="../report/fig3.rst",
            category="HL comparison",
        ),
        rescaled=report(
            "results/figures/fig2_rescaled.png",
            caption="../report/fig2_rescaled.rst",
            category="Flow curves",
        ),
    log:
        f"{LOGS}/report/fig3.log",
    params:
        dpi=int(config["figures"]["dpi"]),
    script:
        "../scripts/plot_hl_comparison.py"


rule plot_meanfield_alphas:
    input:
        summary="results/summary.parquet",
    output:
        "results/figures/meanfield_alphas.png",
    log:
        f"{LOGS}/report/meanfield_alphas.log",
    params:
        dpi=int(config["figures"]["dpi"]),
    script:
        "../scripts/plot_meanfield_alphas.py"


rule write_report:
    input:
        summary="results/summary.parquet",
        runs="results/run_couplings.parquet",
        flow="results/flow_curve.parquet",
        fit="results/hb_fit.parquet",
        hl_fit="results/hl_fit.parquet",
        sensitivity=all_densities(
            "results/yield/rho{rho}/drop_rule_sensitivity.parquet"
        ),
        glass_quality="results/glass_quality.parquet",
        modified_hl="results/hl/modified_vs_md.parquet",
        modified_ingredients="results/hl/modified_ingredients.parquet",
        figures=get_report_figures(),
    output:
        report(
            "results/report.html",
            caption="../report/report.rst",
            category="Table 1 and report",
        ),
    log:
        f"{LOGS}/report/report.log",
    params:
        benchmarks=f"{LOGS}/benchmarks",
    script:
        "../scripts/write_report.py"
