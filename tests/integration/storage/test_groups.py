from __future__ import annotations

import pytest
from sqlalchemy import Connection

from foxden.domain.errors import NotFound
from foxden.storage import groups
from tests.support.server import LiveServer


def test_tree_paths_and_scope(server: LiveServer) -> None:
    def build(conn: Connection) -> dict[str, str]:
        root = groups.create(conn, "Root")
        a = groups.create(conn, "A", parent_id=root.id)
        b = groups.create(conn, "B", parent_id=a.id)
        other = groups.create(conn, "Other")
        return {"root": root.id, "a": a.id, "b": b.id, "other": other.id}

    ids = server.write(build)

    def check(conn: Connection) -> None:
        b = groups.get(conn, ids["b"])
        assert b is not None
        assert b.path == (ids["root"], ids["a"])
        assert b.parent_id == ids["a"]
        assert groups.is_within(conn, ids["b"], ids["root"])
        assert groups.is_within(conn, ids["a"], ids["a"])
        assert not groups.is_within(conn, ids["root"], ids["a"])
        assert not groups.is_within(conn, ids["b"], ids["other"])
        assert groups.top_level_of(conn, ids["b"]) == ids["root"]
        assert [g.id for g in groups.children(conn, ids["root"], limit=10)] == [ids["a"]]
        assert groups.count(conn) == 4

    server.read(check)


def test_a_child_of_an_unknown_parent_is_refused(server: LiveServer) -> None:
    with pytest.raises(NotFound):
        server.write(lambda conn: groups.create(conn, "Orphan", parent_id="0" * 24))
    assert server.read(groups.count) == 0
