"""Faults and bad input (issue 13): every hole found by injecting faults has a test here.

Each test reproduces one fault a careless or unlucky user met and checks the message the
user now sees: it names the config key, the file, or the run (density, rate, seed, segment).
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import test_shear
import yaml
from conftest import SCHEMA_FILE
from test_config import _set

from mechnoise import io
from mechnoise.config import ConfigError, deep_update, load_schema, validate_config
from mechnoise.lammps import LammpsError, merge_segments, run_lammps
from mechnoise.lammps.engine import DONE_MARKER
from mechnoise.lammps.schedule import plan_shear
from mechnoise.lammps.watchdog import last_step

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = load_schema(SCHEMA_FILE)
SNAKEMAKE = Path(sys.executable).parent / "snakemake"


@pytest.fixture()
def tiny() -> dict:
    cfg = yaml.safe_load((ROOT / "config.yaml").read_text())
    deep_update(cfg, yaml.safe_load((ROOT / "workflow" / "presets" / "tiny.yaml").read_text()))
    return cfg


# --- 3. Validation holes -------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "analysis.d2min.threshold",
        "analysis.blocks.width",
        "shear.damping_time",
        "yield_test.drop_factor",
        "hl_model.shear_rates.max",
        "quench.equilibration_time",
        "shear.frames.window_duration",
    ],
)
@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_non_finite_number_is_rejected_naming_its_key(tiny: dict, key: str, value: float) -> None:
    with pytest.raises(ConfigError, match=rf"^{key}: {value} is not a finite number"):
        validate_config(_set(tiny, key, value), SCHEMA)


def test_non_finite_number_inside_a_list_is_rejected(tiny: dict) -> None:
    with pytest.raises(ConfigError, match=r"^shear\.shear_rates\.1: nan is not a finite"):
        validate_config(_set(tiny, "shear.shear_rates", [0.02, float("nan")]), SCHEMA)


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [
        ("system.seeds", [1.0], "system.seeds.0"),
        ("yield_test.n_configs", 1.0, "yield_test.n_configs"),
        ("execution.mpi_ranks", 1.0, "execution.mpi_ranks"),
        ("system.n_particles", 400.0, "system.n_particles"),
    ],
)
def test_integer_key_given_as_float_is_rejected(
    tiny: dict, key: str, value: object, named: str
) -> None:
    with pytest.raises(ConfigError, match=rf"^{named}: .* is not of type 'integer'"):
        validate_config(_set(tiny, key, value), SCHEMA)


@pytest.mark.parametrize(
    ("key", "values"),
    [
        ("system.densities", [1.149, 1.1490000001]),
        ("shear.shear_rates", [0.02, 0.0200000001]),
    ],
)
def test_values_sharing_a_folder_name_are_rejected(tiny: dict, key: str, values: list) -> None:
    with pytest.raises(ConfigError, match=rf"^{key}: .*share the folder name"):
        validate_config(_set(tiny, key, values), SCHEMA)


def test_planning_error_names_its_key(tiny: dict) -> None:
    """A schedule that cannot be planned names the key to change, not a section."""
    with pytest.raises(ConfigError, match=r"^shear\.frames\.n_windows: at rate 0\.02, "):
        validate_config(_set(tiny, "shear.frames.n_windows", 1000), SCHEMA)


# --- 1. Checksums and sanity at every table boundary ---------------------------------------


def _thermo_table(n: int = 3000) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    strain = np.arange(n) * 1e-3
    return pd.DataFrame(
        {
            "step": np.arange(n) * 20,
            "time": strain / 0.01,
            "strain": strain,
            "stress": 1.0 + 0.05 * rng.standard_normal(n),
            "pressure": 8.0 + 0.1 * rng.standard_normal(n),
            "pe": -3.0 + 0.01 * rng.standard_normal(n),
            "lx": 18.0,
            "ly": 18.0,
            "xy": 18.0 * (strain % 1.0),
            "steady": strain >= 0.2,
        }
    )


def _corrupt_column(path: Path, column: str, n_bytes: int = 21) -> None:
    """Overwrite ``n_bytes`` in the middle of a column's data pages (as a bad disk would)."""
    meta = pq.ParquetFile(path).metadata.row_group(0)
    names = [meta.column(i).path_in_schema for i in range(meta.num_columns)]
    chunk = meta.column(names.index(column))
    offset = chunk.data_page_offset + chunk.total_compressed_size // 2
    data = bytearray(path.read_bytes())
    old = data[offset : offset + n_bytes]
    data[offset : offset + n_bytes] = bytes((b + 0x55) % 256 for b in old)
    path.write_bytes(bytes(data))


