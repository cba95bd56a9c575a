"""Redacted secret values (upstream `pkg/secret/secret_test.go` `TestSecret*`)."""

from __future__ import annotations

import json

from spinkube.desired import REDACTED, SecretString, json_default
from spinkube.desired.gotoml import table


def test_secret_string_prints_redacted() -> None:
    """TestSecretString (fmt): str, repr and formatting show REDACTED."""
    secret = SecretString("some_secret_value")
    assert str(secret) == REDACTED == "REDACTED"
    assert f"{secret}" == "REDACTED"
    assert "some_secret_value" not in repr(secret)
    assert "some_secret_value" not in repr([secret, {"k": secret}])


def test_secret_string_json_redacted() -> None:
    """TestSecretJSON: JSON shows REDACTED."""
    assert json.dumps({"k": SecretString("v")}, default=json_default) == '{"k": "REDACTED"}'


def test_secret_string_toml_plain() -> None:
    """TestSecretTOML: TOML renders `some_key = 'some_secret_value'`."""
    rendered = table("t", {"some_key": SecretString("some_secret_value")})
    assert rendered == "[t]\nsome_key = 'some_secret_value'\n"


def test_reveal_and_equality() -> None:
    assert SecretString("a").reveal() == "a"
    assert SecretString("a") == SecretString("a")
    assert SecretString("a") != SecretString("b")
    assert len({SecretString("a"), SecretString("a")}) == 1
