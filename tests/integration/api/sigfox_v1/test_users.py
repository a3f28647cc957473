from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Connection

from foxden.domain.clock import now_ms
from foxden.domain.users import java_date
from foxden.storage import groups, users
from tests.support.factories import Tenant, tenant
from tests.support.server import LiveServer

# --- The seed's date strings (pure: no server) ---------------------------------------------


@pytest.mark.parametrize(
    ("time_ms", "expected"),
    [
        (1392812363644, "Wed Feb 19 13:19:23 CET 2014"),
        (1448351837467, "Tue Nov 24 08:57:17 CET 2015"),
        (1394118285929, "Thu Mar 06 16:04:45 CET 2014"),
        (1446456643002, "Mon Nov 02 10:30:43 CET 2015"),
    ],
)
def test_dates_read_as_in_the_seed(time_ms: int, expected: str) -> None:
    assert java_date(time_ms, "Europe/Paris") == expected


@pytest.mark.parametrize(
    ("timezone", "expected"),
    [
        ("Europe/Paris", "Tue May 13 18:53:20 CEST 2014"),
        ("UTC", "Tue May 13 16:53:20 UTC 2014"),
        ("Asia/Kathmandu", "Tue May 13 22:38:20 GMT+05:45 2014"),
        ("America/Sao_Paulo", "Tue May 13 13:53:20 GMT-03:00 2014"),
        ("Mars/Olympus_Mons", "Tue May 13 16:53:20 UTC 2014"),
        ("", "Tue May 13 16:53:20 UTC 2014"),
        ("../../etc/passwd", "Tue May 13 16:53:20 UTC 2014"),
    ],
)
def test_dates_name_the_zone_of_the_instant(timezone: str, expected: str) -> None:
    assert java_date(1400000000000, timezone) == expected


def test_the_repeated_hour_is_told_apart_by_the_abbreviation() -> None:
    # 2015-10-25: clocks in Paris went back from 03:00 CEST to 02:00 CET.
    first, second = 1445733000000, 1445736600000
    assert java_date(first, "Europe/Paris") == "Sun Oct 25 02:30:00 CEST 2015"
    assert java_date(second, "Europe/Paris") == "Sun Oct 25 02:30:00 CET 2015"


DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
JAVA_DATE = re.compile(
    rf"({'|'.join(DAYS)}) ({'|'.join(MONTHS)}) (\d\d) (\d\d):(\d\d):(\d\d) (\S+) (\d{{4}})"
)
GMT_OFFSET = re.compile(r"GMT([+-])(\d\d):(\d\d)")
LAST_MS = int(datetime(9998, 12, 31, tzinfo=UTC).timestamp() * 1000)
ZONES = sorted(available_timezones())


def parse_java_date(text: str, zone: ZoneInfo) -> set[int]:
    """The Unix seconds that ``text`` can mean in ``zone``, read back field by field."""
    match = JAVA_DATE.fullmatch(text)
    assert match is not None, text
    day, month, dd, hh, mm, ss, abbreviation, year = match.groups()
    fields = (int(year), MONTHS.index(month) + 1, int(dd), int(hh), int(mm), int(ss))
    meant = set()
    for fold in (0, 1):
        local = datetime(*fields, tzinfo=zone, fold=fold)
        assert DAYS[local.weekday()] == day
        offset = GMT_OFFSET.fullmatch(abbreviation)
        if offset is None:
            consistent = local.tzname() == abbreviation
        else:
            sign = -1 if offset[1] == "-" else 1
            minutes = sign * (int(offset[2]) * 60 + int(offset[3]))
            consistent = local.utcoffset() == timedelta(minutes=minutes)
        if consistent:
            meant.add(int(local.timestamp()))
    return meant


@given(st.integers(min_value=0, max_value=LAST_MS), st.sampled_from(ZONES))
def test_a_date_string_reads_back_to_its_instant(time_ms: int, timezone: str) -> None:
    assert time_ms // 1000 in parse_java_date(java_date(time_ms, timezone), ZoneInfo(timezone))


