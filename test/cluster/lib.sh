# Shared definitions for up.sh, down.sh and status.sh (sourced, not executed).
# shellcheck shell=bash

CLUSTER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE=${POD_BIRTH_CLUSTER_DIR:-/var/lib/pod-birth-cluster}
PIDS=$STATE/pids
LOGS=$STATE/logs
PKI=$STATE/pki
ETC=$STATE/etc
# The node cannot be called/addressed 127.0.0.1 (as in local-up-cluster): the apiserver refuses to
# proxy /api/v1/nodes/NODE/proxy/... to a non-global-unicast address ("address not allowed",
# kubernetes/kubernetes#128001). So the kubelet serves on an extra /32 on the loopback device.
NODE_NAME=${POD_BIRTH_NODE_NAME:-pod-birth-node}
NODE_IP=${POD_BIRTH_NODE_IP:-10.89.0.1}
APISERVER=https://127.0.0.1:6443
REGISTRY=127.0.0.1:5000
CONTAINERD_SOCK=/run/containerd/containerd.sock
# The kubelet takes CRI-O's container stats from cAdvisor only for an endpoint ending in run/crio/crio.sock.
CRIO_SOCK=/var/run/crio/crio.sock
CNI_BRIDGE=cni-ci0
KUBECONFIG_ADMIN=$PKI/admin.kubeconfig
# Every daemon any combination starts (down.sh stops whatever of these runs).
ALL_DAEMONS="systemd-journald docker-registry etcd kube-apiserver kube-controller-manager kube-scheduler containerd containerd-logcopy crio crio-logcopy kubelet kubelet-logcopy"
# cgroup v1 hierarchies (plus the empty cgroup2 "unified") each daemon is moved into, as
# /system.slice/<daemon>.service. journald derives _SYSTEMD_UNIT from unified/systemd; memory and
# pids take the daemons out of the cgroup of the shell that ran up.sh.
UNIT_HIERARCHIES="unified systemd memory pids"
# Host paths the cluster owns; down.sh unmounts below them and removes them.
HOST_STATE_DIRS="/var/lib/kubelet /var/lib/containerd /run/containerd /var/lib/crio /run/crio /var/lib/cni /var/log/pods /var/log/containers"
SYSCTLS="net.ipv4.ip_forward kernel.panic kernel.panic_on_oops vm.overcommit_memory vm.panic_on_oom kernel.keys.root_maxkeys kernel.keys.root_maxbytes fs.inotify.max_user_instances"

