#!/usr/bin/env bash
# Fetch the lwIP and mbedTLS sources that cross builds (firmware, the host
# lwIP port, the trimmed mbedTLS) compile from: Debian's own source packages,
# from the same archive the machine's binary packages come from.
#
#   tests/setup-sources.sh [CACHE_DIR]     (default: .cache/sources)
#
# Prints nothing but progress; on success the unpacked trees are
#   CACHE_DIR/lwip      (lwIP 2.1.3)
#   CACHE_DIR/mbedtls   (mbedTLS 2.28.3)
# Idempotent: an existing unpacked tree is kept. Adds a deb-src entry for the
# archives already configured (needs root only then), never anything else.
# Nothing fetched here is ever committed (.cache/ is ignored by git).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
cd "$(dirname "$0")/.."
cache=${1:-.cache/sources}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

want=(lwip mbedtls)
need=()
for p in "${want[@]}"; do
  [[ -f "$cache/$p/.ccat-unpacked" ]] || need+=("$p")
done
if ((${#need[@]} == 0)); then
  echo "setup-sources: lwip and mbedtls already in $cache"
  exit 0
fi

# dpkg-source unpacks; it comes with dpkg-dev.
if ! command -v dpkg-source >/dev/null; then
  [[ $(id -u) -eq 0 ]] || { echo "setup-sources: FAILED: need root to install dpkg-dev" >&2; exit 1; }
  apt-get update -q && apt-get install -y -q --no-install-recommends dpkg-dev </dev/null
fi

# deb-src for the archives the machine already uses (same URIs and suites).
src_list=/etc/apt/sources.list.d/ccat-deb-src.sources
if ! apt-get source --print-uris -q lwip >/dev/null 2>&1; then
  [[ $(id -u) -eq 0 ]] || { echo "setup-sources: FAILED: need root to add deb-src entries" >&2; exit 1; }
  found=0
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f && $f != "$src_list" ]] || continue
    # Copy each deb822 stanza whose Types is deb, as deb-src.
    sed -n 's/^Types: deb$/Types: deb-src/; p' "$f" >>"$src_list.tmp"
    echo >>"$src_list.tmp"
    found=1
  done
  if ((found == 0)) && [[ -f /etc/apt/sources.list ]]; then
    grep -E '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' \
      >/etc/apt/sources.list.d/ccat-deb-src.list
  else
    mv "$src_list.tmp" "$src_list"
  fi
  rm -f "$src_list.tmp"
  apt-get update -q
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for p in "${need[@]}"; do
  echo "setup-sources: apt-get source $p"
  (cd "$work" && apt-get source -q --download-only "$p" >/dev/null)
  dsc=$(ls "$work"/${p}_*.dsc | head -n1)
  rm -rf "$cache/$p"
  dpkg-source --no-check -x "$dsc" "$cache/$p" >/dev/null
  # Debian's own patches are applied by dpkg-source (3.0 quilt); record what we have.
  basename "$dsc" .dsc >"$cache/$p/.ccat-unpacked"
  echo "setup-sources: $p -> $cache/$p ($(cat "$cache/$p/.ccat-unpacked"))"
done
