# Flow curves: steady-state stress per (density, rate), Herschel-Bulkley fits, G0, Fig. 2.


rule compute_flow_curve:
    input:
        thermo=all_runs(f"{RUN}/thermo.parquet"),
    output:
        "results/flow_curve.parquet",
    log:
        f"{LOGS}/flow/flow_curve.log",
    benchmark:
        f"{LOGS}/benchmarks/compute_flow_curve/flow_curve.tsv"
    params:
        pattern=get_label_pattern(f"{RUN}/thermo.parquet"),
        n_blocks=int(config["analysis"]["flow"]["n_error_blocks"]),
    script:
        "../scripts/compute_flow_curve.py"


rule fit_herschel_bulkley:
    input:
        "results/flow_curve.parquet",
    output:
        hb="results/hb_fit.parquet",
        hl="results/hl_fit.parquet",
    log:
        f"{LOGS}/flow/hb_fit.log",
    benchmark:
        f"{LOGS}/benchmarks/fit_herschel_bulkley/hb_fit.tsv"
    params:
        rate_min=(config["analysis"]["flow"]["hb_rate_range"] or [None, None])[0],
        rate_max=(config["analysis"]["flow"]["hb_rate_range"] or [None, None])[1],
    script:
        "../scripts/fit_herschel_bulkley.py"


rule compute_modulus:
    input:
        thermo=get_modulus_runs(f"{RUN}/thermo.parquet"),
    output:
        "results/modulus.parquet",
    log:
        f"{LOGS}/flow/modulus.log",
    benchmark:
        f"{LOGS}/benchmarks/compute_modulus/modulus.tsv"
    params:
        pattern=get_label_pattern(f"{RUN}/thermo.parquet"),
        from_glass=starts_from_glass(
            get_rate_slug(config["analysis"]["flow"]["modulus_rate_index"])
        ),
        elastic_strain_max=float(config["analysis"]["flow"]["elastic_strain_max"]),
    script:
        "../scripts/compute_modulus.py"


rule plot_flow_curves:
    input:
        flow="results/flow_curve.parquet",
        fit="results/hb_fit.parquet",
    output:
        report(
            "results/figures/fig2.png",
            caption="../report/fig2.rst",
            category="Flow curves",
        ),
    log:
        f"{LOGS}/flow/fig2.log",
    params:
        dpi=int(config["figures"]["dpi"]),
    script:
        "../scripts/plot_flow_curves.py"
