"""A fleet of virtual devices sending to a foxden through simulated stations, until stopped.

Each device runs its own loop: wait as its schedule says, send the next frame, let the radio pick
the stations that hear it, and post each reception in the order they heard it, so the first is
the message and the others its duplicates. Every answer is counted in a :class:`Tally` that a
display can read at any time. ``foxden simulate`` runs a fleet of the devices in a database
against any foxden; the server runs the demo devices against itself with :func:`run_demo`.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import aiohttp

from foxden.domain.clock import now_ms
from foxden.domain.device_types import DeviceType
from foxden.domain.devices import Device
from foxden.domain.errors import InvalidInput
from foxden.simulate import radio, stations
from foxden.simulate.demo import STATIONS
from foxden.simulate.stations import Answer
from foxden.simulate.virtual import Schedule, VirtualDevice, virtual
from foxden.storage import devices
from foxden.storage.db import Database

log = logging.getLogger(__name__)

DEMO_INTERVAL = 60.0
"""Seconds between two frames of a demo device: the 50 demo devices send about one a second."""

NO_ANSWER = "no answer"


@dataclass(slots=True)
class Tally:
    """What a run has done so far: frames sent, receptions posted and how they were answered.

    ``errors`` counts the answers other than 200 by status, and :data:`NO_ANSWER` for none.
    """

    frames: int = 0
    receptions: int = 0
    accepted: int = 0
    duplicates: int = 0
    errors: Counter[str] = field(default_factory=Counter)

    def count(self, answer: Answer) -> None:
        """Count one answer."""
        self.receptions += 1
        if answer.status == 200:
            self.accepted += 1
            self.duplicates += bool(answer.body.get("duplicate"))
        else:
            self.errors[NO_ANSWER if answer.status is None else str(answer.status)] += 1


OnAnswer = Callable[[Answer], None]


def build(
    found: Sequence[tuple[Device, DeviceType]], rng: random.Random
) -> tuple[list[VirtualDevice], list[str]]:
    """The virtual devices of ``found``, and why each device type whose devices cannot send a
    frame (a payload config that does not compile or fit) was left out."""
    fleet: list[VirtualDevice] = []
    left_out: dict[str, str] = {}
    for device, device_type in found:
        if device_type.id in left_out:
            continue
        try:
            fleet.append(virtual(device, device_type, rng))
        except InvalidInput as exc:
            left_out[device_type.id] = f"device type {device_type.name!r}: {exc.message}"
    return fleet, list(left_out.values())


async def run(
    http: aiohttp.ClientSession,
    url: str,
    tokens: Sequence[str],
    fleet: Sequence[VirtualDevice],
    schedule: Schedule,
    rng: random.Random,
    tally: Tally,
    on_answer: OnAnswer | None = None,
) -> None:
    """Run ``fleet`` against the foxden at ``url`` through the stations of ``tokens``, until
    cancelled (by a timeout, for a run of fixed length)."""
    async with asyncio.TaskGroup() as group:
        for device in fleet:
            group.create_task(
                _device_loop(http, url, tokens, device, schedule, rng, tally, on_answer)
            )


async def run_demo(db: Database, url: str, group_id: str, interval: float = DEMO_INTERVAL) -> None:
    """Run the demo devices (those under ``group_id``) through the demo stations against the
    server at ``url``, from when it answers until cancelled. Failures are logged, never raised:
    the demo must not take the server down."""
    try:
        found = await db.read(devices.find_for_simulation, group_id)
        rng = random.Random()
        fleet, left_out = build(found, rng)
        for reason in left_out:
            log.warning("the simulator leaves out %s", reason)
        tokens = [station.token for station in STATIONS]
        async with stations.session() as http:
            await stations.wait_until_up(http, url)
            log.info("the simulator runs %d demo devices against %s", len(fleet), url)
            await run(http, url, tokens, fleet, Schedule(interval), rng, Tally(), _warn_once())
    except Exception:
        log.exception("the demo simulator stopped")


async def _device_loop(
    http: aiohttp.ClientSession,
    url: str,
    tokens: Sequence[str],
    device: VirtualDevice,
    schedule: Schedule,
    rng: random.Random,
    tally: Tally,
    on_answer: OnAnswer | None,
) -> None:
    await asyncio.sleep(schedule.first(rng))
    while True:
        frame = device.transmit(rng, now_ms())
        tally.frames += 1
        heard = radio.receive(rng, frame.time, device.rssi, radio.choose(rng, len(tokens)))
        for reception in heard:
            answer = await stations.post(http, url, tokens[reception.station], frame, reception)
            tally.count(answer)
            if on_answer is not None:
                on_answer(answer)
        await asyncio.sleep(schedule.next(rng))


def _warn_once() -> OnAnswer:
    """Log the first answer of each kind of failure: enough to see why, without a flood."""
    seen: set[int | None] = set()

    def check(answer: Answer) -> None:
        if answer.status != 200 and answer.status not in seen:
            seen.add(answer.status)
            log.warning(
                "the simulator got %s: %s (further ones are not logged)",
                answer.status or NO_ANSWER,
                answer.body.get("message", answer.body),
            )

    return check
