"""The air between a device and the stations: who hears a frame, how well and when.

A Sigfox frame is heard by whichever stations are in range, usually one to three, each with its
own signal figures and a reception time a little apart. foxden's de-duplication must turn those
receptions into one message with several stations, so the simulator reports them that way: the
same frame through different stations, each a few hundred milliseconds after the frame was sent,
well inside the de-duplication window.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

BAND = (868_034_000, 868_226_000)
"""The uplink band of Sigfox zone RC1 (Europe), Hz."""

LATEST_MS = 500
"""The latest a station reports a frame after it was sent, ms: a quarter of the default
de-duplication window."""

_HEARD_BY = (1, 2, 3)
_HEARD_WEIGHTS = (3, 4, 3)


@dataclass(frozen=True, slots=True)
class Reception:
    """A frame as one station heard it: ``station`` is an index into the simulated stations."""

    station: int
    rssi: float
    snr: float
    time: int
    freq: int


def choose(rng: random.Random, stations: int) -> list[int]:
    """The stations (indices, in the order they report) that hear a frame: one to three of
    ``stations``, never more than there are."""
    heard = rng.choices(_HEARD_BY, _HEARD_WEIGHTS)[0]
    return rng.sample(range(stations), min(heard, stations))


def receive(rng: random.Random, sent: int, rssi: float, stations: Sequence[int]) -> list[Reception]:
    """How each of ``stations`` heard a frame sent at ``sent`` (Unix ms) by a device whose
    usual RSSI is ``rssi``: reception times 0 to LATEST_MS after ``sent``, rising in the order
    of ``stations``; RSSI ± a few dB per station; SNR from the RSSI over a -140 dBm noise floor.
    """
    freq = rng.randint(*BAND)
    delays = sorted(rng.randint(0, LATEST_MS) for _ in stations)
    receptions = []
    for station, delay in zip(stations, delays, strict=True):
        heard = min(max(rssi + rng.gauss(0, 4), -150.0), -60.0)
        snr = min(max(heard + 140 + rng.gauss(0, 2), 0.0), 40.0)
        receptions.append(Reception(station, round(heard, 1), round(snr, 1), sent + delay, freq))
    return receptions
