# Table 1 (summary.parquet), per-run couplings (R, kappa), Fig. 3 (HL vs MD), the modified-HL
# prediction and report.html.


rule summarize_densities:
    input:
        modulus="results/modulus.parquet",
        fit="results/hb_fit.parquet",
        hl_fit="results/hl_fit.parquet",
        yield_summary=all_densities("results/yield/rho{rho}/yield_summary.parquet"),
        diffusion="results/diffusion_summary.parquet",
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
    output:
        "results/run_couplings.parquet",
    log:
        f"{LOGS}/report/run_couplings.log",
    script:
        "../scripts/summarize_run_couplings.py"


rule predict_modified_hl:
    input:
        "results/summary.parquet",
    output:
        "results/hl/modified_vs_md.parquet",
    log:
        f"{LOGS}/report/modified_vs_md.log",
    params:
        rate_range=get_hl_rate_range(),
    script:
        "../scripts/predict_modified_hl.py"


rule plot_hl_comparison:
    input:
        summary="results/summary.parquet",
        flow="results/flow_curve.parquet",
        prediction="results/hl/modified_vs_md.parquet",
        parametric="results/hl/parametric_curve.parquet",
    output:
        fig3="results/figures/fig3.png",
        rescaled="results/figures/fig2_rescaled.png",
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
        figures=get_report_figures(),
    output:
        "results/report.html",
    log:
        f"{LOGS}/report/report.log",
    script:
        "../scripts/write_report.py"
