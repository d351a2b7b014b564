"""report.html: Table 1, the flow-curve fits, glass quality and every figure in one page."""

from __future__ import annotations

import pandas as pd

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


def report_html(
    summary: pd.DataFrame,
    flow: pd.DataFrame,
    fits: pd.DataFrame,
    figures: list[str],
    runs: pd.DataFrame | None = None,
    glass_quality: pd.DataFrame | None = None,
) -> str:
    """A self-contained HTML report (figures linked by relative path).

    ``runs`` (``run_couplings.parquet``), if given, adds the per-run strain balance and κ.
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
