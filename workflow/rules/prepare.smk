# Glass preparation: random liquid -> T = 1 -> fast quench -> minimized T = 0 glass.


rule quench_glass:
    output:
        data=f"{GLASS}/glass.data",
    log:
        f"{LOGS}/prepare/rho{{rho}}_seed{{seed}}.log",
    params:
        system=config["system"],
        quench=config["quench"],
        engine=config["shear"]["engine"],
        skin=config["shear"]["neighbor_skin"],
    threads: 1
    resources:
        lammps=1,
    script:
        "../scripts/quench_glass.py"
