"""report.html: Table 1 (as the paper prints it), the flow-curve fits, extra tables, glass
quality and every figure in one self-contained page."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mechnoise.structure import crystallisation_warnings


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


def report_html(
    summary: pd.DataFrame,
    flow: pd.DataFrame,
    fits: pd.DataFrame,
    figures: list[str],
    glass_quality: pd.DataFrame | None = None,
    summary_columns: dict[str, tuple[str, str, str]] | None = None,
    extra_tables: dict[str, pd.DataFrame] | None = None,
) -> str:
    """A self-contained HTML report (figures linked by relative path).

    ``glass_quality`` (``glass_quality.parquet``) adds a section that warns, in red, about
    every glass that crystallised after the quench. ``summary_columns`` (the registry of
    ``summary.parquet``) gives Table 1 its units; the ``extra_tables`` (title -> table)
    follow the fits.
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
    parts.append("<h2>Figures</h2>")
    for f in figures:
        parts.append(
            f"<figure><img src='{html.escape(f)}'><figcaption>{html.escape(f)}"
            "</figcaption></figure>"
        )
    parts.append("</body></html>")
    return "\n".join(parts)
