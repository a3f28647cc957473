"""Seed 002 paging: ``limit`` and ``offset`` in, ``paging.next`` out as an absolute URL.

The next page's URL is the request's own URL, every filter kept, with the offset moved on. The
offset is bounded (0 to 5000) as the seed bounds it, which also bounds the rows a page skips.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from pydantic import BaseModel
from starlette.datastructures import URL

from foxden.config import Settings

MAX_OFFSET = 5000
MAX_LIMIT = 100


class Paging(BaseModel):
    """Paging information, present when more items are available."""

    next: str


@dataclass(frozen=True, slots=True)
class Page:
    """The requested window of a list."""

    limit: int
    offset: int


async def page(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Maximum items to return.")] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Number of items skipped.")] = 0,
) -> Page:
    """The window a request asks for (a coroutine: FastAPI runs it on the event loop)."""
    return Page(limit, offset)


PageDep = Annotated[Page, Depends(page)]


def next_page(request: Request, settings: Settings, page: Page, more: bool) -> Paging | None:
    """The ``paging`` object pointing at the page after ``page``, if ``more`` items follow."""
    if not more or page.offset + page.limit > MAX_OFFSET:
        return None
    url = request.url.include_query_params(limit=page.limit, offset=page.offset + page.limit)
    if settings.public_url:
        public = URL(settings.public_url)
        url = url.replace(
            scheme=public.scheme, netloc=public.netloc, path=public.path.rstrip("/") + url.path
        )
    return Paging(next=str(url))
