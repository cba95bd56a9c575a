from __future__ import annotations

from pathlib import Path

import pytest

from spinkube.spinapp import (
    ComponentSource,
    FilesMount,
    ManifestError,
    Variable,
    load_manifest,
    parse_manifest,
)

from .conftest import WriteApp

FULL_V2 = """
spin_manifest_version = 2

[application]
name = "variable-explorer"
version = "0.1.0"
description = "Reads variables"
authors = ["Fermyon <hello@fermyon.com>"]

[application.trigger.http]
base = "/api"

[variables]
log_level = { default = "WARN" }
platform_name = { default = "Fermyon Cloud" }
db_password = { required = true, secret = true }

[[trigger.http]]
route = "/..."
component = "variable-explorer"
executor = { type = "spin" }

[[trigger.http]]
id = "static"
route = "/static/..."
component = { source = "static.wasm", files = [{ source = "assets", destination = "/" }] }

[[trigger.http]]
route = { private = true }
component = "internal"

[component.variable-explorer]
source = "main.wasm"
allowed_outbound_hosts = ["https://example.com"]
key_value_stores = ["default", "my-store"]
sqlite_databases = ["default"]
environment = { RUST_LOG = "info" }
build = { command = "make" }

[component.variable-explorer.variables]
log_level = "{{ log_level }}"
platform_name = "on {{ platform_name }}!"
db_password = "{{db_password}}"

[component.internal]
source = { url = "https://example.com/internal.wasm", digest = "sha256:0123" }
files = ["static/*.txt"]
exclude_files = ["static/secret.txt"]
"""


def test_v2_manifest_loads_metadata_variables_components_and_triggers(
    write_app: WriteApp,
) -> None:
    app = load_manifest(write_app(FULL_V2))

    assert (app.name, app.version, app.description) == (
        "variable-explorer",
        "0.1.0",
        "Reads variables",
    )
    assert app.authors == ("Fermyon <hello@fermyon.com>",)
    assert app.variables == {
        "log_level": Variable(default="WARN"),
        "platform_name": Variable(default="Fermyon Cloud"),
        "db_password": Variable(secret=True),
    }
    assert app.variables["db_password"].required
    assert list(app.components) == ["variable-explorer", "internal", "static-component"]
    main = app.components["variable-explorer"]
    assert main.source == ComponentSource(path=Path("main.wasm"))
    assert main.allowed_outbound_hosts == ("https://example.com",)
    assert main.key_value_stores == ("default", "my-store")
    assert main.sqlite_databases == ("default",)
    assert main.environment == {"RUST_LOG": "info"}
    assert main.variables["platform_name"] == "on {{ platform_name }}!"
    internal = app.components["internal"]
    assert internal.source == ComponentSource(
        url="https://example.com/internal.wasm", digest="sha256:0123"
    )
    assert internal.files == (FilesMount("static/*.txt"),)
    assert internal.exclude_files == ("static/secret.txt",)
    assert app.components["static-component"].files == (FilesMount("assets", "/"),)


def test_v2_http_triggers_join_the_base_and_normalise_ids(write_app: WriteApp) -> None:
    app = load_manifest(write_app(FULL_V2))

    triggers = {t.id: t for t in app.http_triggers}
    assert set(triggers) == {"variable-explorer-http-trigger", "static", "internal-http-trigger"}
    main = triggers["variable-explorer-http-trigger"]
    assert (main.component, str(main.route), main.executor) == (
        "variable-explorer",
        "/api/...",
        {"type": "spin"},
    )
    assert triggers["static"].route.match("/api/static/css/a.css") is not None
    assert triggers["internal-http-trigger"].route.private
    assert app.http_base == "/api"
    assert app.trigger_types == ("http",)


def test_load_manifest_accepts_the_app_directory(write_app: WriteApp) -> None:
    path = write_app(FULL_V2)

    app = load_manifest(path.parent)

    assert app.origin == path
    assert app.app_dir == path.parent.resolve()


def test_two_inline_components_get_counter_ids() -> None:
    app = parse_manifest(
        """
spin_manifest_version = 2
[application]
name = "inline"
[[trigger.http]]
route = "/a"
component = { source = "a.wasm" }
[[trigger.http]]
route = "/b"
component = { source = "b.wasm" }
"""
    )

    assert list(app.components) == ["inline-component1", "inline-component2"]
    assert [t.id for t in app.triggers] == ["http-trigger1", "http-trigger2"]


