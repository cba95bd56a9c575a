"""The programs an install Job runs on a node: `shim-downloader` (fetch a shim release archive,
verify it, unpack the `containerd-shim-*` binary renamed after the Shim) and
`kwasm-node-installer` (copy the binary under the host root, record it in the lock file, add the
runtime to the containerd config, signal containerd).

The containerd-config edits (`containerd_config`), the distro presets (`presets`) and the lock
file format (`lockfile`) are pure functions on text; `host` and `installer` do the I/O. Nothing
here imports the controller's dependencies (kopf, lightkube): the node images stay small.
"""
