"""The lock file `<kwasm path>/kwasm-lock.json`: which shims the installer put on the node, with
each binary's sha256 and host path. Pure: parse and render text.

The format is upstream's (`internal/state`): `{"shims": {"<runtime>": {"sha256": "<hex>",
"path": "/opt/kwasm/bin/containerd-shim-<runtime>"}}}`, indented by one space, keys of `shims`
sorted, no trailing newline, as Go's `json.MarshalIndent(state, "", " ")` writes it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from spinkube.rcm.node.errors import LockError

LOCK_FILE = "kwasm-lock.json"


@dataclass(frozen=True)
class ShimRecord:
    """One installed shim binary."""

    sha256: str
    path: str


def parse(text: str) -> dict[str, ShimRecord]:
    """The shims recorded in a lock file's text."""
    try:
        shims = json.loads(text)["shims"]
        if shims is None:  # Go writes a nil map as null
            shims = {}
        if not isinstance(shims, dict):
            raise TypeError(f"shims is a {type(shims).__name__}, not an object")
        return {name: ShimRecord(str(s["sha256"]), str(s["path"])) for name, s in shims.items()}
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise LockError(f"{LOCK_FILE}: not a lock file ({type(exc).__name__}: {exc})") from exc


def render(shims: Mapping[str, ShimRecord]) -> str:
    """The lock file's text for these shims."""
    doc = {
        "shims": {
            name: {"sha256": rec.sha256, "path": rec.path} for name, rec in sorted(shims.items())
        }
    }
    return json.dumps(doc, indent=1)
