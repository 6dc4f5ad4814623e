#!/usr/bin/env bash
# The fresh-machine check of the README's main job (`npm run demo`), run by CI (.ci/run):
#   - a copy of this repository's files (tracked and new, not ignored: no node_modules, no dist),
#   - a new empty HOME: no ~/.cache/pod-birth, no npm cache, no demo profile,
#   - no cluster up (it refuses to run next to one),
# then test/fresh/demo.test.ts runs `npm run demo` there, opens the workbench, presses Ctrl-C and
# checks that nothing is left; and makes a step fail and checks the message and the clean-up.
#
# Affordable: POD_BIRTH_KUBE_PREBUILT (default: this user's ~/.cache/pod-birth/kube when it has a
# build) lets the fresh HOME reuse already-built Kubernetes binaries read-only; every folder the
# scripts create is still new. Without one, the demo builds Kubernetes (~10 min).
set -euo pipefail
cd "$(dirname "$0")/../.."
say() { printf '[fresh] %s\n' "$*"; }

[ -d node_modules ] || npm ci --no-audit --no-fund # the driver (vitest, playwright-core) runs from here
if bash test/cluster/status.sh >/dev/null 2>&1; then
  say "a cluster is up: this check starts and stops its own. Stop it first: npm run cluster:down"
  exit 1
fi
if [ -z "${POD_BIRTH_KUBE_PREBUILT:-}" ] && [ -d "$HOME/.cache/pod-birth/kube" ]; then
  export POD_BIRTH_KUBE_PREBUILT=$HOME/.cache/pod-birth/kube
fi

FRESH=$(mktemp -d /tmp/pod-birth-fresh.XXXXXX)
cleanup() { rm -rf "$FRESH"; }
trap cleanup EXIT
mkdir "$FRESH/home" "$FRESH/repo"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
  tar --null -T - -cf - | tar -xf - -C "$FRESH/repo"
say "repository copy: $FRESH/repo ($(du -sh "$FRESH/repo" | cut -f1)), HOME: $FRESH/home, prebuilt Kubernetes: ${POD_BIRTH_KUBE_PREBUILT:-none}"

POD_BIRTH_FRESH_REPO=$FRESH/repo POD_BIRTH_FRESH_HOME=$FRESH/home npx vitest run --config test/fresh/vitest.config.mts
