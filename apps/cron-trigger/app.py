"""cron-trigger: a scheduled component for the cron trigger (the spin-trigger-cron plugin's WIT,
restated in wit/cron.wit, with the Python Spin SDK's imports).

Each tick prints `cron tick <timestamp> (<UTC time>): <greeting>` and then, by the `mode`
variable:

    trap   raises an exception: the instance traps (the host logs it; the schedule goes on)
    err    returns the WIT's `error.other` (the host logs it; the schedule goes on)
    slow   sleeps 2.5 s, then prints `cron tick <timestamp> done` (ticks meanwhile are skipped)
    other  returns `ok`
"""

import time
from datetime import UTC, datetime

import wit_world
from spin_sdk import variables
from wit_world.imports import cron_types
from wit_world.types import Err

SLOW_S = 2.5


class WitWorld(wit_world.WitWorld):
    def handle_cron_event(self, metadata: cron_types.Metadata) -> None:
        stamp = metadata.timestamp
        when = datetime.fromtimestamp(stamp, UTC).isoformat()
        print(f"cron tick {stamp} ({when}): {variables.get('greeting')}")
        mode = variables.get("mode")
        if mode == "trap":
            raise RuntimeError("asked to trap")
        if mode == "err":
            raise Err(cron_types.Error_Other("asked to fail"))
        if mode == "slow":
            time.sleep(SLOW_S)
            print(f"cron tick {stamp} done")
