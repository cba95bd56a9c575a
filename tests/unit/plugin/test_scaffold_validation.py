"""Every scaffold validation message: upstream's exact texts, then the checks upstream forgot."""

from __future__ import annotations

import pytest

from spinkube.plugin.errors import ExitCode

IMAGE = "ghcr.io/foo/example-app:v0.1.0"
HPA = ["--autoscaler", "hpa"]
LIMITS = ["--cpu-limit", "50m", "--memory-limit", "100Mi"]
LABEL_RULE = (
    "a DNS-1035 label (lowercase letters, digits and '-', starting with a letter, at most 63 "
    "characters), because the operator names the app's Deployment and Service after it"
)

UPSTREAM = [
    ("missing_from", [], 'required flag(s) "from" not set'),
    ("negative_replicas", ["-r", "-1"], "the minimum replica count (-1) must be greater than 0"),
    (
        "invalid_image",
        ["-f", "invalid image reference!"],
        "invalid image reference provided: 'invalid image reference!'",
    ),
    (
        "invalid_autoscaler",
        ["--autoscaler", "invalid"],
        "invalid autoscaler type 'invalid'; the autoscaler type must be either 'hpa' or 'keda'",
    ),
    (
        "negative_max_replicas",
        [*HPA, "--max-replicas", "-1"],
        "the maximum replica count (-1) must be equal to or greater than 0",
    ),
    (
        "min_above_max",
        [*HPA, "-r", "5", "--max-replicas", "2"],
        "the minimum replica count (5) must be less than or equal to the maximum replica count (2)",
    ),
    ("hpa_without_cpu_limit", HPA, "cpu limits must be set when autoscaling is enabled"),
    (
        "hpa_without_memory_limit",
        [*HPA, "--cpu-limit", "50m"],
        "memory limits must be set when autoscaling is enabled",
    ),
    (
        "cpu_target_zero",
        [*HPA, *LIMITS, "--autoscaler-target-cpu-utilization", "0"],
        "target cpu utilization percentage (0) must be between 1 and 100",
    ),
    (
        "cpu_target_above_100",
        [*HPA, *LIMITS, "--autoscaler-target-cpu-utilization", "101"],
        "target cpu utilization percentage (101) must be between 1 and 100",
    ),
    (
        "memory_target_zero",
        [*HPA, *LIMITS, "--autoscaler-target-memory-utilization", "0"],
        "target memory utilization percentage (0) must be between 1 and 100",
    ),
    (
        "invalid_name",
        ["--name", "Not_A_Name"],
        "invalid name provided. Must be a valid DNS subdomain name and not more than 253 chars",
    ),
    (
        "variable_without_value",
        ["-v", "novalue"],
        'invalid argument "novalue" for "-v, --variable" flag: '
        "novalue must be formatted as key=value",
    ),
]

OURS = [
    (
        "zero_replicas_without_autoscaler",
        ["-r", "0"],
        "the minimum replica count (0) must be greater than 0",
    ),
    (
        "cpu_request_above_limit",
        ["--cpu-limit", "100m", "--cpu-request", "0.2"],
        "the cpu request (0.2) set by --cpu-request must be less than or equal to the cpu limit "
        "(100m) set by --cpu-limit",
    ),
    (
        "memory_request_above_limit",
        [*HPA, *LIMITS, "--memory-request", "1Gi"],
        "the memory request (1Gi) set by --memory-request must be less than or equal to the "
        "memory limit (100Mi) set by --memory-limit",
    ),
    (
        "invalid_cpu_limit",
        ["--cpu-limit", "lots"],
        "invalid value for --cpu-limit: 'lots' is not a Kubernetes quantity "
        "(for example 100m, 0.5, 128Mi)",
    ),
    (
        "invalid_memory_request",
        ["--memory-request", "64MB"],
        "invalid value for --memory-request: '64MB' is not a Kubernetes quantity "
        "(for example 100m, 0.5, 128Mi)",
    ),
    (
        "negative_cpu_request",
        ["--cpu-request", "-1"],
        "invalid value for --cpu-request: '-1' must not be negative",
    ),
    (
        "derived_name_with_underscore",
        ["-f", "ghcr.io/foo/my_app:v1"],
        "the app name 'my_app' derived from --from 'ghcr.io/foo/my_app:v1' is not a valid "
        f"Kubernetes name: it must be {LABEL_RULE}; set a name with --name",
    ),
    (
        "derived_name_starting_with_digit",
        ["-f", "foo/2048"],
        "the app name '2048' derived from --from 'foo/2048' is not a valid "
        f"Kubernetes name: it must be {LABEL_RULE}; set a name with --name",
    ),
    (
        "name_with_dot",
        ["--name", "my.app"],
        f"invalid value for --name: 'my.app' must be {LABEL_RULE}",
    ),
    (
        "invalid_executor",
        ["--executor", "Shim Spin"],
        "invalid value for --executor: 'Shim Spin' is not a valid SpinAppExecutor name "
        "(a DNS-1123 subdomain)",
    ),
    (
        "invalid_image_pull_secret",
        ["-s", "ok-secret", "-s", "not: ok"],
        "invalid value for --image-pull-secret: 'not: ok' is not a valid Secret name "
        "(a DNS-1123 subdomain)",
    ),
    (
        "unreadable_runtime_config",
        ["-c", "/nonexistent/runtime-config.toml"],
        "cannot read --runtime-config-file '/nonexistent/runtime-config.toml': "
        "No such file or directory",
    ),
]


def _argv(args: list[str]) -> list[str]:
    if args and "-f" not in args:
        return ["scaffold", "-f", IMAGE, *args]
    return ["scaffold", *args]


@pytest.mark.parametrize(
    ("args", "message"), [c[1:] for c in UPSTREAM + OURS], ids=[c[0] for c in UPSTREAM + OURS]
)
def test_validation_message(kube, args, message):
    result = kube(_argv(args))
    assert (result.code, result.out) == (ExitCode.USAGE, "")
    assert result.err == f"Error: {message}\n"


def test_upstream_valid_autoscaling_options_pass(kube):
    for autoscaler in ("hpa", "keda"):
        args = ["--autoscaler", autoscaler, *LIMITS, "-r", "2", "--max-replicas", "5"]
        args += ["--autoscaler-target-cpu-utilization", "1"]
        args += ["--autoscaler-target-memory-utilization", "1"]
        result = kube(_argv(args))
        assert result.code == 0, result.err


def test_zero_replicas_are_allowed_with_an_autoscaler(kube):
    result = kube(_argv([*HPA, *LIMITS, "-r", "0"]))
    assert result.code == 0, result.err
    assert "  minReplicas: 0\n" in result.out


def test_the_first_problem_is_reported(kube):
    result = kube(["scaffold", "-f", "BAD REF", "-r", "-3"])
    assert result.err == "Error: the minimum replica count (-3) must be greater than 0\n"


def test_unknown_flag_is_one_line_usage_error(kube):
    result = kube(["scaffold", "--no-such-flag"])
    assert result.code == ExitCode.USAGE
    assert result.err == "Error: No such option '--no-such-flag'.\n"
