"""Link statistics: the quality of one message, and a device's averages over its last 25.

``linkQuality`` (seed 002) grades a message by how many stations heard it and how strong the
best reception was::

    best RSSI (dBm)      1 station   2 stations   3 or more
    above -122           AVERAGE     GOOD         EXCELLENT
    -135 to -122         LIMIT       AVERAGE      GOOD
    below -135           LIMIT       LIMIT        AVERAGE

Each extra station is one grade up, each RSSI band below -122 dBm one grade down; a single weak
reception is the limit of the link. ``averageSnr`` and ``averageRssi`` are plain means over the
best reception of each of the last 25 messages.
"""

from __future__ import annotations

from collections.abc import Sequence

from foxden.domain.devices import LinkQuality

WINDOW = 25
_GRADES = (LinkQuality.LIMIT, LinkQuality.AVERAGE, LinkQuality.GOOD, LinkQuality.EXCELLENT)


def link_quality(stations: int, best_rssi: float | None) -> LinkQuality | None:
    """The grade of a message heard by ``stations`` stations, the best at ``best_rssi``."""
    if best_rssi is None:
        return None
    if best_rssi > -122:
        band = 0
    elif best_rssi >= -135:
        band = 1
    else:
        band = 2
    grade = min(max(stations, 1), 3) - band
    return _GRADES[max(grade, 0)]


def push(window: Sequence[Sequence[float]], snr: float, rssi: float) -> list[list[float]]:
    """The window of the last 25 (snr, rssi) pairs after a new message."""
    kept = [[float(s), float(r)] for s, r in window][-(WINDOW - 1) :]
    return [*kept, [snr, rssi]]


def improve_last(window: Sequence[Sequence[float]], snr: float, rssi: float) -> list[list[float]]:
    """The window after a later reception of the newest message: its best figures kept."""
    pairs = [[float(s), float(r)] for s, r in window]
    if pairs:
        pairs[-1] = [max(pairs[-1][0], snr), max(pairs[-1][1], rssi)]
    return pairs


def averages(window: Sequence[Sequence[float]]) -> tuple[float | None, float | None]:
    """(averageSnr, averageRssi) of a window, rounded to 3 decimals; None when empty."""
    if not window:
        return None, None
    count = len(window)
    return (
        round(sum(s for s, _ in window) / count, 3),
        round(sum(r for _, r in window) / count, 3),
    )
