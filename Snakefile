# mechnoise: athermal rheology of amorphous solids (Snakemake + LAMMPS).
# Configuration: config.yaml (validated by workflow/schemas/config.schema.yaml before any job).
# Run:  snakemake --cores all            (demo scale)
#       snakemake --cores 2 --configfile workflow/presets/tiny.yaml
import os

from snakemake.utils import min_version

min_version("8.0")


configfile: os.path.join(workflow.basedir, "config.yaml")


include: "workflow/rules/common.smk"
include: "workflow/rules/resources.smk"
include: "workflow/rules/prepare.smk"
include: "workflow/rules/shear.smk"
include: "workflow/rules/flow.smk"
include: "workflow/rules/plasticity.smk"
include: "workflow/rules/stress.smk"
include: "workflow/rules/yield.smk"
include: "workflow/rules/hl.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/width_scan.smk"
# last: assigns cluster job groups to every rule above (by unit; see groups.smk)
include: "workflow/rules/groups.smk"


rule all:
    default_target: True
    input:
        get_final_targets(),
