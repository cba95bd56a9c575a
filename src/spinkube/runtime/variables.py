"""Application variable values, resolved once at start, the way Spin and the shim do it.

Order: each runtime-config ``env`` provider in turn, then Spin's default env provider
(``SPIN_VARIABLE_<NAME>``), then the manifest default. Before that, the shim's rule applies: for
every declared variable, a plain ``<NAME>`` environment variable overrides
``SPIN_VARIABLE_<NAME>``. A required variable without a value stops the start with its name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from spinkube.runtime.errors import StartupError, UsageError
from spinkube.runtime.runtime_config import DEFAULT_ENV_PREFIX, EnvProviderConfig
from spinkube.spinapp import App, Component, SpinAppError, TemplateError, render

Provider = Callable[[str], str | None]


def shim_environment(app: App, environ: Mapping[str, str]) -> dict[str, str]:
    """The environment as containerd-shim-spin hands it to Spin (upstream-behaviour §5.3)."""
    env = dict(environ)
    for name in app.variables:
        plain = name.upper()
        if plain in environ:
            env[DEFAULT_ENV_PREFIX + plain] = environ[plain]
    return env


def parse_variable_flags(flags: Sequence[str]) -> dict[str, str]:
    """``--variable NAME=VALUE`` flags, by name."""
    values: dict[str, str] = {}
    for flag in flags:
        name, sep, value = flag.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--variable: expected NAME=VALUE, got {flag!r}")
        values[name.strip()] = value
    return values


def variable_environ(variables: Mapping[str, str]) -> dict[str, str]:
    """The environment that gives each variable its value over any other: ``SPIN_VARIABLE_X``
    (what the operator sets in a pod) and the plain ``X`` that the shim's rule lets win."""
    environ: dict[str, str] = {}
    for name, value in variables.items():
        environ[DEFAULT_ENV_PREFIX + name.upper()] = value
        environ[name.upper()] = value
    return environ


def env_provider(environ: Mapping[str, str], config: EnvProviderConfig) -> Provider:
    dotenv = _read_dotenv(config.dotenv_path) if config.dotenv_path else {}
    prefix = config.prefix

    def lookup(name: str) -> str | None:
        key = prefix + name.upper()
        value = environ.get(key)
        return value if value is not None else dotenv.get(key)

    return lookup


def providers_for(
    environ: Mapping[str, str], configured: tuple[EnvProviderConfig, ...]
) -> list[Provider]:
    chain = [env_provider(environ, c) for c in configured]
    if not any(c.prefix == DEFAULT_ENV_PREFIX and c.dotenv_path is None for c in configured):
        chain.append(env_provider(environ, EnvProviderConfig()))
    return chain


def resolve_app_variables(app: App, providers: list[Provider]) -> dict[str, str]:
    """Every application variable's value; a StartupError names a required one that has none."""
    values: dict[str, str] = {}
    for name, variable in app.variables.items():
        value = next((v for p in providers if (v := p(name)) is not None), variable.default)
        if value is None:
            raise StartupError(
                f"variable {name!r} is required but has no value "
                f"(set {DEFAULT_ENV_PREFIX}{name.upper()} or {name.upper()})"
            )
        values[name] = value
    return values


def component_variables(component: Component, values: Mapping[str, str]) -> dict[str, str]:
    """The component's own variables, its templates rendered over the application values."""
    try:
        return {key: render(template, values) for key, template in component.variables.items()}
    except (TemplateError, SpinAppError) as exc:
        raise StartupError(f"component {component.id!r}: variables: {exc}") from None


def _read_dotenv(path: Path) -> dict[str, str]:
    try:
        lines = path.read_text().splitlines()
    except OSError as exc:
        raise StartupError(f"{path}: cannot read dotenv file: {exc.strerror}") from None
    values: dict[str, str] = {}
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values
