from __future__ import annotations

import random
from collections import Counter

from foxden.simulate.fleet import NO_ANSWER, Tally, build
from foxden.simulate.radio import Reception
from foxden.simulate.stations import Answer, uplink_body
from foxden.simulate.virtual import Frame
from tests.unit.simulate.support import device, device_type


def test_the_tally_counts_answers_by_status() -> None:
    tally = Tally()
    for answer in [
        Answer(200, {"messageId": 1, "duplicate": False}),
        Answer(200, {"messageId": 1, "duplicate": True}),
        Answer(409, {"code": "conflict"}),
        Answer(409, {"code": "conflict"}),
        Answer(None, {"message": "no answer from there"}),
    ]:
        tally.count(answer)
    assert (tally.receptions, tally.accepted, tally.duplicates) == (5, 2, 1)
    assert tally.errors == Counter({"409": 2, NO_ANSWER: 1})


def test_build_leaves_out_device_types_that_cannot_send() -> None:
    good = device_type("temperature::int:16", name="Good")
    too_long = device_type("a::uint:64 b::uint:64", name="Long")
    found = [
        (device("1", 4), good),
        (device("2"), too_long),
        (device("3"), too_long),
        (device("4"), good),
    ]
    fleet, left_out = build(found, random.Random(1))
    assert [(d.id, d.seq_number) for d in fleet] == [("1", 5), ("4", 0)]
    assert left_out == ["device type 'Long': the payload config reads 16 bytes, a frame holds 12"]


def test_the_uplink_body_follows_the_network_api() -> None:
    frame = Frame("2E000", 42, bytes.fromhex("00d72801"), 1_800_000_000_000)
    reception = Reception(1, -121.5, 14.2, 1_800_000_000_120, 868_130_000)
    assert uplink_body(frame, reception) == {
        "device": "2E000",
        "seqNumber": 42,
        "data": "00d72801",
        "rssi": -121.5,
        "snr": 14.2,
        "freq": 868_130_000,
        "time": 1_800_000_000_120,
        "ack": False,
    }