# ---------------------------------------------------------------------------------------------
# The combination (docs/local-cluster.md, "Combinations"): runtime x Kubernetes x node logs.
# up.sh takes it from the environment (requested_combination) and records it in
# $STATE/combination; the other scripts read the recorded one (load_combination, at the end).
#   POD_BIRTH_RUNTIME     containerd (Debian's 1.6, default) | containerd2 (2.2, built) | crio (1.34, built)
#   POD_BIRTH_KUBERNETES  1.34 (default) | 1.37
#   POD_BIRTH_NODE_LOGS   open (default: Node Log Query on, /var/log/<runtime>.log) | stock (kubelet
#                         log settings as shipped, the runtime's log only in the journal)
requested_combination() {
  RUNTIME=${POD_BIRTH_RUNTIME:-containerd}
  KUBERNETES=${POD_BIRTH_KUBERNETES:-1.34}
  NODE_LOGS=${POD_BIRTH_NODE_LOGS:-open}
  case $RUNTIME in
    containerd | containerd2 | crio) ;;
    *) die "POD_BIRTH_RUNTIME=$RUNTIME: use containerd (Debian's 1.6, the default), containerd2 (containerd 2.2, built from the Go module proxy) or crio (CRI-O 1.34, built from the Go module proxy)" ;;
  esac
  case $KUBERNETES in
    1.34 | 1.37) ;;
    *) die "POD_BIRTH_KUBERNETES=$KUBERNETES: use 1.34 (the default) or 1.37" ;;
  esac
  case $NODE_LOGS in
    open | stock) ;;
    *) die "POD_BIRTH_NODE_LOGS=$NODE_LOGS: use open (the default: Node Log Query enabled, /var/log/<runtime>.log) or stock (the kubelet's log settings as shipped, runtime log only in the journal)" ;;
  esac
  # containerd 1.6 x 1.37: refused (docs/local-cluster.md, "Combinations"). It did start here:
  # containerd 1.6 lacks the RuntimeConfig RPC and the 1.37.2 kubelet still falls back to its own
  # cgroupDriver, but logs that fallback as going away (cri_losing_support, 1.38.0); not a
  # combination a 1.37 cluster runs. POD_BIRTH_ALLOW_UNSUPPORTED=1 brings it up anyway.
  if [ "$RUNTIME" = containerd ] && [ "$KUBERNETES" != 1.34 ] && [ "${POD_BIRTH_ALLOW_UNSUPPORTED:-0}" != 1 ]; then
    die "Kubernetes $KUBERNETES with containerd 1.6 (POD_BIRTH_RUNTIME=containerd) is refused: containerd 1.6 has no RuntimeConfig RPC, which the kubelet asks for its cgroup driver since 1.31; the $KUBERNETES kubelet only starts on it through a fallback it reports as removed in 1.38 (cri_losing_support), and 1.36+ clusters run containerd 2.x or CRI-O. Choose POD_BIRTH_RUNTIME=containerd2 (containerd 2.2) or POD_BIRTH_RUNTIME=crio (CRI-O 1.34) for Kubernetes $KUBERNETES, or POD_BIRTH_KUBERNETES=1.34 for containerd 1.6 (POD_BIRTH_ALLOW_UNSUPPORTED=1 forces it)."
  fi
  combination_vars
}
# load_combination: the combination recorded by up.sh; a state dir without a record comes from an
# up.sh before combinations existed, which only knew containerd 1.6 / 1.34 / open.
load_combination() {
  RUNTIME=containerd KUBERNETES=1.34 NODE_LOGS=open
  if [ -f "$STATE/combination" ]; then
    # shellcheck disable=SC1091
    . "$STATE/combination"
  elif [ ! -d "$STATE" ]; then
    RUNTIME=${POD_BIRTH_RUNTIME:-containerd} KUBERNETES=${POD_BIRTH_KUBERNETES:-1.34} NODE_LOGS=${POD_BIRTH_NODE_LOGS:-open}
  fi
  combination_vars
}
# combination_vars: what follows from RUNTIME, KUBERNETES and NODE_LOGS.
combination_vars() {
  COMBINATION="runtime=$RUNTIME kubernetes=$KUBERNETES node-logs=$NODE_LOGS"
  case $RUNTIME in
    crio) RUNTIME_SERVICE=crio RUNTIME_SOCK=$CRIO_SOCK ;;
    *) RUNTIME_SERVICE=containerd RUNTIME_SOCK=$CONTAINERD_SOCK ;;
  esac
  # The journal follower's copy of the runtime's log: served by the kubelet as a plain file
  # (/logs/<runtime>.log) only in open mode; in stock mode it is kept out of /var/log (for the
  # tests' ground truth and POD_BIRTH_KEEP_LOGS only).
  if [ "$NODE_LOGS" = stock ]; then RUNTIME_LOG=$LOGS/$RUNTIME_SERVICE.log; else RUNTIME_LOG=/var/log/$RUNTIME_SERVICE.log; fi
  # Every daemon up.sh starts, in start order. down.sh stops them in reverse order (kubelet first).
  DAEMONS="systemd-journald docker-registry etcd kube-apiserver kube-controller-manager kube-scheduler $RUNTIME_SERVICE $RUNTIME_SERVICE-logcopy kubelet kubelet-logcopy"
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
say() { echo "[$(basename "$0" .sh)] $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# pid_of NAME: prints the recorded PID if that process is still the one we started (same start
# time as recorded, so a reused PID is never mistaken for ours); returns 1 otherwise.
pid_of() {
  local f=$PIDS/$1.pid pid start cur
  [ -f "$f" ] || return 1
  read -r pid start < "$f" || return 1
  [ -n "${pid:-}" ] && [ -r "/proc/$pid/stat" ] || return 1
  cur=$(proc_start "$pid") || return 1
  [ "$cur" = "$start" ] || return 1
  # a zombie is not running
  [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null || true)" != "Z" ] || return 1
  echo "$pid"
}

# proc_start PID: the process start time (field 22 of /proc/PID/stat), robust to spaces in comm.
proc_start() {
  local s
  s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  s=${s##*) }
  # shellcheck disable=SC2086
  set -- $s
  echo "${20}"
}

record_pid() { # NAME PID
  local start
  start=$(proc_start "$2") || die "$1 (pid $2) exited immediately; log: $(log_of "$1")"$'\n'"$(tail -n 30 "$(log_of "$1")" 2>/dev/null || true)"
  echo "$2 $start" > "$PIDS/$1.pid"
}

log_of() { # NAME: the file holding the daemon's output
  case $1 in
    "$RUNTIME_SERVICE") echo "$RUNTIME_LOG" ;;
    kubelet) echo "$LOGS/kubelet.log" ;;
    *) echo "$LOGS/$1.log" ;;
  esac
}

