"""The docs' reference pages, generated from the schema and the table definitions.

``python -m mechnoise.reference`` rewrites the generated sections of
``docs/configuration.md`` (every config key) and ``docs/outputs.md`` (every output table) in
place; ``--check`` only reports stale pages. A test fails when the pages and the code
disagree, so the documentation of every config key and every table column cannot drift from
what the code writes.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from mechnoise import columns
from mechnoise.config import load_schema

#: (path pattern, "module:ATTRIBUTE" of its COLUMNS view (table of mechnoise.columns), what
#: one row is).
_RUN = "results/shear/rho{rho}/rate{rate}/seed{seed}"
_YIELD = "results/yield/rho{rho}"
_GLASS = "results/glass/rho{rho}/seed{seed}"

TABLES: list[tuple[str, str, str]] = [
    (
        f"{_GLASS}/rdf.parquet",
        "structure:RDF_COLUMNS",
        "one row per pair (AA, AB, BB, all) and r bin",
    ),
    (f"{_GLASS}/structure.parquet", "structure:LOCAL_ORDER_COLUMNS", "one row per particle"),
    (
        "results/glass_quality.parquet",
        "structure:GLASS_QUALITY_COLUMNS",
        "one row per glass (density, seed)",
    ),
    (f"{_RUN}/thermo.parquet", "io:THERMO_COLUMNS", "one row per thermo output of a shear run"),
    (
        f"{_RUN}/frames.parquet",
        "io:FRAME_COLUMNS",
        "one row per atom and frame; frames come in dense windows in the steady state",
    ),
    (
        "results/flow_curve.parquet",
        "rheology:FLOW_CURVE_COLUMNS",
        "one row per (density, shear rate)",
    ),
    (
        "results/hb_fit.parquet",
        "rheology:HB_FIT_COLUMNS",
        "two rows per density: exponent free and n = 1/2",
    ),
    (
        "results/hl_fit.parquet",
        "rheology:HL_FIT_COLUMNS",
        "one row per density: the HL stationary curve fitted to the flow curve",
    ),
    ("results/modulus.parquet", "rheology:MODULUS_COLUMNS", "one row per density"),
    (
        f"{_RUN}/d2min.parquet",
        "plasticity:D2MIN_COLUMNS",
        "one row per particle and reference frame t of a pair (t, t + lag) inside one window",
    ),
    (f"{_RUN}/activity.parquet", "plasticity:ACTIVITY_COLUMNS", "one row per reference frame"),
    (
        f"{_RUN}/clusters.parquet",
        "plasticity:CLUSTER_COLUMNS",
        "one row per cluster of active small blocks per reference frame",
    ),
    (
        f"{_RUN}/events.parquet",
        "plasticity:EVENT_COLUMNS",
        "one row per event onset (a cluster of active particles that was inactive before)",
    ),
    (
        f"{_RUN}/d2min_autocorr.parquet",
        "plasticity:AUTOCORR_COLUMNS",
        "literal estimator (tau_p_window): one row per lag",
    ),
    (
        f"{_RUN}/event_autocorr.parquet",
        "plasticity:EVENT_AUTOCORR_COLUMNS",
        "time-resolved estimator (tau_p): one row per (short lag, lag)",
    ),
    (
        f"{_RUN}/event_duration.parquet",
        "plasticity:EVENT_DURATION_COLUMNS",
        "tau_p at each short lag (convergence as the short lag shrinks): one row per short lag",
    ),
    (f"{_RUN}/plasticity_summary.parquet", "plasticity:SUMMARY_COLUMNS", "one row per run"),
    (
        f"{_RUN}/onset_stress.parquet",
        "plasticity.triggered:ONSET_STRESS_COLUMNS",
        "in-flow threshold and drop: one row per event onset",
    ),
    (
        f"{_RUN}/onset_profile.parquet",
        "plasticity.triggered:ONSET_PROFILE_COLUMNS",
        "onset-triggered average of the excess block stress: one row per lag",
    ),
    (
        f"{_RUN}/inflow_summary.parquet",
        "plasticity.triggered:INFLOW_SUMMARY_COLUMNS",
        "in-flow threshold and drops of the run: one row",
    ),
    (
        "results/inflow_summary.parquet",
        "plasticity.triggered:COLLECTED_INFLOW_COLUMNS",
        "one row per run (density, rate, seed)",
    ),
    (
        f"{_RUN}/block_width_scan.parquet",
        "plasticity.block_scan:BLOCK_SCAN_COLUMNS",
        "block-size scan: one row per coarse block width W",
    ),
    (
        f"{_RUN}/block_width_onsets.parquet",
        "plasticity.block_scan:BLOCK_SCAN_ONSET_COLUMNS",
        "onsets of the block-size scan's in-flow means: one row per W and onset",
    ),
    (
        "results/block_width_scan.parquet",
        "plasticity.block_scan:COLLECTED_BLOCK_SCAN_COLUMNS",
        "block-size scan: one row per run at the lowest rate and W",
    ),
    (
        "results/inflow_thresholds.parquet",
        "plasticity.triggered:INFLOW_COLUMNS",
        "in-flow beside frozen-matrix thresholds and drops: one row per density",
    ),
    (
        "results/plasticity_summary.parquet",
        "plasticity:COLLECTED_SUMMARY_COLUMNS",
        "one row per run (density, rate, seed)",
    ),
    (
        f"{_RUN}/block_stress.parquet",
        "blocks:BLOCK_STRESS_COLUMNS",
        "one row per coarse block and frame",
    ),
    (
        f"{_RUN}/stress_msd_blocks.parquet",
        "diffusion:STRESS_MSD_SAMPLE_COLUMNS",
        "one row per (window, block, lag) sample of the block-stress MSD",
    ),
    (
        f"{_RUN}/stress_msd.parquet",
        "diffusion:STRESS_MSD_COLUMNS",
        "one row per lag (pooled over windows and blocks)",
    ),
    (
        f"{_RUN}/diffusion_summary.parquet",
        "run_summary:DIFFUSION_SUMMARY_COLUMNS",
        "one row per run",
    ),
    (
        f"{_RUN}/block_series.parquet",
        "block_series:BLOCK_SERIES_COLUMNS",
        "one row per block, grid width and sampled step (LAMMPS, whole run)",
    ),
    (
        f"{_RUN}/block_noise.parquet",
        "noise:BLOCK_NOISE_COLUMNS",
        "one row per run (also collected in results/block_noise.parquet)",
    ),
    (
        f"{_RUN}/block_noise_jackknife.parquet",
        "noise:NOISE_JACKKNIFE_COLUMNS",
        "one row per left-out time segment of a run (also collected in results/)",
    ),
    (
        f"{_RUN}/width_noise.parquet",
        "hl.width_scan:WIDTH_NOISE_COLUMNS",
        "D_noise and Gamma per coarse block width W: one row per W (lowest rate)",
    ),
    (
        f"{_RUN}/width_noise_jackknife.parquet",
        "hl.width_scan:WIDTH_NOISE_JACKKNIFE_COLUMNS",
        "one row per W and left-out time segment (joint errors of the alphas per W)",
    ),
    (
        "results/width_alphas.parquet",
        "hl.width_scan:WIDTH_ALPHA_COLUMNS",
        "D_noise and the alphas per block width: one row per run at the lowest rate and W",
    ),
    (
        "results/diffusion_summary.parquet",
        "run_summary:DIFFUSION_SUMMARY_COLUMNS",
        "one row per run, all runs",
    ),
    (
        f"{_YIELD}/curves.parquet",
        "frozen_matrix:CURVE_COLUMNS",
        "one row per strain step of each frozen-matrix block test",
    ),
    (
        f"{_YIELD}/local_yield.parquet",
        "frozen_matrix:LOCAL_YIELD_COLUMNS",
        "one row per tested block, snapshot and loading angle",
    ),
    (
        f"{_YIELD}/yield_summary.parquet",
        "frozen_matrix:SUMMARY_COLUMNS",
        "one row per loading angle",
    ),
    (
        f"{_YIELD}/drop_rule_sensitivity.parquet",
        "frozen_matrix:SENSITIVITY_COLUMNS",
        "one row per loading angle and drop rule (stored curves re-analysed, no LAMMPS)",
    ),
    (
        f"{_YIELD}/flow_thresholds.parquet",
        "frozen_matrix:FLOW_THRESHOLD_COLUMNS",
        "one row per tested block and snapshot: thresholds over loading directions resolved "
        "on the flow (Barbot et al. 2018), sigma_c^+ and sigma_c^-",
    ),
    (
        f"{_YIELD}/flow_threshold_summary.parquet",
        "frozen_matrix:FLOW_SUMMARY_COLUMNS",
        "one row: means over blocks of flow_thresholds.parquet with bootstrap errors",
    ),
    (
        "results/hl/parametric_curve.parquet",
        "hl:PARAMETRIC_CURVE_COLUMNS",
        "HL small-rate asymptotics sigma_Y(alpha), A(alpha): one row per alpha (Fig. 3 line)",
    ),
    (
        "results/hl/flow_curves.parquet",
        "hl:FLOW_CURVE_COLUMNS",
        "HL stationary flow curves: one row per (alpha, rate), units sigma_c = G0 = tau = 1",
    ),
    (
        "results/hl/modified_flow_curves.parquet",
        "hl:MODIFIED_FLOW_CURVE_COLUMNS",
        "modified-HL stationary flow curves: one row per (alpha, rate)",
    ),
    ("results/summary.parquet", "report:SUMMARY_COLUMNS", "Table 1: one row per density"),
    (
        "results/run_couplings.parquet",
        "report:RUN_COUPLING_COLUMNS",
        "strain balance R and noise ratio kappa: one row per run",
    ),
    (
        "results/hl/modified_vs_md.parquet",
        "report:PREDICTION_COLUMNS",
        "modified HL with measured ingredients vs MD: one row per (density, ingredient set, "
        "rate)",
    ),
    (
        "results/hl/modified_ingredients.parquet",
        "report:INGREDIENT_TABLE_COLUMNS",
        "which single change of ingredient moves the prediction how far (lowest rate)",
    ),
    (
        "results/hl/modified_distributions.parquet",
        "report:DISTRIBUTION_COLUMNS",
        "model P(sigma), P(x) at the lowest rate vs MD block stresses and frozen-matrix x",
    ),
    (
        "results/report.html (cost table, from logs/benchmarks/<rule>/*.tsv)",
        "report:COST_COLUMNS",
        "one row per rule that wrote benchmark files, costliest first",
    ),
]

BEGIN = "<!-- BEGIN GENERATED {name}: python -m mechnoise.reference -->"
END = "<!-- END GENERATED {name} -->"


def table_id(ref: str) -> str:
    """Key in :data:`mechnoise.columns.TABLES` of a ``"module:NAME_COLUMNS"`` reference."""
    module, attr = ref.split(":")
    return f"{module}.{attr.removesuffix('_COLUMNS').lower()}"


def _columns(ref: str) -> Mapping[str, tuple[str, str, str]]:
    return columns.view(table_id(ref))


def tables_markdown() -> str:
    """Markdown of every output table: path, row meaning, columns with dtype, unit, meaning."""
    out = []
    for path, ref, rows in TABLES:
        out.append(f"## `{path}`\n\n{rows[0].upper() + rows[1:]}.\n")
        out.append("| column | dtype | unit | meaning |\n|---|---|---|---|")
        for name, (dtype, unit, desc) in _columns(ref).items():
            out.append(f"| `{name}` | {dtype} | {unit} | {desc} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _walk(schema: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Mapping[str, Any]]]:
    for key, sub in schema.get("properties", {}).items():
        dotted = f"{prefix}{key}"
        if sub.get("type") == "object":
            yield from _walk(sub, dotted + ".")
        else:
            yield dotted, sub


def _lookup(config: Mapping[str, Any], dotted: str) -> Any:
    node: Any = config
    for part in dotted.split("."):
        node = node.get(part) if isinstance(node, Mapping) else None
    return node


def _range(spec: Mapping[str, Any]) -> str:
    items = spec.get("items", {})
    parts = []
    for s in (spec, items):
        if "enum" in s:
            parts.append(" / ".join(str(v) for v in s["enum"]))
        lo = s.get("minimum", s.get("exclusiveMinimum"))
        hi = s.get("maximum", s.get("exclusiveMaximum"))
        if lo is not None or hi is not None:
            left = ">" if "exclusiveMinimum" in s else "≥"
            right = "<" if "exclusiveMaximum" in s else "≤"
            bits = [
                f"{left} {lo}" if lo is not None else "",
                f"{right} {hi}" if hi is not None else "",
            ]
            parts.append(", ".join(b for b in bits if b))
    return "; ".join(parts)


def config_keys_markdown(config_path: Path) -> str:
    """Markdown table of every config key: default (config.yaml), type, range, meaning.

    The schema is ``workflow/schemas/config.schema.yaml`` of the checkout holding
    ``config_path``.
    """
    config = yaml.safe_load(config_path.read_text())
    schema = load_schema(config_path.parent / "workflow" / "schemas" / "config.schema.yaml")
    lines = ["| key | default | type | range | meaning |", "|---|---|---|---|---|"]
    for dotted, spec in _walk(schema):
        default = _lookup(config, dotted)
        typ = spec.get("type", "")
        if typ == "array":
            typ = f"list of {spec.get('items', {}).get('type', 'any')}"
        desc = spec.get("description", spec.get("items", {}).get("description", ""))
        lines.append(f"| `{dotted}` | `{default}` | {typ} | {_range(spec)} | {desc} |")
    return "\n".join(lines) + "\n"


#: generated section name -> the docs page (relative to the checkout) that holds it.
PAGES: dict[str, str] = {
    "config keys": "docs/configuration.md",
    "tables": "docs/outputs.md",
}


def _replace(text: str, name: str, body: str) -> str:
    begin, end = BEGIN.format(name=name), END.format(name=name)
    block = f"{begin}\n{body}{end}"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        return pattern.sub(lambda _: block, text)
    placeholder = f"{name.upper().replace(' ', '_')}_PLACEHOLDER"
    if placeholder not in text:
        raise ValueError(f"page has neither a generated '{name}' section nor {placeholder}")
    return text.replace(placeholder, block)


def _section(name: str, config_path: Path) -> str:
    return config_keys_markdown(config_path) if name == "config keys" else tables_markdown()


def render_docs(root: Path) -> dict[Path, str]:
    """Text of every generated docs page of the checkout ``root``, brought up to date.

    Parameters
    ----------
    root : Path
        The checkout: it holds ``config.yaml``, ``workflow/schemas`` and ``docs/``.

    Returns
    -------
    dict of Path to str
        Page path -> its current text with the generated section rewritten.
    """
    out = {}
    for name, page in PAGES.items():
        path = root / page
        out[path] = _replace(path.read_text(), name, _section(name, root / "config.yaml"))
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m mechnoise.reference [CHECKOUT] [--check]``: rewrite (or check) the pages.

    ``CHECKOUT`` defaults to the working directory; a file in it (e.g. ``README.md``, as the
    command was once given) names its folder.
    """
    args = sys.argv[1:] if argv is None else argv
    check = "--check" in args
    paths = [Path(a) for a in args if a != "--check"]
    root = paths[0] if paths else Path(".")
    if root.is_file():
        root = root.parent
    stale = []
    for path, text in render_docs(root).items():
        if path.read_text() != text:
            stale.append(str(path))
            if not check:
                path.write_text(text)
    if check and stale:
        print(f"stale generated docs: {', '.join(stale)}; run python -m mechnoise.reference")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
