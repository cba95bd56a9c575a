"""mqtt-outbound: Spin's outbound MQTT to the broker at the `mqtt_address` variable.

    GET /publish?topic=t&message=m&qos=1   publish m on t (QoS 0, 1 or 2)  -> "published"

An MQTT error answers 502 with `error: <Case>[: <message>]`.
"""

from urllib.parse import parse_qs

from spin_sdk import http, mqtt, variables
from spin_sdk.http import Request, Response
from spin_sdk.mqtt import Qos
from spin_sdk.wit.types import Err

QOS = {"0": Qos.AT_MOST_ONCE, "1": Qos.AT_LEAST_ONCE, "2": Qos.EXACTLY_ONCE}


class IncomingHandler(http.IncomingHandler):
    def handle_request(self, request: Request) -> Response:
        params = {k: v[0] for k, v in parse_qs(request.uri.partition("?")[2]).items()}
        try:
            with mqtt.open(variables.get("mqtt_address"), "", "", 30) as conn:
                conn.publish(params["topic"], params["message"].encode(), QOS[params["qos"]])
        except Err as exc:
            name = type(exc.value).__name__.removeprefix("Error_")
            detail = getattr(exc.value, "value", None)
            return text(502, f"error: {name}" + (f": {detail}" if detail else ""))
        return text(200, "published")


def text(status: int, body: str) -> Response:
    return Response(status, {"content-type": "text/plain"}, body.encode())
