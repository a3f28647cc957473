"""How much does the general payload codec cost over decoding a 12-byte frame by hand?

The ingest decodes every uplink with its device type's payload config, compiled once and cached
(``foxden.domain.codec.compile``). This script decodes one 12-byte frame with nine fields, mixing
bits, a nibble, signed and unsigned and a little-endian field, in four ways:

- the compiled ``Codec.decode``;
- ``decode(PayloadType.CUSTOM, config, frame)``, the ingest's call, including the cache lookup;
- a hand-written ``struct`` unpack of the same fields, the baseline;
- compiling the config from scratch (``grammar.parse``, no cache), for scale.

It first checks that the codec and the hand-written decoder agree. Then the ways take turns in
interleaved rounds, and the script prints the best and the median per call, and the ratios to
the baseline.

    .venv/bin/python bench/codec.py [--rounds R] [--number N]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import struct
import timeit
from collections.abc import Callable

from foxden.domain.codec import Value, compile, decode, grammar
from foxden.domain.device_types import PayloadType

CONFIG = (
    "alarm::bool:7 door::bool:6 mode::uint:4:3 temp:1:int:16 rh::uint:8"
    " pressure::uint:16:little-endian volume::uint:32 battery::uint:8 rssi::int:8"
)
VALUES: dict[str, Value] = {
    "alarm": True,
    "door": False,
    "mode": 5,
    "temp": -200,
    "rh": 50,
    "pressure": 1013,
    "volume": 123_456_789,
    "battery": 87,
    "rssi": -110,
}
_BIG_ENDIAN = struct.Struct(">BhBxxIBb")
_LITTLE_ENDIAN = struct.Struct("<4xH")


def by_hand(frame: bytes) -> dict[str, Value]:
    """The fields of ``CONFIG``, unpacked with ``struct`` as one would write it for one device."""
    flags, temp, rh, volume, battery, rssi = _BIG_ENDIAN.unpack_from(frame)
    (pressure,) = _LITTLE_ENDIAN.unpack_from(frame)
    return {
        "alarm": flags & 0x80 != 0,
        "door": flags & 0x40 != 0,
        "mode": flags & 0x0F,
        "temp": temp,
        "rh": rh,
        "pressure": pressure,
        "volume": volume,
        "battery": battery,
        "rssi": rssi,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds (default 7)")
    parser.add_argument("--number", type=int, default=100_000, help="calls per round per way")
    args = parser.parse_args()

    codec = compile(CONFIG)
    frame = codec.encode(VALUES)
    assert len(frame) == 12
    decoded = decode(PayloadType.CUSTOM, CONFIG, frame).fields
    if not (codec.decode(frame).values == by_hand(frame) == decoded == VALUES):
        raise SystemExit("the codec and the hand-written decoder disagree")

    ways: dict[str, Callable[[], object]] = {
        "struct by hand (baseline)": lambda: by_hand(frame),
        "Codec.decode (compiled)": lambda: codec.decode(frame),
        "decode(CUSTOM, config, frame)": lambda: decode(PayloadType.CUSTOM, CONFIG, frame),
        "grammar.parse (no cache)": lambda: grammar.parse(CONFIG),
    }
    numbers = {name: args.number // (100 if "parse" in name else 1) for name in ways}
    times: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(args.rounds):
        for name, call in ways.items():
            seconds = timeit.timeit(call, number=numbers[name])
            times[name].append(seconds / numbers[name] * 1e6)

    print(f"Python {platform.python_version()}, {os.cpu_count()} cores; config: {CONFIG}")
    print(f"frame: {frame.hex()} ({len(frame)} bytes, {len(codec.fields)} fields)")
    print(f"{args.rounds} rounds; µs per call, best / median, and median vs the baseline")
    baseline = statistics.median(times["struct by hand (baseline)"])
    for name, runs in times.items():
        median = statistics.median(runs)
        print(f"  {name:32} {min(runs):8.2f} / {median:8.2f}   {median / baseline:6.1f}x")


if __name__ == "__main__":
    main()
