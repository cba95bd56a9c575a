"""redis-trigger: a Redis-triggered component (the Python Spin SDK's inbound Redis handler).

Each message on the subscribed channel is stored under the key `last-message` (and appended to
the list `messages`) on the Redis server at the `redis_address` variable, and printed. The
message `trap` raises, so the host logs a failed handler and the subscription goes on.
"""

from spin_sdk import redis, variables
from spin_sdk.wit import exports


class InboundRedis(exports.InboundRedis):
    def handle_message(self, message: bytes) -> None:
        print(f"got message: {message.decode(errors='replace')}")
        if message == b"trap":
            raise RuntimeError("asked to fail")
        with redis.open(variables.get("redis_address")) as conn:
            conn.set("last-message", message)
            conn.sadd("messages", [message.decode(errors="replace")])
