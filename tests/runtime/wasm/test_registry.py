"""Which provider serves an import: one per interface across its minors, one per major where
the majors differ in shape (``spin:postgres/postgres``)."""

from __future__ import annotations

import pytest

from spinkube.runtime.wasm.interfaces.registry import PROVIDERS, interface_name


@pytest.mark.parametrize(
    ("import_name", "expected"),
    [
        ("wasi:io/streams@0.2.3", "wasi:io/streams"),
        ("fermyon:spin/postgres@2.0.0", "fermyon:spin/postgres"),
        ("spin:postgres/postgres@3.0.0", "spin:postgres/postgres@3"),
        ("spin:postgres/postgres@4.0.0", "spin:postgres/postgres@4"),
        ("spin:postgres/postgres@9.0.0", "spin:postgres/postgres"),
    ],
    ids=["minor", "unversioned-key", "v3", "v4", "unknown-major"],
)
def test_an_import_finds_its_provider_key(import_name: str, expected: str) -> None:
    assert interface_name(import_name) == expected


def test_each_postgres_major_has_its_own_provider() -> None:
    v3, v4 = PROVIDERS["spin:postgres/postgres@3"], PROVIDERS["spin:postgres/postgres@4"]
    assert v3 is not v4
    assert "spin:postgres/postgres" not in PROVIDERS  # an unknown major traps by name
