"""Groups and their tree (closure table ``group_tree``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, RowMapping, bindparam, func, insert, select

from foxden.domain.clock import now_ms
from foxden.domain.errors import NotFound
from foxden.domain.groups import Group
from foxden.domain.ids import new_object_id
from foxden.storage.tables import group_tree, groups

# Every scoped request runs these: built once (building a statement costs more than running it).
_GET = select(groups).where(groups.c.id == bindparam("group_id"))
_IS_WITHIN = select(group_tree.c.depth).where(
    group_tree.c.ancestor_id == bindparam("ancestor_id"),
    group_tree.c.descendant_id == bindparam("group_id"),
)
_CHILDREN = (
    select(groups)
    .join(group_tree, group_tree.c.descendant_id == groups.c.id)
    .where(group_tree.c.ancestor_id == bindparam("parent_id"), group_tree.c.depth == 1)
    .order_by(groups.c.id)
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)
_PATHS = (
    select(group_tree.c.descendant_id, group_tree.c.ancestor_id)
    .where(
        group_tree.c.descendant_id.in_(bindparam("group_ids", expanding=True)),
        group_tree.c.depth > 0,
    )
    .order_by(group_tree.c.descendant_id, group_tree.c.depth.desc())
)


def create(
    conn: Connection,
    name: str,
    *,
    parent_id: str | None = None,
    description: str = "",
    billable: bool = False,
    bss_id: str | None = None,
) -> Group:
    """Create a group under ``parent_id`` (None: a top-level group) and return it."""
    group_id = new_object_id()
    created = now_ms()
    conn.execute(
        insert(groups).values(
            id=group_id,
            name=name,
            description=description,
            billable=billable,
            bss_id=bss_id,
            created_at=created,
        )
    )
    tree = [{"ancestor_id": group_id, "descendant_id": group_id, "depth": 0}]
    if parent_id is not None:
        above = conn.execute(
            select(group_tree.c.ancestor_id, group_tree.c.depth).where(
                group_tree.c.descendant_id == parent_id
            )
        ).all()
        if not above:
            raise NotFound(f"no group {parent_id}")
        tree += [
            {"ancestor_id": ancestor, "descendant_id": group_id, "depth": depth + 1}
            for ancestor, depth in above
        ]
    conn.execute(insert(group_tree), tree)
    got = get(conn, group_id)
    assert got is not None
    return got


def get(conn: Connection, group_id: str) -> Group | None:
    """The group with this id, or None."""
    row = conn.execute(_GET, {"group_id": group_id}).mappings().first()
    if row is None:
        return None
    return _to_group(row, _paths(conn, [group_id])[group_id])


def count(conn: Connection) -> int:
    """How many groups there are."""
    return conn.execute(select(func.count()).select_from(groups)).scalar_one()


def is_within(conn: Connection, group_id: str, ancestor_id: str) -> bool:
    """Whether ``group_id`` is ``ancestor_id`` or one of its descendants."""
    found = conn.execute(_IS_WITHIN, {"ancestor_id": ancestor_id, "group_id": group_id}).first()
    return found is not None


def children(conn: Connection, parent_id: str, *, limit: int, offset: int = 0) -> list[Group]:
    """The direct children of a group, oldest first, one page of them."""
    rows = (
        conn.execute(_CHILDREN, {"parent_id": parent_id, "limit": limit, "offset": offset})
        .mappings()
        .all()
    )
    paths = _paths(conn, [row["id"] for row in rows])
    return [_to_group(row, paths[row["id"]]) for row in rows]


def top_level_of(conn: Connection, group_id: str) -> str | None:
    """The id of the root of the tree ``group_id`` belongs to, or None if no such group."""
    return conn.execute(
        select(group_tree.c.ancestor_id)
        .where(group_tree.c.descendant_id == group_id)
        .order_by(group_tree.c.depth.desc())
        .limit(1)
    ).scalar()


def _paths(conn: Connection, group_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Each group's ancestors, the root first."""
    paths: dict[str, list[str]] = {group_id: [] for group_id in group_ids}
    if group_ids:
        rows = conn.execute(_PATHS, {"group_ids": list(group_ids)})
        for descendant_id, ancestor_id in rows:
            paths[descendant_id].append(ancestor_id)
    return {group_id: tuple(path) for group_id, path in paths.items()}


def _to_group(row: RowMapping, path: tuple[str, ...]) -> Group:
    return Group(
        id=row["id"],
        name=row["name"],
        description=row["description"],
        path=path,
        billable=row["billable"],
        bss_id=row["bss_id"],
        created_at=row["created_at"],
    )
