"""L1: pure builders from a SpinApp, its executor and resolved inputs to child manifests.

Deployment, Service and runtime-config Secret; no I/O, no framework imports.
"""
