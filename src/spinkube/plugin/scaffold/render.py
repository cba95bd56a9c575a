"""Render a validated ScaffoldOptions into the manifest text upstream's template produces."""

from __future__ import annotations

import base64

from spinkube.plugin import imageref
from spinkube.plugin.scaffold import template as t
from spinkube.plugin.scaffold.options import ScaffoldOptions

QUOTED_WIDTH = 1 << 30
"""Line width for quoted scalars: never fold them."""


def app_name(opts: ScaffoldOptions) -> str:
    """`--name` if given, else the last path segment of the image repository (as upstream)."""
    return opts.name or imageref.app_name(opts.image)


def render(opts: ScaffoldOptions) -> str:
    """The manifest: the SpinApp, then the runtime-config Secret and the autoscaler, if any."""
    name = app_name(opts)
    parts = [t.SPINAPP.substitute(name=name, image=opts.image, executor=opts.executor)]
    parts.append(
        t.ENABLE_AUTOSCALING if opts.autoscaler else t.REPLICAS.substitute(replicas=opts.replicas)
    )
    parts += _variables(opts.variables)
    parts += _components(opts.components)
    parts += _resources(opts)
    parts += _image_pull_secrets(opts.image_pull_secrets)
    if opts.runtime_config is not None:
        data = base64.b64encode(opts.runtime_config).decode("ascii")
        parts.append(t.RUNTIME_CONFIG.substitute(name=name, data=data))
    parts += _autoscaler(opts, name)
    return "".join(parts)


def yaml_scalar(text: str) -> str:
    """`text` as upstream writes it (plain), quoted only where YAML would read it differently.

    Used for variables and components. Upstream writes them unquoted, so `--variable debug=true`
    becomes a boolean and `--variable x=a: b` breaks the manifest. Plain text that reads back as
    itself is left as is, which keeps upstream's golden output.
    """
    import yaml  # lazy: only variables need it

    try:
        loaded = yaml.safe_load(f"k: {text}")
    except yaml.YAMLError:
        loaded = None
    if isinstance(loaded, dict) and loaded.get("k") == text and text.isprintable():
        return text
    quoted: str = yaml.dump(text, default_style='"', width=QUOTED_WIDTH, allow_unicode=True)
    return quoted.rstrip("\n")


def _variables(variables: dict[str, str]) -> list[str]:
    if not variables:
        return []
    rows = [
        t.VARIABLE.substitute(name=yaml_scalar(key), value=yaml_scalar(variables[key]))
        for key in sorted(variables)
    ]
    return [t.VARIABLES, *rows]


def _components(components: tuple[str, ...]) -> list[str]:
    if not components:
        return []
    return [t.COMPONENTS, *(t.COMPONENT.substitute(component=yaml_scalar(c)) for c in components)]


def _quantities(cpu: str, memory: str) -> list[str]:
    lines = [t.CPU.substitute(quantity=cpu)] if cpu else []
    return lines + ([t.MEMORY.substitute(quantity=memory)] if memory else [])


def _resources(opts: ScaffoldOptions) -> list[str]:
    """Limits, then requests. Unlike upstream, requests given without limits are kept."""
    limits = _quantities(opts.cpu_limit, opts.memory_limit)
    requests = _quantities(opts.cpu_request, opts.memory_request)
    if not limits and not requests:
        return []
    parts = [t.RESOURCES]
    if limits:
        parts += [t.LIMITS, *limits]
    if requests:
        parts += [t.REQUESTS, *requests]
    return parts


def _image_pull_secrets(secrets: tuple[str, ...]) -> list[str]:
    if not secrets:
        return []
    return [
        t.IMAGE_PULL_SECRETS,
        *(t.IMAGE_PULL_SECRET.substitute(secret=yaml_scalar(s)) for s in secrets),
    ]


def _autoscaler(opts: ScaffoldOptions, name: str) -> list[str]:
    if not opts.autoscaler:
        return []
    block = t.HPA if opts.autoscaler == "hpa" else t.KEDA
    text = block.substitute(
        name=name,
        min_replicas=opts.replicas,
        max_replicas=opts.max_replicas,
        cpu=opts.target_cpu_utilization,
        memory=opts.target_memory_utilization,
    )
    return [text]
