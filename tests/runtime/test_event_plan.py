"""Planning the Redis, command and cron triggers: addresses and channels from the trigger or the
application, variables rendered, mistakes reported naming the trigger and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from spinkube.runtime.errors import StartupError
from spinkube.runtime.trigger.command import CommandRun
from spinkube.runtime.trigger.cron import CronJob
from spinkube.runtime.trigger.cron_expression import CronSchedule
from spinkube.runtime.trigger.redis import RedisSubscription
from spinkube.spinapp import load_locked, load_manifest, to_locked

from .event_plans import plan, write_app


def test_the_application_address_and_variables_apply(tmp_path: Path) -> None:
    body = (
        '[variables]\nhost = { default = "127.0.0.1" }\nchannel = { required = true }\n'
        '[application.trigger.redis]\naddress = "redis://{{ host }}:6379"\n'
        '[[trigger.redis]]\nchannel = "{{ channel }}"\ncomponent = "c"\n'
        '[[trigger.redis]]\naddress = "redis://other:1"\nchannel = "b"\ncomponent = "c"\n'
        '[[trigger.command]]\ncomponent = "c"\n'
    )
    planned = plan(tmp_path, body, {"SPIN_VARIABLE_CHANNEL": "orders"})
    assert planned.redis == (
        RedisSubscription("c-redis-trigger", "c", "redis://127.0.0.1:6379", "orders"),
        RedisSubscription("redis-trigger1", "c", "redis://other:1", "b"),
    )
    assert planned.commands == (CommandRun("c-command-trigger", "c"),)
    assert [c.id for c in planned.components] == ["c"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '[[trigger.redis]]\naddress = "redis://h:1"\ncomponent = "c"\n',
            "trigger 'c-redis-trigger': channel: required",
        ),
        (
            '[[trigger.redis]]\nchannel = "x"\ncomponent = "c"\n',
            "trigger 'c-redis-trigger': address: no Redis address (set it on the trigger or in "
            "[application.trigger.redis])",
        ),
        (
            '[[trigger.redis]]\naddress = "http://h:1"\nchannel = "x"\ncomponent = "c"\n',
            "trigger 'c-redis-trigger': address: expected a redis:// URL, got 'http://h:1'",
        ),
        (
            '[[trigger.sqs]]\nqueue_url = "https://sqs.example/q"\ncomponent = "c"\n',
            "Only Http, Redis, MQTT, Command, and Cron triggers are currently supported. "
            'Found unsupported trigger: "sqs"',
        ),
    ],
    ids=["no-channel", "no-address", "not-redis", "sqs"],
)
def test_mistakes_name_the_trigger_and_field(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(StartupError) as err:
        plan(tmp_path, body)
    assert err.value.message.startswith(message)


def test_the_application_redis_address_survives_a_lock_file(tmp_path: Path) -> None:
    body = '[application.trigger.redis]\naddress = "redis://h:1"\n'
    body += '[[trigger.redis]]\nchannel = "x"\ncomponent = "c"\n'
    app = load_manifest(write_app(tmp_path, body) / "spin.toml")
    assert app.trigger_settings == {"redis": {"address": "redis://h:1"}}
    locked = load_locked(json.dumps(to_locked(app)).encode(), tmp_path)
    assert locked.trigger_settings == {"redis": {"address": "redis://h:1"}}


def test_a_cron_trigger_is_planned_with_its_schedule_as_written(tmp_path: Path) -> None:
    """No variables in ``cron_expression``: the plugin reads the trigger config as written."""
    body = '[[trigger.cron]]\ncomponent = "c"\ncron_expression = "0 */5 * * * Mon-Fri"\n'
    planned = plan(tmp_path, body)
    schedule = CronSchedule("0 */5 * * * Mon-Fri", "0 */5 * * * 1-5")
    assert planned.cron == (CronJob("c-cron-trigger", "c", schedule),)
    assert (planned.has_http, planned.has_events) == (False, True)


def test_a_cron_trigger_survives_a_lock_file(tmp_path: Path) -> None:
    body = '[[trigger.cron]]\ncomponent = "c"\ncron_expression = "@daily"\n'
    app = load_manifest(write_app(tmp_path, body) / "spin.toml")
    locked = load_locked(json.dumps(to_locked(app)).encode(), tmp_path)
    (trigger,) = locked.triggers
    assert (trigger.type, trigger.component, dict(trigger.config)) == (
        "cron",
        "c",
        {"cron_expression": "@daily"},
    )
