"""The OpenAPI documents foxden serves, loaded once for the tests that walk them."""

from __future__ import annotations

from typing import Any

import schemathesis

from foxden.api import network, sigfox_v1, soracom
from foxden.api.runtime import Runtime
from foxden.config import Settings


def document(api: Any) -> dict[str, Any]:
    """The OpenAPI document an API serves; its content does not depend on the database."""
    built = api.create_api(Runtime(Settings(database_url="sqlite:///unused.sqlite3")))
    return dict(built.openapi())


def schema(api: Any) -> Any:
    """The API's document for schemathesis, whose strings hold no NUL: every API refuses NUL in
    any text (decision 0011), which a document cannot say of each of its strings."""
    loaded = schemathesis.openapi.from_dict(document(api))
    loaded.config.generation.update(allow_x00=False)
    return loaded


sigfox_schema = schema(sigfox_v1)
soracom_schema = schema(soracom)
network_schema = schema(network)
