#!/usr/bin/env bash
# The main job until the VS Code demo lands: a real local cluster, then a pod's birth traced live.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run --silent cluster:up | tee /tmp/pod-birth-demo-up.log | tail -n 5
export "$(tail -n 1 /tmp/pod-birth-demo-up.log)"
npm run --silent build
ns=pod-birth-demo
"$(dirname "$KUBECONFIG")/../bin/kubectl" get ns "$ns" >/dev/null 2>&1 || "$(dirname "$KUBECONFIG")/../bin/kubectl" create ns "$ns" >/dev/null
"$(dirname "$KUBECONFIG")/../bin/kubectl" -n "$ns" delete pod hello-birth --ignore-not-found --wait=true >/dev/null
echo
echo "Tracing test/samples/busybox-pod.yaml being born (namespace $ns):"
node dist/cli.js trace --apply --yes -f test/samples/busybox-pod.yaml --namespace "$ns"
echo
echo "The cluster is still up: KUBECONFIG=$KUBECONFIG"
echo "Try: node dist/cli.js trace --apply --yes -f test/samples/pending-memory.yaml --namespace $ns --timeout 20s"
echo "Stop it with: npm run cluster:down"
