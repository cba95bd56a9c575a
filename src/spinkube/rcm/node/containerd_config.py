"""Adding and removing a runtime block in a containerd config, as text. Pure: no I/O.

The user's file is never re-serialised. Install appends one block after the last byte, and
uninstall cuts exactly that block out again, so every other byte (comments, order, quoting,
line endings) stays as it was and install followed by uninstall gives the file back byte for
byte. The block, as upstream's node installer writes it:

    <blank line>
    # KWASM runtime config for spin-v2
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.spin-v2]
    runtime_type = "/opt/kwasm/bin/containerd-shim-spin-v2"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.spin-v2.options]
    SystemdCgroup = true

The options table is written only when options are given. Config `version = 3` (containerd
2.x) uses the plugin `io.containerd.cri.v1.runtime` instead of `io.containerd.grpc.v1.cri`.

Where upstream matches text, this module parses: the file must be TOML (before and after the
edit), the version is the parsed top-level `version`, and "already configured" means the
runtime's table exists (upstream skips when the runtime name occurs anywhere in the file, so a
runtime `spin` was never added to a file mentioning `spin-v2`).
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from spinkube.rcm.node.errors import ConfigError, OptionsError

CRI_PLUGIN_V2 = "io.containerd.grpc.v1.cri"
"""The CRI plugin's runtime settings in config version 2 (containerd 1.x)."""
CRI_PLUGIN_V3 = "io.containerd.cri.v1.runtime"
"""The CRI plugin's runtime settings in config version 3 (containerd 2.x)."""
COMMENT = "# KWASM runtime config for "

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_GO_TEMPLATE_ACTION = re.compile(r"\{\{.*?\}\}")
_SHELL_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class Templating(Enum):
    """How a distro's containerd config file is templated, so it can be checked as TOML."""

    NONE = "none"
    GO = "go"
    """k3s and rke2 `config.toml.tmpl`: Go template actions (`{{ template "base" . }}`)."""
    SHELL = "shell"
    """microk8s `containerd-template.toml`: `${VARIABLE}`, also in table headers."""


@dataclass(frozen=True)
class Runtime:
    """One runtime to configure: its name (the Shim's name), the shim binary's path on the
    host, and the CRI runtime options (option name to TOML value text)."""

    name: str
    binary_path: str
    options: Mapping[str, str] = field(default_factory=dict)


def parse_options(raw: str | None) -> dict[str, str]:
    """The runtime options from `SHIM_RUNTIME_OPTIONS`: a JSON object mapping an option name
    to its TOML value as text (`{"SystemdCgroup": "true"}`, `{"BinaryName": "\\"/bin/x\\""}`),
    as upstream's `RUNTIME_OPTIONS` and the Shim's `containerdRuntimeOptions`."""
    if not raw:
        return {}
    try:
        decoded = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise OptionsError(f"SHIM_RUNTIME_OPTIONS: not JSON: {exc}") from exc
    if not isinstance(decoded, dict):
        raise OptionsError("SHIM_RUNTIME_OPTIONS: must be a JSON object of option to TOML value")
    options: dict[str, str] = {}
    for key, value in decoded.items():
        if not isinstance(value, str):
            raise OptionsError(
                f"SHIM_RUNTIME_OPTIONS.{key}: must be a string holding a TOML value, "
                f"got {json.dumps(value)}"
            )
        check_option(key, value)
        options[key] = value
    return options


def check_option(key: str, value: str) -> None:
    """Refuse an option that would not be one TOML key/value line."""
    if not key:
        raise OptionsError("SHIM_RUNTIME_OPTIONS: an option name is empty")
    line = f"{toml_key(key)} = {value}"
    try:
        parsed = tomllib.loads(line) if "\n" not in value and "\r" not in value else None
    except tomllib.TOMLDecodeError:
        parsed = None
    if parsed is None or list(parsed) != [key]:
        raise OptionsError(
            f"SHIM_RUNTIME_OPTIONS.{key}: {value!r} is not a one-line TOML value "
            '(strings need quotes: "\\"value\\"")'
        )


