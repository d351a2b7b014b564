# mechnoise: `make run` runs the demo workflow, `make test` runs the whole test suite.
# Both create or update the virtual environment .venv first (PyPI packages only).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
CORES  ?= all
STAMP  := $(VENV)/.mechnoise-installed

.PHONY: run test test-fast lint bench clean-results venv docs

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Rerunning `make run` resumes after Ctrl-C, a killed Snakemake or a killed job: Snakemake
# loads profiles/default (rerun-incomplete) by itself, and common.smk removes a lock left by
# a Snakemake killed on this host (docs/running.md: "Resuming, faults and the results folder").
run: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) --configfile config.yaml

# Two worker processes (pytest-xdist), one test file per unit of work: tests/conftest.py
# (pytest_xdist_make_scheduler) keeps the freud tests first in their worker and hands out
# the files in collection order. `pytest` alone runs the same tests in one process.
PYTEST_XDIST := -n 2 --dist loadfile

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_XDIST)

test-fast: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_XDIST) -m "not e2e"

# snakemake --lint: the one lint allowed is the missing `conda:` directive of every rule
# (docs/running.md: the workflow runs in the project's venv, not in per-rule conda envs).
SNAKEMAKE_LINT_ALLOWED := Specify a conda environment or container for each rule
SNAKEMAKE_LINT_OUT     := $(VENV)/snakemake-lint.txt

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks workflow/scripts
	$(BIN)/snakefmt --check Snakefile workflow/rules
	$(BIN)/mypy
	$(BIN)/snakemake --lint --configfile workflow/presets/tiny.yaml > $(SNAKEMAKE_LINT_OUT) 2>&1; \
	grep -q -e '^Lints for' -e 'Congratulations' $(SNAKEMAKE_LINT_OUT) \
	  || { cat $(SNAKEMAKE_LINT_OUT); echo "make lint: snakemake --lint did not run"; exit 1; }; \
	if grep '^    \* ' $(SNAKEMAKE_LINT_OUT) | grep -v -F '$(SNAKEMAKE_LINT_ALLOWED)'; then \
	  cat $(SNAKEMAKE_LINT_OUT); echo "make lint: snakemake --lint found the lints above"; exit 1; \
	fi; \
	echo "snakemake --lint: no lint but the allowed one (no conda: directive)"

# The documentation site (docs/, Sphinx + MyST) into docs/_build/html; warnings are errors.
docs: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[docs]"
	$(BIN)/python -m mechnoise.reference --check
	$(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html

bench: $(STAMP)
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean-results:
	rm -rf results logs .snakemake

# A real one-node SLURM cluster on this machine (needs root: apt-get, daemons), then the
# tiny preset through workflow/profiles/slurm, compared with a local run (docs/cluster.md).
# `make test` dry-runs every profile on every preset (tests/test_profiles.py); this runs the
# jobs. CI runs it after `make test` (.ci/run). The SLURM plugin is in the dev extra.
.PHONY: test-slurm
test-slurm: $(STAMP)
	tests/cluster/start_slurm.sh
	$(BIN)/python tests/cluster/check_slurm.py
