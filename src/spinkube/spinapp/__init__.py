"""L1: the Spin application model (spin.toml, the locked app). Pure: reads only the files it is
pointed at; no HTTP, no Wasm engine, no CLI framework.

Public API (names are stable; other layers import them from here)::

    load_manifest(path) -> App              # spin.toml v2 (and v1); path may be the app dir
    parse_manifest(text, file=, app_dir=)   # the same from text
    load_locked(data, base_dir) -> App      # locked app JSON (bytes | str | dict), e.g. OCI config
    load_locked_file(path) -> App           # a spin.lock file
    to_locked(app, mounted={id: dir}) -> dict ; dump_locked(dict) -> bytes

    App: name, version, description, authors, variables {name: Variable}, components
         {id: Component} (manifest order), triggers (all types), http_triggers, http_base,
         app_dir (relative paths resolve here), origin; app.component(id)
    Variable: default, secret, required
    Component: id, source (ComponentSource: path | url+digest | digest), description, files
         (FilesMount: source, destination), exclude_files, allowed_outbound_hosts,
         key_value_stores, sqlite_databases, ai_models, environment, variables {key: template}
    Trigger: type, id, component, config      HttpTrigger: id, component, route, executor
    Route: pattern, wildcard, private, raw; .match(path) -> RouteMatch(path_info, params) | None;
         best_match([(route, payload)], path) picks the most specific route

    resolve_files(app, component) -> [(host path, guest path)]  # globs, exclude_files, escapes
    materialize_files(app, component, dest) -> dest              # copy them, to mount at "/"
    wasm_path(app, component) -> Path
    is_wasm_file(path) ; wasm_file_app(path) -> App  # a bare .wasm, as `spin up -f app.wasm`
    render(template, lookup) ; parse_template ; variable_name_problem(name)
    app_variable(app, name, provider) ; component_variable(app, component_id, key, provider)

Errors: SpinAppError > ManifestError (file, key, problem: ``spin.toml: component.hello.source:
expected a string or a table with url and digest``), FilesError, VariableError; TemplateError
and RouteError are ValueErrors raised by the template and route helpers.
"""

from spinkube.spinapp.errors import FilesError, ManifestError, SpinAppError
from spinkube.spinapp.files import materialize_files, resolve_files, wasm_path
from spinkube.spinapp.locked import dump_locked, load_locked, load_locked_file, to_locked
from spinkube.spinapp.manifest import load_manifest, parse_manifest
from spinkube.spinapp.model import (
    SUPPORTED_TRIGGER_TYPES,
    App,
    Component,
    ComponentSource,
    FilesMount,
    HttpTrigger,
    Trigger,
    Variable,
)
from spinkube.spinapp.routes import Route, RouteError, RouteMatch, best_match
from spinkube.spinapp.templates import (
    TemplateError,
    parse_template,
    render,
    variable_name_problem,
)
from spinkube.spinapp.variables import VariableError, app_variable, component_variable
from spinkube.spinapp.wasm_file import is_wasm_file, wasm_file_app

__all__ = [
    "SUPPORTED_TRIGGER_TYPES",
    "App",
    "Component",
    "ComponentSource",
    "FilesError",
    "FilesMount",
    "HttpTrigger",
    "ManifestError",
    "Route",
    "RouteError",
    "RouteMatch",
    "SpinAppError",
    "TemplateError",
    "Trigger",
    "Variable",
    "VariableError",
    "app_variable",
    "best_match",
    "component_variable",
    "dump_locked",
    "is_wasm_file",
    "load_locked",
    "load_locked_file",
    "load_manifest",
    "materialize_files",
    "parse_manifest",
    "parse_template",
    "render",
    "resolve_files",
    "to_locked",
    "variable_name_problem",
    "wasm_file_app",
    "wasm_path",
]
