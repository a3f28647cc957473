"""Soracom paging: ``limit`` and ``last_evaluated_key`` in; when more remain, the key to pass
next in the ``x-soracom-next-key`` header, and the next page's URL in the ``link`` header
(``<url>; rel=next``): the request's own URL, every filter kept, with that key.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from foxden.api import urls
from foxden.config import Settings

NEXT_KEY = "x-soracom-next-key"

# A page's size when the client names none, and the most one page holds: a larger ``limit`` is
# served as this many, and the headers lead on to the rest.
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def link_next(request: Request, settings: Settings, response: Response, key: str | None) -> None:
    """Point the response at the page after ``key``; nothing when ``key`` is None (last page)."""
    if key is None:
        return
    url = urls.with_params(request, settings, last_evaluated_key=key)
    response.headers[NEXT_KEY] = key
    response.headers["link"] = f"<{url}>; rel=next"
