"""D_noise and D_all of a real small run against the fit window and the series interval.

Usage: python benchmarks/noise_window_scan.py N DURATION RATE [WORKDIR]
e.g.   python benchmarks/noise_window_scan.py 1000 150 0.01   (about 25 s on a loaded 2-core box)
The 1 and 2 tau0 series are every 2nd and 4th row of the 0.5 tau0 one (the same LAMMPS steps).
"""

import sys
import time as clock
from pathlib import Path

import pandas as pd

from mechnoise import block_series as bs
from mechnoise import blocks, io
from mechnoise.lammps.protocols import Model, merge_segments, prepare_glass, run_shear_segment
from mechnoise.lammps.schedule import plan_shear
from mechnoise.noise import block_noise
from mechnoise.plasticity.d2min import d2min_frames
from mechnoise.plasticity.rate import event_onsets

L = Path(__file__).resolve().parents[1] / "lammps_inputs"
N = int(sys.argv[1])
T = float(sys.argv[2])
RATE = float(sys.argv[3])
model = Model(N, 0.65)
rho = 1.2
dt = 0.005
work = Path(sys.argv[4] if len(sys.argv) > 4 else f"noise_scan_{N}_{T:g}")
work.mkdir(parents=True, exist_ok=True)
t0 = clock.time()
glass = work / "glass.data"
if not glass.exists():
    prepare_glass(
        model,
        rho,
        3,
        glass,
        script=L / "in.prepare",
        temperature=1.0,
        equilibration_time=5.0,
        quench_time=2.0,
        dt=dt,
    )
t1 = clock.time()
total = RATE * T
steady = 0.2
plan = plan_shear(RATE, dt, total, total, steady, 0.001, 1, T, 0.5)
spec = bs.BlockSeriesSpec.from_interval([6.0], 0.5, dt)
run_shear_segment(
    model,
    plan,
    0,
    script=L / "in.shear",
    glass=glass,
    restart_in=None,
    restart_out=work / "s.restart",
    thermo_out=work / "thermo0.parquet",
    frames_out=work / "frames0.parquet",
    workdir=work,
    damping="viscous",
    damping_time=1.0,
    skin=0.3,
    seed=7,
    block_series=spec,
    blocks_out=work / "blocks0.parquet",
)
t2 = clock.time()
merge_segments(
    [work / "thermo0.parquet"],
    [work / "frames0.parquet"],
    work / "thermo.parquet",
    work / "frames.parquet",
)
frames = io.read_frames(work / "frames.parquet")
d2 = d2min_frames(frames, 4.0)
m = blocks.n_blocks_per_side(frames[0].box, 6.0)
ev = event_onsets(frames, d2, threshold=0.1, activity_block=2.0, coarse_blocks=m)
t3 = clock.time()
series = bs.merge_series([pd.read_parquet(work / "blocks0.parquet")], model.box_side(rho))
w = plan.windows[0]
cov = [(w.start * dt, w.stop * dt - 4.0)]
print(
    f"times prep {t1 - t0:.1f} shear {t2 - t1:.1f} onsets {t3 - t2:.1f}; "
    f"n onsets {len(ev)}, m {m}, window {cov}"
)
for every in (1, 2, 4):
    sub = series[(series.step // spec.every) % every == 0]
    for fw in [(1.0, 8.0), (2.0, 6.0), (1.0, 4.0), (4.0, 8.0), (2.0, 8.0)]:
        if fw[0] < 0.5 * every:
            continue
        row, _ = block_noise(
            sub, ev, width=6.0, fit_window=fw, margin=4.0, coverage=cov, n_segments=20
        )
        r = row.iloc[0]
        print(
            every * 0.5,
            fw,
            f"Dn {r.D_noise:.3g} ± {r.D_noise_err:.2g}  Dall {r.D_all:.3g} ± {r.D_all_err:.2g}"
            f"  drift {r.drift_rate:.3g}  c {r.intercept_noise:.3g} pairs {r.pairs_noise}",
        )
