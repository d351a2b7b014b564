"""Array type aliases shared by the whole package (one place, as freud's ``_typing``)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

#: Float64 array of any shape (positions, stresses, curves).
FloatArray = npt.NDArray[np.float64]
#: Integer array (particle ids, types, labels, block indices).
IntArray = npt.NDArray[np.intp]
#: Boolean mask.
BoolArray = npt.NDArray[np.bool_]
#: Complex array (bond-orientational order parameters).
ComplexArray = npt.NDArray[np.complex128]

#: A periodic 2D box as LAMMPS gives it: ``(lx, ly, xy)`` with origin at 0 (sigma).
Box = tuple[float, float, float]

__all__ = ["BoolArray", "Box", "ComplexArray", "FloatArray", "IntArray"]
