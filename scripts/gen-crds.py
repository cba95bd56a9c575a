#!/usr/bin/env python3
"""Regenerate the CRDs, the vendored Kubernetes type schemas and docs/api.md from the models.

    .venv/bin/python scripts/gen-crds.py           # write the files
    .venv/bin/python scripts/gen-crds.py --check   # exit 1 and list the files that are stale

The Kubernetes core types (Volume, VolumeMount, ...) come from the JSON schemas that the
`kubernetes-validate` dev dependency ships, for KUBERNETES_VERSION.
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from spinkube.api.generate import render_all

KUBERNETES_VERSION = "1.33.0"
ROOT = Path(__file__).resolve().parent.parent


def kubernetes_definitions(version: str = KUBERNETES_VERSION) -> dict[str, Any]:
    """The `$defs` of the Kubernetes JSON schemas of `version`, from kubernetes-validate."""
    path = f"kubernetes-json-schema/v{version}-local/_definitions.json"
    text = resources.files("kubernetes_validate").joinpath(path).read_text("utf-8")
    definitions: dict[str, Any] = json.loads(text)["$defs"]
    return definitions


def render() -> dict[str, str]:
    """Every generated file's content, keyed by path from the repository root."""
    return render_all(kubernetes_definitions())


def stale_files(root: Path = ROOT) -> list[str]:
    """Generated files whose checked-in content differs from what the models give."""
    stale = []
    for rel, content in render().items():
        path = root / rel
        if not path.exists() or path.read_bytes() != content.encode("utf-8"):
            stale.append(rel)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale files")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files()
        for rel in stale:
            print(f"stale: {rel}", file=sys.stderr)
        return 1 if stale else 0
    for rel, content in render().items():
        path = ROOT / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8"))
        print(f"wrote {rel}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
