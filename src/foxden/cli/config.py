"""``foxden config``: the settings and their defaults."""

from __future__ import annotations

import typer

from foxden.config import Settings

app = typer.Typer(help="Configuration.")


def _env_text(value: object) -> str:
    """A default as an environment file writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return str(value)


def _defaults() -> list[tuple[str, str, str]]:
    """(variable, default, description) of every setting."""
    return [
        (f"FOXDEN_{name.upper()}", _env_text(field.default), field.description or "")
        for name, field in Settings.model_fields.items()
    ]


@app.command("template")
def template() -> None:
    """Print every setting with its description and default, as an environment file."""
    for variable, default, description in _defaults():
        print(f"# {description}\n{variable}={default}\n")  # noqa: T201 - the template is the output


@app.command("docs")
def docs() -> None:
    """Print the settings as the Markdown of docs/configuration.md."""
    lines = [
        "# Configuration",
        "",
        "Every setting is an environment variable. This page is the output of",
        "`foxden config docs`; `foxden config template` prints the same as an environment file.",
        "",
        "| variable | default | description |",
        "| --- | --- | --- |",
    ]
    lines += [f"| `{v}` | `{d}` | {text} |" for v, d, text in _defaults()]
    print("\n".join(lines))  # noqa: T201 - the page is the output
