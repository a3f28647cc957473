"""The pages for people: ``/`` and each API's Swagger UI, served with no internet."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from swagger_ui_bundle import swagger_ui_path

from foxden import __version__

SWAGGER_UI = Path(str(swagger_ui_path))
APIS = {"/api": "Sigfox API v1", "/v1": "Soracom API", "/network": "Network API"}
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def references(page: str) -> list[str]:
    """Every URL a page loads or links: src, href and Swagger UI's ``url``."""
    return re.findall(r"""(?:src|href)="([^"]*)"|url: '([^']*)'""", page)


@pytest.mark.parametrize("path", list(APIS))
def test_docs_page_loads_swagger_ui_from_foxden_itself(client: httpx.Client, path: str) -> None:
    page = client.get(f"{path}/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    found = [url for pair in references(page.text) for url in pair if url]
    assert sorted(found) == sorted(
        [
            f"{path}/openapi.json",
            "/swagger-ui/favicon-32x32.png",
            "/swagger-ui/swagger-ui-bundle.js",
            "/swagger-ui/swagger-ui.css",
        ]
    )
    assert "http://" not in page.text and "https://" not in page.text
    assert "cdn" not in page.text.lower()
    types = {
        "/swagger-ui/swagger-ui-bundle.js": "javascript",
        "/swagger-ui/swagger-ui.css": "text/css",
        "/swagger-ui/favicon-32x32.png": "image/png",
    }
    for url, kind in types.items():
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert kind in asset.headers["content-type"]
        assert asset.content == (SWAGGER_UI / url.rsplit("/", 1)[1]).read_bytes()
    title = client.get(f"{path}/openapi.json").json()["info"]["title"]
    assert f"<title>{title}</title>" in page.text


@pytest.mark.parametrize("path", list(APIS))
@pytest.mark.parametrize("slash", ["", "/"])
def test_an_api_base_path_leads_to_its_docs(client: httpx.Client, path: str, slash: str) -> None:
    answer = client.get(f"{path}{slash}", follow_redirects=True)
    assert answer.status_code == 200
    assert answer.url.path == f"{path}/docs"
    assert "swagger-ui-bundle.js" in answer.text


def test_index_is_json_for_a_client_asking_for_json(client: httpx.Client) -> None:
    answer = client.get("/", headers={"Accept": "application/json"})
    assert answer.status_code == 200
    assert answer.json() == {
        "name": "foxden",
        "version": __version__,
        "apis": [
            {"name": name, "path": path, "docs": f"{path}/docs", "openapi": f"{path}/openapi.json"}
            for path, name in APIS.items()
        ],
    }
    assert client.get("/").json() == answer.json()


def test_index_is_a_page_linking_every_docs_and_openapi_for_a_browser(
    client: httpx.Client,
) -> None:
    answer = client.get("/", headers=BROWSER)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    links = [url for pair in references(answer.text) for url in pair if url]
    assert links == [link for path in APIS for link in (f"{path}/docs", f"{path}/openapi.json")]
    for name in APIS.values():
        assert f"<td>{name}</td>" in answer.text
    assert "http://" not in answer.text and "https://" not in answer.text
    for link in links:
        assert client.get(link).status_code == 200, link


@pytest.mark.parametrize(
    "path",
    [
        "/swagger-ui/%00",
        "/swagger-ui/a%00b.js",
        "/swagger-ui/%ff",
        "/swagger-ui/..%2f..%2fpyproject.toml",
        "/swagger-ui/" + "x" * 10240,
        "/%00",
    ],
)
def test_hostile_paths_outside_the_apis_are_not_found(client: httpx.Client, path: str) -> None:
    # These paths belong to no API's document, so the walk over the documents never sends them.
    response = client.get(path, headers=BROWSER)
    assert response.status_code == 404
    assert response.json() == {"message": "Not found."}


def test_the_docs_pages_refuse_hostile_queries_in_their_apis_shape(client: httpx.Client) -> None:
    sigfox = client.get("/api/docs?x=%00", headers=BROWSER)
    assert (sigfox.status_code, sigfox.json()) == (
        400,
        {"message": "x: must not contain the character U+0000."},
    )
    soracom = client.get("/v1/docs?x=%ff", headers=BROWSER)
    assert soracom.status_code == 400
    assert soracom.json()["message"] == "The query string is not valid UTF-8 once percent-decoded."
