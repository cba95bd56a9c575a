#!/usr/bin/env bash
# Sets up a fresh machine for development and CI: Debian packages, the virtualenv with every
# extra, and the sample Spin apps. Idempotent and cheap when nothing changed.
#
# Usage: scripts/setup.sh                 everything the tests and benchmarks need
#        scripts/setup.sh --serve [APP...] only what serving the apps needs (scripts/quickstart.sh):
#                                         no Debian packages, the `runtime` extra, the named apps
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/apt.sh
source scripts/lib/venv.sh

# Debian packages the tests and benchmarks use as real parts (one per line, keep sorted).
APT_PACKAGES=(
  apache2-utils
  busybox-static
  ca-certificates
  containerd
  containernetworking-plugins
  curl
  docker-registry
  gcc
  iproute2
  libc6-dev
  mariadb-server
  mosquitto
  openssl
  postgresql
  redis-server
  runc
  wabt
  wrk
)
EXTRAS=operator,plugin,rcm,runtime,rcm-node,shim,dist,dev
APPS=()
serve_only=
if [ "${1:-}" = --serve ]; then
  serve_only=1
  EXTRAS=runtime
  shift
  APPS=("$@")
fi

install_debian_packages() {
  local pkg missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    apt_get update -qq
    apt_get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

# The stamp holds the hash of pyproject.toml and the extras installed with it; a setup that
# wants a subset of those (quickstart after a full setup) has nothing to do.
install_python_packages() {
  local stamp=.venv/.spinkube-deps want have installed extra
  if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv with $PYTHON"
    make_venv .venv
  fi
  want=$(sha256sum pyproject.toml | cut -d' ' -f1)
  { read -r have installed < "$stamp"; } 2>/dev/null || true
  if [ "${have:-}" = "$want" ]; then
    for extra in ${EXTRAS//,/ }; do
      [[ ",${installed:-}," == *",$extra,"* ]] || { have=; break; }
    done
  else
    installed=
  fi
  if [ "${have:-}" != "$want" ]; then
    [ -z "${installed:-}" ] || EXTRAS=$(echo "$installed,$EXTRAS" | tr , '\n' | sort -u | paste -sd,)
    echo "setup: installing Python dependencies ($EXTRAS)"
    venv_pip_install .venv -q -e ".[$EXTRAS]"
    echo "$want $EXTRAS" > "$stamp"
  fi
}

if [ -z "$serve_only" ]; then
  install_debian_packages
  install_python_packages
  # The WASI preview1 adapter the runtime turns core modules into components with (npm, pinned).
  scripts/fetch-adapter.sh
  scripts/build-apps.sh
elif [ "${#APPS[@]}" -gt 0 ]; then
  # The apps build in their own venv: set both up at once (each is mostly waiting on pip).
  scripts/build-apps.sh "${APPS[@]}" &
  apps=$!
  trap 'kill "$apps" 2>/dev/null || true' EXIT  # a failed install stops the build too
  install_python_packages
  wait "$apps"
  trap - EXIT
  for app in "${APPS[@]}"; do  # a core module (apps/core-*) needs the preview1 adapter
    if [ -f "apps/${app#apps/}/module.wat" ]; then scripts/fetch-adapter.sh; break; fi
  done
else
  install_python_packages
fi
