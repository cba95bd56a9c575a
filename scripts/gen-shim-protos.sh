#!/usr/bin/env bash
# Regenerates src/spinkube/shim/proto/*_pb2.py from the .proto files Debian ships with containerd
# 1.6 (golang-github-containerd-containerd-dev and its dependencies). A developer tool: the
# generated modules are committed, so neither the Go sources nor grpcio-tools are needed to build
# or test. Each .proto is copied flat into the package with its gogoproto/fieldpath options and
# imports removed (they only steer Go code generation) and its imports rewritten to the copies.
set -euo pipefail
cd "$(dirname "$0")/.."

GOCODE=${GOCODE:-/usr/share/gocode/src}
CTRD=$GOCODE/github.com/containerd/containerd
OUT=src/spinkube/shim/proto
TOOLS=.cache/proto-venv
GRPCIO_TOOLS=grpcio-tools==1.85.1

if [ ! -d "$CTRD" ]; then
  apt-get install -y -qq golang-github-containerd-containerd-dev >/dev/null
fi
if [ ! -x "$TOOLS/bin/python" ]; then
  python3.11 -m venv "$TOOLS"
  "$TOOLS/bin/pip" install -q "$GRPCIO_TOOLS"
fi

# source (relative to GOCODE) -> flat name in the package
declare -A PROTOS=(
  [github.com/containerd/containerd/runtime/v2/task/shim.proto]=shim.proto
  [github.com/containerd/containerd/api/types/mount.proto]=mount.proto
  [github.com/containerd/containerd/api/types/task/task.proto]=types_task.proto
  [github.com/containerd/containerd/api/events/task.proto]=events_task.proto
  [github.com/containerd/containerd/api/services/ttrpc/events/v1/events.proto]=events.proto
  [github.com/containerd/cgroups/stats/v1/metrics.proto]=cgroups_v1.proto
  [github.com/containerd/cgroups/v2/stats/metrics.proto]=cgroups_v2.proto
  [github.com/gogo/googleapis/google/rpc/status.proto]=status.proto
)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/spinkube/shim/proto"
rewrite=()
for src in "${!PROTOS[@]}"; do
  rewrite+=(-e "s#import \"$src\";#import \"spinkube/shim/proto/${PROTOS[$src]}\";#")
done
for src in "${!PROTOS[@]}"; do
  sed -E -e 's/\t/  /g' \
    -e '/^ *import (weak )?"gogoproto\/gogo.proto";/d' \
    -e '/^ *import (weak )?"github.com\/containerd\/containerd\/protobuf\/plugin\/fieldpath.proto";/d' \
    -e '/^ *option \((gogoproto|containerd\.plugin)\.[a-z_]+\) = [^;]+;/d' \
    -e 's/ *\[\((gogoproto|containerd\.plugin)\.[^]]*\]//g' \
    -e '/^option go_package/d' \
    "${rewrite[@]}" \
    "$GOCODE/$src" >"$stage/spinkube/shim/proto/${PROTOS[$src]}"
done
cp scripts/protos/ttrpc.proto "$stage/spinkube/shim/proto/ttrpc.proto"

"$TOOLS/bin/python" -m grpc_tools.protoc -I "$stage" --python_out=src --pyi_out=src \
  "$stage"/spinkube/shim/proto/*.proto
echo "generated: $(ls $OUT/*_pb2.py* | xargs -n1 basename | tr '\n' ' ')"
