"""L0: the CRD types (SpinApp, SpinAppExecutor).

The single source of truth for the CRD YAML, the docs and validation. Pure: no I/O and no
framework imports. Label keys and API constants live here.
"""
