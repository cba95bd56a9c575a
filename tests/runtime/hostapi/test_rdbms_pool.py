"""The per-address pool PostgreSQL and MySQL share, on its own: reuse per address, a connection
that cannot serve again is closed, at most MAX_IDLE_PER_ADDRESS idle ones are kept."""

from __future__ import annotations

from dataclasses import dataclass

from spinkube.runtime.hostapi.rdbms import MAX_IDLE_PER_ADDRESS, Pool


@dataclass
class Conn:
    address: str
    serial: int
    closed: bool = False
    reusable: bool = True

    def close(self) -> None:
        self.closed = True


def new_pool() -> tuple[Pool[Conn], list[Conn]]:
    made: list[Conn] = []

    def connect(address: str) -> Conn:
        made.append(Conn(address, len(made)))
        return made[-1]

    return Pool(connect, lambda c: c.reusable and not c.closed), made


def test_a_connection_given_back_serves_the_same_address_again() -> None:
    pool, made = new_pool()
    first = pool.take("a")
    pool.give_back("a", first)
    assert pool.take("a") is first
    assert pool.take("b").address == "b"
    assert len(made) == 2


def test_a_connection_that_cannot_serve_again_is_closed_not_pooled() -> None:
    pool, _ = new_pool()
    broken = pool.take("a")
    broken.reusable = False
    pool.give_back("a", broken)
    assert broken.closed
    assert pool.take("a") is not broken


def test_idle_connections_are_capped_and_closed_on_request() -> None:
    pool, _ = new_pool()
    taken = [pool.take("a") for _ in range(MAX_IDLE_PER_ADDRESS + 2)]
    for conn in taken:
        pool.give_back("a", conn)
    assert [c.closed for c in taken].count(True) == 2
    pool.close_idle()
    assert all(c.closed for c in taken)
