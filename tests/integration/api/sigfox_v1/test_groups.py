from __future__ import annotations

import httpx
import pytest
from sqlalchemy import Connection

from foxden.storage import api_users, groups
from tests.support.factories import Tenant, new_password, tenant
from tests.support.server import LiveServer


@pytest.fixture
def acme(server: LiveServer) -> Tenant:
    return tenant(server, "Acme")


def test_group_information_has_the_seed_fields(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    child = server.write(
        lambda conn: groups.create(
            conn, "Water Meters", parent_id=acme.group_id, description="Meters", bss_id="bss-42"
        )
    )
    response = client.get(f"/api/groups/{child.id}", auth=acme.auth)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "id": child.id,
        "name": "Water Meters",
        "nameCI": "water meters",
        "description": "Meters",
        "path": [acme.group_id],
        "billable": False,
        "bssId": "bss-42",
    }


def test_own_group_is_visible_and_empty_fields_are_left_out(
    client: httpx.Client, acme: Tenant
) -> None:
    body = client.get(f"/api/groups/{acme.group_id}", auth=acme.auth).json()
    assert body == {
        "id": acme.group_id,
        "name": "Acme",
        "nameCI": "acme",
        "path": [],
        "billable": False,
    }


def test_path_lists_every_ancestor_root_first(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    def tree(conn: Connection) -> tuple[str, str]:
        middle = groups.create(conn, "Middle", parent_id=acme.group_id)
        leaf = groups.create(conn, "Leaf", parent_id=middle.id)
        return middle.id, leaf.id

    middle_id, leaf_id = server.write(tree)
    body = client.get(f"/api/groups/{leaf_id}", auth=acme.auth).json()
    assert body["path"] == [acme.group_id, middle_id]


def test_list_pages_through_children_with_absolute_next_links(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    created = server.write(
        lambda conn: [
            groups.create(conn, f"Child {n}", parent_id=acme.group_id).id for n in range(5)
        ]
    )
    seen: list[str] = []
    url: str | None = f"{server.url}/api/groups?limit=2"
    pages = 0
    while url is not None:
        body = client.get(url, auth=acme.auth).json()
        seen += [group["id"] for group in body["data"]]
        assert all(group["path"] == [acme.group_id] for group in body["data"])
        url = body.get("paging", {}).get("next")
        pages += 1
        if url is not None:
            assert url.startswith(f"{server.url}/api/groups?")
            assert httpx.URL(url).params["limit"] == "2"
    assert pages == 3
    assert sorted(seen) == sorted(created)


def test_next_link_keeps_every_filter(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    parent = server.write(lambda conn: groups.create(conn, "Parent", parent_id=acme.group_id))
    server.write(lambda conn: [groups.create(conn, f"C{n}", parent_id=parent.id) for n in range(3)])
    body = client.get(
        "/api/groups", params={"parentId": parent.id, "limit": 1, "offset": 1}, auth=acme.auth
    ).json()
    assert [group["name"] for group in body["data"]] == ["C1"]
    params = httpx.URL(body["paging"]["next"]).params
    assert dict(params) == {"parentId": parent.id, "limit": "1", "offset": "2"}


def test_last_page_has_no_paging(client: httpx.Client, acme: Tenant) -> None:
    body = client.get("/api/groups", auth=acme.auth).json()
    assert body == {"data": []}


def test_public_url_is_used_for_next_links(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    server.runtime.settings = server.runtime.settings.model_copy(
        update={"public_url": "https://foxden.example.com/base/"}
    )
    server.write(
        lambda conn: [groups.create(conn, f"C{n}", parent_id=acme.group_id) for n in range(2)]
    )
    body = client.get("/api/groups?limit=1", auth=acme.auth).json()
    assert body["paging"]["next"] == "https://foxden.example.com/base/api/groups?limit=1&offset=1"


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=101", "limit=ten", "offset=-1", "offset=5001", "parentId=not-an-id"],
)
def test_invalid_paging_is_a_400_with_a_message(
    client: httpx.Client, acme: Tenant, query: str
) -> None:
    response = client.get(f"/api/groups?{query}", auth=acme.auth)
    assert response.status_code == 400
    assert set(response.json()) == {"message"}
    assert query.split("=")[0] in response.json()["message"]


def test_missing_credentials_get_a_basic_challenge(client: httpx.Client, acme: Tenant) -> None:
    for path in ("/api/groups", f"/api/groups/{acme.group_id}"):
        response = client.get(path)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == 'Basic realm="foxden"'
        assert response.json() == {"message": "Authentication credentials were not present."}


@pytest.mark.parametrize("which", ["password", "login"])
def test_wrong_credentials_are_refused(client: httpx.Client, acme: Tenant, which: str) -> None:
    auth = (acme.login, "wrong") if which == "password" else ("0" * 24, acme.password)
    response = client.get("/api/groups", auth=auth)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic ")


def test_regenerated_password_replaces_the_old_one(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    assert client.get("/api/groups", auth=acme.auth).status_code == 200
    fresh = new_password()
    server.write(api_users.regenerate, acme.login, fresh.stored)
    assert client.get("/api/groups", auth=acme.auth).status_code == 401
    assert client.get("/api/groups", auth=(acme.login, fresh.plain)).status_code == 200


def test_another_tenants_group_is_answered_as_unknown(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    other = tenant(server, "Globex")
    response = client.get(f"/api/groups/{other.group_id}", auth=acme.auth)
    assert response.status_code == 404
    assert response.json() == {"message": f"Group {other.group_id} not found."}
    listing = client.get("/api/groups", params={"parentId": other.group_id}, auth=acme.auth)
    assert listing.status_code == 404


def test_a_parent_group_is_out_of_a_child_users_reach(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    child = tenant(server, "Acme Water", parent_id=acme.group_id)
    assert client.get(f"/api/groups/{acme.group_id}", auth=child.auth).status_code == 404
    assert client.get(f"/api/groups/{child.group_id}", auth=acme.auth).status_code == 200


@pytest.mark.parametrize("group_id", ["0" * 24, "nothex", "0" * 25])
def test_unknown_group_is_not_found(client: httpx.Client, acme: Tenant, group_id: str) -> None:
    response = client.get(f"/api/groups/{group_id}", auth=acme.auth)
    assert response.status_code == 404
    assert response.json() == {"message": f"Group {group_id} not found."}
