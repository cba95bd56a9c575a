"""cron-trigger: a scheduled component for the cron trigger (the spin-trigger-cron plugin's WIT,
restated in wit/cron.wit, with the Python Spin SDK's imports).

Each tick prints `cron tick <timestamp> (<UTC time>): <greeting>` and then, by the `fail`
variable:

    trap   raises an exception: the instance traps (the host logs it; the schedule goes on)
    err    returns the WIT's `error.other` (the host logs it; the schedule goes on)
    other  returns `ok`
"""

from datetime import UTC, datetime

import wit_world
from spin_sdk import variables
from wit_world.imports import cron_types
from wit_world.types import Err


class WitWorld(wit_world.WitWorld):
    def handle_cron_event(self, metadata: cron_types.Metadata) -> None:
        when = datetime.fromtimestamp(metadata.timestamp, UTC).isoformat()
        print(f"cron tick {metadata.timestamp} ({when}): {variables.get('greeting')}")
        fail = variables.get("fail")
        if fail == "trap":
            raise RuntimeError("asked to trap")
        if fail == "err":
            raise Err(cron_types.Error_Other("asked to fail"))
