from __future__ import annotations

import pytest

from spinkube.spinapp import (
    TemplateError,
    VariableError,
    component_variable,
    parse_manifest,
    parse_template,
    render,
    variable_name_problem,
)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        pytest.param("static", "static", id="literal"),
        pytest.param("", "", id="empty"),
        pytest.param("a-{{ x }}-b", "a-1-b", id="expression"),
        pytest.param("{{x}}{{ y }}", "12", id="adjacent"),
        pytest.param("}} stray", "}} stray", id="stray-closing"),
    ],
)
def test_render(template: str, expected: str) -> None:
    assert render(template, {"x": "1", "y": "2"}) == expected


def test_render_names_an_undefined_variable() -> None:
    with pytest.raises(TemplateError, match="undefined variable 'missing'"):
        render("{{ missing }}", {})


def test_unmatched_braces_are_an_error() -> None:
    with pytest.raises(TemplateError, match="unmatched"):
        parse_template("{{ ok }} {{ open")


@pytest.mark.parametrize("name", ["a", "abc", "a1b2c3", "a_1", "a_1_b_3"])
def test_good_variable_names(name: str) -> None:
    assert variable_name_problem(name) is None


@pytest.mark.parametrize("name", ["", "aX", "1bc", "_x", "x.y", "x_", "a__b", "x-y"])
def test_bad_variable_names(name: str) -> None:
    assert variable_name_problem(name) is not None


APP = parse_manifest(
    """
spin_manifest_version = 2
[application]
name = "vars"
[variables]
platform_name = { default = "Fermyon Cloud" }
db_password = { required = true, secret = true }
[[trigger.http]]
route = "/"
component = "c"
[component.c]
source = "c.wasm"
[component.c.variables]
greeting = "Hello from {{ platform_name }}"
password = "{{ db_password }}"
"""
)


def test_component_variables_resolve_through_defaults_and_the_provider() -> None:
    provided = {"db_password": "hunter2"}

    assert component_variable(APP, "c", "greeting", provided.get) == "Hello from Fermyon Cloud"
    assert component_variable(APP, "c", "password", provided.get) == "hunter2"
    assert component_variable(APP, "c", "nope", provided.get) is None
    overridden = {"platform_name": "SpinKube"}.get
    assert component_variable(APP, "c", "greeting", overridden) == "Hello from SpinKube"


def test_a_required_variable_without_a_value_is_an_error() -> None:
    with pytest.raises(VariableError, match="no value for required variable 'db_password'"):
        component_variable(APP, "c", "password", lambda _name: None)
