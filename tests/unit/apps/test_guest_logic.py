"""The Python apps' handlers, run natively with fake Spin host APIs (guest_driver.py).

`wasmtime serve` has no Spin host APIs, so this is where variable-explorer's and kv-counter's own
logic is checked; running them as components is the runtime's job.
"""

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.apps

DRIVER = Path(__file__).parent / "guest_driver.py"


def run_guest(python: Path, app_dir: Path, spec: dict[str, Any]) -> dict[str, Any]:
    result = subprocess.run(
        [str(python), str(DRIVER), str(app_dir)],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    output: dict[str, Any] = json.loads(result.stdout)
    return output


@pytest.fixture(scope="session")
def build_python(wasm_tools: Path) -> Path:
    return wasm_tools.parent / "python"


def test_variable_explorer_prints_the_variables_and_greets_from_the_platform(
    build_python: Path, apps_dir: Path
) -> None:
    spec = {
        "variables": {
            "log_level": "INFO",
            "platform_name": "Kubernetes",
            "db_password": "secret_sauce",
        },
        "requests": [{"method": "GET", "uri": "/"}],
    }
    output = run_guest(build_python, apps_dir / "variable-explorer", spec)
    [response] = output["responses"]
    assert response == {
        "status": 200,
        "headers": {"content-type": "text/plain"},
        "body": "Hello from Kubernetes",
    }
    assert output["stdout"] == (
        "# Log Level: INFO\n# Platform Name: Kubernetes\n# DB Password: secret_sauce\n"
    )


def test_kv_counter_counts_each_path_in_the_store(build_python: Path, apps_dir: Path) -> None:
    uris = ["/a", "/a", "/b", "/a?ignored=1", "/b"]
    spec = {"requests": [{"method": "GET", "uri": uri} for uri in uris]}
    output = run_guest(build_python, apps_dir / "kv-counter", spec)
    assert [r["body"] for r in output["responses"]] == ["1", "2", "1", "3", "2"]
    assert {r["status"] for r in output["responses"]} == {200}


def test_hello_python_echo_reports_only_spin_headers(build_python: Path, apps_dir: Path) -> None:
    headers = {"spin-path-info": "/x", "spin-matched-route": "/echo/...", "accept": "*/*"}
    spec = {
        "requests": [
            {"method": "PUT", "uri": "/echo/x", "headers": headers, "body": "hello"},
            {"method": "GET", "uri": "/elsewhere"},
        ]
    }
    echo, greeting = run_guest(build_python, apps_dir / "hello-python", spec)["responses"]
    assert json.loads(echo["body"]) == {
        "method": "PUT",
        "path": "/echo/x",
        "query": "",
        "headers": {"spin-matched-route": "/echo/...", "spin-path-info": "/x"},
        "body_length": 5,
    }
    assert greeting["body"] == "Hello from Python!"
