"""The report's cost table: benchmark files per rule summed into wall time, CPU and memory."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mechnoise.report import COST_COLUMNS, cost_table, read_benchmarks, report_html

HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"


def _bench(path: Path, wall: float, rss: float | str, cpu: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + f"{wall}\t0:00:00\t{rss}\t1\t1\t1\t0\t0\t50\t{cpu}\n")


def test_cost_table_sums_known_jobs(tmp_path: Path) -> None:
    _bench(tmp_path / "run_shear_segment/rho1_seg0.tsv", 120.0, 300.0, 110.0)
    _bench(tmp_path / "run_shear_segment/rho1_seg1.tsv", 60.0, 500.0, 55.0)
    _bench(tmp_path / "quench_glass/rho1.tsv", 30.0, "NA", 29.0)
    bench = read_benchmarks(tmp_path)
    assert len(bench) == 3
    cost = cost_table(bench).set_index("rule")
    assert list(cost.index) == ["run_shear_segment", "quench_glass"]  # costliest first
    shear = cost.loc["run_shear_segment"]
    assert shear["jobs"] == 2
    assert shear["wall_total_min"] == pytest.approx(3.0)
    assert shear["wall_max_min"] == pytest.approx(2.0)
    assert shear["cpu_total_min"] == pytest.approx(165.0 / 60.0)
    assert shear["max_rss_mb"] == pytest.approx(500.0)
    assert pd.isna(cost.loc["quench_glass", "max_rss_mb"])  # Snakemake's NA is no number
    assert list(cost_table(bench).columns) == list(COST_COLUMNS)


def test_no_benchmarks_gives_an_empty_table_and_a_note(tmp_path: Path) -> None:
    cost = cost_table(read_benchmarks(tmp_path / "missing"))
    assert cost.empty and list(cost.columns) == list(COST_COLUMNS)
    empty = pd.DataFrame({"density": [1.0]})
    html = report_html(empty, empty, empty, [], cost=cost)
    assert "No benchmark files found" in html
