"""`kube scaffold` output, compared byte for byte with golden files.

The first cases are upstream's testdata (PK `pkg/cmd/testdata`, our API group); the rest cover
our additions. Regenerate on purpose only: `SPINKUBE_UPDATE_GOLDEN=1 pytest tests/unit/plugin`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
IMAGE = "ghcr.io/foo/example-app:v0.1.0"
HPA = ["--autoscaler", "hpa", "--cpu-limit", "100m", "--memory-limit", "128Mi"]
KEDA = ["--autoscaler", "keda", "--cpu-limit", "100m", "--memory-limit", "128Mi"]
RUNTIME_CONFIG = "@runtime-config"  # replaced by the testdata file's path

CASES = [
    # upstream's testdata
    ("scaffold_image", []),
    ("scaffold_runtime_config", ["-c", RUNTIME_CONFIG]),
    ("one_image_secret", ["-c", RUNTIME_CONFIG, "-s", "secret-name"]),
    (
        "multiple_image_secrets",
        ["-c", RUNTIME_CONFIG, "-s", "secret-name", "-s", "secret-name-2"],
    ),
    ("hpa_autoscaler", HPA),
    ("keda_autoscaler", KEDA),
    ("variables", ["-v", "foo=yoo", "-v", "bar=yee"]),
    ("components", ["--component", "hello", "--component", "world"]),
    ("overwrite_name", ["--name", "my-custom-name"]),
    # ours
    ("image_pull_secrets_comma_separated", ["-s", "secret-name,secret-name-2"]),
    ("variables_one_flag", ["-v", "foo=yoo,bar=yee"]),
    ("variables_quoted_when_yaml_would_change_them", ["-v", "debug=true", "-v", "n=007"]),
    ("variable_value_with_comma", ["-v", "greeting=hello, world"]),
    ("components_comma_separated", ["--component", "hello,world"]),
    ("replicas", ["-r", "5"]),
    ("executor", ["--executor", "cyclotron"]),
    ("limits_only", ["--cpu-limit", "500m", "--memory-limit", "256Mi"]),
    ("cpu_limit_only", ["--cpu-limit", "1"]),
    (
        "limits_and_requests",
        [
            "--cpu-limit",
            "500m",
            "--memory-limit",
            "256Mi",
            "--cpu-request",
            "100m",
            "--memory-request",
            "64Mi",
        ],
    ),
    ("requests_without_limits_are_kept", ["--cpu-request", "100m", "--memory-request", "64Mi"]),
    (
        "hpa_custom",
        [
            *HPA,
            "-r",
            "1",
            "--max-replicas",
            "10",
            "--autoscaler-target-cpu-utilization",
            "50",
            "--autoscaler-target-memory-utilization",
            "75",
        ],
    ),
    ("keda_scale_from_zero", [*KEDA, "-r", "0", "--max-replicas", "4"]),
    ("hpa_with_requests", [*HPA, "--cpu-request", "50m", "--memory-request", "64Mi"]),
    (
        "keda_everything",
        [
            *KEDA,
            "-c",
            RUNTIME_CONFIG,
            "-s",
            "regcred",
            "-v",
            "b=2",
            "-v",
            "a=1",
            "--component",
            "api",
            "--cpu-request",
            "50m",
            "--name",
            "everything",
        ],
    ),
]

IMAGE_CASES = [
    ("digest", "ttl.sh/hello-spinkube@sha256:" + "cc4b191d" * 8),
    ("docker_hub_short", "nginx"),
    ("nested_path", "ghcr.io/spinkube/spinkube/runtime-class-manager:v1"),
    ("registry_with_port", "localhost:5000/apps/hello-world:latest"),
]


def _argv(args: list[str], testdata: Path, image: str = IMAGE) -> list[str]:
    config = str(testdata / "runtime-config.toml")
    return ["scaffold", "-f", image, *(config if a == RUNTIME_CONFIG else a for a in args)]


def _check_golden(name: str, text: str) -> None:
    path = GOLDEN / f"{name}.yml"
    if os.environ.get("SPINKUBE_UPDATE_GOLDEN") == "1":
        path.write_bytes(text.encode())
    assert path.exists(), f"no golden file {path.name}: run with SPINKUBE_UPDATE_GOLDEN=1"
    assert text.encode() == path.read_bytes()


@pytest.mark.parametrize(("name", "args"), CASES, ids=[c[0] for c in CASES])
def test_scaffold_matches_golden(kube, testdata, name, args):
    result = kube(_argv(args, testdata))
    assert (result.code, result.err) == (0, "")
    _check_golden(name, result.out)


@pytest.mark.parametrize(("name", "image"), IMAGE_CASES, ids=[c[0] for c in IMAGE_CASES])
def test_scaffold_image_references(kube, testdata, name, image):
    result = kube(_argv([], testdata, image))
    assert result.code == 0, result.err
    _check_golden(f"image_{name}", result.out)


def test_every_upstream_golden_uses_our_api_group():
    upstream = [name for name, _ in CASES[:9]]
    for name in upstream:
        text = (GOLDEN / f"{name}.yml").read_text()
        assert text.startswith("apiVersion: core.spinoperator.dev/v1alpha1\nkind: SpinApp\n")
        assert text.endswith("\n")
        assert not text.endswith("\n\n")


def test_out_writes_a_private_file_and_logs_it(kube, tmp_path):
    out = tmp_path / "app.yaml"
    result = kube(["scaffold", "-f", IMAGE, "-o", str(out)])
    assert result.code == 0
    assert result.out == ""
    assert result.err == f"\nApplication manifest saved to {out}\n"
    assert out.read_bytes() == (GOLDEN / "scaffold_image.yml").read_bytes()
    assert out.stat().st_mode & 0o777 == 0o600


def test_scaffold_needs_no_kubeconfig(kube, monkeypatch, tmp_path):
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing"))
    monkeypatch.setenv("HOME", str(tmp_path))
    assert kube(["scaffold", "-f", IMAGE]).code == 0
