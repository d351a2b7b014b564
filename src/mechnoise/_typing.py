"""Array type aliases shared by the whole package (one place, as freud's ``_typing``)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

#: Float64 array of any shape (positions, stresses, curves).
FloatArray = npt.NDArray[np.float64]
#: Integer array (particle ids, types, labels, block indices).
IntArray = npt.NDArray[np.int64]
#: Boolean mask.
BoolArray = npt.NDArray[np.bool_]

__all__ = ["BoolArray", "FloatArray", "IntArray"]
