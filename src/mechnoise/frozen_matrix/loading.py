"""Loading directions of a frozen-matrix test: the simple-shear family rotated by an angle θ.

A test loads its block along a direction ``θ`` (degrees, ``0 <= θ < 180``): the whole carved
system is deformed affinely with the constant velocity gradient

.. math::

    L(θ) = \\begin{pmatrix} -\\sin 2θ / 2 & \\cos 2θ \\\\ 0 & \\sin 2θ / 2 \\end{pmatrix},
    \\qquad F(γ) = \\exp(γ L),

whose symmetric part (rate of deformation) is the strain tensor of the issue,
``ε(θ)/γ = ½ [[−sin 2θ, cos 2θ], [cos 2θ, sin 2θ]]``: simple shear in the frame rotated by θ
(at linear order; a rigid rotation apart). ``L`` is upper triangular so that the box stays a
LAMMPS (restricted) triclinic box: ``lx = lx0 e^{-aγ}``, ``ly = ly0 e^{aγ}``, ``xy = e^{-aγ}
xy0 + (c/a) sinh(aγ) ly0`` with ``a = sin 2θ / 2``, ``c = cos 2θ`` (``xy = xy0 + c γ ly0`` when
``a = 0``), set by ``change_box ... remap`` (``lammps_inputs/include/frozen_step.lmp``). The
area is conserved (``tr L = 0``) and the block stress resolved on θ,

.. math:: τ_θ = σ_{xy} \\cos 2θ + \\tfrac12 (σ_{yy} − σ_{xx}) \\sin 2θ,

is the work conjugate of γ at every strain (``dW = A τ_θ dγ``). ``θ = 0`` is the former
loading along ``+xy`` (tilt only, ``τ_0 = σ_xy``) and ``θ = 90°`` the former ``−xy`` loading
(``τ_90 = −σ_xy``); ``θ`` and ``θ + 180°`` are the same loading, so the 18 directions 10°
apart of Barbot et al. (Phys. Rev. E 97, 033001, 2018) are ``0, 10, ..., 170``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from mechnoise._typing import FloatArray

#: Loading along the flow (``+xy``) and against it (``−xy``), degrees.
FLOW_ANGLE = 0.0
AGAINST_FLOW_ANGLE = 90.0

#: The paper-like set of Barbot et al. (2018): 18 directions 10° apart.
PAPER_ANGLES = tuple(float(a) for a in range(0, 180, 10))


def loading_angles(
    values: Iterable[object], key: str = "yield_test.directions"
) -> tuple[float, ...]:
    """Validated loading angles (degrees) of ``yield_test.directions``.

    Raises
    ------
    ValueError
        Naming ``key``, if the list is empty, holds a value that is not a number in
        ``[0, 180)``, a duplicate, or ``1`` (the former "+xy" flag: write 0; ``-1`` is out of
        range and its message says to write 90).

    Examples
    --------
    >>> loading_angles([0, 90])
    (0.0, 90.0)
    >>> loading_angles([1])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: yield_test.directions: 1 is no longer the +xy flag: ... write 0 (or 90 ...)
    """
    out: list[float] = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise ValueError(f"{key}: {v!r} is not an angle in degrees")
        a = float(v)
        if a in (1.0, -1.0):
            raise ValueError(
                f"{key}: {v!r} is no longer the {'+' if a > 0 else '-'}xy flag: directions are "
                "angles in degrees (0 = along the flow, +xy; 90 = against it, -xy); write 0 (or "
                "90 for the former -1)"
            )
        if not 0.0 <= a < 180.0:
            raise ValueError(
                f"{key}: {v!r} is outside [0, 180) degrees (theta and theta + 180 are the same "
                "loading)"
            )
        if a in out:
            raise ValueError(f"{key}: {v!r} is given twice")
        out.append(a)
    if not out:
        raise ValueError(f"{key}: need at least one loading angle")
    return tuple(out)


def loading_components(angle: float) -> tuple[float, float]:
    """``(cos 2θ, sin 2θ)`` of a loading angle in degrees, exact at multiples of 45°.

    Examples
    --------
    >>> loading_components(0.0), loading_components(90.0), loading_components(135.0)
    ((1.0, 0.0), (-1.0, 0.0), (0.0, -1.0))
    """
    quarter = 2.0 * angle / 90.0  # 2θ in units of 90°
    if quarter == round(quarter):
        return {0: (1.0, 0.0), 1: (0.0, 1.0), 2: (-1.0, 0.0), 3: (0.0, -1.0)}[int(quarter) % 4]
    two_theta = math.radians(2.0 * angle)
    return math.cos(two_theta), math.sin(two_theta)


def direction_label(angle: float) -> int:
    """Former direction flag of an angle: 1 at 0° (+xy), -1 at 90° (-xy), 0 otherwise.

    Examples
    --------
    >>> [direction_label(a) for a in (0.0, 90.0, 45.0)]
    [1, -1, 0]
    """
    return 1 if angle == FLOW_ANGLE else -1 if angle == AGAINST_FLOW_ANGLE else 0


def velocity_gradient(angle: float) -> FloatArray:
    """The constant velocity gradient ``L(θ)`` of the loading (module docstring), 2x2."""
    c, s = loading_components(angle)
    return np.array([[-s / 2, c], [0.0, s / 2]])


def deformation_gradient(angle: float, strain: float) -> FloatArray:
    """``F(γ) = exp(γ L(θ))`` in closed form (upper triangular, det 1).

    Examples
    --------
    >>> deformation_gradient(0.0, 0.1).tolist()
    [[1.0, 0.1], [0.0, 1.0]]
    >>> round(float(np.linalg.det(deformation_gradient(30.0, 0.4))), 12)
    1.0
    """
    c, s = loading_components(angle)
    a = s / 2
    x = a * strain
    shear = c * strain * (math.sinh(x) / x if x != 0 else 1.0)
    return np.array([[math.exp(-x), shear], [0.0, math.exp(x)]])


def resolved_stress(sigma_xx: float, sigma_yy: float, sigma_xy: float, angle: float) -> float:
    """Shear stress resolved on the loading direction θ, ``τ_θ = σ_xy cos 2θ + (σ_yy − σ_xx)
    sin 2θ / 2`` (eps/sigma²; arrays work too).

    Examples
    --------
    >>> resolved_stress(0.0, 0.0, 2.0, 0.0), resolved_stress(0.0, 0.0, 2.0, 90.0)
    (2.0, -2.0)
    >>> resolved_stress(-1.0, 1.0, 0.0, 45.0)
    1.0
    """
    c, s = loading_components(angle)
    return c * sigma_xy + 0.5 * s * (sigma_yy - sigma_xx)


def lammps_variables(angle: float) -> dict[str, str]:
    """``-var`` values of a loading angle for ``frozen_setup.lmp``: ``load_c = cos 2θ`` and
    ``load_s = sin 2θ`` (exact at multiples of 45°, ``repr`` of the float)."""
    c, s = loading_components(angle)
    return {"load_c": repr(c), "load_s": repr(s)}
