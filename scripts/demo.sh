#!/usr/bin/env bash
# The main job: a real local Kubernetes cluster, a real VS Code (code-server 4.100.3) with Pod Birth
# installed from the freshly built .vsix, and a workspace of sample manifests. Prints the URL to
# open, then keeps running until Ctrl-C, when it stops code-server and the cluster.
#
#   npm run demo                         # http://127.0.0.1:8080
#   DEMO_BIND=0.0.0.0:8080 npm run demo  # reachable from outside the VM (no auth: trusted networks only)
#   DEMO_KEEP_CLUSTER=1 npm run demo     # leave the cluster running at the end
#
# Works from a fresh machine in one go. When a step fails it says which one and what to do, and
# stops what it started (code-server; the cluster, unless it was already up before the demo or
# DEMO_KEEP_CLUSTER=1). test/fresh/ proves this from an empty HOME in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CACHE="${POD_BIRTH_CACHE:-$HOME/.cache/pod-birth}"
DEMO="$CACHE/demo"
BIND="${DEMO_BIND:-127.0.0.1:8080}"
HOST_URL="http://${BIND/0.0.0.0/127.0.0.1}"
NS=pod-birth-demo

bold() { printf '\n\033[1m[demo] %s\033[0m\n' "$*"; }
say() { printf '[demo] %s\n' "$*"; }

STEP=""
HINT=""
# step NAME HINT: what runs now, and what a user should do if it fails.
step() {
  STEP=$1
  HINT=$2
  bold "$STEP"
}

