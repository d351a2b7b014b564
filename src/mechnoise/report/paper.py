"""The paper's published numbers (Puosi, Olivier, Martens, Soft Matter), to print beside ours.

Table 1 is transcribed value by value; the other entries are the numbers the text quotes
(section 3 and 4). Nothing here is computed: a test checks the transcription against the
averages the paper prints.
"""

from __future__ import annotations

#: The paper's four densities (sigma^-2).
DENSITIES: tuple[float, ...] = (1.149, 1.189, 1.253, 1.322)

#: Table 1: density -> (value, error) of alpha_micro (Eq. 8, D_sigma / (<Delta sigma^m>^2
#: Gamma)).
ALPHA_MICRO: dict[float, tuple[float, float]] = {
    1.149: (0.281, 0.021),
    1.189: (0.247, 0.027),
    1.253: (0.227, 0.024),
    1.322: (0.274, 0.030),
}
#: Table 1's average over the densities of alpha_micro.
ALPHA_MICRO_MEAN: tuple[float, float] = (0.257, 0.026)

#: Table 1: density -> (value, error) of alpha_flow (HL sigma_Y/sigma_c(alpha) at the
#: measured sigma_Y / <sigma_c^m>).
ALPHA_FLOW: dict[float, tuple[float, float]] = {
    1.149: (0.321, 0.012),
    1.189: (0.330, 0.019),
    1.253: (0.328, 0.018),
    1.322: (0.334, 0.018),
}
#: Table 1's average over the densities of alpha_flow.
ALPHA_FLOW_MEAN: tuple[float, float] = (0.328, 0.016)

#: Numbers quoted in the text: (value, where).
QUOTED: dict[str, tuple[str, str]] = {
    "n_free": ("≈ 0.55, density independent", "section 3.1"),
    "l_pl": ("≈ 6 (σ), no density or rate dependence for γ̇ ≤ 1e-4", "section 3.2"),
    "tau_p": ("close to τ_d = 1 (τ0), weakly density dependent", "section 3.3, Fig. 5a"),
    "drop_ratio": ("≈ 0.2, density independent", "section 3.4"),
    "alpha_micro_hl": ("of order 1e-2", "section 4 (b)"),
    "alpha_micro": ("0.23–0.28, mean 0.26", "Table 1"),
    "alpha_flow": ("0.32–0.33, mean 0.33", "Table 1"),
}