def test_non_http_trigger_types_are_kept() -> None:
    app = parse_manifest(
        """
spin_manifest_version = 2
[application]
name = "redis"
[[trigger.redis]]
channel = "messages"
component = "echo"
[component.echo]
source = "echo.wasm"
"""
    )

    assert app.http_triggers == ()
    assert app.triggers[0].type == "redis"
    assert app.triggers[0].config == {"channel": "messages"}


V1 = """
spin_manifest_version = "1"
name = "hello-v1"
version = "1.0.0"
trigger = { type = "http", base = "/v1" }

[variables]
greeting = { default = "hi" }

[[component]]
id = "hello"
source = "hello.wasm"
files = [{ source = "assets", destination = "/" }]
allowed_http_hosts = ["example.com", "insecure:allow-all"]
[component.trigger]
route = "/hello"
[component.config]
message = "{{ greeting }} there"
"""


def test_v1_manifest_loads_into_the_same_model(write_app: WriteApp) -> None:
    app = load_manifest(write_app(V1))

    assert (app.name, app.version, app.http_base) == ("hello-v1", "1.0.0", "/v1")
    hello = app.components["hello"]
    assert hello.variables == {"message": "{{ greeting }} there"}
    assert hello.allowed_outbound_hosts == (
        "http://example.com",
        "https://example.com",
        "*://*:*",
    )
    (trigger,) = app.http_triggers
    assert (trigger.component, str(trigger.route)) == ("hello", "/v1/hello")


HEADER = 'spin_manifest_version = 2\n[application]\nname = "bad"\n'
ROUTE = '[[trigger.http]]\nroute = "/"\ncomponent = "c"\n'
COMPONENT = '[component.c]\nsource = "c.wasm"\n'

