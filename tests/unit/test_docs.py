from __future__ import annotations

import re
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


def test_help_shows_boolean_flags_as_plain_flags() -> None:
    for path, command in _commands(typer.main.get_command(app), "foxden"):
        args = path.split()[1:]
        result = CliRunner().invoke(app, [*args, "--help"])
        assert result.exit_code == 0, path
        assert "<bool>" not in result.stdout, path
        for param in command.params:
            if getattr(param, "is_flag", False):
                for option in param.opts:
                    assert re.search(rf"{option}(\s|,|$)", result.stdout), (path, option)
