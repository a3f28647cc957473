"""``foxden admin``: provisioning for scripts; with ``--json`` each prints one JSON object."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import Connection

from foxden.cli.common import emit, write
from foxden.domain import codec, credentials, ids
from foxden.domain.device_types import DeviceType, PayloadType
from foxden.domain.devices import Device, SoracomStatus
from foxden.domain.errors import InvalidInput, InvalidPayloadConfig, NotFound
from foxden.storage import api_users, device_types, devices, groups, operators, stations

app = typer.Typer(help="Create groups, credentials, device types, devices and stations.")

Json = Annotated[bool, typer.Option("--json", help="Print exactly one JSON object.")]


@app.command("create-group")
def create_group(
    name: str,
    parent: Annotated[str | None, typer.Option(help="Id of the parent group.")] = None,
    description: Annotated[str, typer.Option(help="Description of the group.")] = "",
    as_json: Json = False,
) -> None:
    """Create a group (top-level without --parent)."""
    group = write(groups.create, name, parent_id=parent, description=description)
    emit({"id": group.id}, as_json)


@app.command("create-api-user")
def create_api_user(
    group: Annotated[str, typer.Option(help="Id of the group the API user belongs to.")],
    name: Annotated[str, typer.Option(help="A name to recognize the API user by.")] = "",
    as_json: Json = False,
) -> None:
    """Create a Sigfox API user (login and password) for a group."""
    password = credentials.new_password()
    user = write(_create_api_user, group, password.stored, name)
    emit({"login": user.login, "password": password.plain}, as_json)


def _create_api_user(
    conn: Connection, group_id: str, password_hash: str, name: str
) -> api_users.ApiUser:
    _require_group(conn, group_id)
    return api_users.create(conn, group_id, password_hash, name=name)


@app.command("regenerate-api-user")
def regenerate_api_user(
    login: Annotated[str, typer.Option(help="Login of the API user.")],
    as_json: Json = False,
) -> None:
    """Give an API user a new password; the old one stops working at once."""
    password = credentials.new_password()
    write(api_users.regenerate, login, password.stored)
    emit({"login": login, "password": password.plain}, as_json)


@app.command("create-operator")
def create_operator(
    group: Annotated[str, typer.Option(help="Id of a top-level group.")],
    email: Annotated[
        str | None, typer.Option(help="Root login email; a password is generated.")
    ] = None,
    as_json: Json = False,
) -> None:
    """Make a top-level group a Soracom operator, with one auth key."""
    secret = credentials.new_password()
    password = credentials.new_password() if email else None
    operator, key_id = write(
        _create_operator, group, email, password.stored if password else None, secret.stored
    )
    result = {"operatorId": operator.id, "authKeyId": key_id, "authKey": secret.plain}
    if email and password:
        result |= {"email": email, "password": password.plain}
    emit(result, as_json)


def _create_operator(
    conn: Connection,
    group_id: str,
    email: str | None,
    password_hash: str | None,
    secret_hash: str,
) -> tuple[operators.Operator, str]:
    _require_group(conn, group_id)
    operator = operators.create(conn, group_id, email=email, password_hash=password_hash)
    return operator, operators.add_auth_key(conn, operator.id, secret_hash)


@app.command("create-device-type")
def create_device_type(
    group: Annotated[str, typer.Option(help="Id of the owning group.")],
    name: Annotated[str, typer.Option(help="Name of the device type.")],
    payload_config: Annotated[
        str | None, typer.Option(help="Custom payload config; sets payloadType Custom.")
    ] = None,
    keep_alive: Annotated[
        int, typer.Option(min=0, help="Minutes of silence before a device is reported lost.")
    ] = 0,
    description: Annotated[str, typer.Option(help="Description of the device type.")] = "",
    as_json: Json = False,
) -> None:
    """Create a device type in a group."""
    if payload_config is not None:
        try:
            codec.compile(payload_config)
        except InvalidPayloadConfig as exc:
            raise typer.BadParameter(exc.message, param_hint="--payload-config") from exc
    device_type = write(_create_device_type, group, name, description, keep_alive, payload_config)
    emit({"id": device_type.id}, as_json)


def _create_device_type(
    conn: Connection,
    group_id: str,
    name: str,
    description: str,
    keep_alive: int,
    payload_config: str | None,
) -> DeviceType:
    _require_group(conn, group_id)
    return device_types.create(
        conn,
        group_id,
        name,
        description=description,
        keep_alive=keep_alive,
        payload_type=PayloadType.CUSTOM if payload_config else PayloadType.NONE,
        payload_config=payload_config,
    )


@app.command("create-device")
def create_device(
    device_type: Annotated[str, typer.Option(help="Id of the device type.")],
    device_id: Annotated[str, typer.Option("--id", help="The device id, 1 to 8 hex digits.")],
    pac: Annotated[
        str | None, typer.Option(help="The PAC, 16 hex digits (random if left out).")
    ] = None,
    name: Annotated[str | None, typer.Option(help="A friendly name.")] = None,
    in_stock: Annotated[
        bool,
        typer.Option(
            "--in-stock",
            help="Put it in stock: 'instock' for the Soracom API until registered with its PAC.",
        ),
    ] = False,
    as_json: Json = False,
) -> None:
    """Register a device under a device type."""
    try:
        canonical_id = ids.device_id(device_id)
        canonical_pac = ids.pac(pac) if pac else ids.new_pac()
    except InvalidInput as exc:
        raise typer.BadParameter(exc.message) from exc
    status = SoracomStatus.INSTOCK if in_stock else SoracomStatus.READY
    device = write(_create_device, device_type, canonical_id, canonical_pac, name, status)
    emit({"id": device.id, "pac": device.pac, "status": device.soracom_status.value}, as_json)


def _create_device(
    conn: Connection,
    device_type_id: str,
    device_id: str,
    pac: str,
    name: str | None,
    status: SoracomStatus,
) -> Device:
    if device_types.get(conn, device_type_id) is None:
        raise NotFound(f"no device type {device_type_id}")
    return devices.create(conn, device_id, device_type_id, pac, name=name, soracom_status=status)


@app.command("create-station")
def create_station(
    name: Annotated[str, typer.Option(help="Name of the base station.")],
    lat: Annotated[float | None, typer.Option(min=-90, max=90, help="Latitude.")] = None,
    lng: Annotated[float | None, typer.Option(min=-180, max=180, help="Longitude.")] = None,
    as_json: Json = False,
) -> None:
    """Create a base station and the token it posts uplinks with."""
    token = credentials.new_token()
    station = write(stations.create, name, token.stored, lat=lat, lng=lng)
    emit({"id": station.id, "token": token.plain}, as_json)


def _require_group(conn: Connection, group_id: str) -> None:
    if groups.get(conn, group_id) is None:
        raise NotFound(f"no group {group_id}")