@given(st.integers(min_value=0, max_value=LAST_MS), st.text(max_size=40))
def test_an_unknown_timezone_reads_as_utc(time_ms: int, timezone: str) -> None:
    text = java_date(time_ms, timezone)
    if timezone not in ZONES:
        assert text == java_date(time_ms, "UTC")
        assert time_ms // 1000 in parse_java_date(text, ZoneInfo("UTC"))


# --- GET /api/users on the real server -----------------------------------------------------


@pytest.fixture
def acme(server: LiveServer) -> Tenant:
    return tenant(server, "Acme")


def acme_group(acme: Tenant) -> dict[str, Any]:
    return {"id": acme.group_id, "name": "Acme", "nameCI": "acme", "path": [], "billable": False}


def list_users(client: httpx.Client, auth: tuple[str, str], **params: str | int) -> dict[str, Any]:
    response = client.get("/api/users", params=params, auth=auth)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def emails(body: dict[str, Any]) -> list[str]:
    return [user["email"] for user in body["data"]]


def test_user_list_has_the_seed_fields(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    before = now_ms()

    def make(conn: Connection) -> tuple[int, str]:
        michel = users.create(
            conn,
            "michel.dupont@example.com",
            first_name="Michel",
            last_name="Dupont",
            timezone="Europe/Paris",
        )
        role = users.grant(conn, michel.id, acme.group_id, "SUPPORT_CORP")
        users.record_login(conn, michel.id, 1448351837467)
        return michel.created_at, role.id

    created_at, role_id = server.write(make)
    response = client.get("/api/users", params={"groupId": acme.group_id}, auth=acme.auth)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "data": [
            {
                "firstName": "Michel",
                "lastName": "Dupont",
                "email": "michel.dupont@example.com",
                "timezone": "Europe/Paris",
                "creationTime": created_at,
                "creationDate": java_date(created_at, "Europe/Paris"),
                "lastLogin": 1448351837467,
                "lastLoginDate": "Tue Nov 24 08:57:17 CET 2015",
                "userRoles": [
                    {
                        "group": acme_group(acme),
                        "customRole": {"id": role_id, "name": "SUPPORT_CORP"},
                    }
                ],
            }
        ]
    }
    assert before <= created_at <= now_ms()  # milliseconds, not seconds


