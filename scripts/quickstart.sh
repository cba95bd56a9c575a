#!/usr/bin/env bash
# The first command of the README: set up what serving needs, then serve a sample Spin app on
# localhost.
#
# Usage: scripts/quickstart.sh [-f apps/<sample>] [more spinkube-runtime up flags]
#   scripts/quickstart.sh                       # serves apps/hello on 127.0.0.1:3000
#   scripts/quickstart.sh -f apps/hello-python  # or any other sample (or spin.toml, or OCI ref)
# Stop it with Ctrl-C. LISTEN=127.0.0.1:8080 changes the address.
#
# Only what the served app needs is set up: the `runtime` extra and that one sample (no Debian
# packages, no other sample); scripts/setup.sh and scripts/check.sh set up the rest.
set -euo pipefail
cd "$(dirname "$0")/.."

app=apps/hello
args=()
while [ "$#" -gt 0 ]; do
  case "$1" in
    -f|--from) app=${2:?"-f needs an app"}; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
listen=${LISTEN:-127.0.0.1:3000}

# A sample of apps/ is built first (only that one); anything else is served as given.
sample=${app%/spin.toml}
sample=${sample%/}
build=()
if [[ "$sample" == apps/* ]] && [ -f "$sample/spin.toml" ]; then
  build=("${sample#apps/}")
fi
scripts/setup.sh --serve ${build[@]+"${build[@]}"}

# Key-value data and copied files go under .cache/, not into the sample's directory.
state=.cache/quickstart/$(basename "$sample")
# The banner comes once a worker has loaded the app and answers on the bound port. The runtime
# stays in the foreground (Ctrl-C is for it); the watcher gives up when the runtime exits.
(
  trap '' INT
  if .venv/bin/python - "$listen" "$$" <<'PY'
import sys, time, urllib.request

listen, runtime = sys.argv[1], sys.argv[2]
url = f"http://{listen}/.well-known/spin/health"
direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: no proxy
while True:
    try:  # gone, or a zombie not yet reaped: the runtime stopped without serving
        with open(f"/proc/{runtime}/stat") as stat:
            if stat.read().rpartition(")")[2].split()[0] == "Z":
                sys.exit(1)
    except OSError:
        sys.exit(1)
    try:
        with direct.open(url, timeout=5) as response:
            if response.status == 200:
                sys.exit(0)
    except OSError:
        time.sleep(0.1)
PY
  then
    printf '\nServing %s on http://%s (Ctrl-C stops it). Try, in another terminal:\n\n' "$app" "$listen"
    printf '    curl -i http://%s/\n\n' "$listen"
  fi
) &
exec .venv/bin/spinkube-runtime up -f "$app" --listen "$listen" --state-dir "$state" \
  ${args[@]+"${args[@]}"}
