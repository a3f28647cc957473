"""``foxden serve``: run the server on the configured database, printing where to reach it."""

from __future__ import annotations

import logging
from typing import Annotated

import typer
import uvicorn
from rich.panel import Panel
from rich.table import Table

from foxden.app import MOUNTS, create_app
from foxden.cli.common import console, settings
from foxden.config import Settings
from foxden.simulate.demo import DemoFleet
from foxden.simulate.fleet import DEMO_INTERVAL
from foxden.storage.db import shown


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    demo: Annotated[
        bool | None,
        typer.Option("--demo/--no-demo", help="Load the demo fleet into an empty database."),
    ] = None,
    simulate: Annotated[
        bool | None,
        typer.Option(
            "--simulate/--no-simulate",
            help="Have the demo devices send simulated uplinks to the server.",
        ),
    ] = None,
) -> None:
    """Serve the database named by FOXDEN_DATABASE_URL."""
    config = settings(host=host, port=port, demo=demo, simulate=simulate)
    logging.basicConfig(
        level=config.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    app = create_app(config, on_start=lambda runtime, fleet: _banner(runtime.settings, fleet))
    uvicorn.run(
        app,
        host=config.host,
        port=config.port,
        loop="uvloop",
        http="httptools",
        log_level=config.log_level,
        access_log=False,
    )


def _banner(config: Settings, fleet: DemoFleet | None) -> None:
    base = config.public_url or f"http://{config.host}:{config.port}"
    apis = Table(title="foxden is serving", show_header=True, header_style="bold")
    apis.add_column("API")
    apis.add_column("base URL")
    apis.add_column("OpenAPI")
    apis.add_column("docs")
    for path, name in MOUNTS.items():
        apis.add_row(name, f"{base}{path}", f"{base}{path}/openapi.json", f"{base}{path}/docs")
    console.print(apis)
    console.print(f"database: {shown(config.database_url)}")
    if fleet is None:
        return
    console.print(
        Panel.fit(
            "\n".join(
                [
                    "[bold]Sigfox API[/bold] (HTTP Basic)",
                    f"  login     {fleet.api_login}",
                    f"  password  {fleet.api_password}",
                    f"  try       curl -u {fleet.api_login}:{fleet.api_password} {base}/api/groups",
                    "[bold]Soracom API[/bold] (POST /v1/auth)",
                    f"  authKeyId {fleet.auth_key_id}",
                    f"  authKey   {fleet.auth_key}",
                    f"  email     {fleet.operator_email} / {fleet.operator_password}",
                    f"  operator  {fleet.operator_id}",
                ]
            ),
            title="demo fleet: public credentials, for this machine only",
        )
    )
    if config.simulate:
        console.print(
            "simulator: each demo device sends an uplink through the demo stations every"
            f" {DEMO_INTERVAL:.0f} s or so (--no-simulate turns it off)"
        )
