"""The app table upstream prints with uitable (PK `output.go`): NAMESPACE NAME EXECUTOR READY."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

MAX_COL_WIDTH = 50
HEADER = ("NAMESPACE", "NAME", "EXECUTOR", "READY")
SEPARATOR = "\t"


def app_row(app: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """One SpinApp (as a plain dict) as a row; READY is `readyReplicas/replicas`."""
    metadata = app.get("metadata") or {}
    spec = app.get("spec") or {}
    status = app.get("status") or {}
    ready = f"{status.get('readyReplicas') or 0}/{spec.get('replicas') or 0}"
    return (
        str(metadata.get("namespace", "")),
        str(metadata.get("name", "")),
        str(spec.get("executor", "")),
        ready,
    )


def format_table(rows: Iterable[Sequence[str]]) -> str:
    """uitable's layout: cells padded to the column width (at most 50, longer ones end in
    `...`), joined by a tab. Unlike uitable, trailing blanks are stripped."""
    table = [HEADER, *rows]
    cells = [[_fit(cell) for cell in row] for row in table]
    widths = [max(len(row[i]) for row in cells) for i in range(len(HEADER))]
    lines = [SEPARATOR.join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    return "".join(line.rstrip() + "\n" for line in lines)


def _fit(cell: str) -> str:
    return cell if len(cell) <= MAX_COL_WIDTH else cell[: MAX_COL_WIDTH - 3] + "..."
