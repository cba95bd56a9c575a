"""L3: the runtime-class-manager: the Shim controller, and (in `node`) the node installer and
shim downloader that its install Jobs run on each node."""
