"""Image references, quantities, pflag-style flags, names and the app table."""

from __future__ import annotations

from fractions import Fraction

import pytest

from spinkube.plugin import imageref, names
from spinkube.plugin.commands.flags import string_slice, string_to_string
from spinkube.plugin.errors import UsageError
from spinkube.plugin.quantity import InvalidQuantityError, parse_quantity
from spinkube.plugin.table import app_row, format_table

NAME_CASES = [
    ("bacongobbler/hello-rust", "hello-rust"),
    ("bacongobbler/hello-rust:v1.0.0", "hello-rust"),
    ("ghcr.io/bacongobbler/hello-rust", "hello-rust"),
    ("ghcr.io/bacongobbler/hello-rust:v1.0.0", "hello-rust"),
    ("ghcr.io/spinkube/spinkube/runtime-class-manager:v1", "runtime-class-manager"),
    ("nginx:latest", "nginx"),
    ("nginx", "nginx"),
    ("ttl.sh/hello-spinkube@sha256:" + "cc4b191d" * 8, "hello-spinkube"),
    ("localhost:5000/hello:v1", "hello"),
    ("registry.example.com:443/a/b/c:tag@sha256:" + "ab" * 32, "c"),
]

INVALID_REFERENCES = [
    "invalid image reference!",
    "Upper/Case",
    "ghcr.io/foo/app:",
    "ghcr.io/foo/app@sha256:short",
    "foo//bar",
    "-leading/dash",
    "f" * 64,
    "",
    "ghcr.io/foo/app:" + "t" * 129,
]


@pytest.mark.parametrize(("reference", "name"), NAME_CASES, ids=[c[0] for c in NAME_CASES])
def test_app_name_from_image_reference(reference, name):
    assert imageref.app_name(reference) == name


@pytest.mark.parametrize("reference", INVALID_REFERENCES)
def test_invalid_image_references(reference):
    with pytest.raises(imageref.InvalidReferenceError):
        imageref.parse(reference)


def test_reference_parts():
    ref = imageref.parse("localhost:5000/apps/hello:v2@sha256:" + "0" * 64)
    assert (ref.registry, ref.repository, ref.tag) == ("localhost:5000", "apps/hello", "v2")
    assert ref.digest == "sha256:" + "0" * 64


QUANTITIES = [
    ("100m", Fraction(1, 10)),
    ("0.5", Fraction(1, 2)),
    ("1", Fraction(1)),
    ("128Mi", Fraction(128 * 1024**2)),
    ("1Gi", Fraction(1024**3)),
    ("1G", Fraction(10**9)),
    ("1e3", Fraction(1000)),
    ("1.5k", Fraction(1500)),
    (".5", Fraction(1, 2)),
    ("1.", Fraction(1)),
    ("+2", Fraction(2)),
    ("-1", Fraction(-1)),
]


@pytest.mark.parametrize(("text", "value"), QUANTITIES, ids=[q[0] for q in QUANTITIES])
def test_quantities(text, value):
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text", ["", "abc", "64MB", "1 Gi", "1ki", "Mi", "1.2.3"])
def test_invalid_quantities(text):
    with pytest.raises(InvalidQuantityError):
        parse_quantity(text)


def test_string_slice_splits_commas_like_pflag():
    assert string_slice(["a,b", "c", ""]) == ("a", "b", "c")
    assert string_slice(['"x,y",z']) == ("x,y", "z")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["a=1"], {"a": "1"}),
        (["a=1,b=2"], {"a": "1", "b": "2"}),
        (["greeting=hello, world"], {"greeting": "hello, world"}),
        (['"a=quoted"'], {"a": "quoted"}),
        (["a=1,b"], {"a": "1,b"}),
        (["a=1", "a=2"], {"a": "2"}),
        (["empty="], {"empty": ""}),
    ],
)
def test_string_to_string_like_pflag(values, expected):
    assert string_to_string(values, flag="-v, --variable") == expected


@pytest.mark.parametrize("value", ["novalue", "=x", "a=1,b=2,c"])
def test_string_to_string_rejects_non_pairs(value):
    with pytest.raises(UsageError, match="must be formatted as key=value"):
        string_to_string([value], flag="-v, --variable")


@pytest.mark.parametrize(
    ("name", "label", "subdomain"),
    [
        ("hello", True, True),
        ("hello-2", True, True),
        ("2048", False, True),
        ("my.app", False, True),
        ("my_app", False, False),
        ("-x", False, False),
        ("a" * 63, True, True),
        ("a" * 64, False, True),
    ],
)
def test_kubernetes_names(name, label, subdomain):
    assert names.is_dns1035_label(name) is label
    assert names.is_dns1123_subdomain(name) is subdomain


def test_table_like_upstream():
    apps = [
        {
            "metadata": {"namespace": "default", "name": "hello"},
            "spec": {"executor": "containerd-shim-spin", "replicas": 2},
            "status": {"readyReplicas": 1},
        },
        {"metadata": {"namespace": "apps", "name": "x" * 60}, "spec": {"executor": "e"}},
    ]
    name_column = 50
    assert format_table(app_row(app) for app in apps) == (
        "NAMESPACE\t" + "NAME".ljust(name_column) + "\tEXECUTOR            \tREADY\n"
        "default  \t" + "hello".ljust(name_column) + "\tcontainerd-shim-spin\t1/2\n"
        "apps     \t" + "x" * 47 + "...\te                   \t0/0\n"
    )
