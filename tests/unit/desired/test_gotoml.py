"""The go-toml v2 writer: quoting and escaping decide the secret's name, so each case is pinned."""

from __future__ import annotations

import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spinkube.desired.gotoml import (
    array_of_tables,
    document,
    encode_key,
    encode_string,
    table,
    table_of_tables,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("plain", "'plain'", id="literal"),
        pytest.param("", "''", id="empty"),
        pytest.param(
            'with "double" quotes', "'with \"double\" quotes'", id="double-quotes-literal"
        ),
        pytest.param("tab\there", "'tab\there'", id="tab-literal"),
        pytest.param("back\\slash", "'back\\slash'", id="backslash-literal"),
        pytest.param("it's", '"it\'s"', id="single-quote-basic"),
        pytest.param("a'b\\c\"d", '"a\'b\\\\c\\"d"', id="basic-escapes"),
        pytest.param("line\nbreak", '"line\\nbreak"', id="newline"),
        pytest.param("cr\r", '"cr\\r"', id="carriage-return"),
        pytest.param("bell\x07", '"bell\\u0007"', id="control-char"),
        pytest.param("del\x7f", '"del\\u007F"', id="delete"),
        pytest.param("ünï'", '"ünï\'"', id="unicode-kept"),
    ],
)
def test_encode_string(value: str, expected: str) -> None:
    assert encode_string(value) == expected


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        pytest.param("url", "url", id="bare"),
        pytest.param("a-b_C9", "a-b_C9", id="bare-chars"),
        pytest.param("", "''", id="empty"),
        pytest.param("a.b", "'a.b'", id="dot-literal"),
        pytest.param("it's", '"it\'s"', id="quote-basic"),
        pytest.param("new\nline", '"new\\nline"', id="newline-basic"),
    ],
)
def test_encode_key(key: str, expected: str) -> None:
    assert encode_key(key) == expected


def test_document_layout() -> None:
    doc = document(
        [
            array_of_tables("p", [[("z", "1"), ("a", "2")], [("k", "v")]]),
            "",
            table_of_tables("s", {"b": {"y": "1", "x": "2"}, "a.x": {"t": "3"}}),
            table("l", {"b": "1", "a": "2"}),
        ]
    )
    assert doc == (
        "[[p]]\nz = '1'\na = '2'\n\n[[p]]\nk = 'v'\n"
        "\n[s]\n[s.'a.x']\nt = '3'\n\n[s.b]\nx = '2'\ny = '1'\n"
        "\n[l]\na = '2'\nb = '1'\n"
    )


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_any_string_reads_back(text: str) -> None:
    """Whatever the quoting chosen, a TOML reader gets the exact value back."""
    assert tomllib.loads(f"k = {encode_string(text)}\n") == {"k": text}


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_any_key_reads_back(key: str) -> None:
    assert tomllib.loads(f"{encode_key(key)} = 'v'\n") == {key: "v"}


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.text(min_size=1, max_size=5),
        st.dictionaries(st.text(max_size=5), st.text(max_size=5), min_size=1, max_size=3),
        min_size=1,
        max_size=3,
    )
)
def test_table_of_tables_reads_back(tables: dict[str, dict[str, str]]) -> None:
    assert tomllib.loads(table_of_tables("store", tables)) == {"store": tables}
