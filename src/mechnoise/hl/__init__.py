"""Hébraud–Lequeux (HL) mean-field model (paper Eqs. 1–4, 12–24; docs/design.md §4).

Units σ_c = G0 = τ = 1 throughout. Modules, in the order they build on each other:

- :mod:`~mechnoise.hl.stationary`: exact stationary solver (closed form for fixed D, root
  find of the self-consistency D = αΓ in log D);
- :mod:`~mechnoise.hl.asymptotics`: small-rate yield stress and prefactor (corrected Eq. 24),
  α from σ_Y/σ_c, the parametric curve of Fig. 3;
- :mod:`~mechnoise.hl.couplings`: α_micro (Eq. 8, paper and HL conventions), α_flow and the
  noise ratio κ = D_HL/(G0 γ̇ σ_c) with the α = κ tanh(1/(2κ)) it implies;
- :mod:`~mechnoise.hl.kernel`: the finite-volume grid and generator shared by
- :mod:`~mechnoise.hl.transient` (time-dependent protocols) and
- :mod:`~mechnoise.hl.modified` (threshold distribution, partial relaxation) and
- :mod:`~mechnoise.hl.measured` (the same driven by measured ingredients: renewal
  distribution fitted to the steady threshold population, drop distribution, D(γ̇));
- :mod:`~mechnoise.hl.tables`: the column registries and tables the workflow writes.
"""

from mechnoise.hl.asymptotics import (
    alpha_from_yield_stress,
    parametric_curve,
    small_rate_asymptotics,
)
from mechnoise.hl.couplings import (
    alpha_flow,
    alpha_from_noise_ratio,
    alpha_micro,
    alpha_micro_hl,
    noise_ratio,
)
from mechnoise.hl.kernel import stress_grid
from mechnoise.hl.measured import Ingredients, measured_flow_curve
from mechnoise.hl.modified import modified_flow_curve
from mechnoise.hl.stationary import stationary_density, stationary_flow_curve
from mechnoise.hl.tables import (
    FLOW_CURVE_COLUMNS,
    MODIFIED_FLOW_CURVE_COLUMNS,
    PARAMETRIC_ALPHAS,
    PARAMETRIC_CURVE_COLUMNS,
    flow_curve_table,
)
from mechnoise.hl.transient import default_grid, transient_response

__all__ = [
    "FLOW_CURVE_COLUMNS",
    "Ingredients",
    "MODIFIED_FLOW_CURVE_COLUMNS",
    "PARAMETRIC_ALPHAS",
    "PARAMETRIC_CURVE_COLUMNS",
    "alpha_flow",
    "alpha_from_noise_ratio",
    "alpha_from_yield_stress",
    "alpha_micro",
    "alpha_micro_hl",
    "default_grid",
    "flow_curve_table",
    "measured_flow_curve",
    "modified_flow_curve",
    "noise_ratio",
    "parametric_curve",
    "small_rate_asymptotics",
    "stationary_density",
    "stationary_flow_curve",
    "stress_grid",
    "transient_response",
]
