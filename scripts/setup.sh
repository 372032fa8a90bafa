#!/usr/bin/env bash
# Install everything sigma needs to build and test on Debian 12, and fetch the
# pinned DuckDB library. Idempotent: a second run does nothing that is done.
#
#   scripts/setup.sh [BUILD_DIR]      (default: build)
#
# Debian packages are installed with apt-get (as root, or through sudo when it
# is there). DuckDB is not packaged by Debian: its shared library ships in the
# npm package @duckdb/node-bindings-linux-x64, which is fetched with `npm
# pack`, checked against the pinned sha512 integrity and unpacked into
# third_party/duckdb/ (ignored by git).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)

DUCKDB_PKG="@duckdb/node-bindings-linux-x64"
DUCKDB_VERSION="1.5.6-r.1"
DUCKDB_INTEGRITY="sha512-IXcrZJE6kEqM0Z4wwdVnGBHX/frOS33VPNAwDXQ/Q+Fs84b058Qe94chrCCIcNJlG8Y3UHIUU4eBeCQxW5mN1Q=="

APT_PACKAGES=(
  build-essential cmake pkg-config git ca-certificates
  libyaml-dev libjansson-dev libssl-dev zlib1g-dev libsqlite3-dev
  libcurl4-openssl-dev libgit2-dev
  libcmocka-dev bats bats-assert bats-support
  nodejs npm python3 python3-cryptography
  sqlite3 jq hyperfine procps tzdata
  clang libclang-rt-14-dev
)

log() { printf 'setup: %s\n' "$*" >&2; }

install_debian_packages() {
  local missing=()
  local p
  for p in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  # node and npm may come from elsewhere than Debian (nodesource, nvm): accept them.
  if command -v node >/dev/null && command -v npm >/dev/null; then
    local keep=()
    for p in "${missing[@]}"; do
      [[ $p == nodejs || $p == npm ]] || keep+=("$p")
    done
    missing=("${keep[@]+"${keep[@]}"}")
  fi
  [[ ${#missing[@]} -eq 0 ]] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { log "need root (or sudo) to install: ${missing[*]}"; exit 1; }
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

fetch_duckdb() {
  local dest="$here/third_party/duckdb"
  local stamp="$dest/.version"
  if [[ -f $dest/libduckdb.so && -f $stamp && $(cat "$stamp") == "$DUCKDB_VERSION" ]]; then
    return 0
  fi
  log "fetching $DUCKDB_PKG@$DUCKDB_VERSION"
  local tmp
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  (cd "$tmp" && npm pack --silent "$DUCKDB_PKG@$DUCKDB_VERSION" >/dev/null 2>"$tmp/npm.err") || {
    cat "$tmp/npm.err" >&2; log "npm pack failed"; exit 1; }
  local tgz
  tgz=$(ls "$tmp"/*.tgz)
  local got
  got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
  if [[ $got != "$DUCKDB_INTEGRITY" ]]; then
    log "integrity mismatch for $tgz"
    log "  expected $DUCKDB_INTEGRITY"
    log "  got      $got"
    exit 1
  fi
  mkdir -p "$tmp/x" "$dest"
  tar -xzf "$tgz" -C "$tmp/x" package/libduckdb.so package/LICENSE
  mv "$tmp/x/package/libduckdb.so" "$dest/libduckdb.so.tmp"
  mv "$tmp/x/package/LICENSE" "$dest/LICENSE"
  mv "$dest/libduckdb.so.tmp" "$dest/libduckdb.so"
  printf '%s\n' "$DUCKDB_VERSION" >"$stamp"
  log "DuckDB $DUCKDB_VERSION in $dest"
}

install_debian_packages
fetch_duckdb
