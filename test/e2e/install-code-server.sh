#!/usr/bin/env bash
# Installs what the end-to-end suite needs to drive a real VS Code on a bare Debian machine:
#   - Debian packages: libkrb5-dev (headers for code-server's `kerberos` module), ripgrep, chromium
#   - code-server 4.100.3 (VS Code 1.100, the last one that accepts Node 20) from the npm registry,
#     into its own prefix outside the repo: ${POD_BIRTH_CACHE:-$HOME/.cache/pod-birth}/code-server-4.100.3/
# Idempotent: each step is skipped when already done. The last line printed is the code-server binary.
# See docs/vscode-e2e.md for why each workaround is needed.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
CACHE_ROOT="${POD_BIRTH_CACHE:-$HOME/.cache/pod-birth}"
PREFIX="$CACHE_ROOT/code-server-$CODE_SERVER_VERSION"
BIN="$PREFIX/node_modules/.bin/code-server"
# @vscode/ripgrep's postinstall downloads this file from GitHub (no internet here) unless it is in its cache.
RIPGREP_ASSET_VERSION=v13.0.0-10

log() { echo "[install-code-server] $*" >&2; }
# code-server writes config.yaml and logs under the XDG dirs on every run: keep them in the cache, not in $HOME.
cs_version() { XDG_CONFIG_HOME="$PREFIX/.xdg/config" XDG_DATA_HOME="$PREFIX/.xdg/data" "$BIN" --version; }

# 1. Debian packages, only the missing ones.
missing=()
for pkg in libkrb5-dev ripgrep chromium; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]} > 0)); then
  SUDO=()
  if [[ $(id -u) -ne 0 ]]; then SUDO=(sudo); fi
  log "apt-get install ${missing[*]}"
  "${SUDO[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
else
  log "Debian packages already installed"
fi

# 2. code-server, unless its binary is already there and runs.
if [[ -x "$BIN" ]] && cs_version >/dev/null 2>&1; then
  log "code-server $CODE_SERVER_VERSION already installed in $PREFIX"
else
  case "$(uname -m)" in
    x86_64) rg_target=x86_64-unknown-linux-musl ;;
    aarch64) rg_target=aarch64-unknown-linux-musl ;;
    *) log "unsupported architecture $(uname -m)"; exit 1 ;;
  esac
  # Seed the @vscode/ripgrep download cache with Debian's rg. code-server 4.100.3 resolves
  # @vscode/ripgrep 1.15.11; seeding every 1.15.x is harmless and survives a different pin.
  tmp_root="$(node -p "require('os').tmpdir()")"
  staging="$(mktemp -d)"
  trap 'rm -rf "$staging"' EXIT
  cp /usr/bin/rg "$staging/rg"
  tarball="$staging/ripgrep.tar.gz"
  tar -C "$staging" -czf "$tarball" rg
  for minor in $(seq 0 20); do
    dir="$tmp_root/vscode-ripgrep-cache-1.15.$minor"
    mkdir -p "$dir"
    cp "$tarball" "$dir/ripgrep-$RIPGREP_ASSET_VERSION-$rg_target.tar.gz"
  done
  log "seeded ripgrep cache in $tmp_root/vscode-ripgrep-cache-1.15.*"

  mkdir -p "$PREFIX"
  # Its own package.json, so npm installs here and never touches the project's node_modules.
  if [[ ! -f "$PREFIX/package.json" ]]; then
    printf '{\n  "name": "pod-birth-e2e-code-server",\n  "private": true,\n  "description": "Tool folder for the Pod Birth e2e suite (test/e2e/install-code-server.sh)"\n}\n' >"$PREFIX/package.json"
  fi
  log "npm install code-server@$CODE_SERVER_VERSION into $PREFIX (about 1-2 minutes)"
  # Native modules (argon2, node-pty, kerberos) fall back to node-gyp builds because their prebuilt
  # binaries come from GitHub. node-gyp would download the Node headers from nodejs.org (no internet
  # here): point it at the headers installed with this Node. A user's ~/.npmrc may say the same
  # (nodedir=/usr); a fresh HOME has none, so this script must not rely on it.
  node_prefix=$(dirname "$(dirname "$(command -v node)")")
  if [[ -z "${npm_config_nodedir:-}" ]]; then
    if [[ -f "$node_prefix/include/node/node.h" ]]; then
      export npm_config_nodedir=$node_prefix
    else
      log "no Node headers at $node_prefix/include/node: node-gyp will try to download them from nodejs.org"
      log "(set npm_config_nodedir to a directory with include/node/node.h for Node $(node -v) if that fails)"
    fi
  fi
  # unsafe_perm: the postinstall refuses to run as root otherwise; yes: node-pty's postinstall runs `npx node-gyp`.
  (cd "$PREFIX" && npm_config_yes=true npm_config_unsafe_perm=true \
    npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" >&2)

  rg_pkg="$PREFIX/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep"
  if [[ ! -x "$rg_pkg/bin/rg" ]]; then
    log "code-server installed but @vscode/ripgrep has no bin/rg (version $(node -p "require('$rg_pkg/package.json').version" 2>/dev/null || echo '?')): extend the seeding above"
    exit 1
  fi
  if ! cs_version >/dev/null 2>&1; then
    log "code-server installed but '$BIN --version' fails"
    exit 1
  fi
  log "installed code-server $(cs_version | head -1)"
fi

echo "$BIN"
