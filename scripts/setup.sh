#!/usr/bin/env bash
# Sets up a fresh machine for development and CI: Debian packages, the virtualenv with every
# extra, and the sample Spin apps. Idempotent and cheap when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests and benchmarks use as real parts (one per line, keep sorted).
APT_PACKAGES=(
  apache2-utils
  docker-registry
  mariadb-server
  mosquitto
  openssl
  postgresql
  redis-server
  wabt
  wrk
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3.11}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.spinkube-deps
want=$(cat pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing Python dependencies"
  .venv/bin/pip install -q --disable-pip-version-check -e '.[operator,plugin,runtime,dev]'
  echo "$want" > "$stamp"
fi

if [ -x scripts/build-apps.sh ]; then
  scripts/build-apps.sh
fi
