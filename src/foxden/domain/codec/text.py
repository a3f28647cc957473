"""Bytes shown as text: the ``String`` payload type and ``char`` fields.

A frame is arbitrary bytes, but the value ends up in JSON, callback templates and a terminal, so
only printable ASCII passes through as itself. Every other byte becomes ``\\xNN`` and a backslash
becomes ``\\\\``; the mapping is one-to-one, so :func:`unescape` gives back the exact bytes (the
encoder needs that to write ``char`` fields).
"""

from __future__ import annotations

import re

from foxden.domain.errors import InvalidInput

_PRINTABLE = range(0x20, 0x7F)
_ESCAPES = {
    byte: ("\\\\" if byte == ord("\\") else chr(byte)) if byte in _PRINTABLE else f"\\x{byte:02x}"
    for byte in range(256)
}
_ESCAPED = re.compile(r"(?:[\x20-\x5b\x5d-\x7e]|\\\\|\\x[0-9a-fA-F]{2})*")
_ESCAPE = re.compile(r"\\(\\|x[0-9a-fA-F]{2})")


def escape(data: bytes) -> str:
    """``data`` as printable ASCII: other bytes as ``\\xNN`` (lower-case), ``\\`` as ``\\\\``."""
    return data.decode("latin-1").translate(_ESCAPES)


def unescape(text: str) -> bytes:
    """The bytes that :func:`escape` turned into ``text``, or InvalidInput."""
    if _ESCAPED.fullmatch(text) is None:
        raise InvalidInput(
            f"invalid text {text!r}: printable ASCII only, other bytes as \\xNN, '\\' as '\\\\'"
        )
    return _ESCAPE.sub(_unescape_one, text).encode("latin-1")


def _unescape_one(match: re.Match[str]) -> str:
    code = match[1]
    return "\\" if code == "\\" else chr(int(code[1:], 16))
