"""report.html: Table 1, the flow-curve fits and every figure in one self-contained page."""

from __future__ import annotations

import pandas as pd


def report_html(
    summary: pd.DataFrame, flow: pd.DataFrame, fits: pd.DataFrame, figures: list[str]
) -> str:
    """A self-contained HTML report (figures linked by relative path)."""
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
        "<h2>Figures</h2>",
    ]
    for f in figures:
        parts.append(
            f"<figure><img src='{html.escape(f)}'><figcaption>{html.escape(f)}"
            "</figcaption></figure>"
        )
    parts.append("</body></html>")
    return "\n".join(parts)
