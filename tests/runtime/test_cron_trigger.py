"""The cron trigger through `spinkube-runtime up`, with the sample app apps/cron-trigger (the
Python Spin SDK against the spin-trigger-cron plugin's WIT): ticks, their timestamps, failing
handlers, runs that never overlap, mistakes at load, and cron beside HTTP in one app."""

from __future__ import annotations

import itertools
import re
import time
from pathlib import Path

import httpx
import pytest

from spinkube.testing import process_tree

from .conftest import APPS_DIR, READY_SECONDS, Helpers, RunRuntime, Served, eventually

pytestmark = [pytest.mark.apps, pytest.mark.slow]

TICK = re.compile(r"^\[cron-trigger\] cron tick (\d+) \(([^)]+)\): (.*)$", re.MULTILINE)
DONE = re.compile(r"^\[cron-trigger\] cron tick (\d+) done$", re.MULTILINE)
CRON_WASM = APPS_DIR / "cron-trigger" / "app.wasm"


def ticks(served: Served) -> list[tuple[int, str, str]]:
    return [(int(s), when, text) for s, when, text in TICK.findall(served.output())]


def cron_app(tmp_path: Path, trigger: str, *, extra: str = "") -> Path:
    """An app dir whose spin.toml has ``trigger`` as its cron trigger body, on the sample's
    component."""
    app = tmp_path / "app"
    app.mkdir(exist_ok=True)
    (app / "spin.toml").write_text(
        'spin_manifest_version = 2\n[application]\nname = "cron-test"\n'
        f"[[trigger.cron]]\n{trigger}"
        f'[component.tick]\nsource = "{CRON_WASM}"\n'
        '[component.tick.variables]\ngreeting = "hi"\nmode = "ok"\n' + extra
    )
    return app


def test_an_every_second_schedule_runs_a_fresh_instance_per_tick_with_its_timestamp(
    run_runtime: RunRuntime, helpers: Helpers
) -> None:
    helpers.app_wasm("cron-trigger")
    started = int(time.time())
    served = run_runtime(APPS_DIR / "cron-trigger", wait=False)
    eventually(
        "two ticks", lambda: len(ticks(served)) >= 2, served=served, deadline_s=READY_SECONDS
    )
    finished = int(time.time())
    seen = ticks(served)
    stamps = [stamp for stamp, _when, _text in seen]
    assert all(started <= stamp <= finished + 1 for stamp in stamps), (started, stamps, finished)
    assert stamps == sorted(set(stamps)), "one run per tick, in order"
    first_stamp, first_when, greeting = seen[0]
    assert first_when == time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(first_stamp))
    assert greeting == "hello from cron"
    assert "'* * * * * *' (UTC) -> cron-trigger" in served.output()
    assert served.terminate() == 0


