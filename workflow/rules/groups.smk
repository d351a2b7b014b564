# Job groups for cluster executors (SLURM): the many short analysis jobs go out as few
# cluster jobs. Included LAST by the Snakefile: it assigns a group to every rule defined
# before it, so a new analysis rule is grouped without being named anywhere.
#
# The groups follow the DAG's natural units, read from the wildcards of a rule's outputs:
#   {rho, rate, seed} -> run_analysis      one shear run's analysis (D2min, activity, ...)
#   {rho, seed}       -> glass_analysis    one glass's structure
#   {rho}             -> density_analysis  one density's frozen-matrix tests
#   other wildcards   -> analysis_<names>  (a new unit gets a group of its own)
#   no wildcards      -> no group          the aggregates (tables over all runs, figures,
#                                          HL, report): one cluster job each
# except the jobs that resources.smk sizes one by one (LAMMPS, the merge of a run's
# segments: SIZED_RULES), which stay one cluster job each, and rules that set `group:`
# themselves. Snakemake splits a group into its connected components (one per run, glass or
# density); the profile's `group-components` bundles several of them into one cluster job.
#
# Why not one group for the aggregates: a group may not depend on itself through a job
# outside it, and compute_modulus (an aggregate) feeds the per-run stress MSD, which feeds
# collect_diffusion (an aggregate). A per-unit group only breaks if a per-run analysis ever
# needs an aggregate of per-run analyses; tests/test_profiles.py dry-runs every profile on
# every preset and fails on any such DAG or group error.
# Groups are active only with a cluster executor or a dry run (-n): local runs ignore them.

#: Rules sized individually in resources.smk (their own runtime, mem_mb, tasks): one
#: cluster job each (tests/test_profiles.py checks this set against the rule files).
SIZED_RULES = frozenset({"quench_glass", "run_shear_segment", "merge_shear_run"})

#: Group names of the natural units (output wildcards).
UNIT_GROUPS = {
    frozenset({"rho", "rate", "seed"}): "run_analysis",
    frozenset({"rho", "seed"}): "glass_analysis",
    frozenset({"rho"}): "density_analysis",
}


# (a loop, not a function: `snakemake --lint` wants no functions beside rules in a file)
for _rule in workflow.rules:
    _names = frozenset(_rule.wildcard_names)
    if _rule.group is not None or _rule.name in SIZED_RULES or not _names:
        continue  # an explicit `group:` (or --groups) wins; sized jobs, aggregates: alone
    _rule.group = UNIT_GROUPS.get(_names, "analysis_" + "_".join(sorted(_names)))
