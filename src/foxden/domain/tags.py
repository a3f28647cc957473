"""Soracom tags: free name/value pairs on devices and groups, and the list filter over them."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from foxden.domain.errors import InvalidInput

MAX_NAME = 255
MAX_VALUE = 1024


class MatchMode(enum.StrEnum):
    """``tag_value_match_mode``: the whole value, or its beginning."""

    EXACT = "exact"
    PREFIX = "prefix"


@dataclass(frozen=True, slots=True)
class TagFilter:
    """Keep what has tag ``name`` with the value ``value`` (or starting with it)."""

    name: str
    value: str
    mode: MatchMode = MatchMode.EXACT

    def matches(self, tags: Mapping[str, str]) -> bool:
        """Whether ``tags`` pass this filter."""
        found = tags.get(self.name)
        if found is None:
            return False
        return (
            found.startswith(self.value) if self.mode is MatchMode.PREFIX else found == self.value
        )


def tag_filter(name: str | None, value: str | None, mode: MatchMode) -> TagFilter | None:
    """The filter a list request names, or None; ``tag_value`` is required with ``tag_name``."""
    if name is None:
        return None
    if value is None:
        raise InvalidInput("tag_value is required when tag_name is specified.")
    return TagFilter(name, value, mode)


def checked(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Tags as given, later ones winning; a name must be 1 to 255 characters and a value at
    most 1024."""
    tags: dict[str, str] = {}
    for name, value in pairs:
        if not 0 < len(name) <= MAX_NAME:
            raise InvalidInput(f"A tag name must be 1 to {MAX_NAME} characters.")
        if len(value) > MAX_VALUE:
            raise InvalidInput(f"The value of tag {name!r} is over {MAX_VALUE} characters.")
        tags[name] = value
    return tags
