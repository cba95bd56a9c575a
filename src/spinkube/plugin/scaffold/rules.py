"""Scaffold flag validation: one rule, one function, checked in upstream's order.

The first rules carry upstream's exact messages (PK `validateFlags`). The ones after them are the
checks upstream forgot; their messages name the flag at fault.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from spinkube.plugin import imageref, names
from spinkube.plugin.errors import UsageError
from spinkube.plugin.quantity import InvalidQuantityError, parse_quantity
from spinkube.plugin.scaffold.options import ScaffoldOptions

Rule = Callable[[ScaffoldOptions], str | None]

_LABEL_RULE = (
    "a DNS-1035 label (lowercase letters, digits and '-', starting with a letter, "
    "at most 63 characters), because the operator names the app's Deployment and Service after it"
)


class ScaffoldError(UsageError):
    """A scaffold flag value that cannot make a valid manifest."""


def check_replicas(opts: ScaffoldOptions) -> str | None:
    # Upstream lets 0 through without an autoscaler; the SpinApp webhook then rejects it.
    floor = 0 if opts.autoscaler else 1
    if opts.replicas < floor:
        return f"the minimum replica count ({opts.replicas}) must be greater than 0"
    return None


def check_image(opts: ScaffoldOptions) -> str | None:
    try:
        imageref.parse(opts.image)
    except imageref.InvalidReferenceError:
        return f"invalid image reference provided: '{opts.image}'"
    return None


def check_autoscaler_type(opts: ScaffoldOptions) -> str | None:
    if opts.autoscaler in ("", "hpa", "keda"):
        return None
    return (
        f"invalid autoscaler type '{opts.autoscaler}'; "
        "the autoscaler type must be either 'hpa' or 'keda'"
    )


def check_max_replicas(opts: ScaffoldOptions) -> str | None:
    if opts.autoscaler and opts.max_replicas < 0:
        return f"the maximum replica count ({opts.max_replicas}) must be equal to or greater than 0"
    return None


def check_min_below_max(opts: ScaffoldOptions) -> str | None:
    if opts.autoscaler and opts.replicas > opts.max_replicas:
        return (
            f"the minimum replica count ({opts.replicas}) must be less than or equal to "
            f"the maximum replica count ({opts.max_replicas})"
        )
    return None


def check_cpu_limit_set(opts: ScaffoldOptions) -> str | None:
    if opts.autoscaler and not opts.cpu_limit:
        return "cpu limits must be set when autoscaling is enabled"
    return None


def check_memory_limit_set(opts: ScaffoldOptions) -> str | None:
    if opts.autoscaler and not opts.memory_limit:
        return "memory limits must be set when autoscaling is enabled"
    return None


def check_cpu_target(opts: ScaffoldOptions) -> str | None:
    value = opts.target_cpu_utilization
    if opts.autoscaler and not 1 <= value <= 100:
        return f"target cpu utilization percentage ({value}) must be between 1 and 100"
    return None


def check_memory_target(opts: ScaffoldOptions) -> str | None:
    value = opts.target_memory_utilization
    if opts.autoscaler and not 1 <= value <= 100:
        return f"target memory utilization percentage ({value}) must be between 1 and 100"
    return None


def _resource_flags(opts: ScaffoldOptions) -> Iterator[tuple[str, str]]:
    yield "--cpu-limit", opts.cpu_limit
    yield "--cpu-request", opts.cpu_request
    yield "--memory-limit", opts.memory_limit
    yield "--memory-request", opts.memory_request


def check_quantities(opts: ScaffoldOptions) -> str | None:
    for flag, text in _resource_flags(opts):
        if not text:
            continue
        try:
            value = parse_quantity(text)
        except InvalidQuantityError:
            return (
                f"invalid value for {flag}: '{text}' is not a Kubernetes quantity "
                "(for example 100m, 0.5, 128Mi)"
            )
        if value < 0:
            return f"invalid value for {flag}: '{text}' must not be negative"
    return None


def _request_above_limit(resource: str, request: str, limit: str) -> str | None:
    if request and limit and parse_quantity(request) > parse_quantity(limit):
        return (
            f"the {resource} request ({request}) set by --{resource}-request must be less than "
            f"or equal to the {resource} limit ({limit}) set by --{resource}-limit"
        )
    return None


def check_cpu_request(opts: ScaffoldOptions) -> str | None:
    return _request_above_limit("cpu", opts.cpu_request, opts.cpu_limit)


def check_memory_request(opts: ScaffoldOptions) -> str | None:
    return _request_above_limit("memory", opts.memory_request, opts.memory_limit)


def check_name(opts: ScaffoldOptions) -> str | None:
    if not opts.name:
        return None
    if not names.is_dns1123_subdomain(opts.name):
        return (
            "invalid name provided. Must be a valid DNS subdomain name and not more than 253 chars"
        )
    if not names.is_dns1035_label(opts.name):
        return f"invalid value for --name: '{opts.name}' must be {_LABEL_RULE}"
    return None


def check_derived_name(opts: ScaffoldOptions) -> str | None:
    if opts.name:
        return None
    derived = imageref.app_name(opts.image)
    if names.is_dns1035_label(derived):
        return None
    return (
        f"the app name '{derived}' derived from --from '{opts.image}' is not a valid "
        f"Kubernetes name: it must be {_LABEL_RULE}; set a name with --name"
    )


def check_executor(opts: ScaffoldOptions) -> str | None:
    if names.is_dns1123_subdomain(opts.executor):
        return None
    return (
        f"invalid value for --executor: '{opts.executor}' is not a valid SpinAppExecutor name "
        "(a DNS-1123 subdomain)"
    )


def check_image_pull_secrets(opts: ScaffoldOptions) -> str | None:
    for secret in opts.image_pull_secrets:
        if not names.is_dns1123_subdomain(secret):
            return (
                f"invalid value for --image-pull-secret: '{secret}' is not a valid Secret name "
                "(a DNS-1123 subdomain)"
            )
    return None


RULES: tuple[Rule, ...] = (
    check_replicas,
    check_image,
    check_autoscaler_type,
    check_max_replicas,
    check_min_below_max,
    check_cpu_limit_set,
    check_memory_limit_set,
    check_cpu_target,
    check_memory_target,
    check_quantities,
    check_cpu_request,
    check_memory_request,
    check_name,
    check_derived_name,
    check_executor,
    check_image_pull_secrets,
)


def validate(opts: ScaffoldOptions) -> None:
    """Raise ScaffoldError with the first problem, if any."""
    for rule in RULES:
        message = rule(opts)
        if message is not None:
            raise ScaffoldError(message)
