"""The HTTP trigger as Spin does it: routing, the ``spin-*`` request headers, well-known paths.

The trigger is a plain :class:`~spinkube.runtime.server.messages.Handler`: it knows nothing about
sockets and talks to components only through :mod:`spinkube.runtime.wasm.api`.
"""
