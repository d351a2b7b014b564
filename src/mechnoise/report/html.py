"""report.html: Table 1, the flow-curve fits, glass quality and every figure in one page."""

from __future__ import annotations

import pandas as pd

from mechnoise.structure import crystallisation_warnings


def report_html(
    summary: pd.DataFrame,
    flow: pd.DataFrame,
    fits: pd.DataFrame,
    figures: list[str],
    glass_quality: pd.DataFrame | None = None,
) -> str:
    """A self-contained HTML report (figures linked by relative path).

    ``glass_quality`` (``glass_quality.parquet``) adds a section that warns, in red, about
    every glass that crystallised after the quench.
    """
    import html

    def table(df: pd.DataFrame) -> str:
        return df.to_html(index=False, float_format=lambda v: f"{v:.4g}", border=0)

    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>mechnoise report</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}"
        "table{border-collapse:collapse;font-size:12px}td,th{padding:2px 6px;"
        "border-bottom:1px solid #ddd}img{max-width:540px;margin:4px}</style></head><body>",
        "<h1>mechnoise report</h1>",
        "<p>LJ reduced units: stress eps/sigma^2, time tau0, rate 1/tau0. sigma_xy = -p_xy. "
        "alpha_micro = D_sigma/(&lt;Delta sigma^m&gt;^2 Gamma) with D_sigma = MSD/t (paper "
        "Eq. 8); alpha_micro_dhl uses the HL equation's D = MSD/(2t).</p>",
        "<h2>Table 1: per-density summary</h2>",
        table(summary.T.reset_index().rename(columns={"index": "quantity"})),
        "<h2>Flow curves</h2>",
        table(flow),
        "<h2>Herschel-Bulkley fits</h2>",
        table(fits),
    ]
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
