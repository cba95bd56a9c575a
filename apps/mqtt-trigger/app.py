"""mqtt-trigger: an MQTT-triggered component (the spin-trigger-mqtt plugin's `handle-message`).

Each message on the subscribed topic is printed with its topic, so it shows up in the app's log.
The message `trap` raises (the instance traps) and `error` answers the WIT's `error`, so the host
logs a failed handler and the subscription goes on.
"""

import wit_world
from wit_world.imports import spin_mqtt_types
from wit_world.types import Err


class WitWorld(wit_world.WitWorld):
    def handle_message(self, message: bytes, metadata: spin_mqtt_types.Metadata) -> None:
        text = message.decode(errors="replace")
        print(f"got message on {metadata.topic}: {text}")
        if message == b"trap":
            raise RuntimeError("asked to trap")
        if message == b"error":
            raise Err(spin_mqtt_types.Error_Other("asked to answer an error"))
