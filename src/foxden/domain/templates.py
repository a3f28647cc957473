"""The ``{variable}`` syntax of callback templates: url, headers, bodyTemplate, linePattern,
subject and message.

A variable is a name in braces: a letter, then letters, digits and underscores, optionally a
``#`` and a suffix without braces or spaces (``{customData#temp}``). Every other brace is text,
so a JSON body keeps its own: ``{"device": "{device}"}`` uses one variable. There is no escape;
text that reads as a variable is one, and the validator refuses names the callback lacks.
Templates are parsed once and rendered for every message.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

_VARIABLE = re.compile(r"\{([A-Za-z][A-Za-z0-9_]*(?:#[^{}\s]*)?)\}")


@dataclass(frozen=True, slots=True)
class Variable:
    """A ``{name}`` in a template."""

    name: str


Part = str | Variable


@functools.lru_cache(maxsize=4096)
def parse(template: str) -> tuple[Part, ...]:
    """The template as its text pieces and variables, in order; no two texts are adjacent."""
    parts: list[Part] = []
    at = 0
    for match in _VARIABLE.finditer(template):
        if match.start() > at:
            parts.append(template[at : match.start()])
        parts.append(Variable(match.group(1)))
        at = match.end()
    if at < len(template):
        parts.append(template[at:])
    return tuple(parts)


def variables(template: str) -> list[str]:
    """The names of the variables the template uses, each once, in order of first use."""
    return list(dict.fromkeys(p.name for p in parse(template) if isinstance(p, Variable)))


def render(template: str, values: Mapping[str, str]) -> str:
    """The template with each variable replaced by its value; one without a value renders
    empty, as a figure the network did not measure does."""
    return "".join(
        part if isinstance(part, str) else values.get(part.name, "") for part in parse(template)
    )
