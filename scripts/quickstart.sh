#!/usr/bin/env bash
# The first command of the README: set the machine up, then serve a sample Spin app on localhost.
#
# Usage: scripts/quickstart.sh [-f apps/<sample>] [more spinkube-runtime up flags]
#   scripts/quickstart.sh                       # serves apps/hello on 127.0.0.1:3000
#   scripts/quickstart.sh -f apps/hello-python  # or any other sample (or spin.toml, or OCI ref)
# Stop it with Ctrl-C. LISTEN=127.0.0.1:8080 changes the address.
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

scripts/setup.sh

echo
echo "Serving $app on http://$listen (Ctrl-C stops it). Try, in another terminal:"
echo
echo "    curl -i http://$listen/"
echo
# Key-value data and copied files go under .cache/, not into the sample's directory.
state=.cache/quickstart/$(basename "${app%/spin.toml}")
exec .venv/bin/spinkube-runtime up -f "$app" --listen "$listen" --state-dir "$state" ${args[@]+"${args[@]}"}
