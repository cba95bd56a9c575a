"""The WebAssembly host: loads Spin components with wasmtime and runs one request per instance.

The HTTP side (server, trigger, routing) talks to this package only through the types in
``spinkube.runtime.wasm.api``; nothing here knows about sockets.
"""
