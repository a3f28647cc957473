"""An operator whose group runs a fleet: the same devices through the Sigfox and Soracom APIs.

``account`` is a fleet's tenant made a Soracom operator and logged in; ``soracom`` a client
sending its API key and token with every request.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import Connection

from foxden.domain.devices import SoracomStatus
from foxden.storage import devices, operators
from tests.support.factories import Fleet, fleet, new_password
from tests.support.server import LiveServer

PAC = "0" * 16


@dataclass(frozen=True)
class Account:
    """A fleet whose group is a Soracom operator, and the headers of its API token."""

    fleet: Fleet
    operator_id: str
    headers: dict[str, str]


def open_account(server: LiveServer, *, devices: int = 3) -> Account:
    """A fleet of ``devices`` devices (ids F000, F001, ...; PAC ``PAC``), its tenant made an
    operator, logged in with an auth key."""
    made = fleet(server, devices=devices)
    secret = new_password()

    def make(conn: Connection) -> tuple[str, str]:
        operator = operators.create(conn, made.tenant.group_id)
        return operator.id, operators.add_auth_key(conn, operator.id, secret.stored)

    operator_id, key_id = server.write(make)
    login = httpx.post(f"{server.url}/v1/auth", json={"authKeyId": key_id, "authKey": secret.plain})
    assert login.status_code == 200, login.text
    body = login.json()
    headers = {"X-Soracom-API-Key": body["apiKey"], "X-Soracom-Token": body["token"]}
    return Account(made, operator_id, headers)


@pytest.fixture
def account(server: LiveServer) -> Account:
    return open_account(server)


@pytest.fixture
def soracom(server: LiveServer, account: Account) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{server.url}/v1", headers=account.headers) as client:
        yield client


def stock(server: LiveServer, account: Account, device_id: str, pac: str = PAC) -> None:
    """Add a device in stock (``instock``) to the account's device type."""
    server.write(
        lambda conn: devices.create(
            conn,
            device_id,
            account.fleet.device_type_id,
            pac,
            soracom_status=SoracomStatus.INSTOCK,
        )
    )
