"""Plumbing shared by the workflow's thin scripts (logging to the rule's log file)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path


def start_logging(log_file: str | Path) -> logging.Logger:
    """Send stderr and the ``mechnoise`` loggers to ``log_file``; return the script logger."""
    path = Path(log_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    stream = open(path, "w")  # noqa: SIM115 - lives as long as the script
    sys.stderr = stream
    logging.basicConfig(
        stream=stream,
        level=logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s: %(message)s",
        force=True,
    )
    return logging.getLogger("mechnoise.script")
