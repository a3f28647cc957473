"""Reusable expectations on what an ingest scenario left in the database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from foxden.storage.tables import messages, outbox, receptions


@dataclass(frozen=True)
class State:
    """What a scenario left behind, read once after it ran."""

    messages: list[dict[str, object]]
    receptions: dict[int, list[str]]
    outbox: list[dict[str, object]]


Expectation = Callable[[State], None]


def read_state(conn: Connection) -> State:
    rows = [dict(r) for r in conn.execute(select(messages).order_by(messages.c.id)).mappings()]
    held: dict[int, list[str]] = {}
    for message_id, station_id in conn.execute(
        select(receptions.c.message_id, receptions.c.station_id).order_by(
            receptions.c.message_id, receptions.c.time, receptions.c.station_id
        )
    ):
        held.setdefault(message_id, []).append(station_id)
    queued = [dict(r) for r in conn.execute(select(outbox).order_by(outbox.c.id)).mappings()]
    return State(rows, held, queued)


def messages_count(n: int) -> Expectation:
    def check(state: State) -> None:
        assert len(state.messages) == n, state.messages

    return check


def receptions_of(index: int, n: int) -> Expectation:
    def check(state: State) -> None:
        message_id = state.messages[index]["id"]
        assert isinstance(message_id, int)
        assert len(state.receptions[message_id]) == n, state.receptions

    return check


def outbox_rows(n: int, *, duplicates: int = 0) -> Expectation:
    def check(state: State) -> None:
        assert len(state.outbox) == n, state.outbox
        assert sum(1 for row in state.outbox if row["duplicate"]) == duplicates

    return check


def message_field(index: int, name: str, value: object) -> Expectation:
    def check(state: State) -> None:
        assert state.messages[index][name] == value, state.messages[index]

    return check


def sequence_numbers(*numbers: int) -> Expectation:
    def check(state: State) -> None:
        assert [m["seq_number"] for m in state.messages] == list(numbers)

    return check


def count_rows(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(messages)).scalar_one()
