#!/usr/bin/env bash
# Print which daemons of the test cluster run and whether the node is Ready.
# Exit status: 0 when every daemon runs and the node is Ready, 1 otherwise.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ ! -d "$STATE" ]; then
  echo "cluster: down (no state dir $STATE)"
  exit 1
fi
ok=1
if [ -f "$STATE/combination" ]; then
  echo "combination: $COMBINATION"
else
  echo "combination: $COMBINATION (not recorded: started by an up.sh from before combinations)"
fi
printf '%-26s %-8s %s\n' DAEMON PID STATE
for d in $DAEMONS; do
  if pid=$(pid_of "$d"); then
    rss=$(awk '/^VmRSS/ { printf "%d MiB", $2 / 1024 }' "/proc/$pid/status" 2>/dev/null || true)
    printf '%-26s %-8s %s\n' "$d" "$pid" "running ($rss)"
  else
    printf '%-26s %-8s %s\n' "$d" "-" "NOT RUNNING (log: $(log_of "$d"))"
    ok=0
  fi
done
load_kube_bin
if [ -n "$KUBE_BIN" ] && pid_of kube-apiserver >/dev/null; then
  ready=$(kubectl_admin get node "$NODE_NAME" \
    -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status} {.status.nodeInfo.kubeletVersion} {.status.nodeInfo.containerRuntimeVersion}' 2>/dev/null || true)
  set -- $ready
  echo "node $NODE_NAME: Ready=${1:-unknown} kubelet=${2:-?} runtime=${3:-?}"
  [ "${1:-}" = True ] || ok=0
  pods=$(kubectl_admin get pods -A --no-headers 2>/dev/null | wc -l || true)
  echo "pods (all namespaces): $pods"
else
  echo "node $NODE_NAME: unknown (apiserver not running)"
  ok=0
fi
[ -f "$STATE/up-timings" ] && echo "last up: $(cat "$STATE/up-timings")"
echo "$RUNTIME_SERVICE log: journalctl -u $RUNTIME_SERVICE; copy: $RUNTIME_LOG"
echo "kubectl: $STATE/bin/kubectl"
echo "KUBECONFIG=$KUBECONFIG_ADMIN"
[ "$ok" = 1 ]
