"""Bulk device registrations, stored when asked and worked off in chunks afterwards.

A job's progress is the number of its devices already handled (``succeeded`` plus the
failures), so each chunk is one transaction that takes the next devices and records their
outcome: after a crash, work resumes at the first device no committed chunk handled.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, RowMapping, insert, select, update

from foxden.domain.clock import now_ms
from foxden.domain.ids import new_object_id
from foxden.storage.tables import registration_jobs


@dataclass(frozen=True, slots=True)
class Job:
    """A registration job: ``devices`` as requested ({"id", "pac"}), in request order;
    ``failures`` ({"id", "message"}) in the same order."""

    id: str
    device_type_id: str
    prefix: str
    devices: list[dict[str, Any]]
    done: bool = False
    succeeded: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)

    @property
    def handled(self) -> int:
        """How many devices, from the first, have been registered or refused."""
        return self.succeeded + len(self.failures)


def create(
    conn: Connection, device_type_id: str, prefix: str, devices: list[dict[str, Any]]
) -> Job:
    """Queue the registration of ``devices`` under a device type and return the job."""
    job = Job(new_object_id(), device_type_id, prefix, devices)
    conn.execute(
        insert(registration_jobs).values(
            id=job.id,
            device_type_id=device_type_id,
            prefix=prefix,
            devices=devices,
            done=False,
            succeeded=0,
            failures=[],
            created_at=now_ms(),
        )
    )
    return job


def get(conn: Connection, job_id: str) -> Job | None:
    """The job with this id, or None."""
    row = (
        conn.execute(select(registration_jobs).where(registration_jobs.c.id == job_id))
        .mappings()
        .first()
    )
    return _to_job(row) if row else None


def unfinished(conn: Connection) -> list[str]:
    """The ids of the jobs not done yet, oldest first."""
    return list(
        conn.execute(
            select(registration_jobs.c.id)
            .where(registration_jobs.c.done.is_(False))
            .order_by(registration_jobs.c.created_at, registration_jobs.c.id)
        ).scalars()
    )


def claim(conn: Connection, job_id: str) -> Job | None:
    """The job, locked until the transaction ends (on PostgreSQL), if it is not done yet.

    Workers of several servers may take the same job; the lock makes them handle its chunks
    one after the other, each starting where the previous one stopped.
    """
    row = (
        conn.execute(
            select(registration_jobs)
            .where(registration_jobs.c.id == job_id, registration_jobs.c.done.is_(False))
            .with_for_update()
        )
        .mappings()
        .first()
    )
    return _to_job(row) if row else None


def advance(conn: Connection, job: Job, succeeded: int, failures: list[dict[str, str]]) -> Job:
    """Record the outcome of the devices after the first ``job.handled`` ones; the job is done
    when every device is handled. Returns the job as stored."""
    handled = job.handled + succeeded + len(failures)
    advanced = dataclasses.replace(
        job,
        succeeded=job.succeeded + succeeded,
        failures=[*job.failures, *failures],
        done=handled >= len(job.devices),
    )
    conn.execute(
        update(registration_jobs)
        .where(registration_jobs.c.id == job.id)
        .values(succeeded=advanced.succeeded, failures=advanced.failures, done=advanced.done)
    )
    return advanced


def _to_job(row: RowMapping) -> Job:
    return Job(
        id=row["id"],
        device_type_id=row["device_type_id"],
        prefix=row["prefix"],
        devices=list(row["devices"]),
        done=row["done"],
        succeeded=row["succeeded"],
        failures=list(row["failures"]),
    )
