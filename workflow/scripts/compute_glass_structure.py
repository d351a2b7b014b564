"""Rule compute_glass_structure: partial g(r) and local hexatic order of one quenched glass."""

from mechnoise import io, structure
from mechnoise.frozen_matrix import read_data_file
from mechnoise.scripting import start_logging

log = start_logging(snakemake.log[0])  # noqa: F821
sm = snakemake  # noqa: F821
ids, types, positions, box = read_data_file(sm.input.data)
rdf, order = structure.glass_structure(
    ids,
    types,
    positions,
    box,
    density=float(sm.wildcards.rho),
    seed=int(sm.wildcards.seed),
    rdf_r_max=sm.params.rdf_r_max,
    rdf_bins=sm.params.rdf_bins,
    psi6_threshold=sm.params.psi6_threshold,
)
io.write_table(rdf, sm.output.rdf, structure.RDF_COLUMNS)
io.write_table(order, sm.output.structure, structure.LOCAL_ORDER_COLUMNS)
log.info(
    "%d particles: <|psi6|> = %.3f, crystal-like fraction %.3f",
    len(order),
    order["psi6"].mean(),
    order["crystalline"].mean(),
)
