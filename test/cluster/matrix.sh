#!/usr/bin/env bash
# npm run test:matrix: the live ground-truth tests and failure cases on every combination of runtime
# (containerd 1.6, containerd 2.x, CRI-O) × Kubernetes (1.34, 1.37) × node logs (open, stock), with
# fixtures recorded per combination, and one table at the end.
#
# For each combination: build its binaries (cached), then, holding the cluster lock
# (/tmp/pod-birth-cluster.lock) only while it uses the cluster, so other sessions can run between
# combinations: `npm run cluster:up` with the combination → test/cluster/matrix.test.ts (node,
# births against the runtime's own lines, failure cases, the CLI's JSON trace); then, in a second
# hold of the lock, the fixture recording into test/fixtures/recorded/<combination>/. At the end the
# cluster is brought back up in the default combination (others expect it there).
#
# Env:
#   POD_BIRTH_MATRIX=containerd2-1.37-open,crio-1.34-stock   a subset (default: all ten)
#   POD_BIRTH_MATRIX_RECORD=fresh-pull,…   scenarios to record (default below); 0 records nothing
#   POD_BIRTH_MATRIX_RECORD_STOCK=…        the same for stock combinations (default: fresh-pull,
#                                          missing-image: their runtime lines are those of open mode)
#   POD_BIRTH_MATRIX_OUT=<dir>             reports and logs (default test/artifacts/matrix)
# Exit status: 0 when every selected combination passed.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
LOCK=/tmp/pod-birth-cluster.lock
OUT=${POD_BIRTH_MATRIX_OUT:-$ROOT/test/artifacts/matrix}
ALL="containerd-1.34-open containerd-1.34-stock containerd2-1.34-open containerd2-1.34-stock crio-1.34-open crio-1.34-stock containerd2-1.37-open containerd2-1.37-stock crio-1.37-open crio-1.37-stock"
SELECTED=$(echo "${POD_BIRTH_MATRIX:-$ALL}" | tr ',' ' ')
RECORD_OPEN=${POD_BIRTH_MATRIX_RECORD:-fresh-pull,init-container,start-error-command,missing-image}
RECORD_STOCK=${POD_BIRTH_MATRIX_RECORD_STOCK:-${POD_BIRTH_MATRIX_RECORD:-fresh-pull,missing-image}}
mkdir -p "$OUT"
say() { printf '[matrix] %s\n' "$*" >&2; }

say "building dist/ (the CLI the matrix runs)"
npm run -s build >"$OUT/build.log" 2>&1 || { say "npm run build failed: $OUT/build.log"; exit 1; }

failed=0
for combo in $SELECTED; do
  IFS=- read -r runtime kube logs <<<"$combo"
  case "$runtime:$kube:$logs" in
    containerd:1.37:*) say "$combo: refused (containerd 1.6 has no RuntimeConfig; use containerd2 or crio with 1.37)"; continue ;;
    containerd:1.34:open | containerd:1.34:stock | containerd2:1.3[47]:open | containerd2:1.3[47]:stock | crio:1.3[47]:open | crio:1.3[47]:stock) ;;
    *) say "$combo: not a combination (runtime-kubernetes-logs, e.g. containerd2-1.37-open)"; failed=1; continue ;;
  esac
  report=$OUT/$combo.json
  RECORD=$RECORD_OPEN
  [ "$logs" = stock ] && RECORD=$RECORD_STOCK
  log=$OUT/$combo.log
  rm -f "$report" "$OUT/$combo.timings"
  : >"$log"
  # Builds outside the lock: they do not touch the cluster. Cached builds take ~0 s.
  t0=$(date +%s)
  kube_dir=$(bash test/cluster/build-kube.sh "$kube" 2>>"$log" | tail -n 1) || kube_dir=""
  t1=$(date +%s)
  runtime_dir=$(bash test/cluster/build-runtime.sh "$runtime" 2>>"$log" | tail -n 1) || runtime_dir=""
  t2=$(date +%s)
  if [ -z "$kube_dir" ] || [ -z "$runtime_dir" ]; then
    say "$combo: build failed (see $log)"
    failed=1
    echo "build_failed=1" >"$OUT/$combo.timings"
    continue
  fi
  kube_bytes=$(stat -L -c %s "$kube_dir/cikube")
  if [ "$runtime" = containerd ]; then
    runtime_bytes=0
    for b in /usr/bin/containerd /usr/bin/containerd-shim-runc-v2 /usr/bin/ctr; do
      [ -f "$b" ] && runtime_bytes=$((runtime_bytes + $(stat -L -c %s "$b")))
    done
  else
    runtime_bytes=$(du -sbL "$runtime_dir" | cut -f1)
  fi
  export POD_BIRTH_RUNTIME=$runtime POD_BIRTH_KUBERNETES=$kube POD_BIRTH_NODE_LOGS=$logs
  say "$combo: waiting for the cluster lock"
  t3=$(date +%s)
  flock "$LOCK" bash -c '
    s=$(date +%s)
    npm run -s cluster:up >>"$1" 2>&1 || exit 3
    echo "up_s=$(( $(date +%s) - s ))" >>"$2"
    s=$(date +%s)
    POD_BIRTH_MATRIX_REPORT="$3" npx vitest run --project cluster test/cluster/matrix.test.ts >>"$1" 2>&1
    rc=$?
    echo "tests_s=$(( $(date +%s) - s ))" >>"$2"
    exit $rc' _ "$log" "$OUT/$combo.timings" "$report"
  rc=$?
  case $rc in
    0) say "$combo: passed" ;;
    3) say "$combo: cluster:up failed (see $log)"; failed=1 ;;
    *) say "$combo: tests failed (see $log)"; failed=1 ;;
  esac
  if [ "$rc" != 3 ] && [ "$RECORD" != 0 ] && [ -n "$RECORD" ]; then
    say "$combo: recording $RECORD into test/fixtures/recorded/$combo/"
    flock "$LOCK" bash -c '
      s=$(date +%s)
      npm run -s cluster:up >>"$1" 2>&1 || exit 3
      RECORD_FIXTURES=1 RECORD_ONLY="$3" RECORD_FIXTURES_DIR="$4" \
        npx vitest run --project cluster test/cluster/record-fixtures.test.ts >>"$1" 2>&1
      rc=$?
      echo "record_s=$(( $(date +%s) - s ))" >>"$2"
      exit $rc' _ "$log" "$OUT/$combo.timings" "$RECORD" "$ROOT/test/fixtures/recorded/$combo" ||
      { say "$combo: recording failed (see $log)"; failed=1; }
  fi
  {
    echo "wait_lock_from=$t3"
    echo "build_kube_s=$((t1 - t0))"
    echo "build_runtime_s=$((t2 - t1))"
    echo "kube_bytes=$kube_bytes"
    echo "runtime_bytes=$runtime_bytes"
  } >>"$OUT/$combo.timings"
done
unset POD_BIRTH_RUNTIME POD_BIRTH_KUBERNETES POD_BIRTH_NODE_LOGS

say "bringing the cluster back to the default combination"
flock "$LOCK" npm run -s cluster:up >>"$OUT/restore.log" 2>&1 || say "cluster:up (default) failed: $OUT/restore.log"

node test/cluster/matrix-table.mjs "$OUT" $SELECTED | tee "$OUT/table.md"
exit $failed
