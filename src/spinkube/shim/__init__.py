"""containerd-shim-spin (layer L4): the containerd shim v2 that runs Spin apps with
:mod:`spinkube.runtime`, and every other container (the pod's pause sandbox) with the node's runc.

The protocol (``ttrpc``, ``service``, ``events``, ``start``, ``delete``) is kept apart from the
container work (``mounts``, ``cgroups``, ``stdio``, ``reaper``, ``runc``, ``spin``): each side is
testable without containerd. ``start`` imports only the standard library, so it stays fast.
"""