def _empty_frames() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=d) for c, (d, _, _) in io.FRAME_COLUMNS.items()})


def test_corrupt_parquet_is_an_error_naming_the_file(tmp_path: Path) -> None:
    """Bytes changed in the stress pages of a finished thermo table: merging the run's
    segments (the first reader) stops with the file's name and how to regenerate it."""
    part = tmp_path / "segments" / "thermo0.parquet"
    io.write_table(_thermo_table(), part, io.THERMO_COLUMNS)
    _corrupt_column(part, "stress")
    frames = tmp_path / "segments" / "frames0.parquet"
    io.write_table(_empty_frames(), frames, io.FRAME_COLUMNS)
    with pytest.raises(ValueError, match=rf"{part}: corrupt parquet .*rerun the same command"):
        merge_segments([part], [frames], tmp_path / "thermo.parquet", tmp_path / "frames.parquet")
    assert not (tmp_path / "thermo.parquet").exists()


def test_every_parquet_read_goes_through_the_checked_reader() -> None:
    """No module or workflow script reads parquet except through mechnoise.io.read_table."""
    offenders = []
    for path in [*(ROOT / "src").rglob("*.py"), *(ROOT / "workflow" / "scripts").glob("*.py")]:
        text = path.read_text()
        for call in ("pd.read_parquet(", "pq.read_table(", "pandas.read_parquet("):
            if call in text and path.name != "io.py":
                offenders.append(f"{path.relative_to(ROOT)}: {call}")
    assert not offenders, offenders


@pytest.mark.parametrize(
    ("column", "value"), [("stress", 1e85), ("pressure", float("nan")), ("pe", float("-inf"))]
)
def test_absurd_thermo_value_is_an_error_naming_file_and_column(
    tmp_path: Path, column: str, value: float
) -> None:
    df = _thermo_table(50)
    df.loc[17, column] = value
    path = tmp_path / "segments" / "thermo0.parquet"
    io.write_table(df, path, io.THERMO_COLUMNS)
    frames = tmp_path / "segments" / "frames0.parquet"
    io.write_table(_empty_frames(), frames, io.FRAME_COLUMNS)
    with pytest.raises(ValueError, match=rf"{path}: column '{column}' holds"):
        merge_segments([path], [frames], tmp_path / "thermo.parquet", tmp_path / "frames.parquet")


def test_absurd_frame_value_is_an_error_naming_file_and_column(tmp_path: Path) -> None:
    n = 10
    df = pd.DataFrame(
        {
            "frame": 0, "window": 0, "step": 0, "time": 0.0, "strain": 0.0,
            "lx": 5.0, "ly": 5.0, "xy": 0.0, "id": np.arange(1, n + 1), "type": 1,
            "x": np.linspace(0, 4, n), "y": np.linspace(0, 4, n), "sxy": 0.1,
        }
    )  # fmt: skip
    df.loc[3, "sxy"] = -3e90
    path = tmp_path / "frames.parquet"
    io.write_table(df, path, io.FRAME_COLUMNS)
    with pytest.raises(ValueError, match=rf"{path}: column 'sxy' holds -3e\+90"):
        io.read_frames(path)


# --- 1./2. Glass and restart files, endless runs -------------------------------------------

MODEL = test_shear.MODEL
glass = test_shear.glass  # the fixture: one small quenched glass per module


def _segment(glass: Path, workdir: Path, k: int, **kw: object):
    plan = plan_shear(0.01, 0.005, 0.04, 0.02, 0.01, 0.001, 1, 1.0, 0.2)
    return test_shear.segment(MODEL, plan, k, glass, workdir, density=1.2, **kw)


def _garble_middle(path: Path) -> None:
    data = bytearray(path.read_bytes())
    mid = len(data) // 2
    data[mid : mid + 64] = os.urandom(64)
    path.write_bytes(bytes(data))


@pytest.mark.lammps
def test_glass_and_restart_files_carry_a_checksum(glass: Path, tmp_path: Path) -> None:
    _segment(glass, tmp_path, 0)
    for f in (glass, tmp_path / "seg0.restart"):
        recorded = io.checksum_path(f).read_text().split()[0]
        assert recorded == hashlib.sha256(f.read_bytes()).hexdigest()


