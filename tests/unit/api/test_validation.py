from __future__ import annotations

from typing import Any

import pytest

from foxden.api.validation import field_name


@pytest.mark.parametrize(
    ("loc", "body", "missing", "name"),
    [
        (("query", "limit"), None, False, "limit"),
        (("path", "group_id"), None, False, "group_id"),
        # pydantic tags the union member it tried; the user wrote no such field.
        (
            ("body", "tokenTimeoutSeconds", "constrained-int"),
            {"tokenTimeoutSeconds": 0},
            False,
            "tokenTimeoutSeconds",
        ),
        (("body", "oob", "ServiceFrame", "kind"), {"oob": {}}, True, "oob.kind"),
        (
            ("body", "tags", 1, "tagValue"),
            {"tags": [{}, {"tagValue": 3}]},
            False,
            "tags.1.tagValue",
        ),
        (("body", "device"), {}, True, "device"),
        (("body",), [], False, ""),
        (("body", 1), [{}, "URL"], False, "1"),
    ],
)
def test_a_field_is_named_as_the_user_wrote_it(
    loc: tuple[str | int, ...], body: Any, missing: bool, name: str
) -> None:
    assert field_name(loc, body, missing=missing) == name
