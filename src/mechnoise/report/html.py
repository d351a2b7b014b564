"""report.html: Table 1 (as the paper prints it), the flow-curve fits, extra tables, glass
quality, every figure and the cost of each kind of job in one self-contained page."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from mechnoise import columns
from mechnoise.structure import crystallisation_warnings

#: Which τ, Γ and D enter each coupling, in the HL equation's convention and the paper's.
INGREDIENTS_HTML = """<h2>Which tau, Gamma and D enter each alpha</h2>
<table><tr><th>quantity</th><th>definition</th><th>convention</th><th>tau</th><th>Gamma</th>
<th>D</th></tr>
<tr><td>alpha_micro</td><td>D_sigma / (&lt;Delta sigma^m&gt;^2 Gamma)</td><td>paper (Eq. 8)</td>
<td>-</td><td>Gamma (event onsets)</td><td>D_sigma = MSD/t (Eq. 7)</td></tr>
<tr><td>alpha_micro_dhl</td><td>D_HL / (&lt;Delta sigma^m&gt;^2 Gamma)</td><td>HL equation
(MSD = 2 D t)</td><td>-</td><td>Gamma (event onsets)</td><td>D_HL = D_sigma / 2</td></tr>
<tr><td>alpha_micro_hl</td><td>D_sigma / (&lt;sigma_c^m&gt;^2 Gamma)</td><td>paper, HL stress
jump sigma_c (Sec. 4b)</td><td>-</td><td>Gamma (event onsets)</td><td>D_sigma = MSD/t</td></tr>
<tr><td>alpha_kappa</td><td>kappa tanh(1/(2 kappa)), kappa = D_HL/(G0 gamma_dot
&lt;sigma_c^m&gt;)</td><td>HL equation, small rate</td><td>none</td><td>none</td>
<td>D_HL = D_sigma / 2</td></tr>
<tr><td>alpha_flow</td><td>HL sigma_Y/sigma_c(alpha) = sigma_Y/&lt;sigma_c^m&gt;</td>
<td>HL (Eq. 15)</td><td>none</td><td>none</td><td>none</td></tr>
<tr><td>prefactor_rescaled</td><td>A / sqrt(G0 &lt;sigma_c^m&gt; tau_p)</td><td>HL units</td>
<td>tau_p (time-resolved)</td><td>-</td><td>-</td></tr>
</table>
<p>tau_p: decay time of the correlation of the short-lag non-affine amplitude
sqrt(D2min(t, ds)) on active particles, background-subtracted, fitted with a plateau.
tau_p_window (the paper's literal C_p of the lag-delta-t D2min) and Gamma_phi = phi /
tau_p_window (the former Gamma) grow with the D2min lag and enter no alpha; they are shown for
comparison. R = Gamma &lt;Delta sigma^m&gt;/(G0 gamma_dot) checks Gamma by the strain balance
(about 1 if Gamma counts events).</p>"""


def table1_html(summary: pd.DataFrame, columns: dict[str, tuple[str, str, str]]) -> str:
    """Table 1 as the paper prints it: a column per density, each value ± its error.

    Parameters
    ----------
    summary : DataFrame
        ``results/summary.parquet`` (one row per density).
    columns : dict
        Its column registry (name -> (dtype, unit, description)); gives each row's unit and
        tooltip. A column ``q_err`` is printed as the error of ``q``.

    Returns
    -------
    str
        An HTML ``<table>``; row headers read ``quantity (unit)``.

    Examples
    --------
    >>> df = pd.DataFrame({"density": [1.149, 1.2], "G0": [20.0, 25.5], "G0_err": [0.5, 0.25]})
    >>> cols = {"density": ("float64", "sigma^-2", "rho"), "G0": ("float64", "eps/sigma^2", "G"),
    ...         "G0_err": ("float64", "eps/sigma^2", "error")}
    >>> "<td>25.50 ± 0.25</td>" in table1_html(df, cols)
    True
    """
    import html

    def fmt(value: float) -> str:
        return "NaN" if not np.isfinite(value) else f"{value:.4g}"

    def fmt_pair(value: float, err: float) -> str:
        """Error to two significant digits, the value to the same decimal place."""
        if not (np.isfinite(value) and np.isfinite(err) and err > 0):
            return f"{fmt(value)} ± {fmt(err)}"
        digits = max(0, 1 - int(np.floor(np.log10(err))))
        return f"{value:.{digits}f} ± {err:.{digits}f}"

    t = summary.sort_values("density")
    head = "".join(f"<th>ρ = {rho:g}</th>" for rho in t["density"])
    rows = [f"<table class='table1'><tr><th>quantity (unit)</th>{head}</tr>"]
    for name in t.columns:
        if name == "density" or (name.endswith("_err") and name[:-4] in t.columns):
            continue
        _, unit, description = columns.get(name, ("", "-", ""))
        err = f"{name}_err" if f"{name}_err" in t.columns else None
        cells = []
        for _, row in t.iterrows():
            value = float(row[name])
            text = fmt(value) if err is None else fmt_pair(value, float(row[err]))
            cells.append(f"<td>{html.escape(text)}</td>")
        label = name if unit in ("-", "", "1") else f"{name} ({unit})"
        rows.append(
            f"<tr><th title='{html.escape(description, quote=True)}'>{html.escape(label)}</th>"
            + "".join(cells)
            + "</tr>"
        )
    rows.append("</table>")
    return "\n".join(rows)


#: Paragraph under Table 1: which <sigma_c^m> enters the rescalings, and the error rule.
TABLE1_NOTE = (
    "<p>Values ± one-standard-deviation errors. Errors follow one rule "
    "(<code>mechnoise.stats</code>): time series (stresses, MSDs, activities) use the "
    "between-window spread of one run, or the between-seed spread when there are several "
    "seeds; frozen-matrix statistics use a bootstrap over blocks; fitted parameters use the "
    "fit covariance, scaled by sqrt(chi2_red) when chi2_red &gt; 1. "
    "<b>sigma_c</b> is the censored (Kaplan-Meier) estimate of &lt;sigma_c^m&gt; and enters every "
    "rescaling (Figs 2, 3, alpha_flow, alpha_micro_hl): blocks that have not yielded by the "
    "strain cap are the ones with the largest thresholds, so the mean over yielded blocks "
    "(<b>sigma_c_yielded</b>, shown for comparison) is biased low by an amount that depends on "
    "the fraction yielded. alpha_flow_hl comes from fitting the HL stationary flow curve "
    "itself (alpha, sigma_c, G0 tau free) and needs no &lt;sigma_c^m&gt;.</p>"
)


#: Columns of :func:`cost_table`: (dtype, unit, meaning), one row per rule.
COST_COLUMNS: dict[str, tuple[str, str, str]] = columns.view("report.cost")


def read_benchmarks(root: str | Path) -> pd.DataFrame:
    """Every Snakemake benchmark file under ``root``, one row per job.

    The workflow writes them as ``root/<rule>/<job>.tsv`` (``benchmark:`` directives).

    Parameters
    ----------
    root : str or Path
        Folder of the benchmark files (``logs/benchmarks``); missing means no jobs.

    Returns
    -------
    pandas.DataFrame
        Columns ``rule``, ``job``, ``wall_s``, ``cpu_s``, ``max_rss_mb``; Snakemake's
        ``NA`` or ``-`` entries become NaN. A file with several rows (``repeat``) gives the
        mean of its rows.
    """
    rows = []
    for path in sorted(Path(root).glob("*/*.tsv")):
        bench = pd.read_csv(path, sep="\t")
        rows.append(
            {
                "rule": path.parent.name,
                "job": path.stem,
                "wall_s": pd.to_numeric(bench["s"], errors="coerce").mean(),
                "cpu_s": pd.to_numeric(bench.get("cpu_time"), errors="coerce").mean(),
                "max_rss_mb": pd.to_numeric(bench.get("max_rss"), errors="coerce").mean(),
            }
        )
    return pd.DataFrame(rows, columns=["rule", "job", "wall_s", "cpu_s", "max_rss_mb"])


def cost_table(benchmarks: pd.DataFrame) -> pd.DataFrame:
    """Wall time, CPU time and memory per rule, costliest first (columns :data:`COST_COLUMNS`).

    Parameters
    ----------
    benchmarks : pandas.DataFrame
        One row per job, as :func:`read_benchmarks` returns.

    Returns
    -------
    pandas.DataFrame
        One row per rule, sorted by total wall time, descending.
    """
    if benchmarks.empty:
        return pd.DataFrame(columns=list(COST_COLUMNS))
    grouped = benchmarks.groupby("rule", sort=False)
    table = pd.DataFrame(
        {
            "jobs": grouped.size(),
            "wall_total_min": grouped["wall_s"].sum() / 60.0,
            "wall_max_min": grouped["wall_s"].max() / 60.0,
            "cpu_total_min": grouped["cpu_s"].sum(min_count=1) / 60.0,
            "max_rss_mb": grouped["max_rss_mb"].max(),
        }
    ).reset_index()
    return table.sort_values("wall_total_min", ascending=False, ignore_index=True)[
        list(COST_COLUMNS)
    ]


# --- issue 19 (mean-field test, helper 19a) -------------------------------------------------
def meanfield_verdict(
    alpha_kappa: float, alpha_kappa_err: float, alpha_flow: float, alpha_flow_err: float
) -> str:
    """Verdict of the HL test at one density: α_κ (HL's own noise–flow relation) vs α_flow.

    "HL holds" if they agree within 2 combined standard errors; "noise too weak" /
    "noise too strong" if α_κ is below / above α_flow by more than that; "undecided" if an
    error is missing or the combined relative error exceeds 50 %.

    Examples
    --------
    >>> meanfield_verdict(0.07, 0.006, 0.335, 0.014)
    'noise too weak for HL'
    >>> meanfield_verdict(0.33, 0.02, 0.335, 0.014)
    'HL holds'
    """
    values = (alpha_kappa, alpha_kappa_err, alpha_flow, alpha_flow_err)
    if not all(math.isfinite(v) for v in values) or alpha_flow <= 0:
        return "undecided"
    err = math.hypot(alpha_kappa_err, alpha_flow_err)
    if err > 0.5 * alpha_flow:
        return "undecided"
    if abs(alpha_kappa - alpha_flow) <= 2 * err:
        return "HL holds"
    return "noise too weak for HL" if alpha_kappa < alpha_flow else "noise too strong for HL"


def inflow_verdict(row: pd.Series) -> str:
    """The HL test with the in-flow threshold ``sigma_c_flow`` on both sides.

    α_κ with ``sigma_c_flow`` against ``alpha_flow_inflow`` (α_flow of σ_Y/``sigma_c_flow``),
    as :func:`meanfield_verdict`. Where σ_Y/``sigma_c_flow`` is at least ½ (beyond its error)
    HL has no solution at all: "HL cannot give sigma_Y/sigma_c = r".

    Examples
    --------
    >>> inflow_verdict(pd.Series({"yield_stress_rescaled_flow": 1.3,
    ...                           "yield_stress_rescaled_flow_err": 0.2}))
    'HL cannot give sigma_Y/sigma_c_flow = 1.3 (at most 1/2)'
    >>> inflow_verdict(pd.Series({"alpha_kappa_flow": 0.30, "alpha_kappa_flow_err": 0.02,
    ...                           "alpha_flow_inflow": 0.32, "alpha_flow_inflow_err": 0.02}))
    'HL holds'
    """
    ratio = float(row.get("yield_stress_rescaled_flow", math.nan))
    ratio_err = float(row.get("yield_stress_rescaled_flow_err", math.nan))
    if math.isfinite(ratio) and ratio - 2 * (ratio_err if math.isfinite(ratio_err) else 0) >= 0.5:
        return f"HL cannot give sigma_Y/sigma_c_flow = {ratio:.2g} (at most 1/2)"
    return _row_verdict(row, "alpha_kappa_flow", "alpha_flow_inflow")


def _row_verdict(row: pd.Series, alpha_kappa: str, alpha_flow: str) -> str:
    """:func:`meanfield_verdict` of two Table-1 columns and their ``_err`` (NaN if absent)."""
    columns = (alpha_kappa, f"{alpha_kappa}_err", alpha_flow, f"{alpha_flow}_err")
    return meanfield_verdict(*(float(row.get(c, math.nan)) for c in columns))


def meanfield_html(summary: pd.DataFrame) -> str:
    """Section "Does the mean-field picture hold?": verdict per density, with the numbers.

    The HL test is α_κ (from D_noise) against α_flow; the same test with the in-flow
    threshold (α_κ flow) and the noise-vs-own-drops comparison (D_noise vs D_all) say which
    ingredient breaks it. Empty string if Table 1 has no α_κ from D_noise.
    """
    import html

    if "alpha_kappa_noise" not in summary or summary["alpha_kappa_noise"].isna().all():
        return ""

    def pm(row: pd.Series, col: str) -> str:
        v, e = float(row.get(col, math.nan)), float(row.get(f"{col}_err", math.nan))
        if not math.isfinite(v):
            return "-"
        return f"{v:.3g} &plusmn; {e:.2g}" if math.isfinite(e) else f"{v:.3g}"

    head = (
        "<tr><th>density</th><th>alpha_flow</th><th>alpha_kappa (frozen sigma_c)</th>"
        "<th>verdict</th><th>sigma_Y / sigma_c_flow</th><th>alpha_flow (in-flow sigma_c)</th>"
        "<th>alpha_kappa (in-flow sigma_c)</th><th>verdict in-flow</th>"
        "<th>net loading / (G0 gamma_dot)</th><th>alpha_kappa (net loading)</th>"
        "<th>verdict net loading</th><th>D_noise</th><th>D_all</th>"
        "<th>alpha_micro &lt;ds&gt;^2</th>"
        "<th>alpha_micro &lt;ds^2&gt;</th><th>alpha_bal</th></tr>"
    )
    rows = []
    for _, row in summary.iterrows():
        verdict = _row_verdict(row, "alpha_kappa_noise", "alpha_flow")
        flow_verdict = inflow_verdict(row)
        cells = [
            f"{row['density']:g}",
            pm(row, "alpha_flow"),
            pm(row, "alpha_kappa_noise"),
            html.escape(verdict),
            pm(row, "yield_stress_rescaled_flow"),
            pm(row, "alpha_flow_inflow"),
            pm(row, "alpha_kappa_flow"),
            html.escape(flow_verdict),
            pm(row, "drift_ratio"),
            pm(row, "alpha_kappa_drift"),
            html.escape(_row_verdict(row, "alpha_kappa_drift", "alpha_flow")),
            pm(row, "D_noise"),
            pm(row, "D_all"),
            pm(row, "alpha_micro_noise"),
            pm(row, "alpha_micro_sq"),
            pm(row, "alpha_bal"),
        ]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return "\n".join(
        [
            "<h2>Does the mean-field picture hold?</h2>",
            "<p>The HL test is alpha_kappa = kappa tanh(1/(2 kappa)), kappa = D_noise/(G0 "
            "gamma_dot sigma_c), against alpha_flow at the same sigma_c: in HL at small "
            "gamma_dot both follow from the same limit, and alpha_kappa needs neither Gamma nor "
            "tau nor a drop convention. D_noise is the block-stress noise without the block's "
            "own onsets (LAMMPS block series); D_all includes them. Verdict: agreement within "
            "2 combined errors; 'undecided' if the combined error exceeds 50 %. With the "
            "in-flow threshold (if measured) both sides are recomputed with sigma_c_flow "
            "(alpha_flow from sigma_Y / sigma_c_flow): this says whether the frozen-matrix "
            "sigma_c is what breaks HL; HL cannot give sigma_Y / sigma_c above 1/2. The net "
            "loading is the mean drift of a block without an onset of its own (drift_rate): "
            "below G0 gamma_dot, the noise from other blocks' events has a negative mean, "
            "which HL's drift term must carry; alpha_kappa (net loading) uses it in place of "
            "G0 gamma_dot (this says whether the noise's mean is what breaks HL). Errors: "
            "joint jackknife over the same time "
            "segments (D, Gamma). Method and caveats: docs/meanfield.md.</p>",
            f"<table class='table1'>{head}{''.join(rows)}</table>",
        ]
    )


def report_html(
    summary: pd.DataFrame,
    flow: pd.DataFrame,
    fits: pd.DataFrame,
    figures: list[str],
    runs: pd.DataFrame | None = None,
    glass_quality: pd.DataFrame | None = None,
    summary_columns: dict[str, tuple[str, str, str]] | None = None,
    extra_tables: dict[str, pd.DataFrame] | None = None,
    cost: pd.DataFrame | None = None,
) -> str:
    """A self-contained HTML report (figures linked by relative path).

    ``runs`` (``run_couplings.parquet``), if given, adds the per-run strain balance and κ.
    ``glass_quality`` (``glass_quality.parquet``) adds a section that warns, in red, about
    every glass that crystallised after the quench. ``summary_columns`` (the registry of
    ``summary.parquet``) gives Table 1 its units; the ``extra_tables`` (title -> table)
    follow the fits. ``cost`` (:func:`cost_table` of the benchmark files) adds the wall time
    and memory of each kind of job.
    """
    import html

    from mechnoise.report.table1 import SUMMARY_COLUMNS

    def table(df: pd.DataFrame) -> str:
        return df.to_html(index=False, float_format=lambda v: f"{v:.4g}", border=0)

    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>mechnoise report</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}"
        "table{border-collapse:collapse;font-size:12px}td,th{padding:2px 6px;"
        "border-bottom:1px solid #ddd}table.table1 th{text-align:left}"
        "img{max-width:540px;margin:4px}</style></head><body>",
        "<h1>mechnoise report</h1>",
        "<p>LJ reduced units: stress eps/sigma^2, time tau0, rate 1/tau0. sigma_xy = -p_xy. "
        "alpha_micro = D_sigma/(&lt;Delta sigma^m&gt;^2 Gamma) with D_sigma = MSD/t (paper "
        "Eq. 8); alpha_micro_dhl uses the HL equation's D = MSD/(2t).</p>",
        "<h2>Table 1: per-density summary</h2>",
        table1_html(summary, summary_columns or SUMMARY_COLUMNS),
        TABLE1_NOTE,
        meanfield_html(summary),
        INGREDIENTS_HTML,
        *(
            ["<h2>Per-run strain balance R and noise ratio kappa</h2>", table(runs)]
            if runs is not None
            else []
        ),
        "<h2>Flow curves</h2>",
        table(flow),
        "<h2>Herschel-Bulkley fits</h2>",
        table(fits),
    ]
    for title, df in (extra_tables or {}).items():
        parts += [f"<h2>{html.escape(title)}</h2>", table(df)]
    if glass_quality is not None:
        parts.append("<h2>Glass quality after the quench</h2>")
        for message in crystallisation_warnings(glass_quality):
            parts.append(f"<p style='color:#b00'><b>Warning:</b> {html.escape(message)}</p>")
        parts.append(table(glass_quality))
    if cost is not None:
        parts += [
            "<h2>Cost: wall time and memory per kind of job</h2>",
            "<p>From the Snakemake benchmark files (logs/benchmarks/&lt;rule&gt;/) of the jobs "
            "that made the current results; a job reused from an earlier run keeps its cost. "
            "Wall times depend on the machine's load; CPU time is what psutil sampled and "
            "can miss short-lived child processes.</p>",
            table(cost) if not cost.empty else "<p>No benchmark files found.</p>",
        ]
    parts.append("<h2>Figures</h2>")
    for f in figures:
        parts.append(
            f"<figure><img src='{html.escape(f)}'><figcaption>{html.escape(f)}"
            "</figcaption></figure>"
        )
    parts.append("</body></html>")
    return "\n".join(parts)