@pytest.mark.lammps
def test_garbage_in_a_restart_file_is_refused_before_lammps_reads_it(
    glass: Path, tmp_path: Path
) -> None:
    """Garbage bytes in a restart file once made LAMMPS loop in read_restart for ever."""
    _segment(glass, tmp_path, 0)
    restart = tmp_path / "seg0.restart"
    _garble_middle(restart)
    start = time.monotonic()
    with pytest.raises(LammpsError) as err:
        _segment(glass, tmp_path, 1)
    assert time.monotonic() - start < 60
    msg = str(err.value)
    assert str(restart) in msg and "SHA-256" in msg
    assert "rho=1.2 rate=0.01 seed=7 segment 1" in msg
    assert not (tmp_path / "seg1.restart").exists()


@pytest.mark.lammps
def test_truncated_glass_is_refused_naming_the_file(glass: Path, tmp_path: Path) -> None:
    bad = tmp_path / "glass.data"
    shutil.copy(glass, bad)
    shutil.copy(io.checksum_path(glass), io.checksum_path(bad))
    bad.write_bytes(bad.read_bytes()[: bad.stat().st_size // 2])
    with pytest.raises(LammpsError, match=rf"{bad}: its SHA-256 differs"):
        _segment(bad, tmp_path / "run", 0)


LOOP_FOREVER = "echo none\nunits lj\nlabel again\njump SELF again\n"


@pytest.mark.lammps
def test_silent_lammps_is_killed_and_named_with_its_inputs(tmp_path: Path) -> None:
    """A LAMMPS that writes nothing for far longer than its output interval is killed."""
    from mechnoise.lammps import Watchdog

    script = tmp_path / "in.hang"
    script.write_text(LOOP_FOREVER)
    start = time.monotonic()
    with pytest.raises(LammpsError) as err:
        run_lammps(
            script,
            {},
            workdir=tmp_path,
            name="shear rho=1.2 rate=0.01 seed=7 segment 3",
            watchdog=Watchdog(stall_seconds=3.0),
        )
    assert time.monotonic() - start < 30
    msg = str(err.value)
    assert "no new output for" in msg and "rho=1.2 rate=0.01 seed=7 segment 3" in msg
    assert str(script) in msg


@pytest.mark.lammps
def test_run_over_its_wall_clock_limit_is_killed(tmp_path: Path) -> None:
    """A run that keeps writing but never ends is stopped at its wall-clock limit."""
    from mechnoise.lammps import Watchdog

    script = tmp_path / "in.chatty"
    script.write_text(
        "units lj\ndimension 2\nlattice sq 1.0\nregion b block 0 4 0 4 -0.5 0.5\n"
        "create_box 1 b\ncreate_atoms 1 box\nmass 1 1\npair_style lj/cut 2.5\n"
        "pair_coeff 1 1 1 1\nfix 1 all nve\nthermo 100\nthermo_modify flush yes\n"
        "label again\nrun 2000\njump SELF again\n"
    )
    with pytest.raises(LammpsError, match="over its wall-clock limit of 3 s"):
        run_lammps(script, {}, workdir=tmp_path, name="chatty", watchdog=Watchdog(time_limit=3.0))


@pytest.mark.lammps
def test_run_stops_when_its_snakemake_dies(tmp_path: Path) -> None:
    """A killed Snakemake leaves no LAMMPS running on behind it."""
    from mechnoise.lammps import Watchdog

    supervisor = subprocess.Popen(["sleep", "2"])
    script = tmp_path / "in.hang"
    script.write_text(LOOP_FOREVER)
    try:
        with pytest.raises(LammpsError, match=rf"Snakemake \(pid {supervisor.pid}\) .* died"):
            run_lammps(
                script, {}, workdir=tmp_path, name="orphan",
                watchdog=Watchdog(supervisor_pid=supervisor.pid, time_limit=60),
            )  # fmt: skip
    finally:
        supervisor.wait()


@pytest.mark.lammps
def test_progress_lines_give_strain_throughput_and_eta(
    glass: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from mechnoise.lammps import RunLimits

    plan = plan_shear(0.0002, 0.005, 0.04, 0.04, 0.01, 0.0005, 1, 1.0, 0.2)  # 40000 steps
    caplog.set_level("INFO", logger="mechnoise")
    test_shear.segment(
        MODEL, plan, 0, glass, tmp_path, density=1.2, limits=RunLimits(progress_minutes=0.3 / 60)
    )
    lines = [r.getMessage() for r in caplog.records if "atom-steps/s" in r.getMessage()]
    assert lines, [r.getMessage() for r in caplog.records]
    head = "shear rho=1.2 rate=0.0002 seed=7 segment 0: strain "
    assert all(line.startswith(head) for line in lines)
    assert all(" of 0.04 (" in line and "ETA" in line for line in lines)


# --- 3./4./5. The real workflow: failing jobs, interrupts, paths, results folders ----------

#: One density and one rate, two segments of 30000 steps at N = 400 (about 3 s of MD each on
#: an idle core): long enough to be caught in the middle of its MD loop, short enough to run
#: every interrupt variant.
SLOW = {"system": {"densities": [1.149]}, "shear": {"shear_rates": [0.002]}}
SEGMENTS = "results/shear/rho1.149/rate0.002/seed1/segments"
SEG0, SEG1 = f"{SEGMENTS}/seg0.restart", f"{SEGMENTS}/seg1.restart"
GLASS = "results/glass/rho1.149/seed1/glass.data"


def _checkout(where: Path) -> Path:
    """A copy of this checkout at ``where`` (the code, not the venv, results or git)."""
    skip = shutil.ignore_patterns(
        ".venv", ".git", "results", "logs", ".snakemake", "__pycache__", "*_cache", "*.egg-info"
    )
    shutil.copytree(ROOT, where, ignore=skip)
    return where


def _command(checkout: Path, *extra: str) -> list[str]:
    """The README's command for the tiny preset plus an overlay config and targets."""
    return [
        str(SNAKEMAKE), "--cores", "2", "--configfile", "workflow/presets/tiny.yaml",
        str(checkout / "overlay.yaml"), *extra,
    ]  # fmt: skip


def _snakemake(checkout: Path, overlay: dict, *extra: str) -> subprocess.CompletedProcess:
    (checkout / "overlay.yaml").write_text(yaml.safe_dump(overlay))
    return subprocess.run(_command(checkout, *extra), cwd=checkout, capture_output=True, text=True)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.e2e
def test_failing_job_never_deletes_a_valid_glass(tmp_path: Path) -> None:
    """``mpi_ranks: 1.0`` once made a job fail and Snakemake delete a valid glass.data."""
    repo = _checkout(tmp_path / "repo")
    first = _snakemake(repo, SLOW, "--", GLASS)
    assert first.returncode == 0, first.stderr[-3000:]
    before = _sha(repo / GLASS)
    bad = copy.deepcopy(SLOW)
    bad["execution"] = {"mpi_ranks": 1.0}
    second = _snakemake(repo, bad, "--", SEG0)
    assert second.returncode != 0
    assert "execution.mpi_ranks: 1.0 is not of type 'integer'" in second.stdout + second.stderr
    assert _sha(repo / GLASS) == before


def _pids(marker: str) -> list[int]:
    """Processes whose command line holds ``marker`` (LAMMPS: its log file's path)."""
    out = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def _start(checkout: Path, *extra: str) -> subprocess.Popen[bytes]:
    """The README's command for the tiny preset, started as a terminal starts a foreground
    job: in its own process group, with SIGINT's default action.

    A terminal's Ctrl-C reaches processes whose SIGINT has its default action. A runner that
    starts the suite in the background (nohup ... &) leaves SIGINT ignored, and every child
    would inherit that; restore the default so the test sees what a user's shell sees.
    """
    return subprocess.Popen(
        _command(checkout, *extra), cwd=checkout,
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip


def _segment_tables(checkout: Path, k: int) -> dict[str, pd.DataFrame]:
    """The tables segment ``k`` wrote (thermo, frames, block series), read and checked."""
    return {
        name: io.read_table(checkout / SEGMENTS / f"{name}{k}.parquet")
        for name in ("thermo", "frames", "blocks")
    }


def _stamp(path: Path) -> tuple[int, str]:
    """(mtime in ns, SHA-256) of a file: equal stamps mean nobody wrote it again."""
    return path.stat().st_mtime_ns, _sha(path)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A checkout whose glass and both shear segments ran without interruption."""
    repo = _checkout(tmp_path_factory.mktemp("uninterrupted") / "repo")
    run = _snakemake(repo, SLOW, "--", SEG1)
    assert run.returncode == 0, run.stderr[-3000:]
    return repo


def _before_segment_1(uninterrupted: Path, where: Path) -> Path:
    """A copy of ``uninterrupted`` as it stood before segment 1 ran: every file of segment 1
    (outputs, LAMMPS and job logs) removed, so the next run must resume from ``seg0.restart``."""
    repo = shutil.copytree(uninterrupted, where, symlinks=True)
    seg1 = [*(repo / SEGMENTS).glob("*1.*"), *(repo / "logs").rglob("*_seg1.*")]
    assert repo / SEG1 in seg1 and repo / SEGMENTS / "shear1.log" in seg1
    for path in seg1:
        path.unlink()
    return repo


@pytest.mark.e2e
@pytest.mark.parametrize(
    "interrupt",
    ["ctrl-c", "sigint-snakemake", "sigterm-snakemake", "sigkill-snakemake", "sigkill-lammps"],
)
def test_same_command_resumes_after_an_interrupt(
    uninterrupted: Path, tmp_path: Path, interrupt: str
) -> None:
    """Ctrl-C, a signalled or killed Snakemake, or a killed LAMMPS while segment 1 runs:
    rerunning the same command resumes from segment 0's restart and gives the same segment 1
    as a run that was never interrupted.

    What each interrupt does (docs/running.md, "Resuming, faults and the results folder"):

    - Ctrl-C (SIGINT to the whole foreground process group: Snakemake, the job, LAMMPS), a
      SIGKILLed Snakemake (its job sees it die and stops LAMMPS) and a killed LAMMPS stop the
      segment inside its MD loop; its restart and tables are never written, the rerun
      redoes the segment from segment 0's restart.
    - ``kill <pid>`` (SIGTERM to Snakemake alone) is Snakemake's graceful stop: no new job
      starts, the running job finishes and is recorded; the rerun reuses it.
    - ``kill -INT <pid>`` (SIGINT to Snakemake alone, not its group): the job is not
      signalled and runs to its end, but Snakemake has stopped and never records it, so it
      counts as incomplete and the rerun redoes it (same result, the segment's time lost).
    """
    repo = _before_segment_1(uninterrupted, tmp_path / "repo")
    seg0 = _stamp(repo / SEG0)
    log = repo / SEGMENTS / "shear1.log"
    marker = str(log)
    start_step = last_step(repo / SEGMENTS / "shear0.log")
    assert start_step, "segment 0 logged no step"
    proc = _start(repo, "--", SEG1)
    deadline = time.monotonic() + 600
    # evidence that segment 1's MD loop is running: its LAMMPS is alive and has logged a thermo
    # line past the segment's first step (one every 100 steps); then signal at once
    while not (_pids(marker) and (last_step(log) or 0) > start_step):
        assert proc.poll() is None and time.monotonic() < deadline, "segment 1 never started"
        time.sleep(0.02)
    at_signal = last_step(log)
    if interrupt == "ctrl-c":  # the terminal sends SIGINT to the whole foreground group
        os.killpg(proc.pid, signal.SIGINT)
    elif interrupt == "sigkill-lammps":
        os.kill(_pids(marker)[0], signal.SIGKILL)
    else:  # kill -INT / -TERM / -KILL <snakemake pid>
        os.kill(proc.pid, getattr(signal, interrupt.split("-")[0].upper()))
    proc.wait(timeout=300)
    deadline = time.monotonic() + 60
    # nothing keeps running behind a stopped Snakemake: neither LAMMPS nor the job's Python
    # (a job whose Snakemake was killed writes its error after it has stopped LAMMPS)
    while _pids(str(repo)):
        assert time.monotonic() < deadline, "a job still runs after its Snakemake stopped"
        time.sleep(0.2)
    text = log.read_text(errors="replace")
    end_step = last_step(uninterrupted / SEGMENTS / "shear1.log")
    assert at_signal is not None and start_step < at_signal < end_step  # signalled mid-loop
    finished = interrupt in ("sigint-snakemake", "sigterm-snakemake")
    if finished:
        # the job was not signalled: it ran its whole MD loop after the signal, cleanly
        assert DONE_MARKER in text and last_step(log) == end_step
        assert io.verify_checksum(repo / SEG1)
        seg1 = _stamp(repo / SEG1)
    else:
        # the interrupt landed inside the MD loop: the log stops between the segment's first
        # and last step, and neither the restart nor the tables of segment 1 exist
        stopped_at = last_step(log)
        assert stopped_at is not None and start_step < stopped_at < end_step, text[-500:]
        assert DONE_MARKER not in text, "the segment finished before the interrupt"
        assert not any((repo / SEGMENTS).glob("*1.parquet")) and not (repo / SEG1).exists()
    if interrupt == "sigkill-snakemake":  # the job saw its Snakemake die and stopped LAMMPS
        job_log = repo / "logs/shear/rho1.149_rate0.002_seed1_seg1.log"
        assert "that started it died" in job_log.read_text()
    again = subprocess.run(_command(repo, "--", SEG1), cwd=repo, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr[-3000:]
    assert _stamp(repo / SEG0) == seg0  # segment 0 was kept, not run again
    if interrupt == "sigterm-snakemake":  # the finished, recorded segment is reused
        assert _stamp(repo / SEG1) == seg1
        assert "Nothing to be done" in again.stdout + again.stderr
    else:  # segment 1 ran again, from segment 0's restart, to its end
        assert not finished or _stamp(repo / SEG1)[0] != seg1[0]
        text = log.read_text()
        assert re.search(r"^read_restart \S*/segments/seg0\.restart\nReading restart", text, re.M)
        assert DONE_MARKER in text
    assert io.verify_checksum(repo / SEG1)
    expected = _segment_tables(uninterrupted, 1)
    for name, table in _segment_tables(repo, 1).items():
        pd.testing.assert_frame_equal(table, expected[name], check_exact=True, obj=name)


@pytest.mark.e2e
def test_checkout_path_with_a_space_works(tmp_path: Path) -> None:
    repo = _checkout(tmp_path / "my projects" / "mech noise")
    fast = {"system": {"densities": [1.149]}, "shear": {"shear_rates": [0.02]}}
    run = _snakemake(repo, fast, "--", "results/shear/rho1.149/rate0.02/seed1/thermo.parquet")
    assert run.returncode == 0, run.stderr[-3000:]
    thermo = io.read_thermo(repo / "results/shear/rho1.149/rate0.02/seed1/thermo.parquet")
    assert thermo["strain"].max() == pytest.approx(0.6, abs=1e-3)


@pytest.mark.e2e
def test_other_physics_in_a_used_results_folder_is_refused(tmp_path: Path) -> None:
    """Tiny-preset results are not silently overwritten by another configuration; adding a
    density or a rate is not another configuration."""
    repo = _checkout(tmp_path / "repo")
    assert _snakemake(repo, SLOW, "--", GLASS).returncode == 0
    other = copy.deepcopy(SLOW)
    other["system"]["n_particles"] = 1600
    refused = _snakemake(repo, other, "-n")
    assert refused.returncode != 0
    assert "system.n_particles: 400 there, 1600 now" in refused.stdout + refused.stderr
    more = {"system": {"densities": [1.149, 1.253]}, "shear": {"shear_rates": [0.0005, 0.02]}}
    assert _snakemake(repo, more, "-n").returncode == 0
    asked = _snakemake(repo, other, "-n", "--config", "replace_results=true")
    assert asked.returncode == 0, asked.stderr[-3000:]


def test_stale_lock_is_removed_only_when_its_snakemake_is_dead(tmp_path: Path) -> None:
    from mechnoise.workdir import record_lock_owner, remove_stale_lock

    locks = tmp_path / ".snakemake" / "locks"
    locks.mkdir(parents=True)
    dead = subprocess.Popen(["true"])
    dead.wait()
    (locks / "0.input.lock").write_text("x")
    record_lock_owner(tmp_path, pid=dead.pid)
    assert remove_stale_lock(tmp_path)
    assert not (locks / "0.input.lock").exists()
    (locks / "0.input.lock").write_text("x")
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", "snakemake"])
    try:
        while b"snakemake" not in Path(f"/proc/{live.pid}/cmdline").read_bytes():
            time.sleep(0.05)  # until the child has exec'd
        record_lock_owner(tmp_path, pid=live.pid)
        assert not remove_stale_lock(tmp_path)
        assert (locks / "0.input.lock").exists()
    finally:
        live.kill()
        live.wait()
