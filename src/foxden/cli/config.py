"""``foxden config``: the settings and their defaults."""

from __future__ import annotations

import typer

from foxden.config import Settings

app = typer.Typer(help="Configuration.")


@app.command("template")
def template() -> None:
    """Print every setting with its description and default, as an environment file."""
    for name, field in Settings.model_fields.items():
        default = "" if field.default is None else field.default
        if isinstance(default, bool):
            default = str(default).lower()
        print(f"# {field.description}")  # noqa: T201 - the template goes to stdout
        print(f"FOXDEN_{name.upper()}={default}\n")  # noqa: T201
