#!/usr/bin/env bash
# kubectl for the local test cluster: cikube kubectl with the admin kubeconfig.
#   bash test/cluster/kubectl.sh get pods -A
set -euo pipefail
state=${POD_BIRTH_CLUSTER_DIR:-/var/lib/pod-birth-cluster}
[ -f "$state/kube-bin" ] || { echo "kubectl.sh: the test cluster is not up (no $state); run: npm run cluster:up" >&2; exit 1; }
exec "$(cat "$state/kube-bin")/cikube" kubectl --kubeconfig "$state/pki/admin.kubeconfig" "$@"
