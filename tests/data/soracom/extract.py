"""Write the parts of Soracom's API documents that the conformance tests hold foxden to.

    python tests/data/soracom/extract.py <soracom-api.en.yaml> <seed 000 text>

``official.json``: the operations foxden serves, taken from Soracom's official OpenAPI document
(soracom/soracom-cli, ``generators/assets/soracom-api.en.yaml``), with every component they
reference, the security schemes they name included. ``seed-000.json``: the OpenAPI document of
foxden's seed 000 (Soracom Air for Sigfox), from its ``openapi:`` line on.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent
OPERATIONS = {
    "auth",
    "logout",
    "listGroups",
    "createGroup",
    "getGroup",
    "deleteGroup",
    "putGroupTags",
    "deleteGroupTag",
    "putConfigurationParameters",
    "deleteConfigurationNamespace",
    "deleteConfigurationParameter",
    "getDataEntries",
    "listDataSourceResources",
    "listSigfoxDevices",
    "getSigfoxDevice",
    "getDataFromSigfoxDevice",
    "sendDataToSigfoxDevice",
    "disableTerminationOnSigfoxDevice",
    "enableTerminationOnSigfoxDevice",
    "registerSigfoxDevice",
    "setSigfoxDeviceGroup",
    "putSigfoxDeviceTags",
    "deleteSigfoxDeviceTag",
    "terminateSigfoxDevice",
    "unsetSigfoxDeviceGroup",
}


def _references(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_references(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_references(item) for item in node))
    return set()


def extract(document: dict[str, Any]) -> dict[str, Any]:
    """The operations of ``OPERATIONS``, the error body, and the components they reach."""
    paths: dict[str, dict[str, Any]] = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and operation.get("operationId") in OPERATIONS:
                paths.setdefault(path, {})[method] = operation
    components: dict[str, dict[str, Any]] = {}
    schemes = {
        f"#/components/securitySchemes/{name}"
        for item in paths.values()
        for operation in item.values()
        for requirement in operation.get("security", [])
        for name in requirement
    }
    pending = _references(paths) | schemes | {"#/components/schemas/APICallErrorMessage"}
    seen: set[str] = set()
    while pending:
        reference = pending.pop()
        seen.add(reference)
        _, _, kind, name = reference.split("/")
        target = document["components"][kind][name]
        components.setdefault(kind, {})[name] = target
        pending |= _references(target) - seen
    return {"info": document["info"], "paths": paths, "components": components}


def main(official: str, seed: str) -> None:
    with open(official, encoding="utf-8") as file:
        document = yaml.safe_load(file)
    lines = Path(seed).read_text(encoding="utf-8").splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("openapi:"))
    outputs = {
        "official.json": extract(document),
        "seed-000.json": yaml.safe_load("\n".join(lines[start:])),
    }
    for name, content in outputs.items():
        (HERE / name).write_text(json.dumps(content, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
