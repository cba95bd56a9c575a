"""The pieces of the host-API interface modules that need no guest: error variants, value
images and the URL of an outgoing request."""

from __future__ import annotations

import ctypes

import pytest

from spinkube.runtime.hostapi import (
    DnsError,
    KeyValueAccessDeniedError,
    KeyValueOtherError,
    SqliteIoError,
    StoreTableFullError,
    UnsupportedApiError,
)
from spinkube.runtime.hostapi.http_errors import InternalError
from spinkube.runtime.wasm import vals
from spinkube.runtime.wasm.interfaces import key_value, sqlite, wasi_keyvalue
from spinkube.runtime.wasm.interfaces._hostapi import (
    ErrorVariant,
    read_f64,
    read_s64,
    s64_image,
    write_f64,
)
from spinkube.runtime.wasm.interfaces.http_client import write_error_code
from spinkube.runtime.wasm.interfaces.http_client_objects import OutgoingRequest
from spinkube.runtime.wasm.interfaces.http_objects import Fields


def variant(image: vals.Image) -> tuple[str, str | None]:
    """(case, string payload or None) of a variant image."""
    addr = ctypes.addressof(image)
    payload = vals.read_ptr(addr, 24)
    return vals.read_case(addr), vals.read_str(payload) if payload else None


@pytest.mark.parametrize(
    ("errors", "exc", "expected"),
    [
        (key_value.ERRORS, KeyValueAccessDeniedError("x"), ("access-denied", None)),
        (key_value.ERRORS, StoreTableFullError(), ("store-table-full", None)),
        (key_value.ERRORS, KeyValueOtherError("disk on fire"), ("other", "disk on fire")),
        (wasi_keyvalue.ERRORS, StoreTableFullError(), ("other", "store-table-full")),
        (sqlite.ERRORS, SqliteIoError("near SELEC"), ("io", "near SELEC")),
        (
            sqlite.ERRORS,
            UnsupportedApiError("libsql"),
            ("io", "libsql is not supported by spinkube-runtime"),
        ),
    ],
    ids=["denied", "table-full", "other", "wasi-fallback", "io", "fallback-case"],
)
def test_errors_lower_to_their_interface_variant(
    errors: ErrorVariant, exc: Exception, expected: tuple[str, str | None]
) -> None:
    assert variant(errors.image(exc)) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [0, 1, -1, 2**63 - 1, -(2**63)])
def test_s64_round_trips(value: int) -> None:
    assert read_s64(ctypes.addressof(s64_image(value))) == value


@pytest.mark.parametrize("value", [0.0, -1.5, 1e300])
def test_f64_round_trips(value: float) -> None:
    image = vals.image(write_f64, value)
    assert image.raw[0] == 10
    assert read_f64(ctypes.addressof(image)) == value


def test_error_codes_carry_their_payloads() -> None:
    dns = vals.image(write_error_code, DnsError("x", rcode="address not available", info_code=0))
    addr = ctypes.addressof(dns)
    assert vals.read_case(addr) == "DNS-error"
    internal = vals.image(write_error_code, InternalError("boom"))
    assert vals.read_case(ctypes.addressof(internal)) == "internal-error"
    option = vals.read_ptr(ctypes.addressof(internal), 24)
    assert vals.read_str(vals.read_option(option)) == "boom"


@pytest.mark.parametrize(
    ("scheme", "authority", "path", "url"),
    [
        ("https", "example.com", "/a?b=1", "https://example.com/a?b=1"),
        ("http", "127.0.0.1:8080", None, "http://127.0.0.1:8080/"),
        (None, "example.com", "/", "https://example.com/"),
        ("http", ":80", "/self?x", "/self?x"),
        ("http", None, "/self", "/self"),
        ("http", "", "relative", "/relative"),
    ],
    ids=["absolute", "no-path", "default-scheme", "sdk-relative", "no-authority", "bare-path"],
)
def test_outgoing_request_url(
    scheme: str | None, authority: str | None, path: str | None, url: str
) -> None:
    request = OutgoingRequest(Fields(), "GET", scheme, authority, path)
    assert request.url() == url
