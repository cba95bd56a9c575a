"""The WebAssembly host: loads Spin components with wasmtime and runs one request per instance.

The HTTP side (server, trigger, routing) talks to this package only through the types in
``spinkube.runtime.wasm.api``; nothing here knows about sockets.

Entry points: ``runtime.WasmRuntime`` (one per process: engine, compile cache, epoch ticker;
``load`` gives a ``host.WasmComponentHost``) and ``runtime.precompile``. docs/runtime-engine.md
has the design and the measurements.
"""