STOPPED_PIDS=()

# cg_kill_all DIR SIGNAL: signal every process listed in DIR/cgroup.procs and its sub-cgroups.
cg_kill_all() {
  local dir=$1 sig=$2 pid
  [ -d "$dir" ] || return 0
  while IFS= read -r pid; do
    [ -n "$pid" ] || continue
    STOPPED_PIDS+=("$pid")
    kill "-$sig" "$pid" 2>/dev/null || true
  done < <(find "$dir" -name cgroup.procs -exec cat {} + 2>/dev/null)
}

# wait_reaped TIMEOUT_S: wait until every PID in STOPPED_PIDS is gone from /proc. Our daemons run
# in their own sessions, so once stopped they are zombies until PID 1 reaps them (~2 s here).
wait_reaped() {
  local i p left
  for ((i = 0; i < $1 * 10; i++)); do
    left=""
    for p in "${STOPPED_PIDS[@]}"; do [ -e "/proc/$p" ] && left="$left $p"; done
    [ -z "$left" ] && return 0
    sleep 0.1
  done
  say "WARNING: processes not reaped yet:$left ($(for p in $left; do awk '{ printf "%s(%s) ", $2, $3 }' "/proc/$p/stat" 2>/dev/null; done))"
  return 1
}

cg_count() { # DIR: number of processes in DIR and its sub-cgroups
  [ -d "$1" ] || { echo 0; return; }
  find "$1" -name cgroup.procs -exec cat {} + 2>/dev/null | grep -c . || true
}

# start_unit NAME JOURNAL(0|1) COMMAND...: start a daemon in its own session, inside
# /system.slice/NAME.service, with stdout+stderr either in the journal (as unit NAME.service,
# identifier NAME) or appended to $LOGS/NAME.log. Records NAME's PID and command (for daemon.sh).
start_unit() {
  local n=$1 journal=$2 h cgs=""
  shift 2
  for h in $UNIT_HIERARCHIES; do
    [ -d "/sys/fs/cgroup/$h" ] || continue
    mkdir -p "/sys/fs/cgroup/$h/system.slice/$n.service"
    cgs="$cgs /sys/fs/cgroup/$h/system.slice/$n.service/cgroup.procs"
  done
  if [ "$journal" = 1 ]; then
    # shellcheck disable=SC2016
    setsid sh -c 'cgs=$1; n=$2; shift 2; for c in $cgs; do echo $$ > $c; done; exec systemd-cat -t "$n" "$@"' \
      sh "$cgs" "$n" "$@" < /dev/null > "$LOGS/$n.start.log" 2>&1 &
  else
    # shellcheck disable=SC2016
    setsid sh -c 'cgs=$1; shift; for c in $cgs; do echo $$ > $c; done; exec "$@"' \
      sh "$cgs" "$@" < /dev/null >> "$LOGS/$n.log" 2>&1 &
  fi
  local pid=$!
  mkdir -p "$STATE/cmd"
  printf '%s\0' "$journal" "$@" > "$STATE/cmd/$n"
  sleep 0.05
  record_pid "$n" "$pid"
}

