"""Text the database can store, checked once at each API's edge (decision 0011).

PostgreSQL's ``text`` refuses the NUL character, and no database stores a lone UTF-16 surrogate
(``"\\ud800"`` in JSON) or bytes that are not UTF-8. Rather than each handler remembering to
check each string, the middleware here looks at every string of a request before any handler
runs: the path, the query string and a JSON body. Basic credentials, which only exist once
decoded, are checked where they are decoded (``foxden.api.basic``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from foxden.api.errors import Render
from foxden.api.limits import replay
from foxden.domain.errors import InvalidInput

_REFUSED = re.compile("[\x00\ud800-\udfff]")


def refused(text: str) -> str | None:
    """The first character of ``text`` no database column can hold, as ``U+XXXX``, or None."""
    found = _REFUSED.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def check(text: str, where: str) -> None:
    """Raise ``InvalidInput`` when ``text`` holds a refused character; ``where`` begins the
    message: a field as the user wrote it and a colon (``email:``), or a subject (``The path``).
    """
    character = refused(text)
    if character is not None:
        raise InvalidInput(f"{where} must not contain the character {character}.")


def check_path(raw_path: bytes) -> None:
    """The percent-decoded path must be UTF-8 text the database can store."""
    try:
        path = unquote_to_bytes(raw_path).decode()
    except UnicodeDecodeError:
        raise InvalidInput("The path is not valid UTF-8 once percent-decoded.") from None
    check(path, "The path")


def check_query(query: bytes) -> None:
    """Each query parameter's name and value must be UTF-8 text the database can store."""
    try:
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise InvalidInput("The query string is not valid UTF-8 once percent-decoded.") from None
    for name, value in pairs:
        check(name, "A query parameter's name")
        check(value, f"{name}:")


def check_body(body: bytes) -> None:
    """Each string of a JSON body, keys included, must be text the database can store.

    A body that is not JSON is left to the API, which says why it cannot read it. JSON can only
    carry NUL or a surrogate as a ``\\u`` escape (a raw control character is not JSON), so a body
    without one, the common case and every frame a station sends, is only checked for UTF-8.
    """
    if b"\\u" not in body:
        try:
            body.decode()
        except UnicodeDecodeError:
            raise InvalidInput("The request body is not valid UTF-8.") from None
        return
    try:
        document = json.loads(body)
    except UnicodeDecodeError:
        raise InvalidInput("The request body is not valid UTF-8.") from None
    except (ValueError, RecursionError):
        return
    for where, text in _strings(document, ""):
        check(text, f"{where}:" if where else "The request body")


def _strings(node: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every string in a JSON document with the field holding it (an object's keys: its own)."""
    if isinstance(node, str):
        yield where, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield where, key
            yield from _strings(value, f"{where}.{key}" if where else key)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _strings(item, f"{where}.{index}" if where else str(index))


class StorableText:
    """ASGI middleware: a request holding text the database cannot store is ``render(400)``.

    It sits inside ``BodyLimit``, so the body it reads is already capped and in one piece.
    """

    def __init__(self, app: ASGIApp, *, render: Render) -> None:
        self.app = app
        self.render = render

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        try:
            check_path(scope["raw_path"])
            check_query(scope.get("query_string", b""))
            body = b""
            more = True
            while more:
                message = await receive()
                messages.append(message)
                body += message.get("body", b"")
                more = message["type"] == "http.request" and message.get("more_body", False)
            if body:
                check_body(body)
        except InvalidInput as error:
            await self.render(400, error)(scope, receive, send)
            return
        await self.app(scope, replay(messages, receive), send)
