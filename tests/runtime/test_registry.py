"""`spinkube-runtime up -f <reference>`: apps pushed to a real local registry, pulled, served."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from spinkube.oci.client import RegistryClient
from spinkube.oci.push import push
from spinkube.testing.registry import registry_available, running_registry

pytestmark = [
    pytest.mark.registry,
    pytest.mark.apps,
    pytest.mark.skipif(not registry_available(), reason="needs Debian's docker-registry"),
]

STATIC = """
spin_manifest_version = 2
[application]
name = "pushed"
version = "2.0.0"
[variables]
secret = {{ required = true }}
[[trigger.http]]
route = "/..."
component = "probe"
[component.probe]
source = "probe.wasm"
files = [{{ source = "static", destination = "/" }}]
[component.probe.variables]
message = "secret is {{{{ secret }}}}"
"""


@pytest.fixture
def registry(tmp_path: Path):
    with running_registry(tmp_path / "registry") as running:
        yield running


@pytest.mark.parametrize("app", ["hello", "hello-python", "hello-js"])
def test_sample_app_from_the_registry(
    helpers, registry, run_runtime, tmp_path: Path, app: str
) -> None:

    reference = registry.ref(f"apps/{app}", "v1")
    with RegistryClient() as client:
        pushed = push(helpers.app_wasm(app).parent, reference, client=client)
    served = run_runtime(reference)
    response = httpx.get(served.url("/"))
    assert response.status_code == 200
    assert response.text.startswith("Hello")
    info = httpx.get(served.url("/.well-known/spin/info")).json()
    assert info["oci_image_digest"] == pushed.digest


def test_files_and_variables_survive_the_registry(
    registry, run_runtime, tmp_path: Path, probe_wasm: Path
) -> None:
    app = tmp_path / "pushed"
    (app / "static").mkdir(parents=True)
    (app / "static" / "page.txt").write_text("from the registry\n")
    (app / "probe.wasm").write_bytes(probe_wasm.read_bytes())
    (app / "spin.toml").write_text(STATIC.format())
    reference = registry.ref("apps/pushed", "v2")
    with RegistryClient() as client:
        push(app, reference, client=client)
    served = run_runtime(reference, env={"SPIN_VARIABLE_SECRET": "pulled"})
    assert httpx.get(served.url("/file/page.txt")).text == "from the registry\n"
    assert httpx.get(served.url("/var/message")).text == "secret is pulled"


def test_a_missing_tag_is_a_one_line_registry_error(helpers, registry, tmp_path: Path) -> None:
    reference = registry.ref("apps/nothing", "v0")
    result = helpers.pull_to_exit(reference, cwd=tmp_path)
    assert result.returncode == 4
    assert result.stderr.startswith(f"error: cannot pull {reference}")
    assert len(result.stderr.strip().splitlines()) == 1
