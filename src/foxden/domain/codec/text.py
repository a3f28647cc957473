"""Bytes shown as text: the ``String`` payload type.

A frame is arbitrary bytes, but the value ends up in JSON, callback templates and a terminal, so
only printable ASCII passes through as itself. Every other byte becomes ``\\xNN`` and a backslash
becomes ``\\\\``, so two frames never show the same text.
"""

from __future__ import annotations

_PRINTABLE = range(0x20, 0x7F)
_ESCAPES = {
    byte: ("\\\\" if byte == ord("\\") else chr(byte)) if byte in _PRINTABLE else f"\\x{byte:02x}"
    for byte in range(256)
}


def escape(data: bytes) -> str:
    """``data`` as printable ASCII: other bytes as ``\\xNN`` (lower-case), ``\\`` as ``\\\\``."""
    return data.decode("latin-1").translate(_ESCAPES)
