#!/usr/bin/env bash
# Build the multi-call Kubernetes binary `cikube` into a cache outside the repo:
#   bash build-kube.sh [1.34|1.37]   (default: $POD_BIRTH_KUBERNETES, else 1.34)
# Sources: test/cluster/kube (1.34) or test/cluster/kube-<minor> (1.37). Output:
#   ${POD_BIRTH_CACHE:-$HOME/.cache/pod-birth}/kube/<k8s version>-<hash of go.mod+go.sum+main.go>/
#     cikube, and symlinks kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl etcd
# Versions live side by side. Skips the build when that directory already holds a binary. Prints
# the binary directory as the last line of stdout. Cold build on 2 cores: ~9.5 min, ~2.3 GiB peak
# RSS (docs/local-cluster.md has the measurements per version). The build runs at nice 19.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
minor_wanted=${1:-${POD_BIRTH_KUBERNETES:-1.34}}
case $minor_wanted in
  1.34) src=$here/kube ;;
  1.37) src=$here/kube-1.37 ;;
  *) echo "build-kube: unknown Kubernetes version '$minor_wanted' (1.34 or 1.37)" >&2; exit 2 ;;
esac
cache=${POD_BIRTH_CACHE:-$HOME/.cache/pod-birth}

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  export PATH=/usr/local/go/bin:$PATH
fi

version=$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ { print $2; exit }' "$src/go.mod")
if [ -z "$version" ]; then
  echo "build-kube: cannot find the k8s.io/kubernetes version in $src/go.mod" >&2
  exit 1
fi
hash=$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -c1-12)
out=$cache/kube/$version-$hash
components="kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl etcd"

link_components() {
  for c in $components; do ln -sfn cikube "$out/$c"; done
}

if [ -x "$out/cikube" ]; then
  link_components
  echo "build-kube: reusing $out/cikube" >&2
  echo "$out"
  exit 0
fi

# POD_BIRTH_KUBE_PREBUILT=<dir holding <version>-<hash>/cikube> (e.g. another user's
# ~/.cache/pod-birth/kube): reuse a binary built from exactly these sources, read-only. The cache
# folder is still created here; only cikube is a link into the prebuilt one, which is never written.
# The fresh-machine check (test/fresh/) uses it so that a new HOME does not cost a 10-minute build.
prebuilt=${POD_BIRTH_KUBE_PREBUILT:+$POD_BIRTH_KUBE_PREBUILT/$version-$hash/cikube}
if [ -n "$prebuilt" ] && [ -x "$prebuilt" ]; then
  mkdir -p "$out"
  ln -sfn "$prebuilt" "$out/cikube"
  link_components
  echo "build-kube: using the prebuilt $prebuilt (read-only)" >&2
  echo "$out"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "build-kube: no Go toolchain on PATH; cannot build $out/cikube" >&2
  exit 1
fi

mkdir -p "$out"
minor=$(echo "$version" | cut -d. -f2)
tmp=$out/cikube.tmp.$$
trap 'rm -f "$tmp"' EXIT
echo "build-kube: building cikube $version into $out (cold: ~10 min on 2 cores)" >&2
start=$(date +%s)
(
  cd "$src"
  # sum.golang.org has no entry for k8s.io/kubernetes (404), so skip the checksum DB for it; go.sum
  # still pins every module's hash.
  CGO_ENABLED=1 GONOSUMDB=k8s.io/kubernetes${GONOSUMDB:+,$GONOSUMDB} nice -n 19 go build -trimpath -o "$tmp" -ldflags "-s -w \
    -X k8s.io/component-base/version.gitVersion=$version \
    -X k8s.io/component-base/version.gitMajor=1 \
    -X k8s.io/component-base/version.gitMinor=$minor \
    -X k8s.io/component-base/version.gitTreeState=clean \
    -X k8s.io/component-base/version.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ) \
    -X k8s.io/client-go/pkg/version.gitVersion=$version" .
) >&2 || { echo "build-kube: go build failed" >&2; exit 1; }
mv "$tmp" "$out/cikube"
link_components
echo "build-kube: built $out/cikube in $(( $(date +%s) - start )) s" >&2
echo "$out"
