#!/usr/bin/env bash
# Start a real one-node SLURM cluster on this machine (localhost), for `make test-slurm`.
#
# Installs Debian's slurm-wlm and munge if they are missing (apt-get; needs root), writes
# a minimal slurm.conf for this host (real hostname, CPUs from nproc, RealMemory from
# `free -m` minus a margin, select/cons_tres, proctrack/linuxproc, no cgroups, no
# accounting database), and starts munged, slurmctld and slurmd as plain background
# daemons (no systemd). Idempotent: daemons already running are left alone.
#
# Accounting: none (AccountingStorageType=accounting_storage/none). The Snakemake SLURM
# executor plugin then queries job states with `squeue` (its `status_command` option),
# which needs finished jobs to stay visible to slurmctld: MinJobAge=3600 s.
#
# Usage: sudo tests/cluster/start_slurm.sh        (stop: tests/cluster/stop_slurm.sh)
# Env:   SLURM_MEM_MARGIN_MB (default 2048) memory kept back from the node.
set -euo pipefail

CONF_DIR=/etc/slurm
STATE=/var/spool/slurmctld
SPOOL=/var/spool/slurmd
LOG_DIR=/var/log/slurm
RUN_DIR=/run/slurm
MARGIN_MB=${SLURM_MEM_MARGIN_MB:-2048}

log() { echo "[start_slurm] $*" >&2; }

if [[ $(id -u) -ne 0 ]]; then
    echo "start_slurm.sh must run as root (apt-get, daemons)" >&2
    exit 1
fi

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null \
    || ! command -v sbatch >/dev/null; then
    log "installing slurm-wlm and munge (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq slurm-wlm slurm-client munge >/dev/null
fi

host=$(hostname -s)
cpus=$(nproc)
total_mb=$(free -m | awk '/^Mem:/ {print $2}')
mem_mb=$((total_mb - MARGIN_MB))
if ((mem_mb < 512)); then mem_mb=$((total_mb / 2)); fi

# --- munge -----------------------------------------------------------------------------
mkdir -p /etc/munge /var/lib/munge /var/log/munge /run/munge
if [[ ! -s /etc/munge/munge.key ]]; then
    log "creating /etc/munge/munge.key"
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
fi
chown -R munge:munge /etc/munge /var/lib/munge /var/log/munge /run/munge
chmod 0700 /etc/munge /var/lib/munge /var/log/munge
chmod 0755 /run/munge
chmod 0400 /etc/munge/munge.key
if ! munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
    log "starting munged"
    runuser -u munge -- /usr/sbin/munged --force
    for _ in $(seq 20); do munge -n </dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.5; done
fi
munge -n </dev/null | unmunge >/dev/null || { log "munge does not work"; exit 1; }

# --- slurm.conf ------------------------------------------------------------------------
mkdir -p "$CONF_DIR" "$STATE" "$SPOOL" "$LOG_DIR" "$RUN_DIR"
conf="$CONF_DIR/slurm.conf"
new_conf=$(mktemp)
cat >"$new_conf" <<EOF
# Written by mechnoise tests/cluster/start_slurm.sh: one-node test cluster on $host.
ClusterName=mechnoise
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$STATE
SlurmdSpoolDir=$SPOOL
SlurmctldPidFile=$RUN_DIR/slurmctld.pid
SlurmdPidFile=$RUN_DIR/slurmd.pid
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups in this container: plain process tracking, no task containment.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
# No slurmdbd: sacct has no data, Snakemake's plugin polls squeue instead, so finished
# jobs must stay in slurmctld's memory long enough (MinJobAge, seconds).
AccountingStorageType=accounting_storage/none
MinJobAge=3600
# Cores and memory are consumable: jobs get --ntasks x --cpus-per-task cores and --mem.
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MpiDefault=pmi2
ReturnToService=2
SchedulerType=sched/backfill
# Preempted or failed nodes: jobs submitted with --requeue go back to the queue.
JobRequeue=1
KillWait=10
InactiveLimit=0
Waittime=0
NodeName=$host CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
if [[ ! -f $conf ]] || ! cmp -s "$new_conf" "$conf"; then
    log "writing $conf (CPUs=$cpus RealMemory=$mem_mb)"
    cp "$new_conf" "$conf"
    restart=1
else
    restart=0
fi
rm -f "$new_conf"
chmod 0644 "$conf"

running() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

if ((restart)); then
    for d in slurmd slurmctld; do
        if running "$RUN_DIR/$d.pid"; then
            log "stopping $d (configuration changed)"
            kill "$(cat "$RUN_DIR/$d.pid")"
            sleep 1
        fi
    done
fi

if ! running "$RUN_DIR/slurmctld.pid"; then
    log "starting slurmctld"
    /usr/sbin/slurmctld -i
fi
if ! running "$RUN_DIR/slurmd.pid"; then
    log "starting slurmd"
    /usr/sbin/slurmd
fi

# --- wait until the node takes jobs ----------------------------------------------------
for _ in $(seq 60); do
    state=$(sinfo -h -n "$host" -o %t 2>/dev/null | head -1 || true)
    case "$state" in
        idle* | mix* | alloc*) break ;;
        down* | drain*) scontrol update nodename="$host" state=resume 2>/dev/null || true ;;
    esac
    sleep 1
done
state=$(sinfo -h -n "$host" -o %t 2>/dev/null | head -1 || true)
if [[ ! $state =~ ^(idle|mix|alloc) ]]; then
    log "node $host is '$state', not idle; see $LOG_DIR/slurmctld.log and slurmd.log"
    exit 1
fi
out=$(srun -N1 -n1 -t 1 hostname)
log "cluster up: node $host ($state), srun -> $out"