STARTED_CLUSTER=0
CS_PID=""
KUBECONFIG="${KUBECONFIG:-}"
stop_all() {
  if [ -n "$CS_PID" ]; then
    kill -TERM -- "-$CS_PID" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$CS_PID" 2>/dev/null || break; sleep 0.25; done
    kill -KILL -- "-$CS_PID" 2>/dev/null || true
    wait "$CS_PID" 2>/dev/null || true
    say "VS Code (code-server) stopped"
  fi
  if [ "$STARTED_CLUSTER" = 1 ]; then
    if [ "${DEMO_KEEP_CLUSTER:-0}" = 1 ]; then
      say "the cluster keeps running (DEMO_KEEP_CLUSTER=1): KUBECONFIG=$KUBECONFIG; stop it with npm run cluster:down"
    else
      say "stopping the cluster (DEMO_KEEP_CLUSTER=1 keeps it)"
      npm run --silent cluster:down >"$CACHE/demo-cluster-down.log" 2>&1 ||
        say "npm run cluster:down failed: see $CACHE/demo-cluster-down.log"
    fi
  fi
}
on_exit() {
  local rc=$?
  trap - EXIT INT TERM
  if [ "$STEP" = running ]; then
    bold "stopping"
  elif [ "$rc" != 0 ]; then
    printf '\n\033[1;31m[demo] FAILED at step "%s" (exit %s).\033[0m\n' "$STEP" "$rc" >&2
    [ -z "$HINT" ] || printf '[demo] What to do: %s\n' "$HINT" >&2
  fi
  stop_all
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step "preparing $CACHE" "check that HOME ($HOME) is writable and the disk has space (df -h)"
mkdir -p "$CACHE"

if [ ! -d node_modules ]; then
  step "installing npm dependencies" "npm ci needs the npm registry; read the npm error above"
  npm ci --no-audit --no-fund
fi

step "starting the local cluster (first time on a machine: ~10 min to build Kubernetes from the Go module proxy)" \
  "the cluster log above names the phase that failed; $CACHE/demo-up.log has it all; npm run cluster:status shows what runs"
bash test/cluster/status.sh >/dev/null 2>&1 || STARTED_CLUSTER=1
# Progress lines only ([up] phases, the Go build); the whole output is in demo-up.log.
set +e
npm run --silent cluster:up 2>&1 | tee "$CACHE/demo-up.log" | { grep --line-buffered -E '^(\[up\]|build-kube:)' || true; }
rc=${PIPESTATUS[0]}
set -e
[ "$rc" = 0 ] || { tail -n 25 "$CACHE/demo-up.log" >&2; exit "$rc"; }
KUBECONFIG_LINE=$(tail -n 1 "$CACHE/demo-up.log")
case "$KUBECONFIG_LINE" in KUBECONFIG=/*) export "${KUBECONFIG_LINE?}" ;; *) say "cluster:up did not print KUBECONFIG=…"; exit 1 ;; esac
KUBECTL="$(dirname "$KUBECONFIG")/../bin/kubectl"

step "installing code-server (VS Code 1.100) if missing" \
  "test/e2e/install-code-server.sh needs apt and the npm registry; its output above names the step"
CODE_SERVER=$(bash test/e2e/install-code-server.sh | tail -n 1)

step "building and packaging the extension" "run npm run package to see the build error in full"
npm run --silent package >"$CACHE/demo-package.log" 2>&1 || { tail -n 25 "$CACHE/demo-package.log" >&2; exit 1; }
ls -l dist/pod-birth.vsix | awk '{print "  " $NF ": " $5 " bytes"}'

step "preparing a fresh VS Code profile with the samples" "see the message above"
# A fresh profile each run: a clean window, only this build of the extension.
rm -rf "$DEMO"
mkdir -p "$DEMO/user-data/User" "$DEMO/extensions" "$DEMO/xdg" "$DEMO/workspace"
cp test/samples/*.yaml "$DEMO/workspace/"
cat >"$DEMO/user-data/User/settings.json" <<JSON
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
"$CODE_SERVER" "${CS_ARGS[@]}" --force --install-extension "$ROOT/dist/pod-birth.vsix" >"$DEMO/install.log" 2>&1 ||
  { cat "$DEMO/install.log" >&2; exit 1; }

"$KUBECTL" get ns "$NS" >/dev/null 2>&1 || "$KUBECTL" create ns "$NS" >/dev/null
# Start clean: the samples create pods with fixed names.
"$KUBECTL" -n "$NS" delete pods --all --wait=false >/dev/null 2>&1 || true

step "starting VS Code (code-server) on $BIND" \
  "is $BIND free (ss -ltnp)? Choose another with DEMO_BIND=127.0.0.1:8081; the code-server log is $DEMO/code-server.log"
setsid "$CODE_SERVER" "${CS_ARGS[@]}" --auth none --bind-addr "$BIND" --disable-telemetry --disable-update-check \
  --disable-workspace-trust --disable-getting-started-override "$DEMO/workspace" >"$DEMO/code-server.log" 2>&1 &
CS_PID=$!
for i in $(seq 1 60); do
  # Our code-server answers /healthz with its own JSON; another server on the port does not count.
  curl -fsS --max-time 2 "$HOST_URL/healthz" 2>/dev/null | grep -q '"status"' && break
  kill -0 "$CS_PID" 2>/dev/null || { tail -n 20 "$DEMO/code-server.log" >&2; say "code-server exited"; exit 1; }
  [ "$i" -lt 60 ] || { tail -n 20 "$DEMO/code-server.log" >&2; say "code-server did not answer on $HOST_URL"; exit 1; }
  sleep 0.5
done

STEP=running
cat <<EOF

  Open:  $HOST_URL/?folder=$DEMO/workspace

  Then:  open busybox-pod.yaml, right-click → "Trace Pod Birth" → "Apply & trace" → Apply.
         The diagram opens beside the manifest; the "Pod Birth" activity-bar icon shows the timeline.
         pending-memory.yaml shows a Pending pod: its memory line gets the insufficient-memory diagnostic.
  Pods go to namespace "$NS" of the local cluster (KUBECONFIG=$KUBECONFIG).
  The same from a terminal:  node dist/cli.js trace --apply --yes -f test/samples/busybox-pod.yaml -n $NS

  Ctrl-C stops VS Code$([ "$STARTED_CLUSTER" = 1 ] && echo " and the cluster"). Log: $DEMO/code-server.log
EOF
wait "$CS_PID" || true
CS_PID=""
say "code-server exited by itself: see $DEMO/code-server.log"
exit 1