BAD = [
    pytest.param("name = 'x'", "spin_manifest_version", "expected 2", id="no-version"),
    pytest.param("spin_manifest_version = 3", "spin_manifest_version", "expected 2",
                 id="version-3"),
    pytest.param("spin_manifest_version = 2\nname = ", "", "invalid TOML", id="bad-toml"),
    pytest.param(
        "spin_manifest_version = 2\n[[trigger.http]]\nroute='/'", "application", "missing",
        id="no-application",
    ),
    pytest.param(HEADER + ROUTE + "[component.c]\nsource = 3\n", "component.c.source",
                 "expected a string or a table with url and digest", id="source-int"),
    pytest.param(HEADER + ROUTE + "[component.c]\nsource = { url = 'u' }\n",
                 "component.c.source", "expected a string or a table with url and digest",
                 id="source-no-digest"),
    pytest.param(HEADER + ROUTE + "[component.c]\n", "component.c.source", "missing",
                 id="source-missing"),
    pytest.param(HEADER + ROUTE + "[component.c]\nsource = { url = 'u', digest = 'md5:1' }\n",
                 "component.c.source.digest", "sha256", id="digest-algorithm"),
    pytest.param(HEADER + ROUTE + COMPONENT + "colour = 'red'\n", "component.c.colour",
                 "unknown key", id="unknown-component-key"),
    pytest.param(HEADER + ROUTE + COMPONENT + "files = [3]\n", "component.c.files[0]",
                 "expected a path", id="files-int"),
    pytest.param(HEADER + ROUTE + COMPONENT + "files = [{ source = 'a' }]\n",
                 "component.c.files[0].destination", "missing", id="files-no-destination"),
    pytest.param(HEADER + ROUTE + COMPONENT + "key_value_stores = ['Bad Store']\n",
                 "component.c.key_value_stores[0]", "kebab-case or snake_case", id="kv-label"),
    pytest.param(HEADER + ROUTE + COMPONENT + "environment = { A = 1 }\n",
                 "component.c.environment.A", "expected a string", id="env-int"),
    pytest.param(HEADER + ROUTE + COMPONENT + "allowed_outbound_hosts = 'x'\n",
                 "component.c.allowed_outbound_hosts", "array of strings", id="hosts-string"),
    pytest.param(HEADER + ROUTE + COMPONENT + "variables = { v = '{{ nope }}' }\n",
                 "component.c.variables.v", "unknown variable 'nope'", id="template-unknown"),
    pytest.param(HEADER + "[variables]\nx = { default = 'a' }\n" + ROUTE + COMPONENT
                 + "variables = { v = '{{ x' }\n", "component.c.variables.v", "unmatched",
                 id="template-unmatched"),
    pytest.param(HEADER + "[variables]\nBad = { default = 'a' }\n" + ROUTE + COMPONENT,
                 "variables.Bad", "invalid variable name", id="variable-name"),
    pytest.param(HEADER + "[variables]\nx = { required = true, default = 'a' }\n" + ROUTE
                 + COMPONENT, "variables.x", "exactly one of", id="variable-both"),
    pytest.param(HEADER + "[variables]\nx = {}\n" + ROUTE + COMPONENT, "variables.x",
                 "exactly one of", id="variable-neither"),
    pytest.param(HEADER + ROUTE + "[component.Bad_Id]\nsource = 'c.wasm'\n",
                 "component.Bad_Id", "kebab-case", id="component-id"),
    pytest.param(HEADER + '[[trigger.http]]\nroute = "/"\ncomponent = "missing"\n' + COMPONENT,
                 "trigger.http[0].component", "no component 'missing'", id="dangling-component"),
    pytest.param(HEADER + '[[trigger.http]]\ncomponent = "c"\n' + COMPONENT,
                 "trigger.http[0].route", "missing", id="route-missing"),
    pytest.param(HEADER + '[[trigger.http]]\nroute = "hello"\ncomponent = "c"\n' + COMPONENT,
                 "trigger.http[0].route", "must start with '/'", id="route-relative"),
    pytest.param(HEADER + '[[trigger.http]]\nroute = { private = false }\ncomponent = "c"\n'
                 + COMPONENT, "trigger.http[0].route", "private = true", id="route-table"),
    pytest.param(HEADER + '[[trigger.http]]\nroute = "/a/.../b"\ncomponent = "c"\n' + COMPONENT,
                 "trigger.http[0].route", "last segment", id="route-inner-wildcard"),
    pytest.param(HEADER + '[[trigger.http]]\nroute = "/"\ncomponent = "c"\n'
                 'executor = { type = "cgi" }\n' + COMPONENT, "trigger.http[0].executor.type",
                 "wagi", id="executor"),
    pytest.param(HEADER + '[[trigger.timer]]\ninterval_secs = 1\ncomponent = "c"\n'
                 + COMPONENT, "trigger.timer", "unsupported trigger type 'timer'",
                 id="unknown-trigger-type"),
    pytest.param(HEADER + "[application.trigger.http]\nbase = 'api'\n" + ROUTE + COMPONENT,
                 "application.trigger.http.base", "starting with '/'", id="base-relative"),
]  # fmt: skip


@pytest.mark.parametrize(("manifest", "key", "problem"), BAD)
def test_bad_manifest_errors_name_file_key_and_expectation(
    write_app: WriteApp, manifest: str, key: str, problem: str
) -> None:
    path = write_app(manifest)

    with pytest.raises(ManifestError) as caught:
        load_manifest(path)

    assert caught.value.file == str(path)
    assert caught.value.key == key
    assert problem in str(caught.value)
    assert str(caught.value).startswith(f"{path}: ")


def test_the_example_message_reads_as_documented() -> None:
    manifest = HEADER + '[[trigger.http]]\nroute = "/"\ncomponent = "hello"\n'
    manifest += "[component.hello]\nsource = 42\n"

    with pytest.raises(ManifestError) as caught:
        parse_manifest(manifest, file="spin.toml")

    assert str(caught.value) == (
        "spin.toml: component.hello.source: expected a string or a table with url and digest"
    )


def test_missing_manifest_file_is_a_manifest_error(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="cannot read the manifest"):
        load_manifest(tmp_path / "spin.toml")


def test_v1_unknown_trigger_type_is_reported() -> None:
    with pytest.raises(ManifestError, match=r"trigger\.type: unsupported trigger type 'timer'"):
        parse_manifest('spin_manifest_version = "1"\nname = "x"\ntrigger = { type = "timer" }\n')
