"""Protobuf modules generated from containerd 1.6 .proto files by scripts/gen-shim-protos.sh."""
