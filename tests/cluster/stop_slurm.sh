#!/usr/bin/env bash
# Stop the one-node test cluster started by start_slurm.sh (slurmd, slurmctld, munged),
# by the process ids in their pid files. Leaves the configuration and packages in place.
set -uo pipefail
for pidfile in /run/slurm/slurmd.pid /run/slurm/slurmctld.pid /run/munge/munged.pid; do
    if [[ -f $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        echo "[stop_slurm] stopping $(basename "$pidfile" .pid) ($(cat "$pidfile"))" >&2
        kill "$(cat "$pidfile")"
    fi
done
