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


sigfox_schema = schemathesis.openapi.from_dict(document(sigfox_v1))
soracom_schema = schemathesis.openapi.from_dict(document(soracom))
network_schema = schemathesis.openapi.from_dict(document(network))
