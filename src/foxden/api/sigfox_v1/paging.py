"""Seed 002 paging: ``limit``, ``offset``, ``before`` and ``since`` in, ``paging.next`` out.

The next page's URL is the request's own URL, every filter kept, as an absolute URL. The offset
is bounded (0 to 5000) as the seed bounds it, which also bounds the rows a page skips.

Lists in time order page by keyset inside that contract: the next URL moves ``before`` to just
after the last item's time and carries, as ``offset``, only the items already returned from
that last instant. Page 1000 of a device's messages then costs what page 1 costs, and a
client that follows ``next`` sees every item exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from pydantic import BaseModel

from foxden.api import urls
from foxden.config import Settings

MAX_OFFSET = 5000
MAX_LIMIT = 100
# Far enough for any Unix time in ms, small enough for a signed 64-bit column.
MAX_TIME = 2**53


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


@dataclass(frozen=True, slots=True)
class Window:
    """A time range in Unix ms, ``since`` inclusive and ``before`` exclusive, as asked in
    ``unit`` ms (1000 where the API speaks seconds); ``asked_before`` is the raw parameter."""

    since: int | None
    before: int | None
    unit: int
    asked_before: int | None


async def seconds(
    before: Annotated[
        int | None,
        Query(ge=0, le=MAX_TIME // 1000, description="Items before this time, Unix seconds."),
    ] = None,
    since: Annotated[
        int | None,
        Query(ge=0, le=MAX_TIME // 1000, description="Items since this time, Unix seconds."),
    ] = None,
) -> Window:
    """``before`` and ``since`` in seconds, as the message lists take them."""
    return Window(
        since=None if since is None else since * 1000,
        before=None if before is None else before * 1000,
        unit=1000,
        asked_before=before,
    )


async def milliseconds(
    before: Annotated[
        int | None,
        Query(ge=0, le=MAX_TIME, description="Items before this time, Unix milliseconds."),
    ] = None,
    since: Annotated[
        int | None,
        Query(ge=0, le=MAX_TIME, description="Items since this time, Unix milliseconds."),
    ] = None,
) -> Window:
    """``before`` and ``since`` in milliseconds, as the status event lists take them."""
    return Window(since=since, before=before, unit=1, asked_before=before)


SecondsDep = Annotated[Window, Depends(seconds)]
MillisecondsDep = Annotated[Window, Depends(milliseconds)]


def next_page(request: Request, settings: Settings, page: Page, more: bool) -> Paging | None:
    """The ``paging`` object pointing at the page after ``page``, if ``more`` items follow."""
    if not more or page.offset + page.limit > MAX_OFFSET:
        return None
    return _paging(request, settings, limit=page.limit, offset=page.offset + page.limit)


def next_by_time(
    request: Request,
    settings: Settings,
    page: Page,
    window: Window,
    times: Sequence[int],
    more: bool,
) -> Paging | None:
    """The ``paging`` object after a page of items in descending time order.

    ``times`` are the page's item times in ms. The storage orders equal times by a stable key,
    so skipping the items already seen at the last instant resumes exactly after the page.
    """
    if not more or not times:
        return None
    last = times[-1] // window.unit
    resume_before = last + 1
    if not 0 <= resume_before <= MAX_TIME // window.unit:
        # A time stored outside what ``before`` takes (before frames' times were bounded):
        # go on by offset alone.
        return next_page(request, settings, page, more)
    if window.asked_before == resume_before:
        # The skipped items all came from that last instant.
        seen_at_last = page.offset
    elif page.offset and times[0] // window.unit == last:
        # The whole page lies in one instant, which some skipped items may share too: their
        # number is unknown, so go on by offset as the client began.
        return next_page(request, settings, page, more)
    else:
        seen_at_last = 0
    seen_at_last += sum(1 for time in times if time // window.unit == last)
    if seen_at_last > MAX_OFFSET:
        # More than 5000 items in one instant: the seed's offset bound cannot express the rest.
        return None
    return _paging(request, settings, limit=page.limit, before=resume_before, offset=seen_at_last)


def _paging(request: Request, settings: Settings, **params: int) -> Paging:
    return Paging(next=str(urls.with_params(request, settings, **params)))
