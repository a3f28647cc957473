"""pydantic's validation errors in the words of an API's users.

A message names the field as the user wrote it (the JSON name or query parameter, never the
Python one) and says what the field must be in plain English: pydantic's own wording names its
types (``constrained-int``, ``dictionary or object to extract fields from``), which a client of
the Sigfox or Soracom API never wrote.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi.exceptions import RequestValidationError

#: What a field must be, by pydantic error type, for the types foxden's request models can
#: raise (any other says the field "is not valid"); ``{...}`` are the error's context values.
PROBLEMS: dict[str, str] = {
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be an integer",
    "int_parsing_size": "is too large",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be a string",
    "string_too_short": "must be at least {min_length} characters long",
    "string_too_long": "must be at most {max_length} characters long",
    "string_pattern_mismatch": "must match {pattern}",
    "too_short": "must have at least {min_length} items",
    "too_long": "must have at most {max_length} items",
    "greater_than": "must be greater than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be at most {le}",
    "literal_error": "must be {expected}",
    "enum": "must be {expected}",
    "dict_type": "must be a JSON object",
    "model_type": "must be a JSON object",
    "model_attributes_type": "must be a JSON object",
    "list_type": "must be a JSON array",
}


def message(exc: RequestValidationError) -> str:
    """One readable line about the first invalid field."""
    first = exc.errors()[0]
    kind = str(first["type"])
    ctx: dict[str, Any] = first.get("ctx") or {}
    if kind == "json_invalid":
        return f"The request body is not valid JSON: {ctx.get('error', 'malformed')}."
    loc: Sequence[str | int] = first.get("loc", ())
    field = field_name(loc, exc.body, missing=kind == "missing")
    problem = PROBLEMS.get(kind, "is not valid").format(**ctx)
    if field:
        return f"{field}: {problem}."
    return f"The request body {problem}."


def field_name(loc: Sequence[str | int], body: Any, *, missing: bool) -> str:
    """The field ``loc`` points at, as the user wrote it.

    A query, path or header parameter is named by ``loc[1]``. In a body, pydantic inserts a
    tag for each union member tried (``constrained-int``, a model's class name), which names
    nothing the user wrote: only the parts found in the body itself are kept, and a last part
    naming an absent key of an object when the field is missing.
    """
    if not loc:
        return ""
    if loc[0] != "body":
        return str(loc[1]) if len(loc) > 1 else ""
    parts: list[str] = []
    node = body
    for index, part in enumerate(loc[1:], start=2):
        if _holds(node, part):
            parts.append(str(part))
            node = node[part]
        elif missing and index == len(loc) and isinstance(node, dict):
            parts.append(str(part))
    return ".".join(parts)


def _holds(node: Any, part: str | int) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
