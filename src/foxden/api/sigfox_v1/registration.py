"""Device registration: seed 002's curl example and seed 001's asynchronous bulk creation.

``POST /api/devicetypes/{id}`` registers every device or none: the first invalid id or PAC,
repeated id or already registered id is a 400 naming it. The asynchronous bulk creation stores
a job in the request's transaction and answers at once; a worker in the server then registers
its devices in chunks, one transaction each, recording every device it refuses. The worker is
woken when a job is queued, looks for forgotten jobs every minute (those another server left
behind) and, at start, resumes the jobs a stopped server had not finished.

Each device is ``{"id", "pac"}``; ``pk``, the name seed 002's curl example uses, is an alias of
``pac``. A PAC is 8 bytes (16 hex digits). The example's ``pk`` has 24 hex digits, too long for
a PAC: such a key is taken as a product key, which foxden does not need, and the device gets a
PAC of its own, as when the network issues the PAC.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection

from foxden.api.deps import Db, RuntimeDep
from foxden.api.runtime import Runtime
from foxden.api.sigfox_v1 import scope
from foxden.api.sigfox_v1.auth import PrincipalDep
from foxden.api.sigfox_v1.scope import DeviceTypeId
from foxden.domain import ids
from foxden.domain.errors import Conflict, InvalidInput, NotFound
from foxden.domain.principals import Principal
from foxden.storage import devices, registration_jobs

router = APIRouter(tags=["Devices"])

log = logging.getLogger(__name__)

MAX_DEVICES = 5000
# A device's name is the prefix and its id (at most 8 hex digits), in 255 characters.
MAX_PREFIX = 255 - 8
# Devices registered per transaction: big enough to be quick, small enough that other writes
# never wait long for the worker.
CHUNK = 250
# How often the worker looks for jobs it was not woken for, and waits after an error.
POLL_S = 60.0
RETRY_S = 5.0

_PRODUCT_KEY = re.compile(r"[0-9a-fA-F]{24}")


class DeviceEntry(BaseModel):
    """A device to register: its id and its PAC (``pac``, or ``pk``)."""

    id: str = Field(description="The device id: 1 to 8 hex digits.")
    pac: str | None = Field(None, description="The device's PAC: 16 hex digits.")
    pk: str | None = Field(None, description="An alias of pac (seed 002's curl example).")

    def requested(self) -> dict[str, str | None]:
        """The device as a job stores it."""
        return {"id": self.id, "pac": self.pac if self.pac is not None else self.pk}


class Registration(BaseModel):
    """Devices to register under a device type; each is named ``prefix`` + its id."""

    prefix: str = Field("", max_length=MAX_PREFIX, description="The start of each device name.")
    ids: list[DeviceEntry] = Field(min_length=1, max_length=MAX_DEVICES)


class RegistrationJob(BaseModel):
    """A queued bulk registration."""

    model_config = ConfigDict(populate_by_name=True)

    total: int = Field(description="The number of devices to register.")
    job_id: str = Field(alias="jobId", description="The job, to follow its progress.")


class Failure(BaseModel):
    """A device the job could not register."""

    id: str = Field(description="The device id, as given.")
    message: str = Field(description="Why it was not registered.")


class RegistrationOutcome(BaseModel):
    """The devices already handled."""

    success: int = Field(description="How many devices were registered.")
    failed: list[Failure] = Field(description="The devices refused, in request order.")


class RegistrationJobStatus(BaseModel):
    """The progress of a bulk registration."""

    model_config = ConfigDict(populate_by_name=True)

    job_done: bool = Field(alias="jobDone", description="Whether every device was handled.")
    total: int = Field(description="The number of devices given.")
    status: RegistrationOutcome


def _device(requested: Mapping[str, Any]) -> tuple[str, str]:
    """The canonical id and the PAC of a requested device, or InvalidInput."""
    device_id = ids.device_id(requested["id"])
    key = requested["pac"]
    if key is None:
        raise InvalidInput(f"device {device_id} has no PAC")
    if _PRODUCT_KEY.fullmatch(key.strip()):
        return device_id, ids.new_pac()
    try:
        return device_id, ids.pac(key)
    except InvalidInput as error:
        raise InvalidInput(f"device {device_id}: {error.message}") from None


def _valid_ids(requested: Iterable[Mapping[str, Any]]) -> set[str]:
    """The canonical ids among ``requested`` that are valid."""
    found = set()
    for device in requested:
        with contextlib.suppress(InvalidInput):
            found.add(ids.device_id(device["id"]))
    return found


def _register(
    conn: Connection, device_type_id: str, prefix: str, requested: Mapping[str, Any], seen: set[str]
) -> str:
    """Register one device unless it is invalid, repeats one of ``seen`` or exists already;
    return its id. InvalidInput names the device."""
    device_id, pac = _device(requested)
    if device_id in seen:
        raise InvalidInput(f"device {device_id} is given more than once")
    seen.add(device_id)
    try:
        devices.create(conn, device_id, device_type_id, pac, name=prefix + device_id)
    except Conflict:
        raise InvalidInput(f"device {device_id} is already registered") from None
    return device_id


def _register_all(
    conn: Connection, principal: Principal, device_type_id: str, registration: Registration
) -> list[str]:
    device_type = scope.device_type(conn, principal, device_type_id)
    seen: set[str] = set()
    try:
        return [
            _register(conn, device_type.id, registration.prefix, entry.requested(), seen)
            for entry in registration.ids
        ]
    except InvalidInput as error:
        # The transaction is rolled back: nothing registered.
        raise InvalidInput(f"ids: {error.message}") from None


def _queue(
    conn: Connection, principal: Principal, device_type_id: str, registration: Registration
) -> registration_jobs.Job:
    device_type = scope.device_type(conn, principal, device_type_id)
    requested = [entry.requested() for entry in registration.ids]
    return registration_jobs.create(conn, device_type.id, registration.prefix, requested)


def _job(
    conn: Connection, principal: Principal, device_type_id: str, job_id: str
) -> registration_jobs.Job:
    device_type = scope.device_type(conn, principal, device_type_id)
    job = registration_jobs.get(conn, job_id)
    if job is None or job.device_type_id != device_type.id:
        raise NotFound(f"Registration job {job_id} not found.")
    return job


def _work_chunk(conn: Connection, job_id: str) -> bool:
    """Register the job's next devices; return whether the job is done (or gone)."""
    job = registration_jobs.claim(conn, job_id)
    if job is None:
        return True
    seen = _valid_ids(job.devices[: job.handled])
    succeeded = 0
    failures: list[dict[str, str]] = []
    for requested in job.devices[job.handled : job.handled + CHUNK]:
        try:
            _register(conn, job.device_type_id, job.prefix, requested, seen)
            succeeded += 1
        except InvalidInput as error:
            failures.append({"id": requested["id"], "message": error.message})
    return registration_jobs.advance(conn, job, succeeded, failures).done


