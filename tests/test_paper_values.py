"""The transcription of the paper's Table 1 agrees with the averages the paper prints."""

from __future__ import annotations

import numpy as np
import pytest

from mechnoise.report import paper


@pytest.mark.parametrize(
    ("table", "mean"),
    [(paper.ALPHA_MICRO, paper.ALPHA_MICRO_MEAN), (paper.ALPHA_FLOW, paper.ALPHA_FLOW_MEAN)],
)
def test_table1_rows_average_to_the_printed_mean(table: dict, mean: tuple) -> None:
    assert sorted(table) == list(paper.DENSITIES)
    values = np.array([table[d][0] for d in paper.DENSITIES])
    # the paper rounds the mean to the last digit it prints
    assert values.mean() == pytest.approx(mean[0], abs=0.0015)
    # and its error of the mean is about the typical single error, not the spread
    errors = np.array([table[d][1] for d in paper.DENSITIES])
    assert errors.min() <= mean[1] <= errors.max()
