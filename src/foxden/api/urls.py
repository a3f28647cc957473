"""Absolute URLs of the next page, as clients behind a proxy must see them."""

from __future__ import annotations

from starlette.datastructures import URL
from starlette.requests import Request

from foxden.config import Settings


def with_params(request: Request, settings: Settings, **params: str | int) -> URL:
    """The request's own URL with ``params`` set, on ``FOXDEN_PUBLIC_URL`` when configured
    (else on the Host the request came to)."""
    url = request.url.include_query_params(**params)
    if settings.public_url:
        public = URL(settings.public_url)
        url = url.replace(
            scheme=public.scheme, netloc=public.netloc, path=public.path.rstrip("/") + url.path
        )
    return url