# wait_for NAME TIMEOUT DESCRIPTION COMMAND...: poll COMMAND until it succeeds; fail early with
# the daemon's log tail if NAME died.
wait_for() {
  local n=$1 timeout=$2 what=$3 t
  shift 3
  t=$(now)
  while ! "$@" >/dev/null 2>&1; do
    if ! pid_of "$n" >/dev/null; then
      say "$n exited while waiting for $what. Last lines of $(log_of "$n"):"
      tail -n 40 "$(log_of "$n")" >&2 2>/dev/null || true
      return 1
    fi
    if [ "$(awk -v a="$t" -v b="$(now)" -v m="$timeout" 'BEGIN { print (b - a > m) }')" = 1 ]; then
      say "timed out after ${timeout}s waiting for $what. Last lines of $(log_of "$n"):"
      tail -n 40 "$(log_of "$n")" >&2 2>/dev/null || true
      return 1
    fi
    sleep 0.2
  done
}

# start_recorded NAME: start NAME again with the command up.sh recorded for it.
start_recorded() {
  local n=$1 args=()
  [ -f "$STATE/cmd/$n" ] || die "no recorded command for $n (is the cluster up?)"
  mapfile -d '' args < "$STATE/cmd/$n"
  start_unit "$n" "${args[@]}"
}

# stop_daemon NAME TIMEOUT_S: TERM the recorded PID, KILL it after TIMEOUT_S (0: KILL at once).
stop_daemon() {
  local n=$1 timeout=$2 pid i
  pid=$(pid_of "$n") || { rm -f "$PIDS/$n.pid"; return 0; }
  STOPPED_PIDS+=("$pid")
  if [ "$timeout" = 0 ]; then
    kill -KILL "$pid" 2>/dev/null || true
  else
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < timeout * 10; i++)); do
      pid_of "$n" >/dev/null || break
      sleep 0.1
    done
    if pid_of "$n" >/dev/null; then
      say "$n (pid $pid) did not stop after ${timeout}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  for ((i = 0; i < 50; i++)); do pid_of "$n" >/dev/null || break; sleep 0.1; done
  rm -f "$PIDS/$n.pid"
}

# daemon_ready NAME: succeeds when NAME answers its health check.
daemon_ready() {
  case $1 in
    systemd-journald) test -S /run/systemd/journal/stdout ;;
    docker-registry) curl -fsS "http://$REGISTRY/v2/" ;;
    etcd) curl -fsS http://127.0.0.1:2379/health ;;
    kube-apiserver) kubectl_admin get --raw /readyz ;;
    kube-controller-manager) curl -fsSk https://127.0.0.1:10257/healthz ;;
    kube-scheduler) curl -fsSk https://127.0.0.1:10259/healthz ;;
    containerd) "$(runtime_bin)/ctr" --address "$CONTAINERD_SOCK" version ;;
    crio) curl -fsS --unix-socket "$CRIO_SOCK" http://localhost/info ;;
    kubelet) curl -fsS http://127.0.0.1:10248/healthz ;;
    *) pid_of "$1" ;;
  esac
}

kubectl_admin() { "$KUBE_BIN/cikube" kubectl --kubeconfig "$KUBECONFIG_ADMIN" "$@"; }

# The cikube binary directory recorded by up.sh (empty when unknown).
load_kube_bin() {
  KUBE_BIN=""
  if [ -f "$STATE/kube-bin" ]; then KUBE_BIN=$(cat "$STATE/kube-bin"); fi
}

# The runtime binary directory recorded by up.sh (Debian's /usr/bin when not recorded).
runtime_bin() {
  if [ -f "$STATE/runtime-bin" ]; then cat "$STATE/runtime-bin"; else echo /usr/bin; fi
}

load_combination
