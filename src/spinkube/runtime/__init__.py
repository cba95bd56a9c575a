"""L3: the Spin runtime: a wasmtime host and the HTTP trigger server that runs Spin apps."""
