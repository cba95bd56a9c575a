"""Self-signed serving certificates for tests and benchmarks, made with the `openssl` command.

Written as `tls.crt` and `tls.key`, the file names cert-manager uses in the Secret the chart
mounts into the operator, so a test's directory stands in for that mount.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


def self_signed(directory: Path, *, common_name: str = "127.0.0.1") -> Path:
    """Write a one-day P-256 certificate for 127.0.0.1 and localhost into `directory`;
    returns the certificate, which is also the CA a client must trust."""
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = directory / "tls.crt", directory / "tls.key"
    command = [
        "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-days", "1", "-subj", f"/CN={common_name}",
        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-keyout", str(key), "-out", str(cert),
    ]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True)
    return cert
