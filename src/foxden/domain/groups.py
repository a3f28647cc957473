"""Groups: the tenant tree. An API user belongs to one group and sees its subtree."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Group:
    """A node of the group tree; ``path`` lists its ancestors' ids, the root first."""

    id: str
    name: str
    description: str
    path: tuple[str, ...]
    billable: bool
    bss_id: str | None
    created_at: int

    @property
    def name_ci(self) -> str:
        """The name as the Sigfox API compares it: case-folded."""
        return self.name.casefold()

    @property
    def parent_id(self) -> str | None:
        """The direct parent's id, or None for a top-level group."""
        return self.path[-1] if self.path else None
