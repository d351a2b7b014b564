"""Tests of ``mechnoise hl ...`` (the console entry point, called in-process)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from mechnoise import hl
from mechnoise.cli import main


def test_flowcurve_writes_documented_parquet(tmp_path: Path) -> None:
    out = tmp_path / "hl.parquet"
    assert (
        main(
            [
                "hl",
                "flowcurve",
                "--alpha",
                "0.26",
                "0.33",
                "--rates",
                "1e-6",
                "1e-2",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    table = pd.read_parquet(out)
    assert list(table.columns) == list(hl.FLOW_CURVE_COLUMNS)
    expected = hl.stationary_flow_curve(0.33, [1e-6, 1e-2])
    np.testing.assert_allclose(table.stress.iloc[2:], expected.stress, rtol=1e-12)
    field = pq.read_schema(out).field("stress")
    assert field.metadata[b"unit"] == b"sigma_c"


def test_flowcurve_modified_model(tmp_path: Path) -> None:
    out = tmp_path / "modified.csv"
    args = [
        "hl",
        "flowcurve",
        "--alpha",
        "0.26",
        "--rate-range",
        "1e-3",
        "1e-1",
        "3",
        "--model",
        "modified",
        "--relaxation-fraction",
        "1.0",
        "--out",
        str(out),
    ]
    assert main(args) == 0
    table = pd.read_csv(out)
    assert list(table.columns) == list(hl.MODIFIED_FLOW_CURVE_COLUMNS)
    exact = hl.stationary_flow_curve(0.26, np.geomspace(1e-3, 1e-1, 3))
    np.testing.assert_allclose(table.stress, exact.stress, rtol=1e-4)


def test_flowcurve_prints_and_rejects_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hl", "asymptotics", "--alpha", "0.26"]) == 0
    assert "0.35699" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="alpha"):
        main(["hl", "flowcurve", "--alpha", "0", "--rates", "1e-3"])
    with pytest.raises(SystemExit):
        main(["hl", "flowcurve", "--alpha", "0.26"])  # no rates
