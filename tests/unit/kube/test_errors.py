"""lightkube and httpx2 errors become `spinkube.kube` errors that name the object."""

from __future__ import annotations

import httpx2
import pytest
from lightkube import ApiError
from lightkube.resources.apps_v1 import Deployment

from spinkube.kube import Conflict, Invalid, Kube, KubeError, NotFound, Unreachable
from spinkube.kube.errors import Target, from_api_error
from spinkube.testing import free_port
from spinkube.testing.fakeapi import kubeconfig_for

SPINAPP = Target("spinapps.core.spinoperator.dev", "x", "y")


def api_error(code: int, reason: str, message: str) -> ApiError:
    request = httpx2.Request("GET", "http://127.0.0.1/api")
    status = {"kind": "Status", "code": code, "reason": reason, "message": message}
    return ApiError(request=request, response=httpx2.Response(code, json=status, request=request))


@pytest.mark.parametrize(
    ("code", "reason", "server_message", "expected_type", "expected_message"),
    [
        pytest.param(
            404,
            "NotFound",
            'spinapps.core.spinoperator.dev "x" not found',
            NotFound,
            'spinapps.core.spinoperator.dev "x" not found in namespace "y"',
            id="not-found-names-namespace",
        ),
        pytest.param(
            409,
            "Conflict",
            'Operation cannot be fulfilled on spinapps.core.spinoperator.dev "x": modified',
            Conflict,
            'Operation cannot be fulfilled on spinapps.core.spinoperator.dev "x": modified',
            id="conflict-keeps-server-message",
        ),
        pytest.param(
            422,
            "Invalid",
            'SpinApp "x" is invalid: spec.replicas: Invalid value: -1',
            Invalid,
            'SpinApp "x" is invalid: spec.replicas: Invalid value: -1',
            id="invalid-keeps-field",
        ),
        pytest.param(
            403, "Forbidden", "forbidden: no", KubeError, "forbidden: no", id="other-is-kubeerror"
        ),
    ],
)
def test_api_errors_map_to_the_domain(
    code: int,
    reason: str,
    server_message: str,
    expected_type: type[KubeError],
    expected_message: str,
) -> None:
    error = from_api_error(api_error(code, reason, server_message), SPINAPP)
    assert type(error) is expected_type
    assert str(error) == expected_message
    assert error.code == code
    assert error.reason == reason


def test_cluster_scoped_not_found_has_no_namespace() -> None:
    error = from_api_error(api_error(404, "NotFound", "gone"), Target("namespaces", "n"))
    assert str(error) == 'namespaces "n" not found'


def test_an_unreachable_api_is_one_clear_line(tmp_path: object) -> None:
    from lightkube import KubeConfig

    url = f"http://127.0.0.1:{free_port()}"
    kube = Kube(KubeConfig.from_dict(kubeconfig_for(url)), timeout=2)
    with pytest.raises(Unreachable) as caught:
        kube.get(Deployment, "web", namespace="default")
    kube.close()
    message = str(caught.value)
    assert message.startswith(f"cannot reach the Kubernetes API at {url}: ")
    assert "\n" not in message