def toml_key(key: str) -> str:
    """A key as TOML writes it: bare when it can be, else a basic string."""
    if _BARE_KEY.fullmatch(key):
        return key
    return json.dumps(key, ensure_ascii=False)


def parse(text: str, *, templating: Templating = Templating.NONE) -> dict[str, Any]:
    """The config as TOML, or a ConfigError saying why it is not."""
    try:
        return tomllib.loads(_masked(text, templating))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}") from exc


def _masked(text: str, templating: Templating) -> str:
    """The text with template syntax replaced by TOML-neutral stand-ins, for checking only."""
    if templating is Templating.GO:
        lines = text.split("\n")
        lines = ["" if _GO_TEMPLATE_ACTION.fullmatch(line.strip()) else line for line in lines]
        return _GO_TEMPLATE_ACTION.sub("tmpl", "\n".join(lines))
    if templating is Templating.SHELL:
        return _SHELL_VARIABLE.sub(r"\1", text)
    return text


def cri_plugin(config: Mapping[str, Any]) -> str:
    """The plugin that holds runtimes: containerd 2.x's for `version = 3`, else 1.x's."""
    return CRI_PLUGIN_V3 if config.get("version") == 3 else CRI_PLUGIN_V2


def has_runtime(config: Mapping[str, Any], plugin: str, name: str) -> bool:
    """Whether the config already defines the runtime's table under the plugin."""
    node: Any = config
    for key in ("plugins", plugin, "containerd", "runtimes", name):
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


def runtime_block(runtime: Runtime, plugin: str) -> str:
    """The text appended for a runtime, starting with a newline and ending with one."""
    table = f'plugins."{plugin}".containerd.runtimes.{toml_key(runtime.name)}'
    lines = ["", f"{COMMENT}{runtime.name}", f"[{table}]"]
    lines.append(f"runtime_type = {json.dumps(runtime.binary_path, ensure_ascii=False)}")
    if runtime.options:
        lines.append(f"[{table}.options]")
        lines += [f"{toml_key(k)} = {v}" for k, v in sorted(runtime.options.items())]
    return "\n".join(lines) + "\n"


def add_runtime(text: str, runtime: Runtime, *, templating: Templating = Templating.NONE) -> str:
    """The config with the runtime's block appended; the same text when the runtime's table
    is already there. Refuses a config that is not TOML, or would not be with the block."""
    config = parse(text, templating=templating)
    plugin = cri_plugin(config)
    if has_runtime(config, plugin, runtime.name):
        return text
    edited = text + runtime_block(runtime, plugin)
    try:
        parse(edited, templating=templating)
    except ConfigError as exc:
        raise ConfigError(f"adding runtime {runtime.name} would break the config: {exc}") from exc
    return edited


def remove_runtime(text: str, name: str, binary_path: str, *, templating: Templating) -> str:
    """The config without the block that `add_runtime` wrote for the runtime (with whatever
    options it had then); the same text when there is none. Nothing else is touched."""
    parse(text, templating=templating)
    edited = _block_pattern(name, binary_path).sub("", text)
    parse(edited, templating=templating)
    return edited


def _block_pattern(name: str, binary_path: str) -> re.Pattern[str]:
    plugins = "|".join(re.escape(p) for p in (CRI_PLUGIN_V2, CRI_PLUGIN_V3))
    table = rf'plugins\."(?:{plugins})"\.containerd\.runtimes\.{re.escape(toml_key(name))}'
    path = re.escape(json.dumps(binary_path, ensure_ascii=False))
    option_line = r"[^\s\[#][^\n]*(?:\n|\Z)"
    return re.compile(
        rf"\n{re.escape(COMMENT + name)}\n\[{table}\]\nruntime_type = {path}(?:\n|\Z)"
        rf"(?:\[{table}\.options\](?:\n|\Z)(?:{option_line})*)?"
    )
