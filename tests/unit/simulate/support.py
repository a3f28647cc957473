from __future__ import annotations

from foxden.domain.device_types import DeviceType, DownlinkMode, PayloadType
from foxden.domain.devices import Device


def device_type(
    config: str | None = None, payload_type: PayloadType = PayloadType.CUSTOM, name: str = "Sensor"
) -> DeviceType:
    return DeviceType(
        id=f"type-{name}",
        group_id="group",
        name=name,
        description="",
        keep_alive=0,
        payload_type=payload_type,
        payload_config=config,
        downlink_mode=DownlinkMode.NONE,
        downlink_data_string=None,
        alert_email=None,
        contract_id=None,
        created_at=0,
    )


def device(device_id: str = "1D000", last_seq_number: int | None = None) -> Device:
    return Device(
        id=device_id,
        device_type_id="type",
        name=device_id,
        pac="0" * 16,
        created_at=0,
        modified_at=0,
        last_seq_number=last_seq_number,
    )
