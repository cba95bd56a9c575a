"""The shim's check of an app's trigger types, before the runtime loads it: upstream's set plus
cron (beyond upstream), upstream's message for anything else."""

from __future__ import annotations

from pathlib import Path

import pytest

from spinkube.runtime.errors import StartupError
from spinkube.shim.spinapp import check_trigger_types

HEAD = 'spin_manifest_version = 2\n[application]\nname = "x"\n'
REFUSED = (
    "Only Http, Redis, MQTT, SQS, Command, and Cron triggers are currently supported. "
    'Found unsupported trigger: "{}"'
)


def refusal(tmp_path: Path, trigger_types: list[str]) -> str | None:
    """The shim's message for an app with these trigger types, or None when it lets it through."""
    manifest = tmp_path / "spin.toml"
    manifest.write_text(
        HEAD + "".join(f"[[trigger.{t}]]\ncomponent = 'c'\n" for t in trigger_types)
    )
    try:
        check_trigger_types(str(manifest))
    except StartupError as exc:
        return exc.message
    return None


@pytest.mark.parametrize(
    ("trigger_types", "expected"),
    [
        (["http", "redis", "mqtt", "sqs", "command"], None),
        (["cron"], None),
        (["http", "cron"], None),
        (["cron", "timer"], REFUSED.format("timer")),
        (["kafka"], REFUSED.format("kafka")),
    ],
    ids=["upstream-set", "cron", "http-and-cron", "timer", "kafka"],
)
def test_upstreams_types_and_cron_pass_and_others_get_upstreams_message(
    tmp_path: Path, trigger_types: list[str], expected: str | None
) -> None:
    assert refusal(tmp_path, trigger_types) == expected
