#!/usr/bin/env bash
# slurm-up.sh — a real SLURM cluster on this one host for retort's tests and demos:
# munged + slurmctld + N slurmd "nodes" (n1..nN), no systemd, no slurmdbd. Run as root.
#
# Partitions: main (default) on the first half of the nodes, faults on the other half, so a test
# that sets a node DOWN does not disturb jobs elsewhere. Finished jobs stay visible to
# `scontrol show job` / `squeue --states=all` for MinJobAge seconds; after that the completion
# log ($RETORT_SLURM_DIR/log/jobcomp.txt, JobCompType=jobcomp/filetxt) is the only record.
#
# Idempotent: running daemons are left alone (pid file + /proc/PID/comm), the config is
# rewritten only when it changed (then the daemons restart: 22.05 cannot reconfigure node CPUs
# live), and DOWN/DRAINED nodes are resumed. Prints `export SLURM_CONF=...` on stdout last.
#
# Tunables:
#   RETORT_SLURM_DIR          state, spool, logs, pid files, config   (default /tmp/retort-slurm)
#   RETORT_SLURM_NODES        number of nodes, at least 2             (default 4)
#   RETORT_SLURM_CPUS         CPUs advertised per node (may exceed the hardware)   (default 4)
#   RETORT_SLURM_MEM_MB       RealMemory per node                     (default: the host's)
#   RETORT_SLURM_MIN_JOB_AGE  seconds finished jobs stay in slurmctld (default 3600)
#   RETORT_SLURM_PORT         slurmctld port; slurmd of node i uses PORT+i  (default 6917)
#   RETORT_SLURM_RESUME=0     leave DOWN/DRAINED nodes as they are (the test helper uses this,
#                             so one test file does not resume a node another one took down)
# Tear down: scripts/dev/slurm-down.sh
set -euo pipefail

DIR=${RETORT_SLURM_DIR:-/tmp/retort-slurm}
NODES=${RETORT_SLURM_NODES:-4}
CPUS=${RETORT_SLURM_CPUS:-4}
MIN_JOB_AGE=${RETORT_SLURM_MIN_JOB_AGE:-3600}
PORT=${RETORT_SLURM_PORT:-6917}
RESUME=${RETORT_SLURM_RESUME:-1}

log() { printf '[slurm-up] %s\n' "$*" >&2; }
die() { printf '[slurm-up] ERROR: %s\n' "$*" >&2; exit 1; }
# alive PIDFILE COMM: the pid file names a live (non-zombie) process called COMM
alive() {
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] &&
    [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]
}
# stop PIDFILE COMM: TERM, then KILL after 10 s; only for pid files this script wrote
stop() {
  local pid
  pid=$(cat "$1")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do alive "$1" "$2" || break; sleep 0.1; done
  if alive "$1" "$2"; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -f "$1"
}

# start a daemon without the caller's extra descriptors (an flock(1) lock would live on in it)
daemon() {
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null; fi
    done
    exec "$@"
  )
}

[ "$(id -u)" -eq 0 ] || die "must run as root"
[ "$NODES" -ge 2 ] || die "RETORT_SLURM_NODES must be at least 2 (one per partition)"

# ------------------------------------------------------------------ packages
have_all() { command -v slurmctld && command -v slurmd && command -v sbatch && command -v munged; } >/dev/null
if ! have_all; then
  # Another apt-get (e.g. a provisioning run logging to /work/apt-remote.log) may be installing
  # these right now: let it finish before deciding what is missing.
  for _ in $(seq 600); do pgrep -x 'apt-get|dpkg|apt' >/dev/null || break; sleep 1; done
