from __future__ import annotations

import asyncio

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, text

from foxden.config import Settings
from foxden.domain.devices import Device
from foxden.domain.messages import Message
from foxden.storage import devices, messages, migrate
from foxden.storage.db import Database
from foxden.storage.migrate import compare_type, open_database
from foxden.storage.tables import metadata
from tests.support.databases import Databases


def _differences(conn: Connection) -> list[object]:
    context = MigrationContext.configure(conn, opts={"compare_type": compare_type})
    return list(compare_metadata(context, metadata))


def _tables(conn: Connection) -> set[str]:
    return set(conn.dialect.get_table_names(conn))


async def _upgrade_and_compare(url: str) -> tuple[list[object], set[str]]:
    db = await open_database(Settings(database_url=url))
    try:
        return await db.read(_differences), await db.read(_tables)
    finally:
        await db.close()


def test_upgrade_head_on_an_empty_database_equals_the_tables_module(
    databases: Databases,
) -> None:
    differences, tables = asyncio.run(_upgrade_and_compare(databases.empty()))
    assert differences == []
    assert set(metadata.tables) <= tables


def test_upgrading_twice_changes_nothing(databases: Databases) -> None:
    url = databases.empty()
    asyncio.run(_upgrade_and_compare(url))
    differences, _ = asyncio.run(_upgrade_and_compare(url))
    assert differences == []


def _upgrade_to(conn: Connection, revision: str) -> None:
    command.upgrade(migrate.config(conn), revision)


def _seed_before_ingest(conn: Connection) -> None:
    conn.execute(
        text(
            "INSERT INTO groups (id, name, description, billable, created_at)"
            " VALUES ('g', 'G', '', false, 0)"
        )
    )
    conn.execute(
        text(
            "INSERT INTO device_types (id, group_id, name, description, keep_alive,"
            " payload_type, downlink_mode, created_at) VALUES ('t', 'g', 'T', '', 0, 'None', 0, 0)"
        )
    )
    conn.execute(
        text(
            "INSERT INTO devices (id, device_type_id, name, pac, state, prevent_renewal,"
            " soracom_status, tags, termination_enabled, created_at, modified_at)"
            " VALUES ('1A', 't', 'D', '0000000000000000', 0, false, 'ready', '{}', false, 0, 0)"
        )
    )


def _seed_a_message(conn: Connection) -> None:
    """A message of device 1A heard by two stations at the same time, as schema 0006 holds it."""
    conn.execute(
        text(
            "INSERT INTO messages (id, device_id, device_type_id, time, seq_number, kind, data,"
            " ack, stations, forwarded, harvested) VALUES (1, '1A', 't', 5000, 7, 'data', '0102',"
            " true, 2, true, false)"
        )
    )
    conn.execute(
        text(
            "INSERT INTO receptions (message_id, station_id, time)"
            " VALUES (1, '0A01', 5000), (1, '0A02', 5000)"
        )
    )


def _seed_groups_with_text_flags(conn: Connection) -> None:
    """Soracom groups as schema 0006 held them: Harvest's flag given as text, left off."""
    conn.execute(
        text("INSERT INTO operators (id, group_id, created_at) VALUES ('OP0000000001', 'g', 0)")
    )
    for group_id, enabled in [("on", '"TRUE"'), ("off", '"false"'), ("bare", "null")]:
        conn.execute(
            text(
                "INSERT INTO config_groups (id, operator_id, tags, configuration, harvest,"
                " created_at, modified_at) VALUES (:id, 'OP0000000001', '{}', :configuration,"
                " false, 0, 0)"
            ),
            {"id": group_id, "configuration": f'{{"SoracomHarvest": {{"enabled": {enabled}}}}}'},
        )


def _harvest_flags(conn: Connection) -> dict[str, bool]:
    return {
        row.id: bool(row.harvest)
        for row in conn.execute(text("SELECT id, harvest FROM config_groups"))
    }


async def _upgrade_with_rows(url: str) -> tuple[Device | None, Message | None]:
    db = Database(url)
    try:
        await db.write(_upgrade_to, "0001")
        await db.write(_seed_before_ingest)
        await db.write(_upgrade_to, "0006")
        await db.write(_seed_a_message)
        await db.write(_seed_groups_with_text_flags)
        await db.write(migrate.upgrade)
        assert await db.read(_harvest_flags) == {"on": True, "off": False, "bare": False}
        return await db.read(devices.get, "1A"), await db.read(messages.get, 1)
    finally:
        await db.close()


def test_upgrading_a_database_with_rows_fills_the_new_columns(databases: Databases) -> None:
    device, message = asyncio.run(_upgrade_with_rows(databases.empty()))
    assert device is not None
    assert (device.sequence_epoch, device.link_window, device.last_message_id) == (0, (), None)
    # Which station reported first is not known for a stored message: none is taken for it.
    assert message is not None
    assert (message.seq_number, len(message.receptions), message.first_station) == (7, 2, None)
