#!/usr/bin/env bash
# A one-host Slurm cluster for tests: Debian's slurmctld, slurmd and munge on this machine, one node (this host, all its
# CPUs), one partition. No cgroups (proctrack/linuxproc, task/none), so it also runs inside a container.
#
#   scripts/slurm-cluster.sh install   install slurmctld, slurmd, munge (apt) when missing; exit 1 if they cannot be
#   scripts/slurm-cluster.sh start     install, write the munge key and slurm.conf, start munged, slurmctld, slurmd,
#                                      wait until sinfo shows the node idle (idempotent: a running cluster is kept)
#   scripts/slurm-cluster.sh stop      stop the daemons this script started
#   scripts/slurm-cluster.sh status    exit 0 when this script's slurmctld and slurmd are running
#   scripts/slurm-cluster.sh env       print the export line that points sbatch/squeue/sinfo at this cluster
#
# Everything lives under $POST_SLURM_DIR (default /tmp/post-slurm): slurm.conf, spool and state directories, logs and
# pid files; /etc/slurm is left alone. Clients find the cluster through SLURM_CONF=$POST_SLURM_DIR/slurm.conf.
# Must run as root (or with sudo available) on a Debian-based system.
set -euo pipefail

DIR=${POST_SLURM_DIR:-/tmp/post-slurm}
CONF=$DIR/slurm.conf
CLUSTER=posttest
PACKAGES="munge slurmctld slurmd slurm-client"

log() { printf 'slurm-cluster: %s\n' "$*" >&2; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else log "needs root (or sudo)"; exit 1; fi
fi

have_binaries() {
    for b in munged slurmctld slurmd sbatch sinfo squeue; do
        command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] || return 1
    done
}

install() {
    if have_binaries; then
        return 0
    fi
    # The same apt steps as scripts/install-deps.sh, for the optional Slurm packages.
    bash "$(dirname "$0")/install-deps.sh" $PACKAGES || { log "could not install $PACKAGES"; return 1; }
    have_binaries || { log "installed $PACKAGES but munged/slurmctld/slurmd/sbatch are still missing"; return 1; }
}

running() { # pidfile
    [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

write_conf() {
    local host cpus mem
    host=$(hostname -s)
    cpus=$(nproc)
    mem=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
    mkdir -p "$DIR/ctld" "$DIR/d" "$DIR/log"
    cat >"$CONF" <<EOF
# Written by scripts/slurm-cluster.sh: a one-host test cluster.
ClusterName=$CLUSTER
SlurmctldHost=$host
SlurmctldPort=${POST_SLURM_CTLD_PORT:-6817}
SlurmdPort=${POST_SLURM_D_PORT:-6818}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation=$DIR/ctld
SlurmdSpoolDir=$DIR/d
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
KillWait=5
Waittime=0
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

start_munge() {
    if munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
        return 0
    fi
    $SUDO mkdir -p /etc/munge /run/munge /var/lib/munge /var/log/munge
    if [ ! -s /etc/munge/munge.key ]; then
        log "writing a munge key"
        $SUDO dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    fi
    # munged checks the ownership of its key and directories: all root here, since it runs as root (--force).
    $SUDO chown -R root:root /etc/munge /run/munge /var/lib/munge /var/log/munge
    $SUDO chmod 0700 /etc/munge /var/lib/munge /var/log/munge
    $SUDO chmod 0755 /run/munge
    $SUDO chmod 0400 /etc/munge/munge.key
    $SUDO munged --force
    for _ in $(seq 1 50); do
        munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    log "munged did not start"
    return 1
}

wait_idle() {
    local host state
    host=$(hostname -s)
    for _ in $(seq 1 120); do
        state=$(SLURM_CONF=$CONF sinfo -h -n "$host" -o '%T' 2>/dev/null || true)
        case "$state" in
            idle*|mixed*|allocated*) log "node $host is $state"; return 0 ;;
            down*|drain*) SLURM_CONF=$CONF scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true ;;
        esac
        sleep 0.5
    done
    log "node $host is not idle after 60 s (state: ${state:-unknown}); see $DIR/log"
    return 1
}

start() {
    install
    if running "$DIR/slurmctld.pid" && running "$DIR/slurmd.pid"; then
        log "already running ($CONF)"
        wait_idle
        return
    fi
    write_conf
    start_munge
    running "$DIR/slurmctld.pid" || $SUDO slurmctld -f "$CONF" -c
    running "$DIR/slurmd.pid" || $SUDO slurmd -f "$CONF"
    wait_idle
    log "started: export SLURM_CONF=$CONF"
}

stop() {
    for d in slurmd slurmctld; do
        if running "$DIR/$d.pid"; then
            local pid
            pid=$(cat "$DIR/$d.pid")
            $SUDO kill "$pid"
            for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            log "stopped $d"
        fi
    done
    # munged is left running: other users of munge on this host may rely on it, and it holds no job state.
}

case "${1:-}" in
    install) install ;;
    start) start ;;
    stop) stop ;;
    status) running "$DIR/slurmctld.pid" && running "$DIR/slurmd.pid" ;;
    env) echo "export SLURM_CONF=$CONF" ;;
    *) echo "usage: $0 install|start|stop|status|env" >&2; exit 2 ;;
esac
