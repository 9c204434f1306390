#!/usr/bin/env bash
# slurm-down.sh — stop what scripts/dev/slurm-up.sh started, and nothing else: cancels the dev
# cluster's jobs, then stops the daemons named by its pid files ($RETORT_SLURM_DIR/run/*.pid,
# each checked against /proc/PID/comm). munged is stopped only if slurm-up.sh started it.
#   --purge   also delete $RETORT_SLURM_DIR and the /etc/slurm/slurm.conf symlink to it
set -uo pipefail
DIR=${RETORT_SLURM_DIR:-/tmp/retort-slurm}
CONF=$DIR/etc/slurm.conf

log() { printf '[slurm-down] %s\n' "$*" >&2; }
alive() {
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] &&
    [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]
}
stop() { # PIDFILE COMM
  [ -e "$1" ] || return 0
  if ! alive "$1" "$2"; then rm -f "$1"; return 0; fi
  local pid
  pid=$(cat "$1")
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 150); do alive "$1" "$2" || break; sleep 0.1; done
  if alive "$1" "$2"; then log "$2 ($pid) ignored TERM: KILL"; kill -KILL "$pid" 2>/dev/null; fi
  rm -f "$1"
  log "stopped $2 ($pid)"
}

# Cancel the jobs first: their slurmstepd and processes would outlive slurmd.
if [ -f "$CONF" ] && alive "$DIR/run/slurmctld.pid" slurmctld; then
  export SLURM_CONF=$CONF
  ids=$(squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ')
  if [ -n "${ids// /}" ]; then
    log "cancelling jobs: $ids"
    # shellcheck disable=SC2086
    scancel $ids 2>/dev/null
    for _ in $(seq 100); do [ -z "$(squeue -h -o %A 2>/dev/null)" ] && break; sleep 0.2; done
  fi
fi

for f in "$DIR"/run/slurmd-*.pid; do stop "$f" slurmd; done
stop "$DIR/run/slurmctld.pid" slurmctld
stop "$DIR/run/munged.pid" munged

if [ "${1:-}" = --purge ]; then
  if [ "$(readlink /etc/slurm/slurm.conf 2>/dev/null)" = "$CONF" ]; then rm -f /etc/slurm/slurm.conf; fi
  rm -rf "$DIR"
  log "removed $DIR"
fi
