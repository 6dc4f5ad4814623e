#!/usr/bin/env bash
# `npm test`: every suite, on a fresh machine as on a warm one, with nothing to do beforehand.
#
#   typecheck, lint, build → unit + LSP, webview (Chromium), real-cluster, hostile-input
#   → end-to-end in a real VS Code → real-cluster reliability (daemons killed on purpose)
#
# The real cluster: when one is already up (npm run cluster:up) it is used and left up. Otherwise
# this script brings it up (idempotent, binaries cached in ~/.cache/pod-birth) in the background
# while the static checks run, and takes it down at the end — also on failure or Ctrl-C.
# npm packages are installed first when node_modules is missing (`git clean -xfd && npm test`).
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
finish() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$UP_PID" ] && kill -0 "$UP_PID" 2>/dev/null; then
    say "stopping the cluster start-up that is still running"
    kill -TERM -- "-$UP_PID" 2>/dev/null || kill -TERM "$UP_PID" 2>/dev/null || true
    wait "$UP_PID" 2>/dev/null || true
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
STEP=done
