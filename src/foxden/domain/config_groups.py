"""Soracom groups: an operator's named sets of configuration that its devices join.

``configuration`` maps a namespace (``SoracomHarvest``, ``SoracomAir``, ...) to its parameters.
foxden acts on ``SoracomHarvest.enabled`` (``true``, or ``"true"`` in any case): a device's
frames are written to Harvest Data while its group has it on. The other namespaces are kept
and returned as given.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from foxden.domain.errors import InvalidInput


class Namespace(enum.StrEnum):
    """The configuration namespaces of the Soracom API's group operations."""

    AIR = "SoracomAir"
    BEAM = "SoracomBeam"
    ENDORSE = "SoracomEndorse"
    FLUX = "SoracomFlux"
    FUNK = "SoracomFunk"
    FUNNEL = "SoracomFunnel"
    HARVEST = "SoracomHarvest"
    HARVEST_FILES = "SoracomHarvestFiles"
    KRYPTON = "SoracomKrypton"
    ORBIT = "SoracomOrbit"
    UNIFIED_ENDPOINT = "UnifiedEndpoint"


Configuration = dict[str, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class ConfigGroup:
    """A Soracom group. Times are Unix milliseconds."""

    id: str
    operator_id: str
    created_at: int
    modified_at: int
    tags: dict[str, str] = field(default_factory=dict)
    configuration: Configuration = field(default_factory=dict)


def harvest_enabled(configuration: Mapping[str, Mapping[str, Any]]) -> bool:
    """Whether a group with this configuration writes its devices' frames to Harvest Data."""
    return is_on(configuration.get(Namespace.HARVEST, {}).get("enabled"))


def is_on(value: Any) -> bool:
    """A boolean parameter's reading: ``true``, or ``"true"`` in any case, since Soracom's
    generated clients type every parameter value as a string. The value is stored as given."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def with_parameters(
    configuration: Configuration, namespace: Namespace, parameters: Iterable[tuple[str, Any]]
) -> Configuration:
    """``configuration`` with the parameters set in ``namespace`` (added or replaced)."""
    updated = dict(configuration.get(namespace, {}))
    updated.update(parameters)
    return {**configuration, namespace.value: updated}


def without_namespace(configuration: Configuration, namespace: Namespace) -> Configuration:
    """``configuration`` without ``namespace``; InvalidInput when it has none (seed: 400)."""
    if namespace not in configuration:
        raise InvalidInput(f"The group has no {namespace.value} configuration.")
    return {name: value for name, value in configuration.items() if name != namespace}


def without_parameter(
    configuration: Configuration, namespace: Namespace, name: str
) -> Configuration:
    """``configuration`` without the parameter ``name`` of ``namespace``, if it was there."""
    parameters = configuration.get(namespace)
    if parameters is None or name not in parameters:
        return configuration
    return {
        **configuration,
        namespace.value: {key: value for key, value in parameters.items() if key != name},
    }
