"""``POST /uplinks``: a base station reports one frame it received.

The wire format is in ``docs/network-api.md``. The answer comes once the message is committed.
"""

from __future__ import annotations

import time
from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from foxden.api.deps import RuntimeDep
from foxden.api.network.auth import StationDep
from foxden.api.network.downlinks import DownlinkAnswer, answer
from foxden.domain import uplinks
from foxden.domain.clock import now_ms
from foxden.domain.errors import Forbidden
from foxden.ingest import pipeline

router = APIRouter(tags=["Stations"])

# Far above any LPWAN band (Sigfox's are below 1 GHz), far below what a 64-bit column holds.
MAX_FREQ = 10_000_000_000

Hex = Annotated[str, Field(pattern="^([0-9a-fA-F]{2}){0,12}$")]


class ServiceFrame(BaseModel):
    """The out-of-band content of a service frame."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    kind: Literal["status", "acknowledge", "repeater"] = Field(
        description="The service frame's kind."
    )
    battery: float | None = Field(None, description="Battery voltage, V (status, repeater).")
    temperature: float | None = Field(None, description="Device temperature, °C (status).")
    downlink_ack: bool | None = Field(
        None, alias="downlinkAck", description="Whether the device got its downlink (acknowledge)."
    )
    repeated_msg: int | None = Field(
        None, alias="repeatedMsg", description="Messages repeated since the last OOB (repeater)."
    )


class StationUplink(BaseModel):
    """One frame as one station received it."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    device: str = Field(pattern="^[0-9a-fA-F]{1,8}$", description="Device id, 1 to 8 hex digits.")
    seq_number: int = Field(alias="seqNumber", ge=0, le=4095, description="12-bit sequence number.")
    data: Hex = Field("", description="Payload, 0 to 12 bytes as hex.")
    station: str | None = Field(
        None,
        pattern="^[0-9a-fA-F]{4}$",
        description="This station's id; the token's station when left out.",
    )
    rssi: float = Field(ge=-200, le=0, description="Received signal strength, dBm.")
    snr: float = Field(ge=-50, le=100, description="Signal to noise ratio, dB.")
    freq: int | None = Field(None, ge=0, le=MAX_FREQ, description="Frequency, Hz.")
    time: int = Field(
        ge=0,
        description="Reception time, Unix milliseconds: from 2010 to an hour ahead of foxden's"
        " clock.",
    )
    ack: bool = Field(False, description="The device asks for a downlink.")
    oob: ServiceFrame | None = Field(None, description="Present for service (OOB) frames.")


class UplinkAccepted(BaseModel):
    """What became of the frame."""

    model_config = ConfigDict(populate_by_name=True)

    message_id: int = Field(alias="messageId", description="The message the frame is part of.")
    device: str
    duplicate: bool = Field(description="True when another station reported the frame first.")
    forwarded: bool = Field(description="False when the device is off contract.")
    decode_error: str | None = Field(
        None, alias="decodeError", description="Why the payload could not be decoded."
    )
    decode_warning: str | None = Field(
        None,
        alias="decodeWarning",
        description="The fields a payload shorter than its config cut short or left out.",
    )
    downlink: DownlinkAnswer | None = Field(
        None,
        description=(
            "For a new frame with `ack`: the downlink to transmit in the device's receive"
            " window, if any. Absent for duplicates: the first station to report the frame"
            " answers it, and gets the same answer again when it resends the frame."
        ),
    )


@router.post(
    "/uplinks",
    response_model=UplinkAccepted,
    response_model_exclude_none=True,
    summary="Report a received frame",
)
async def post_uplink(
    body: StationUplink, runtime: RuntimeDep, station: StationDep
) -> UplinkAccepted:
    """Store the frame (or attach it to the message another station reported) and answer once
    committed, with the device's downlink when it asked for one."""
    started = time.monotonic()
    if body.station is not None and body.station.upper() != station.id:
        raise Forbidden(f"This token belongs to station {station.id}, not {body.station}.")
    service = {}
    if body.oob is not None:
        service = body.oob.model_dump(exclude={"kind"}, exclude_none=True, by_alias=True)
    frame = uplinks.uplink(
        device=body.device,
        seq_number=body.seq_number,
        data=body.data,
        station=station.id,
        rssi=body.rssi,
        snr=body.snr,
        time=body.time,
        now=now_ms(),
        ack=body.ack,
        freq=body.freq,
        kind=uplinks.FrameKind(body.oob.kind) if body.oob else uplinks.FrameKind.DATA,
        service=service,
    )
    accepted = await pipeline.accept(
        runtime.db, runtime.settings, frame, station_heard=runtime.note_heard(station.id)
    )
    if accepted.deliveries:
        runtime.outbox_queued.set()
    return UplinkAccepted(
        message_id=accepted.message_id,
        device=accepted.device_id,
        duplicate=accepted.duplicate,
        forwarded=accepted.forwarded,
        decode_error=accepted.decode_error,
        decode_warning=accepted.decode_warning,
        downlink=await answer(runtime, accepted, started),
    )
