"""Variable resolution and the shim's environment rules (upstream-behaviour §5.3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from spinkube.runtime.config import listen_address, max_instance_memory, retained_components
from spinkube.runtime.errors import StartupError, UsageError
from spinkube.runtime.runtime_config import EnvProviderConfig, load_runtime_config
from spinkube.runtime.variables import providers_for, resolve_app_variables, shim_environment
from spinkube.spinapp import App, Variable

APP = App(
    name="vars",
    variables={"greeting": Variable(default="hi"), "secret": Variable()},
)


def resolve(environ: dict[str, str], configured: tuple[EnvProviderConfig, ...] = ()) -> dict:
    env = shim_environment(APP, environ)
    return resolve_app_variables(APP, providers_for(env, configured))


def test_defaults_and_the_default_env_provider() -> None:
    assert resolve({"SPIN_VARIABLE_SECRET": "s"}) == {"greeting": "hi", "secret": "s"}


def test_a_plain_upper_case_name_overrides_spin_variable() -> None:
    values = resolve({"SPIN_VARIABLE_SECRET": "s", "SECRET": "plain", "greeting": "lower"})
    assert values == {"greeting": "hi", "secret": "plain"}


def test_runtime_config_providers_come_first(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("# comment\nAPP_GREETING='from dotenv'\n")
    configured = (EnvProviderConfig(prefix="APP_", dotenv_path=dotenv),)
    values = resolve({"SPIN_VARIABLE_SECRET": "s", "SPIN_VARIABLE_GREETING": "env"}, configured)
    assert values == {"greeting": "from dotenv", "secret": "s"}


def test_a_required_variable_without_value_is_named() -> None:
    with pytest.raises(StartupError, match="variable 'secret' is required"):
        resolve({})


def test_runtime_config_file(tmp_path: Path) -> None:
    path = tmp_path / "runtime-config.toml"
    path.write_text(
        "[[config_provider]]\ntype = 'env'\nprefix = 'SPIN_VARIABLE_'\n\n"
        "[key_value_store.default]\ntype = 'redis'\nurl = 'redis://localhost:9000'\n"
    )
    config = load_runtime_config(path)
    assert config.variable_providers == (EnvProviderConfig(),)
    assert config.key_value_stores == {
        "default": {"type": "redis", "url": "redis://localhost:9000"}
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[config_provider]]\ntype = 'vault'\n", "'vault' is not supported"),
        ("config_provider = 3\n", "expected an array of tables"),
        ("not toml at all", "invalid TOML"),
    ],
)
def test_bad_runtime_config(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "runtime-config.toml"
    path.write_text(text)
    with pytest.raises(StartupError, match=message):
        load_runtime_config(path)


def test_environment_defaults_of_the_shim() -> None:
    assert listen_address(None, {}) == "0.0.0.0:80"
    assert listen_address(None, {"SPIN_HTTP_LISTEN_ADDR": "1.2.3.4:5"}) == "1.2.3.4:5"
    assert listen_address("127.0.0.1:3000", {"SPIN_HTTP_LISTEN_ADDR": "x:1"}) == "127.0.0.1:3000"
    assert retained_components((), {"SPIN_COMPONENTS_TO_RETAIN": "a,,b, "}) == ("a", "b")
    assert retained_components(("c",), {"SPIN_COMPONENTS_TO_RETAIN": "a"}) == ("c",)
    assert max_instance_memory(None, {"SPIN_MAX_INSTANCE_MEMORY": "1048576"}) == 1048576
    with pytest.raises(UsageError, match="SPIN_MAX_INSTANCE_MEMORY"):
        max_instance_memory(None, {"SPIN_MAX_INSTANCE_MEMORY": "1Gi"})