def running(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie waiting for its reaper does not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return "\nState:\tZ" not in status


def test_a_runtime_killed_outright_leaves_no_trigger_running(
    run_runtime: RunRuntime, helpers: Helpers
) -> None:
    """The triggers run in a child; SIGKILL to ``up`` (the OOM killer, ``kill -9``) ends it too."""
    helpers.app_wasm("cron-trigger")
    served = run_runtime(APPS_DIR / "cron-trigger", wait=False)
    eventually("a tick", lambda: len(ticks(served)) >= 1, served=served, deadline_s=READY_SECONDS)
    trigger_processes = process_tree(served.process.pid)[1:]
    assert trigger_processes, "the triggers run in a child process"
    served.process.kill()
    served.process.wait()
    eventually(
        "the trigger process gone with its parent",
        lambda: not any(running(pid) for pid in trigger_processes),
    )


@pytest.mark.parametrize(
    ("mode", "logged"),
    [
        ("trap", "guest trapped"),
        ("err", "answered the cron event with error other('asked to fail')"),
    ],
    ids=["trap", "err"],
)
def test_a_failing_handler_is_logged_and_the_schedule_goes_on(
    run_runtime: RunRuntime, helpers: Helpers, mode: str, logged: str
) -> None:
    helpers.app_wasm("cron-trigger")
    served = run_runtime(APPS_DIR / "cron-trigger", env={"SPIN_VARIABLE_MODE": mode}, wait=False)
    failure = "component 'cron-trigger' failed on the tick at "

    def failed_twice_and_ran_again() -> bool:
        text = served.output()
        return text.count(failure) >= 2 and len(ticks(served)) >= 3

    eventually(
        "two logged failures and a third tick",
        failed_twice_and_ran_again,
        served=served,
        deadline_s=READY_SECONDS,
    )
    assert logged in served.output()
    assert served.process.poll() is None, "a failing handler does not stop the process"
    assert served.terminate() == 0


def test_runs_never_overlap_and_ticks_during_a_run_are_skipped(
    run_runtime: RunRuntime, helpers: Helpers
) -> None:
    """The handler sleeps 2.5 s on an every-second schedule: the next run starts only after it
    finished (the plugin would start one per second regardless)."""
    helpers.app_wasm("cron-trigger")
    served = run_runtime(APPS_DIR / "cron-trigger", env={"SPIN_VARIABLE_MODE": "slow"}, wait=False)
    eventually(
        "two finished runs",
        lambda: len(DONE.findall(served.output())) >= 2,
        served=served,
        deadline_s=READY_SECONDS,
    )
    stamps = [stamp for stamp, _when, _text in ticks(served)]
    gaps = [later - earlier for earlier, later in itertools.pairwise(stamps)]
    assert gaps, stamps
    assert min(gaps) >= 3, stamps
    assert re.search(r"skipped \d+ tick\(s\) while the run of \S+ was still going", served.output())
    assert served.terminate() == 0


@pytest.mark.parametrize(
    ("trigger", "message"),
    [
        (
            'component = "tick"\ncron_expression = "*/5 * * * *"\n',
            "trigger 'tick-cron-trigger': cron_expression: has 5 fields; the seconds field "
            "comes first and is required",
        ),
        (
            'component = "tick"\ncron_expression = "0 0 12 * * MON 2030"\n',
            "trigger 'tick-cron-trigger': cron_expression: has 7 fields; a year field is not "
            "accepted",
        ),
        (
            'component = "tick"\ncron_expression = "0 61 * * * *"\n',
            "trigger 'tick-cron-trigger': cron_expression: '0 61 * * * *': ",
        ),
        (
            'component = "tick"\ncron_expression = "0 0 0 30 2 *"\n',
            "trigger 'tick-cron-trigger': cron_expression: '0 0 0 30 2 *' never fires",
        ),
        (
            'component = "tick"\n',
            "trigger 'tick-cron-trigger': cron_expression: required",
        ),
        (
            'cron_expression = "* * * * * *"\n',
            "trigger 'cron-trigger1': component: required",
        ),
        (
            'component = "tick"\ncron_expression = "* * * * * *"\ntimezone = "Europe/Paris"\n',
            "trigger 'tick-cron-trigger': timezone: unknown key",
        ),
    ],
    ids=["five-fields", "year", "out-of-range", "never", "no-expression", "no-component",
         "unknown-key"],
)  # fmt: skip
def test_mistakes_fail_at_load_naming_the_trigger_and_field(
    helpers: Helpers, tmp_path: Path, trigger: str, message: str
) -> None:
    helpers.app_wasm("cron-trigger")
    app = cron_app(tmp_path, trigger)
    done = helpers.run_to_exit(["up", "-f", str(app)], cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith(f"error: {message}"), done.stderr
    assert "Traceback" not in done.stderr


def test_cron_beside_http_in_one_app(
    run_runtime: RunRuntime, helpers: Helpers, tmp_path: Path
) -> None:
    helpers.app_wasm("cron-trigger")
    web = helpers.app_wasm("hello-python")
    app = cron_app(
        tmp_path,
        'component = "tick"\ncron_expression = "* * * * * *"\n'
        '[[trigger.http]]\nroute = "/..."\ncomponent = "web"\n',
        extra=f'[component.web]\nsource = "{web}"\n',
    )
    served = run_runtime(app, workers=2)
    response = httpx.get(served.url("/"), timeout=30)
    assert response.status_code == 200
    tick_lines = re.compile(r"^\[tick\] cron tick \d+ ", re.MULTILINE)
    eventually(
        "two ticks",
        lambda: len(tick_lines.findall(served.output())) >= 2,
        served=served,
        deadline_s=READY_SECONDS,
    )
    assert httpx.get(served.url("/"), timeout=30).status_code == 200
    assert served.terminate() == 0
