"""The ``mechnoise`` command line: argparse with one subcommand group per topic.

Usage::

    mechnoise hl flowcurve --alpha 0.26 --rates 1e-6 1e-4 1e-2 --out hl.parquet
    mechnoise hl flowcurve --alpha 0.26 --rate-range 1e-6 1 15 --model modified \\
        --threshold-width 0.2 --relaxation-fraction 0.2 --out modified.parquet
    mechnoise hl asymptotics --alpha 0.26 0.33

Adding a group: write ``_add_<topic>_commands(groups)`` that creates a parser with
``groups.add_parser("<topic>")`` and its own subparsers, set ``func`` on every leaf
(a callable taking the parsed namespace and returning an exit code) and list the adder in
``_GROUP_ADDERS``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

logger = logging.getLogger("mechnoise.cli")


def _write_or_print(
    table: pd.DataFrame, out: Path | None, columns: dict[str, tuple[str, str, str]] | None
) -> None:
    """Write parquet (with units metadata when ``columns`` is given) or CSV, or print."""
    if out is None:
        sys.stdout.write(table.to_string(index=False) + "\n")
        return
    if out.suffix == ".csv":
        out.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(out, index=False)
    elif out.suffix == ".parquet":
        from mechnoise import io

        if columns is None:
            out.parent.mkdir(parents=True, exist_ok=True)
            table.to_parquet(out, index=False)
        else:
            io.write_table(table, out, columns)
    else:
        raise SystemExit(f"--out must end in .parquet or .csv, got {out}")
    logger.info("wrote %d rows to %s", len(table), out)


# --------------------------------------------------------------------------------------
# hl
# --------------------------------------------------------------------------------------


def _hl_rates(args: argparse.Namespace) -> np.ndarray:
    if args.rates is not None:
        return np.asarray(args.rates, dtype=np.float64)
    lo, hi, n = args.rate_range
    n_int = int(n)
    if n_int != n or n_int < 1:
        raise SystemExit(f"--rate-range N must be a positive integer, got {n}")
    return np.geomspace(lo, hi, n_int)


def _hl_flowcurve(args: argparse.Namespace) -> int:
    from mechnoise import hl

    rates = _hl_rates(args)
    try:
        if args.model == "hl":
            table = hl.flow_curve_table(args.alpha, rates)
            columns = hl.FLOW_CURVE_COLUMNS
        else:
            parts = []
            for alpha in args.alpha:
                curve = hl.modified_flow_curve(
                    alpha,
                    rates,
                    threshold_width=args.threshold_width,
                    relaxation_fraction=args.relaxation_fraction,
                    relaxation_width=args.relaxation_width,
                    threshold_nodes=args.threshold_nodes,
                    relaxation_nodes=args.relaxation_nodes,
                    thresholds=args.thresholds,
                )
                curve.insert(0, "alpha", alpha)
                curve.insert(1, "threshold_width", args.threshold_width)
                curve.insert(2, "relaxation_fraction", args.relaxation_fraction)
                curve.insert(3, "relaxation_width", args.relaxation_width)
                curve.insert(4, "thresholds", args.thresholds)
                parts.append(curve)
            table = pd.concat(parts, ignore_index=True)
            columns = hl.MODIFIED_FLOW_CURVE_COLUMNS
    except ValueError as exc:
        raise SystemExit(f"mechnoise hl flowcurve: {exc}") from exc
    _write_or_print(table, args.out, columns)
    return 0


def _hl_asymptotics(args: argparse.Namespace) -> int:
    from mechnoise import hl

    try:
        table = hl.parametric_curve(args.alpha)
    except ValueError as exc:
        raise SystemExit(f"mechnoise hl asymptotics: {exc}") from exc
    _write_or_print(table, args.out, hl.PARAMETRIC_CURVE_COLUMNS)
    return 0


def _add_hl_commands(groups: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    hl_parser = groups.add_parser("hl", help="Hébraud–Lequeux model (units σ_c = G0 = τ = 1)")
    commands = hl_parser.add_subparsers(dest="command", required=True)

    flow = commands.add_parser(
        "flowcurve",
        help="stationary flow curve(s) of the HL or modified HL model",
        description="Stationary <σ>, Γ and D at the given shear rates (one block per alpha).",
    )
    flow.add_argument("--alpha", type=float, nargs="+", required=True, help="coupling(s) α > 0")
    rates = flow.add_mutually_exclusive_group(required=True)
    rates.add_argument("--rates", type=float, nargs="+", help="shear rates γ̇ > 0")
    rates.add_argument(
        "--rate-range",
        type=float,
        nargs=3,
        metavar=("MIN", "MAX", "N"),
        help="N log-spaced rates from MIN to MAX",
    )
    flow.add_argument("--model", choices=("hl", "modified"), default="hl")
    flow.add_argument(
        "--threshold-width", type=float, default=0.0, help="std of thresholds (modified)"
    )
    flow.add_argument(
        "--relaxation-fraction",
        type=float,
        default=1.0,
        help="stress drop / threshold at yield, in (0, 1] (modified)",
    )
    flow.add_argument(
        "--relaxation-width", type=float, default=0.0, help="std of the fraction (modified)"
    )
    flow.add_argument(
        "--thresholds",
        choices=("renewed", "quenched"),
        default="renewed",
        help="renew a site's threshold at each yield, or keep it (modified)",
    )
    flow.add_argument("--threshold-nodes", type=int, default=12, help="quadrature nodes")
    flow.add_argument("--relaxation-nodes", type=int, default=6, help="quadrature nodes")
    flow.add_argument("--out", type=Path, default=None, help="output .parquet or .csv")
    flow.set_defaults(func=_hl_flowcurve)

    asym = commands.add_parser(
        "asymptotics", help="small-rate σ_Y and A (Herschel–Bulkley) for given α < 1/2"
    )
    asym.add_argument("--alpha", type=float, nargs="+", required=True)
    asym.add_argument("--out", type=Path, default=None, help="output .parquet or .csv")
    asym.set_defaults(func=_hl_asymptotics)


#: One adder per subcommand group; other topics append theirs here.
_GROUP_ADDERS: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = [
    _add_hl_commands
]


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with every registered subcommand group.

    Examples
    --------
    >>> args = build_parser().parse_args(["hl", "flowcurve", "--alpha", "0.26", "--rates", "1e-3"])
    >>> args.group, args.command, args.alpha, args.model
    ('hl', 'flowcurve', [0.26], 'hl')
    """
    parser = argparse.ArgumentParser(
        prog="mechnoise", description="Athermal rheology of amorphous solids: tools."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")
    groups = parser.add_subparsers(dest="group", required=True)
    for adder in _GROUP_ADDERS:
        adder(groups)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mechnoise`` console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(name)s %(levelname)s: %(message)s",
    )
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
