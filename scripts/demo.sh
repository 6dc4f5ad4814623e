#!/usr/bin/env bash
# The main job: a real local Kubernetes cluster, a real VS Code (code-server 4.100.3) with Pod Birth
# installed from the freshly built .vsix, and a workspace of sample manifests. Prints the URL to
# open, then keeps running until Ctrl-C, when it stops code-server and the cluster.
#
#   npm run demo                         # http://127.0.0.1:8080
#   DEMO_BIND=0.0.0.0:8080 npm run demo  # reachable from outside the VM (no auth: trusted networks only)
#   DEMO_KEEP_CLUSTER=1 npm run demo     # leave the cluster running at the end
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CACHE="${POD_BIRTH_CACHE:-$HOME/.cache/pod-birth}"
DEMO="$CACHE/demo"
BIND="${DEMO_BIND:-127.0.0.1:8080}"
NS=pod-birth-demo

say() { printf '\n\033[1m[demo] %s\033[0m\n' "$*"; }

[ -d node_modules ] || { say "installing npm dependencies"; npm ci --no-audit --no-fund; }

say "starting the local cluster (first time on a machine: ~10 min to build Kubernetes from the Go module proxy)"
npm run --silent cluster:up | tee "$CACHE/demo-up.log" | tail -n 3
export "$(tail -n 1 "$CACHE/demo-up.log")" # KUBECONFIG=…
KUBECTL="$(dirname "$KUBECONFIG")/../bin/kubectl"

say "installing code-server (VS Code 1.100) if missing"
CODE_SERVER=$(bash test/e2e/install-code-server.sh | tail -n 1)

say "building and packaging the extension"
npm run --silent package >/dev/null
ls -l dist/pod-birth.vsix | awk '{print "  " $NF ": " $5 " bytes"}'

# A fresh profile each run: a clean window, only this build of the extension.
rm -rf "$DEMO"
mkdir -p "$DEMO/user-data/User" "$DEMO/extensions" "$DEMO/xdg" "$DEMO/workspace"
cp test/samples/*.yaml "$DEMO/workspace/"
cat > "$DEMO/user-data/User/settings.json" <<JSON
{
  "podBirth.kubeconfig": "$KUBECONFIG",
  "podBirth.namespace": "$NS",
  "telemetry.telemetryLevel": "off",
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "update.mode": "none",
  "extensions.autoUpdate": false,
  "extensions.autoCheckUpdates": false,
  "git.enabled": false,
  "editor.codeLens": true
}
JSON
export XDG_CONFIG_HOME="$DEMO/xdg/config" XDG_DATA_HOME="$DEMO/xdg/data"
CS_ARGS=(--config "$DEMO/xdg/config.yaml" --user-data-dir "$DEMO/user-data" --extensions-dir "$DEMO/extensions")
"$CODE_SERVER" "${CS_ARGS[@]}" --force --install-extension "$ROOT/dist/pod-birth.vsix" >/dev/null

"$KUBECTL" get ns "$NS" >/dev/null 2>&1 || "$KUBECTL" create ns "$NS" >/dev/null
# Start clean: the samples create pods with fixed names.
"$KUBECTL" -n "$NS" delete pods --all --wait=false >/dev/null 2>&1 || true

CS_PID=""
cleanup() {
  trap - INT TERM EXIT
  say "stopping"
  if [ -n "$CS_PID" ]; then kill -TERM -- "-$CS_PID" 2>/dev/null || true; sleep 1; kill -KILL -- "-$CS_PID" 2>/dev/null || true; fi
  if [ "${DEMO_KEEP_CLUSTER:-0}" = 1 ]; then echo "  the cluster keeps running: KUBECONFIG=$KUBECONFIG (stop it with npm run cluster:down)"
  else npm run --silent cluster:down || true; fi
}
trap cleanup INT TERM EXIT

say "starting VS Code (code-server) on $BIND"
setsid "$CODE_SERVER" "${CS_ARGS[@]}" --auth none --bind-addr "$BIND" --disable-telemetry --disable-update-check --disable-workspace-trust \
  --disable-getting-started-override "$DEMO/workspace" >"$DEMO/code-server.log" 2>&1 &
CS_PID=$!
for _ in $(seq 1 60); do
  curl -fsS "http://${BIND/0.0.0.0/127.0.0.1}/healthz" >/dev/null 2>&1 && break
  kill -0 "$CS_PID" 2>/dev/null || { cat "$DEMO/code-server.log"; echo "code-server exited" >&2; exit 1; }
  sleep 0.5
done

cat <<EOF

  Open:  http://${BIND/0.0.0.0/127.0.0.1}/?folder=$DEMO/workspace

  Then:  open busybox-pod.yaml, right-click → "Trace Pod Birth" → "Apply & trace" → Apply.
         The diagram opens beside the manifest; the "Pod Birth" activity-bar icon shows the timeline.
         pending-memory.yaml shows a Pending pod: its memory line gets the insufficient-memory diagnostic.
  Pods go to namespace "$NS" of the local cluster (KUBECONFIG=$KUBECONFIG).
  The same from a terminal:  node dist/cli.js trace --apply --yes -f test/samples/busybox-pod.yaml -n $NS

  Ctrl-C stops VS Code and the cluster. Log: $DEMO/code-server.log
EOF
wait "$CS_PID"
