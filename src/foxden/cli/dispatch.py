"""``foxden dispatch``: the callback dispatcher alone, without the HTTP server.

Run it beside servers started with ``FOXDEN_DISPATCHER=false``; on PostgreSQL any number of them
share the outbox, each claiming rows the others do not hold.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from foxden.cli.common import console, settings
from foxden.dispatch.dispatcher import Dispatcher
from foxden.storage.db import shown
from foxden.storage.migrate import open_database


def dispatch() -> None:
    """Deliver the callbacks queued in the database named by FOXDEN_DATABASE_URL, until
    interrupted."""
    config = settings()
    logging.basicConfig(
        level=config.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )

    async def run() -> None:
        db = await open_database(config)
        dispatcher = Dispatcher(db, config)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        dispatcher.start()
        console.print(f"dispatching callbacks queued in {shown(config.database_url)}")
        try:
            await stop.wait()
        finally:
            await dispatcher.stop()
            await db.close()

    asyncio.run(run())
