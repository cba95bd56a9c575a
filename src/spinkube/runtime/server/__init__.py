"""The HTTP/1.1 server: a pre-forked pool of single-threaded workers, one listener each.

The parent (:mod:`.supervisor`) binds one ``SO_REUSEPORT`` socket per worker, forks the workers and
restarts any that die. Each worker (:mod:`.worker`) runs an asyncio loop whose connections
(:mod:`.http11`) parse requests and hand them to a synchronous :class:`.messages.Handler`; the
guest runs on the loop's thread, one request at a time per worker, as the Wasm host expects.
"""
