"""``POST /sigfox/uplinks``: Sigfox Cloud forwards a DATA UPLINK or BIDIR callback to foxden.

A fleet operator whose devices are on the Sigfox network points a URL callback (JSON body, the
template in ``docs/network-api.md``) at this route, with an API user's Basic credentials in its
headers. The frame goes through the same pipeline as a station's. ``time`` is in seconds, as
Sigfox sends it; a BIDIR answer follows the Sigfox downlink response format, and 204 means no
downlink.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from foxden.api.deps import RuntimeDep
from foxden.api.network.downlinks import answer
from foxden.api.sigfox_v1.auth import PrincipalDep
from foxden.domain import uplinks
from foxden.domain.clock import now_ms
from foxden.ingest import pipeline

router = APIRouter(tags=["Sigfox Cloud"])

# Stations of the Sigfox network are not foxden's; without network metadata the callback names
# none, and the reception is recorded under this id.
UNKNOWN_STATION = "0000"


class SigfoxUplink(BaseModel):
    """The variables of a DATA UPLINK / BIDIR callback; others in the template are ignored."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    device: str = Field(pattern="^[0-9a-fA-F]{1,8}$", description="{device}")
    time: int = Field(
        ge=0, description="{time}: Unix seconds, from 2010 to an hour ahead of foxden's clock."
    )
    data: Annotated[str, Field(pattern="^([0-9a-fA-F]{2}){0,12}$")] = Field(
        "", description="{data}"
    )
    seq_number: int = Field(alias="seqNumber", ge=0, le=4095, description="{seqNumber}")
    station: str | None = Field(None, pattern="^[0-9a-fA-F]{4}$", description="{station}")
    rssi: float | None = Field(None, description="{rssi}, dBm")
    snr: float | None = Field(None, description="{snr}, dB")
    ack: bool = Field(False, description="{ack}: the device waits for a downlink.")
    duplicate: bool = Field(False, description="{duplicate}")


@router.post(
    "/sigfox/uplinks",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Ingest a Sigfox Cloud DATA UPLINK or BIDIR callback",
    responses={
        200: {
            "description": "Stored; the device's downlink, in the Sigfox BIDIR answer format.",
            "content": {
                "application/json": {
                    "example": {"1A2B3C": {"downlinkData": "deadbeefcafebabe"}},
                }
            },
        },
        204: {"description": "Stored; no downlink for the device."},
    },
)
async def post_sigfox_uplink(
    body: SigfoxUplink, runtime: RuntimeDep, principal: PrincipalDep
) -> Response:
    """Store the frame for a device of the caller's group tree; answer a BIDIR frame with
    ``ack`` with its downlink, as a BIDIR receiver answers Sigfox."""
    started = time.monotonic()
    frame = uplinks.uplink(
        device=body.device,
        seq_number=body.seq_number,
        data=body.data,
        station=body.station or UNKNOWN_STATION,
        rssi=body.rssi,
        snr=body.snr,
        time=body.time,
        time_unit=uplinks.TimeUnit.SECONDS,
        now=now_ms(),
        ack=body.ack,
    )
    accepted = await pipeline.accept(
        runtime.db, runtime.settings, frame, within_group=principal.group_id
    )
    if accepted.deliveries:
        runtime.outbox_queued.set()
    downlink = await answer(runtime, accepted, started)
    if downlink is None or downlink.data is None:
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    return JSONResponse({body.device: {"downlinkData": downlink.data}})