async def _work_off(runtime: Runtime) -> None:
    """Finish every unfinished job, oldest first."""
    for job_id in await runtime.db.read(registration_jobs.unfinished):
        while not await runtime.db.write(_work_chunk, job_id):
            pass


async def _work(runtime: Runtime) -> None:
    """Work off the jobs whenever one is queued, every minute, and after an error."""
    queued = runtime.registrations_queued
    while True:
        queued.clear()
        try:
            await _work_off(runtime)
        except Exception:
            log.exception("bulk registration failed; retrying in %s s", RETRY_S)
            await asyncio.sleep(RETRY_S)
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(queued.wait(), POLL_S)


def start(runtime: Runtime) -> asyncio.Task[None]:
    """Start the worker of bulk registrations (the database must be open)."""
    return asyncio.create_task(_work(runtime), name="foxden-registrations")


async def stop(worker: asyncio.Task[None]) -> None:
    """Stop the worker; a chunk being committed is committed all the same."""
    worker.cancel()
    await asyncio.wait([worker])


@router.post(
    "/devicetypes/{device_type_id}",
    response_model=list[str],
    summary="Device registration",
)
async def register_devices(
    db: Db, principal: PrincipalDep, device_type_id: DeviceTypeId, body: Registration
) -> list[str]:
    """Register devices under a device type, all or none; answer their ids."""
    return await db.write(_register_all, principal, device_type_id, body)


@router.post(
    "/devicetypes/{device_type_id}/devices/bulk/create/async",
    response_model=RegistrationJob,
    summary="Bulk device creation",
)
async def create_devices_async(
    runtime: RuntimeDep,
    principal: PrincipalDep,
    device_type_id: DeviceTypeId,
    body: Registration,
) -> RegistrationJob:
    """Queue the registration of up to 5000 devices; follow it with its job id."""
    job = await runtime.db.write(_queue, principal, device_type_id, body)
    runtime.registrations_queued.set()
    return RegistrationJob(total=len(job.devices), job_id=job.id)


@router.get(
    "/devicetypes/{device_type_id}/registration/{job_id}",
    response_model=RegistrationJobStatus,
    summary="Registration job status",
)
async def get_registration_job(
    db: Db,
    principal: PrincipalDep,
    device_type_id: DeviceTypeId,
    job_id: Annotated[str, Path(description="The job id answered by the bulk creation.")],
) -> RegistrationJobStatus:
    """The progress of a bulk registration."""
    job = await db.read(_job, principal, device_type_id, job_id)
    return RegistrationJobStatus(
        job_done=job.done,
        total=len(job.devices),
        status=RegistrationOutcome(
            success=job.succeeded, failed=[Failure(**failure) for failure in job.failures]
        ),
    )
