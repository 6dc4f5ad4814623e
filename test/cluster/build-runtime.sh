#!/usr/bin/env bash
# Build a container runtime that Debian bookworm does not ship, from the Go module proxy, into a
# cache outside the repo:
#   bash build-runtime.sh containerd2|crio   (default: $POD_BIRTH_RUNTIME)
#   ${POD_BIRTH_CACHE:-$HOME/.cache/pod-birth}/runtime/<name>-<version>-<hash of the recipe>/
#     containerd2: containerd, containerd-shim-runc-v2, ctr   (github.com/containerd/containerd/v2)
#     crio:        crio, pinns                                (github.com/cri-o/cri-o; pinns is C)
# `containerd` (Debian's 1.6) needs no build: this prints /usr/bin. Debian supplies what the built
# runtimes run with: runc and the CNI plugins (both), conmon and crun (CRI-O), libseccomp-dev (the
# CRI-O build). Skips the build when the directory already holds the binaries. Prints the binary
# directory as the last line of stdout. Builds run at nice 19. docs/local-cluster.md has the
# measured times and sizes and why each tag is there.
#
# POD_BIRTH_RUNTIME_PREBUILT=<dir laid out like ${POD_BIRTH_CACHE}/runtime> reuses binaries built
# from exactly this recipe, read-only (links), as POD_BIRTH_KUBE_PREBUILT does for build-kube.sh.
set -euo pipefail

name=${1:-${POD_BIRTH_RUNTIME:-containerd}}
cache=${POD_BIRTH_CACHE:-$HOME/.cache/pod-birth}
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  export PATH=/usr/local/go/bin:$PATH
fi
say() { echo "build-runtime: $*" >&2; }

# The recipe of each runtime: module, version, packages, tags. Its hash names the cache directory,
# so changing any of it builds anew (next to the old one).
case $name in
  containerd)
    echo /usr/bin
    exit 0
    ;;
  containerd2)
    module=github.com/containerd/containerd/v2
    version=v2.2.10
    # 2.2 is the first line that logs CRI metadata as prototext (name:"x"  uid:"y"); cgroup v1
    # still works in it. No btrfs/devmapper/zfs snapshotters (overlayfs is the only one used).
    tags="urfave_cli_no_docs no_btrfs no_devmapper no_zfs"
    ldflags="-s -w -X $module/version.Version=$version -X $module/version.Revision=go-module-proxy"
    binaries="containerd containerd-shim-runc-v2 ctr"
    ;;
  crio)
    module=github.com/cri-o/cri-o
    version=v1.34.0
    # As CRI-O's Makefile on a host without btrfs/devmapper/gpgme/apparmor/selinux development
    # files: signatures through the pure-Go openpgp, seccomp through libseccomp (cgo).
    tags="containers_image_ostree_stub containers_image_openpgp exclude_graphdriver_btrfs btrfs_noversion exclude_graphdriver_devicemapper seccomp"
    ldflags="-s -w" # the version is a constant in internal/version
    binaries="crio pinns"
    ;;
  *)
    say "unknown runtime '$name' (containerd, containerd2 or crio)"
    exit 2
    ;;
esac
recipe_rev=1
hash=$(printf '%s\n' "$recipe_rev" "$module" "$version" "$tags" "$ldflags" "$binaries" | sha256sum | cut -c1-12)
out=$cache/runtime/$name-$version-$hash

have_all() { # DIR
  local b
  for b in $binaries; do [ -x "$1/$b" ] || return 1; done
}
if have_all "$out"; then
  say "reusing $out"
  echo "$out"
  exit 0
fi
prebuilt=${POD_BIRTH_RUNTIME_PREBUILT:+$POD_BIRTH_RUNTIME_PREBUILT/$name-$version-$hash}
if [ -n "$prebuilt" ] && have_all "$prebuilt"; then
  mkdir -p "$out"
  for b in $binaries; do ln -sfn "$prebuilt/$b" "$out/$b"; done
  say "using the prebuilt $prebuilt (read-only)"
  echo "$out"
  exit 0
fi
command -v go >/dev/null 2>&1 || { say "no Go toolchain on PATH; cannot build $out"; exit 1; }

tmp=$out.tmp.$$
trap 'rm -rf "$tmp"' EXIT
rm -rf "$tmp"
mkdir -p "$tmp"
start=$(date +%s)
say "building $name $version into $out"
# go install pkg@version builds the module as released (its own go.mod and go.sum; containerd's
# has no replace directives), outside any work tree: nothing is written into the repository.
go_install() { # CGO(0|1) TAGS PACKAGE...
  local cgo=$1 t=$2
  shift 2
  GOBIN=$tmp CGO_ENABLED=$cgo GOFLAGS="${GOFLAGS:-} -trimpath" nice -n 19 go install -tags "$t" -ldflags "$ldflags" "$@" >&2
}
case $name in
  containerd2)
    go_install 1 "$tags" "$module/cmd/containerd@$version" "$module/cmd/ctr@$version"
    # The shim static and without gRPC, as upstream's Makefile builds it.
    go_install 0 "$tags no_grpc" "$module/cmd/containerd-shim-runc-v2@$version"
    ;;
  crio)
    pkg-config --exists libseccomp || { say "libseccomp development files missing (apt-get install libseccomp-dev)"; exit 1; }
    # `go install …/cmd/crio@v1.34.0` fails: go install looks up the module's deprecation in its
    # version list, and the proxy refuses that list for cri-o (403, "This module version is not
    # available"; only exact versions are served). So: download that exact version and build in a
    # writable copy of it, with its own go.mod and go.sum, as its Makefile does.
    dir=$(go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    [ -f "$dir/go.mod" ] && [ -d "$dir/pinns/src" ] || { say "cannot download $module@$version"; exit 1; }
    cp -r "$dir" "$tmp/src"
    chmod -R u+w "$tmp/src"
    (cd "$tmp/src" && CGO_ENABLED=1 nice -n 19 go build -mod=mod -trimpath -tags "$tags" -ldflags "$ldflags" -o "$tmp/crio" ./cmd/crio) >&2
    rm -rf "$tmp/src"
    # pinns (pins the pod namespaces) is C, in the same module; built as its Makefile does.
    nice -n 19 gcc -std=c99 -Os -O3 -Wall -Wextra -static -o "$tmp/pinns" "$dir"/pinns/src/*.c >&2
    strip -s "$tmp/pinns"
    ;;
esac
have_all "$tmp" || { say "build of $name did not produce: $binaries"; exit 1; }
rm -rf "$out"
mv "$tmp" "$out"
say "built $name $version in $(($(date +%s) - start)) s ($(du -sh "$out" | cut -f1): $(cd "$out" && for b in $binaries; do printf '%s %s  ' "$b" "$(du -h "$b" | cut -f1)"; done))"
echo "$out"
