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
        diffusion="results/diffusion_summary.parquet",
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
