#!/usr/bin/env bash
# `npm test`: every suite, on a fresh machine as on a warm one, with nothing to do beforehand.
#
#   typecheck, lint, build → unit + LSP, webview (Chromium), real-cluster, hostile-input
#   → end-to-end in a real VS Code → real-cluster reliability (daemons killed on purpose)
#   → containerd 2.x on Kubernetes 1.37: the live ground-truth subset on a second cluster
#
# The real cluster: when one is already up (npm run cluster:up) it is used and left up. Otherwise
# this script brings it up (idempotent, binaries cached in ~/.cache/pod-birth) in the background
# while the static checks run, and takes it down at the end — also on failure or Ctrl-C.
# npm packages are installed first when node_modules is missing (`git clean -xfd && npm test`).
#
# The containerd 2.x × 1.37 step needs its own cluster (one per machine): the default one is taken
# down for it, the containerd 2.x one is taken down after it (also on failure), and a default
# cluster that was up before this run is brought back up.
#
# Env: POD_BIRTH_KEEP_CLUSTER=1 leaves a cluster this script started running.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
LOG_DIR=$ROOT/test/artifacts/test-run
mkdir -p "$LOG_DIR"

T0=$(date +%s)
STEP=start
step() { STEP=$1; printf '\n\033[1m[test] %s (%s)\033[0m\n' "$1" "$(date -u +%H:%M:%S)"; }
say() { printf '[test] %s\n' "$*"; }

UP_PID=""
STARTED_CLUSTER=0
# 1 while the containerd 2.x × 1.37 cluster may be up (its step).
OTHER_CLUSTER=0
finish() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$UP_PID" ] && kill -0 "$UP_PID" 2>/dev/null; then
    say "stopping the cluster start-up that is still running"
    kill -TERM -- "-$UP_PID" 2>/dev/null || kill -TERM "$UP_PID" 2>/dev/null || true
    wait "$UP_PID" 2>/dev/null || true
  fi
  if [ "$OTHER_CLUSTER" = 1 ]; then
    say "taking down the containerd 2.x × 1.37 cluster"
    bash test/cluster/down.sh >"$LOG_DIR/cluster-down-containerd2-1.37.log" 2>&1 || say "cluster:down failed: see $LOG_DIR/cluster-down-containerd2-1.37.log"
    if [ "$STARTED_CLUSTER" = 0 ]; then
      say "bringing back the default cluster that was up before this run"
      bash test/cluster/up.sh >"$LOG_DIR/cluster-up-restore.log" 2>&1 || say "cluster:up failed: see $LOG_DIR/cluster-up-restore.log"
    fi
  fi
  if [ "$STARTED_CLUSTER" = 1 ]; then
    if [ "${POD_BIRTH_KEEP_CLUSTER:-0}" = 1 ]; then
      say "the cluster this run started keeps running (POD_BIRTH_KEEP_CLUSTER=1); stop it with npm run cluster:down"
    else
      say "taking down the cluster this run started"
      bash test/cluster/down.sh >"$LOG_DIR/cluster-down.log" 2>&1 || say "cluster:down failed: see $LOG_DIR/cluster-down.log"
    fi
  fi
  if [ "$rc" = 0 ]; then
    say "all suites passed in $(($(date +%s) - T0))s"
  else
    say "FAILED in step '$STEP' (exit $rc) after $(($(date +%s) - T0))s"
  fi
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ ! -d node_modules ]; then
  step "npm ci (node_modules is missing)"
  npm ci --no-audit --no-fund
fi

# Before the cluster starts in the background: both install Debian packages, and two apt-gets at
# once fail on dpkg's lock.
step "code-server and Chromium for the webview and e2e suites"
bash test/e2e/install-code-server.sh >/dev/null

# The cluster: reuse a running one; otherwise start it now, in its own process group, so that the
# Go build of a cold machine overlaps the static checks.
if bash test/cluster/status.sh >/dev/null 2>&1; then
  say "using the cluster that is already up (left running afterwards)"
else
  [ "$(id -u)" = 0 ] || {
    say "no cluster is up and starting one needs root: run as root, or start it first with npm run cluster:up"
    exit 1
  }
  say "no cluster is up: starting one in the background (log: $LOG_DIR/cluster-up.log)"
  STARTED_CLUSTER=1
  setsid bash test/cluster/up.sh >"$LOG_DIR/cluster-up.log" 2>&1 &
  UP_PID=$!
fi

step "typecheck"
npm run --silent typecheck
step "lint"
npm run --silent lint
step "build"
npm run --silent build
if [ -n "$UP_PID" ]; then
  step "waiting for the cluster"
  if ! wait "$UP_PID"; then
    UP_PID=""
    tail -n 40 "$LOG_DIR/cluster-up.log" >&2
    say "the cluster did not come up: the log above says which phase failed"
    exit 1
  fi
  UP_PID=""
  grep -E '^\[up\] (up in|.*: done in)' "$LOG_DIR/cluster-up.log" | tail -n 1 || true
fi
export "$(bash test/cluster/status.sh 2>/dev/null | grep '^KUBECONFIG=' | tail -n 1)"

step "vitest: unit, LSP, webview, real cluster, hostile input"
npx vitest run
step "end-to-end in a real VS Code"
npm run --silent test:e2e
step "real-cluster reliability (kills daemons on purpose)"
npx vitest run --config test/reliability/cluster/vitest.config.mts

# Users run containerd 2.x (its CRI lines changed format in 2.2) and newer Kubernetes: the live
# ground truth there too. Builds are cached (~/.cache/pod-birth); cold, containerd 2.2 takes ~3-5 min
# and Kubernetes 1.37 ~13 min on 2 cores. The rest of the matrix: npm run test:matrix.
step "containerd 2.x × Kubernetes 1.37: build (cached), cluster, live ground truth"
bash test/cluster/build-runtime.sh containerd2 >"$LOG_DIR/build-containerd2.log" 2>&1 || {
  tail -n 20 "$LOG_DIR/build-containerd2.log" >&2
  exit 1
}
bash test/cluster/build-kube.sh 1.37 >"$LOG_DIR/build-kube-1.37.log" 2>&1 || {
  tail -n 20 "$LOG_DIR/build-kube-1.37.log" >&2
  exit 1
}
OTHER_CLUSTER=1
POD_BIRTH_RUNTIME=containerd2 POD_BIRTH_KUBERNETES=1.37 POD_BIRTH_NODE_LOGS=open \
  bash test/cluster/up.sh >"$LOG_DIR/cluster-up-containerd2-1.37.log" 2>&1 || {
  tail -n 40 "$LOG_DIR/cluster-up-containerd2-1.37.log" >&2
  say "the containerd 2.x × 1.37 cluster did not come up: the log above says which phase failed"
  exit 1
}
npx vitest run --project cluster test/cluster/pod-birth.test.ts
# The ground-truth part of the matrix set: node, births and the CLI's JSON against containerd's own
# lines (the failure cases run in npm run test:matrix).
POD_BIRTH_MATRIX_REPORT=$LOG_DIR/matrix-containerd2-1.37-open.json \
  npx vitest run --project cluster test/cluster/matrix.test.ts -t 'node|ground truth|CLI'
OTHER_CLUSTER=0
say "taking down the containerd 2.x × 1.37 cluster"
bash test/cluster/down.sh >"$LOG_DIR/cluster-down-containerd2-1.37.log" 2>&1
if [ "$STARTED_CLUSTER" = 0 ]; then
  say "bringing back the default cluster that was up before this run"
  bash test/cluster/up.sh >"$LOG_DIR/cluster-up-restore.log" 2>&1
fi
STEP=done