fi
if ! have_all; then
  log "installing slurm-wlm, slurmctld, slurmd, slurm-client, munge"
  policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    # keep the packages' postinst from starting their own daemons
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && policy=1
  fi
  apt_get() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"; }
  apt_get install -y -qq --no-install-recommends slurm-wlm slurmctld slurmd slurm-client munge >/dev/null ||
    { apt_get update -qq && apt_get install -y -qq --no-install-recommends slurm-wlm slurmctld slurmd slurm-client munge >/dev/null; }
  if [ "$policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
  have_all || die "slurm packages still missing after apt-get install"
fi

mkdir -p "$DIR"/{etc,state,spool,log,run,jobs}
chmod 755 "$DIR" "$DIR"/{etc,log,run}
chmod 1777 "$DIR/jobs"

# ------------------------------------------------------------------ munge
# Reuse any working munged; otherwise start one as the munge user (Debian's file ownership makes
# munged refuse to run as root) and remember its pid so slurm-down.sh stops only ours.
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  if [ ! -s /etc/munge/munge.key ]; then
    install -d -o munge -g munge -m 0700 /etc/munge
    mungekey --create --keyfile=/etc/munge/munge.key
    chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
  fi
  install -d -o munge -g munge -m 0755 /run/munge
  install -d -o munge -g munge -m 0700 /var/log/munge /var/lib/munge
  rm -f /run/munge/munged.pid
  daemon runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/munged.pid
  for _ in $(seq 50); do [ -s /run/munge/munged.pid ] && break; sleep 0.1; done
  cp /run/munge/munged.pid "$DIR/run/munged.pid"
  munge -n | unmunge >/dev/null || die "munge does not work; see /var/log/munge/munged.log"
  log "munged started"
fi

# ------------------------------------------------------------------ slurm.conf
HOST=$(hostname -s)
MEM=${RETORT_SLURM_MEM_MB:-$(slurmd -C 2>/dev/null | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' | head -1)}
MEM=${MEM:-1024}
HALF=$(((NODES + 1) / 2))
ALL=$(seq -s, -f 'n%g' 1 "$NODES")
MAIN=$(seq -s, -f 'n%g' 1 "$HALF")
FAULTS=$(seq -s, -f 'n%g' $((HALF + 1)) "$NODES")
CONF=$DIR/etc/slurm.conf
NEW=$(
  cat <<EOF
# written by retort scripts/dev/slurm-up.sh: one host, no systemd, no cgroups, no slurmdbd
ClusterName=retort
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool/%n
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd-%n.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
MailProg=/bin/true
ReturnToService=1
SlurmdParameters=config_overrides
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/log/jobcomp.txt
MinJobAge=$MIN_JOB_AGE
KillWait=5
InactiveLimit=0
SlurmdTimeout=60
EOF
  for i in $(seq "$NODES"); do
    echo "NodeName=n$i NodeHostname=$HOST NodeAddr=127.0.0.1 Port=$((PORT + i)) CPUs=$CPUS RealMemory=$MEM State=UNKNOWN"
  done
  echo "PartitionName=main Nodes=$MAIN Default=YES MaxTime=INFINITE State=UP"
  echo "PartitionName=faults Nodes=$FAULTS MaxTime=INFINITE State=UP"
)
changed=0
if [ "$(cat "$CONF" 2>/dev/null)" != "$NEW" ]; then
  printf '%s\n' "$NEW" >"$CONF" && chmod 644 "$CONF" && changed=1
fi
mkdir -p /etc/slurm
if [ -L /etc/slurm/slurm.conf ] || [ ! -e /etc/slurm/slurm.conf ]; then
  ln -sfn "$CONF" /etc/slurm/slurm.conf
else
  log "/etc/slurm/slurm.conf is a regular file: left alone; clients need SLURM_CONF=$CONF"
fi
export SLURM_CONF=$CONF

# ------------------------------------------------------------------ daemons
ctld_pid=$DIR/run/slurmctld.pid
if [ "$changed" = 1 ] && alive "$ctld_pid" slurmctld; then log "config changed: restarting slurmctld"; stop "$ctld_pid" slurmctld; fi
if ! alive "$ctld_pid" slurmctld; then
  rm -f "$ctld_pid"
  daemon slurmctld -f "$CONF" -i
  for _ in $(seq 100); do scontrol ping 2>/dev/null | grep -q 'is UP' && break; sleep 0.1; done
  scontrol ping 2>/dev/null | grep -q 'is UP' || die "slurmctld is not up; see $DIR/log/slurmctld.log"
  log "slurmctld started"
fi
for f in "$DIR"/run/slurmd-*.pid; do # nodes no longer configured
  [ -e "$f" ] || continue
  n=${f##*/slurmd-} && n=${n%.pid}
  case ",$ALL," in *",$n,"*) ;; *) if alive "$f" slurmd; then stop "$f" slurmd; fi ;; esac
done
for i in $(seq "$NODES"); do
  pid=$DIR/run/slurmd-n$i.pid
  if [ "$changed" = 1 ] && alive "$pid" slurmd; then stop "$pid" slurmd; fi
  if ! alive "$pid" slurmd; then
    rm -f "$pid"
    daemon slurmd -f "$CONF" -N "n$i"
    for _ in $(seq 50); do [ -s "$pid" ] && break; sleep 0.1; done
    log "slurmd n$i started"
  fi
done

# ------------------------------------------------------------------ wait for the nodes
# sinfo marks a node that does not respond with '*'. With RESUME=0 a responding DOWN/DRAINED
# node is fine (somebody took it down on purpose).
waiting=""
for i in $(seq 150); do
  waiting=""
  while read -r node state; do
    case "$state" in
      idle | mixed | allocated | completing) ;;
      down | drain* | fail*)
        if [ "$RESUME" = 1 ]; then
          waiting+="$node=$state "
          if [ $((i % 10)) = 1 ]; then scontrol update NodeName="$node" State=RESUME 2>/dev/null || true; fi
        fi
        ;;
      *) waiting+="$node=$state " ;;
    esac
  done < <(sinfo -h -N -n "$ALL" -o '%N %T' 2>/dev/null)
  [ -z "$waiting" ] && break
  sleep 0.2
done
[ -z "$waiting" ] || die "nodes not ready: $waiting(see $DIR/log/slurmd-n*.log)"

log "up: partitions main=$MAIN faults=$FAULTS, $CPUS CPUs and ${MEM} MB per node; completion log $DIR/log/jobcomp.txt"
echo "export SLURM_CONF=$CONF"
