"""Outbound MQTT: ``fermyon:spin/mqtt@2.0.0`` (the ``connection`` resource) over the component's
:class:`~spinkube.runtime.hostapi.mqtt.OutboundMqtt`.

Without host APIs in the context every address is ``connection-failed``.
"""

from __future__ import annotations

from collections.abc import Mapping

from spinkube.runtime.hostapi.mqtt import MqttConnection, MqttConnectionFailedError
from spinkube.runtime.wasm import resources, vals
from spinkube.runtime.wasm.interfaces._common import ok
from spinkube.runtime.wasm.interfaces._hostapi import ErrorVariant, apis_of, fallible
from spinkube.runtime.wasm.resources import own_image, rep_of
from spinkube.runtime.wasm.session import HostFn, Session

IFACE = "fermyon:spin/mqtt"
CONNECTION = resources.type_id(IFACE, "connection")
ERRORS = ErrorVariant(
    plain=frozenset({"invalid-address", "too-many-connections"}),
    strings=frozenset({"connection-failed", "other"}),
    fallback="other",
)
arg = vals.arg


def spin_mqtt(session: Session) -> Mapping[str, HostFn]:
    @fallible(ERRORS)
    def open_(ctx: int, args: int, results: int) -> None:
        apis = apis_of(session)
        if apis is None:
            raise MqttConnectionFailedError("outbound MQTT is not available to this component")
        opened = apis.mqtt.open(
            vals.read_str(args),
            vals.read_str(arg(args, 1)),
            vals.read_str(arg(args, 2)),
            vals.read_u64(arg(args, 3)),
        )
        ok(results, own_image(ctx, session.current.table.add(opened), CONNECTION))

    @fallible(ERRORS)
    def publish(ctx: int, args: int, results: int) -> None:
        conn: MqttConnection = session.current.table.get(rep_of(ctx, args))
        topic, payload = vals.read_str(arg(args, 1)), vals.read_u8_list(arg(args, 2))
        conn.publish(topic, payload, vals.read_case(arg(args, 3)))
        ok(results)

    return {"[static]connection.open": open_, "[method]connection.publish": publish}
