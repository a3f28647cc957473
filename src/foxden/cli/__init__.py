"""The ``foxden`` command: one typer app, one module per command group."""

from __future__ import annotations

import typer

from foxden.cli import admin, config, db, decode, dispatch, serve, simulate

app = typer.Typer(
    name="foxden",
    help="A self-hostable device cloud for Sigfox-style LPWAN devices.",
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=False,
)
app.command("serve")(serve.serve)
app.command("dispatch")(dispatch.dispatch)
app.command("decode")(decode.decode)
app.add_typer(admin.app, name="admin")
app.add_typer(db.app, name="db")
app.add_typer(config.app, name="config")
app.add_typer(simulate.app, name="simulate")


def main() -> None:
    """Entry point of the ``foxden`` script."""
    app()
