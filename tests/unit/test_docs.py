from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

from foxden.cli import app

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _commands(group: Any, prefix: str) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            found += _commands(command, f"{prefix} {name}")
        else:
            found.append((f"{prefix} {name}", command))
    return found


def test_cli_reference_documents_every_command_and_option() -> None:
    text = (DOCS / "cli.md").read_text()
    commands = _commands(typer.main.get_command(app), "foxden")
    assert len(commands) >= 10
    for path, command in commands:
        assert f"`{path}" in text, f"{path} is not documented in docs/cli.md"
        for param in command.params:
            for option in param.opts:
                if option.startswith("--") and option not in ("--help", "--json"):
                    assert option in text, f"{path} {option} is not documented"


def test_configuration_page_is_current() -> None:
    result = CliRunner().invoke(app, ["config", "docs"])
    assert result.exit_code == 0
    assert (DOCS / "configuration.md").read_text() == result.stdout, (
        "docs/configuration.md is stale: run `foxden config docs > docs/configuration.md`"
    )
