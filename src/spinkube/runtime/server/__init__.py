"""The HTTP/1.1 server: a pre-forked pool of workers, one listener each.

The parent (:mod:`.supervisor`) binds one ``SO_REUSEPORT`` socket per worker, forks the workers and
restarts any that die. Each worker (:mod:`.worker`) runs an asyncio loop whose connections
(:mod:`.http11`) parse requests and write responses, and a pool of threads that run the
synchronous :class:`.messages.Handler` (the guests), several requests at once per worker.
"""
