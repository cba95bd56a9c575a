"""SpinKube in Python: run Spin WebAssembly apps on Kubernetes."""

__version__ = "0.1.0"
