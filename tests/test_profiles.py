"""Every profile in workflow/profiles/ plans the whole workflow of every preset (dry runs).

A cluster user's first command is a dry run with ``--profile workflow/profiles/slurm``; a job
group that depends on itself through a job outside it (issue 24: ``compute_event_duration``
between two members of the old ``run_analysis`` group) stops Snakemake before any job. These
dry runs, from an empty working directory and without any cluster, fail on any DAG or group
error, so a new rule that breaks a profile fails ``make test`` in seconds. The SLURM profile
needs snakemake-executor-plugin-slurm (in the ``dev`` extra). The real cluster path is
``make test-slurm`` (tests/cluster/).

The groups come from workflow/rules/groups.smk (one per natural unit: run, glass, density);
the checks below make sure they still bundle what they should.
"""

from __future__ import annotations

import functools
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import copy_checkout, scheduled_jobs

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).parent / "snakemake"
PROFILES = sorted(p.name for p in (ROOT / "workflow" / "profiles").iterdir() if p.is_dir())
PRESETS = {
    "tiny": "workflow/presets/tiny.yaml",
    "demo": "config.yaml",
    "medium": "workflow/presets/medium.yaml",
    "meanfield": "workflow/presets/meanfield.yaml",
    "paper": "workflow/presets/paper.yaml",
}
#: A default runtime (minutes) that no rule computes: in a dry run with it, a job showing
#: another runtime sized itself (workflow/rules/resources.smk).
SENTINEL_RUNTIME = "12345"


def dry_run(
    workdir: Path, profile: str, preset: str, *extra: str, checkout: Path = ROOT
) -> subprocess.CompletedProcess:
    """``snakemake -n`` of the whole workflow with ``profile`` and ``preset`` in ``workdir``."""
    cmd = [
        str(SNAKEMAKE),
        "-n",
        "-s",
        str(checkout / "Snakefile"),
        "-d",
        str(workdir),
        "--configfile",
        str(ROOT / PRESETS[preset]),
        "--profile",
        str(ROOT / "workflow" / "profiles" / profile),
        "--cores",
        "2",
        *extra,
    ]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(cmd, capture_output=True, text=True, env=env, check=False, timeout=300)


@functools.cache
def planned(profile: str, preset: str, tmp_root: str) -> str:
    """Output of the dry run (run once per profile and preset); fails on any error."""
    workdir = Path(tmp_root) / f"{profile}_{preset}"
    workdir.mkdir()
    proc = dry_run(workdir, profile, preset)
    text = proc.stdout + proc.stderr
    if proc.returncode != 0:
        if "invalid choice" in text and "--executor" in text:
            pytest.fail(
                f"profile {profile} needs an executor plugin that is not installed; "
                '`pip install -e ".[dev]"` installs snakemake-executor-plugin-slurm:\n'
                + text[-800:]
            )
        pytest.fail(f"dry run of profile {profile} on preset {preset} failed:\n{text[-4000:]}")
    assert "This was a dry-run" in text, text[-2000:]
    return text


@pytest.fixture(scope="module")
def tmp_root(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("profiles"))


def job_stats(text: str) -> dict[str, int]:
    """Jobs per rule from the "Job stats" table of a dry run (:func:`conftest.scheduled_jobs`)."""
    return scheduled_jobs(subprocess.CompletedProcess([], 0, text, ""))


def cluster_jobs(text: str) -> tuple[list[tuple[str, bool]], list[str]]:
    """Jobs a cluster executor submits one by one, and the group jobs, from a dry run.

    Returns ``[(rule, has_wildcards), ...]`` of the jobs outside any group (printed flush
    left) and the name of every group job (its members are printed indented).
    """
    singles: list[tuple[str, bool]] = []
    groups = re.findall(r"Group job (\w+) \(jobs", text)
    lines = text.splitlines()
    for i, line in enumerate(lines):
        match = re.fullmatch(r"(?:local)?rule (\w+):", line)
        if match is None:
            continue
        block = []
        for nxt in lines[i + 1 :]:
            if not nxt.startswith("    "):
                break
            block.append(nxt)
        singles.append((match.group(1), any(b.startswith("    wildcards:") for b in block)))
    return singles, groups


def job_runtimes(text: str) -> list[tuple[str, bool, bool, str]]:
    """``(rule, alone, has_wildcards, runtime)`` of every job of a dry run.

    ``alone``: a cluster job of its own (printed flush left), not a member of a group job
    (printed indented under "Group job ...").
    """
    jobs = []
    for indent, rule, body in re.findall(
        r"^( *)(?:local)?rule (\w+):\n((?:\1    .*\n)*)", text, re.M
    ):
        runtime = re.search(r"\bruntime=(\w+)", body)
        jobs.append(
            (
                rule,
                indent == "",
                re.search(r"^ *wildcards:", body, re.M) is not None,
                runtime.group(1) if runtime else "",
            )
        )
    return jobs


@functools.cache
def sentinel_plan(tmp_root: str) -> str:
    """Dry run of the tiny preset with the SLURM profile and the default runtime
    :data:`SENTINEL_RUNTIME` (run once)."""
    workdir = Path(tmp_root) / "sentinel_runtime"
    workdir.mkdir()
    proc = dry_run(workdir, "slurm", "tiny", "--default-resources", f"runtime={SENTINEL_RUNTIME}")
    text = proc.stdout + proc.stderr
    assert proc.returncode == 0, text[-4000:]
    return text