def test_a_user_who_never_logged_in_has_no_login_fields(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    def make(conn: Connection) -> tuple[int, str]:
        user = users.create(conn, "anon@example.com")
        return user.created_at, users.grant(conn, user.id, acme.group_id, "VIEWER").id

    created_at, role_id = server.write(make)
    (item,) = list_users(client, acme.auth)["data"]
    assert item == {
        "email": "anon@example.com",
        "timezone": "UTC",
        "creationTime": created_at,
        "creationDate": java_date(created_at, "UTC"),
        "userRoles": [{"group": acme_group(acme), "customRole": {"id": role_id, "name": "VIEWER"}}],
    }
    assert item["creationDate"].endswith(f" UTC {datetime.now(UTC).year}")


def test_roles_show_every_visible_group_and_no_other_tenants(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    globex = tenant(server, "Globex")

    def make(conn: Connection) -> str:
        water = groups.create(
            conn, "Water", parent_id=acme.group_id, description="Meters", bss_id="bss-7"
        )
        claude = users.create(conn, "claude@example.com", timezone="Europe/Paris")
        users.grant(conn, claude.id, water.id, "OPT_DOWNLINK")
        users.grant(conn, claude.id, globex.group_id, "SPY")
        users.grant(conn, claude.id, acme.group_id, "SNO")
        return water.id

    water_id = server.write(make)
    (item,) = list_users(client, acme.auth)["data"]
    assert [(role["group"], role["customRole"]["name"]) for role in item["userRoles"]] == [
        (acme_group(acme), "SNO"),
        (
            {
                "id": water_id,
                "name": "Water",
                "nameCI": "water",
                "description": "Meters",
                "path": [acme.group_id],
                "billable": False,
                "bssId": "bss-7",
            },
            "OPT_DOWNLINK",
        ),
    ]
    (seen_by_globex,) = list_users(client, globex.auth)["data"]
    assert [role["group"]["id"] for role in seen_by_globex["userRoles"]] == [globex.group_id]


def test_a_child_groups_caller_sees_only_its_own_roles(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    child = tenant(server, "Acme Water", parent_id=acme.group_id)

    def make(conn: Connection) -> None:
        both = users.create(conn, "both@example.com")
        users.grant(conn, both.id, acme.group_id, "ADMIN")
        users.grant(conn, both.id, child.group_id, "VIEWER")

    server.write(make)
    (item,) = list_users(client, child.auth)["data"]
    assert [role["group"]["id"] for role in item["userRoles"]] == [child.group_id]
    assert item["userRoles"][0]["group"]["path"] == [acme.group_id]


def test_users_are_listed_for_their_roles_in_the_group_itself(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    child = tenant(server, "Acme Water", parent_id=acme.group_id)

    def make(conn: Connection) -> None:
        for email, group_id in (
            ("top@example.com", acme.group_id),
            ("low@example.com", child.group_id),
        ):
            user = users.create(conn, email)
            users.grant(conn, user.id, group_id, "VIEWER")

    server.write(make)
    assert emails(list_users(client, acme.auth)) == ["top@example.com"]
    assert emails(list_users(client, acme.auth, groupId=child.group_id)) == ["low@example.com"]
    assert emails(list_users(client, child.auth)) == ["low@example.com"]


def test_a_user_with_several_roles_in_the_group_is_listed_once(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    def make(conn: Connection) -> None:
        user = users.create(conn, "busy@example.com")
        users.grant(conn, user.id, acme.group_id, "VIEWER")
        users.grant(conn, user.id, acme.group_id, "ADMIN")

    server.write(make)
    (item,) = list_users(client, acme.auth)["data"]
    assert [role["customRole"]["name"] for role in item["userRoles"]] == ["ADMIN", "VIEWER"]


def test_pages_follow_creation_order_and_yield_every_user_once(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    created = [f"user{n}@example.com" for n in range(5)]

    def make(conn: Connection) -> None:
        for email in created:
            users.grant(conn, users.create(conn, email).id, acme.group_id, "VIEWER")

    server.write(make)
    seen: list[str] = []
    url: str | None = f"{server.url}/api/users?limit=2&groupId={acme.group_id}"
    pages = 0
    while url is not None:
        body = client.get(url, auth=acme.auth).json()
        seen += emails(body)
        url = body.get("paging", {}).get("next")
        pages += 1
        if url is not None:
            assert dict(httpx.URL(url).params) == {
                "groupId": acme.group_id,
                "limit": "2",
                "offset": str(2 * pages),
            }
    assert pages == 3
    assert seen == created


def test_a_group_without_users_is_an_empty_list(client: httpx.Client, acme: Tenant) -> None:
    assert list_users(client, acme.auth) == {"data": []}


def test_another_tenants_group_is_answered_as_unknown(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    globex = tenant(server, "Globex")
    child = tenant(server, "Acme Water", parent_id=acme.group_id)
    for auth, group_id in (
        (acme.auth, globex.group_id),
        (child.auth, acme.group_id),
        (acme.auth, "0" * 24),
    ):
        response = client.get("/api/users", params={"groupId": group_id}, auth=auth)
        assert response.status_code == 404
        assert response.json() == {"message": f"Group {group_id} not found."}


@pytest.mark.parametrize(
    "query", ["groupId=not-an-id", "groupId=", "limit=0", "limit=101", "offset=-1", "offset=5001"]
)
def test_bad_parameters_are_a_400_naming_them(
    client: httpx.Client, acme: Tenant, query: str
) -> None:
    response = client.get(f"/api/users?{query}", auth=acme.auth)
    assert response.status_code == 400
    assert set(response.json()) == {"message"}
    assert query.split("=")[0] in response.json()["message"]
