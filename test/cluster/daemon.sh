#!/usr/bin/env bash
# Stop, kill, start or restart one daemon of the running test cluster (fault-injection tests):
#   bash test/cluster/daemon.sh stop|kill|start|restart NAME
# stop: SIGTERM, SIGKILL after POD_BIRTH_STOP_TIMEOUT (default 15) s. The apiserver drains
#   watches on SIGTERM for up to 60 s, so a graceful apiserver restart takes ~19 s here.
# kill: SIGKILL at once (a crash).
# NAME: systemd-journald docker-registry etcd kube-apiserver kube-controller-manager kube-scheduler
#       containerd|crio (the runtime of the running combination) kubelet  (not the *-logcopy
#       journal followers: they keep following across
#       restarts of their unit, and a restarted follower would copy the journal a second time)
# start/restart reuse the exact command up.sh started NAME with, in the same
# /system.slice/NAME.service cgroups and log destination, record the new PID for down.sh, and
# return once NAME answers its health check.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ "$(id -u)" = 0 ] || die "must run as root"
[ $# = 2 ] || die "usage: daemon.sh stop|kill|start|restart NAME"
action=$1 n=$2
case $n in *-logcopy) die "$n is an internal journal follower; it keeps running across restarts of its unit" ;; esac
case " $DAEMONS " in *" $n "*) ;; *) die "unknown daemon $n (one of: $DAEMONS)" ;; esac
[ -d "$STATE" ] || die "the test cluster is not up (no $STATE)"
load_kube_bin
case $action in
  stop) stop_daemon "$n" "${POD_BIRTH_STOP_TIMEOUT:-15}" ;;
  kill) stop_daemon "$n" 0 ;;
  start | restart)
    [ "$action" = start ] || stop_daemon "$n" "${POD_BIRTH_STOP_TIMEOUT:-15}"
    if pid_of "$n" >/dev/null; then say "$n already running"; exit 0; fi
    start_recorded "$n"
    wait_for "$n" 120 "$n to become ready" daemon_ready "$n"
    say "$n running as pid $(pid_of "$n")"
    ;;
  *) die "usage: daemon.sh stop|kill|start|restart NAME" ;;
esac