def self_sized_rules(tmp_root: str) -> set[str]:
    """Rules whose jobs set their own runtime (another one than :data:`SENTINEL_RUNTIME`)."""
    jobs = job_runtimes(sentinel_plan(tmp_root))
    assert jobs and all(runtime for *_, runtime in jobs), "a job without a runtime"
    return {rule for rule, *_, runtime in jobs if runtime != SENTINEL_RUNTIME}


def test_every_profile_and_preset_is_checked() -> None:
    assert {"default", "slurm"} <= set(PROFILES)
    assert all((ROOT / p).is_file() for p in PRESETS.values())


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("profile", PROFILES)
def test_profile_plans_the_whole_workflow(profile: str, preset: str, tmp_root: str) -> None:
    """The dry run builds the DAG and its groups and plans every job from scratch."""
    text = planned(profile, preset, tmp_root)
    stats = job_stats(text)
    for rule in ("quench_glass", "run_shear_segment", "summarize_plasticity", "write_report"):
        assert stats.get(rule, 0) >= 1, f"{profile}/{preset}: no {rule} job planned"


@pytest.mark.parametrize("preset", PRESETS)
def test_slurm_profile_bundles_the_analysis(preset: str, tmp_root: str) -> None:
    """Only sized jobs and aggregates go out alone; the per-unit analysis in bundles.

    The number of group jobs is what the profile's group-components asks for: e.g. the
    analysis of ``n`` runs in ceil(n / run_analysis) SLURM jobs.
    """
    text = planned("slurm", preset, tmp_root)
    singles, groups = cluster_jobs(text)
    sized = self_sized_rules(tmp_root)
    alone = sorted({rule for rule, wild in singles if wild and rule not in sized})
    assert not alone, f"per-unit jobs outside any group (one SLURM job each): {alone}"
    profile = yaml.safe_load((ROOT / "workflow/profiles/slurm/config.yaml").read_text())
    components = dict(item.split("=") for item in profile["group-components"])
    stats = job_stats(text)
    # one unit = one job of its last rule: a run's summary, a density's yield summary, a glass
    units = {
        "run_analysis": stats["summarize_plasticity"],
        "density_analysis": stats["summarize_local_yield"],
        "glass_analysis": stats["compute_glass_structure"],
    }
    for group, n_units in units.items():
        expected = math.ceil(n_units / int(components[group]))
        assert groups.count(group) == expected, (group, groups.count(group), expected)
    n_sbatch = len(singles) - 1 + len(groups)  # `all` runs on the login node
    assert n_sbatch < sum(stats.values()) - 1


def test_a_group_that_depends_on_itself_fails_the_dry_run(tmp_path: Path) -> None:
    """The check can fail: issue 24's grouping (event duration outside run_analysis) errs."""
    proc = dry_run(tmp_path, "slurm", "tiny", "--groups", "compute_event_duration=apart")
    assert proc.returncode != 0
    assert "Error in group run_analysis" in proc.stdout + proc.stderr


NEW_RULES = """

rule compute_new_statistic:
    input:
        f"{RUN}/d2min.parquet",
    output:
        f"{RUN}/new_statistic.parquet",
    script:
        "../scripts/compute_d2min.py"


rule summarize_new_statistic:
    input:
        statistic=f"{RUN}/new_statistic.parquet",
        summary=f"{RUN}/plasticity_summary.parquet",
    output:
        f"{RUN}/new_summary.parquet",
    script:
        "../scripts/summarize_plasticity.py"
"""


def test_a_new_analysis_rule_joins_its_run_group(tmp_path: Path) -> None:
    """Two new per-run rules, one of them between two group members, need no profile change.

    compute_event_duration was such a rule: left out of the profile's rule-by-rule list, it
    broke the SLURM profile (issue 24). Derived from the wildcards, both land in run_analysis.
    """
    checkout = copy_checkout(tmp_path / "checkout")
    with open(checkout / "workflow" / "rules" / "plasticity.smk", "a") as smk:
        smk.write(NEW_RULES)
    target = "results/shear/rho1.149/rate0.01/seed1/new_summary.parquet"
    workdir = tmp_path / "work"
    workdir.mkdir()
    proc = dry_run(workdir, "slurm", "tiny", target, checkout=checkout)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 0, text[-4000:]
    singles, groups = cluster_jobs(text)
    assert groups == ["run_analysis"]
    new = {"compute_new_statistic", "summarize_new_statistic"}
    assert new <= set(job_stats(text))
    assert not new & {rule for rule, _ in singles}


def test_jobs_that_size_themselves_go_out_alone(tmp_root: str) -> None:
    """A job whose rule sets its own runtime (resources.smk: LAMMPS, the merge of a run's
    segments) is one SLURM job: bundled in a group, its runtime would be lost in the group's.
    Every other per-unit job is a member of a group (the groups of groups.smk, derived from
    the wildcards of the rules defined before it: a rule file included after it, or a rule
    in it, would go out alone and fail here)."""
    sized = self_sized_rules(tmp_root)
    assert {"quench_glass", "run_shear_segment"} <= sized, sized
    jobs = job_runtimes(sentinel_plan(tmp_root))
    assert {rule for rule, alone, *_ in jobs if rule in sized and not alone} == set()
    assert {rule for rule, alone, wild, _ in jobs if alone and wild} == sized


def test_profiles_do_not_name_groups_rule_by_rule() -> None:
    """A `groups:` list in a profile overrides the derived groups rule by rule (issue 24)."""
    for profile in PROFILES:
        config = yaml.safe_load((ROOT / "workflow/profiles" / profile / "config.yaml").read_text())
        assert "groups" not in config, f"workflow/profiles/{profile} sets groups:"
